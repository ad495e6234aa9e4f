"""LSTM Explorer: navigation over the pages, page config and the language switch; nothing else."""

import gc

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


@st.cache_resource
def freeze_startup_heap() -> None:
    """Once per process, after the first full run: move every object alive now (the modules of
    Streamlit, Plotly, pandas, NumPy and ours) out of the cyclic collector's sight. Streamlit
    runs a full gc.collect() after every script run; over that heap it took ~0.1 s, a third of
    the server's CPU under load. Frozen objects are still freed when their last reference goes."""
    gc.collect()
    gc.freeze()


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

# url_path = the file's stem, so a link means the same page even to Streamlit's legacy pages/ mode
# (which scripts/serve.py switches off before the first session: see its docstring).
gates = st.Page("pages/gates.py", title=tr("nav.gates"), icon="🚦", url_path="gates")


lessons = st.Page("pages/lessons.py", title=tr("nav.lessons"), icon="🎓", url_path="lessons")


def home() -> None:
    """The root URL: a newcomer starts on the lessons' start screen; a shared link that carries
    a sentence (text=..., as the gates page writes it) opens the gates page, query parameters
    and all. (Streamlit serves its default page at "/" only, so neither is the default: /lessons
    and /gates must open without a false "page not found" dialog.)"""
    params = st.query_params.to_dict()
    st.switch_page(gates if "text" in params else lessons, query_params=params)


pages = [
    st.Page(home, title=tr("nav.lessons"), url_path="home", default=True, visibility="hidden"),
    lessons,
    gates,
    st.Page("pages/both_ways.py", title=tr("nav.both_ways"), icon="↔️", url_path="both_ways"),
    st.Page("pages/one_step.py", title=tr("nav.one_step"), icon="🔢", url_path="one_step"),
    st.Page("pages/memory.py", title=tr("nav.memory"), icon="🧠", url_path="memory"),
    st.Page("pages/train.py", title=tr("nav.train"), icon="🏋️", url_path="train"),
    st.Page("pages/cells.py", title=tr("nav.cells"), icon="🔬", url_path="cells"),
]
st.navigation(pages).run()
freeze_startup_heap()  # not reached by a run that stopped or reran early: the next one does it
