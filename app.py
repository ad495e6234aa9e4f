"""LSTM Explorer: navigation over the pages, page config and the language switch; nothing else."""

import streamlit as st

from explorer.state import lang, tr
from explorer.texts import LANGS

st.set_page_config(page_title="LSTM Explorer", page_icon="🔬", layout="wide")

with st.sidebar:
    st.session_state["lang"] = lang()
    st.radio(
        tr("app.language"),
        list(LANGS),
        format_func=LANGS.get,
        key="lang",
        horizontal=True,
        on_change=lambda: st.query_params.update(lang=st.session_state["lang"]),
    )

pages = [
    st.Page("pages/gates.py", title=tr("nav.gates"), icon="🚦", url_path="gates", default=True),
]
st.navigation(pages).run()
