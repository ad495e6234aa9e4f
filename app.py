"""LSTM Explorer: navigation over the pages, page config and the language switch; nothing else."""

import streamlit as st
from threadpoolctl import threadpool_limits

from explorer.state import lang, tr
from explorer.texts import LANGS


@st.cache_resource
def one_blas_thread() -> None:
    """Once per process: the engine's batch-1 matmuls are tiny, and extra BLAS threads only
    spin-wait while several users share the cores (1 thread measured 2-6x faster,
    benchmarks/README.md)."""
    threadpool_limits(limits=1, user_api="blas")


one_blas_thread()
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

# url_path = the file's stem: Streamlit resolves a directly opened URL against pages/ file names
# before st.navigation runs, and shows a false "page not found" dialog when they differ.
pages = [
    st.Page("pages/gates.py", title=tr("nav.gates"), icon="🚦", url_path="gates", default=True),
    st.Page("pages/one_step.py", title=tr("nav.one_step"), icon="🔢", url_path="one_step"),
    st.Page("pages/memory.py", title=tr("nav.memory"), icon="🧠", url_path="memory"),
    st.Page("pages/train.py", title=tr("nav.train"), icon="🏋️", url_path="train"),
    st.Page("pages/cells.py", title=tr("nav.cells"), icon="🔬", url_path="cells"),
]
st.navigation(pages).run()
