"""Start the app: `streamlit run app.py` with Streamlit's legacy `pages/` mode switched off first.

    python scripts/serve.py [any `streamlit run` option, e.g. --server.port 8501]

Why not plain `streamlit run app.py`: a folder called `pages/` next to the main script puts
Streamlit into its legacy multipage mode, a process-wide flag
(`streamlit.runtime.pages_manager.PagesManager.uses_pages_directory`) set when the first
session is created and cleared only when a script run calls `st.navigation`. Every run that
starts while it is set runs a directly opened page's file alone, with the legacy page list and
its page ids, instead of app.py. When several browsers open deep links on a fresh server, the
runs that started before the first `st.navigation` get a page without the app's navigation
and language switch, and their next run resolves a legacy page id against app.py's pages:
Streamlit's false "Page not found" dialog over an inert page. The project's pages must live in
`pages/`, and no Streamlit option or script code runs before the first session, so the flag is
cleared here, in the server process, before Streamlit starts: every run then goes through
app.py's `st.navigation`, which resolves each session's URL against that session's own pages.

The same window had a second trap: the first sessions' script threads imported pandas at the
same moment, and Plotly (which imports pandas lazily and takes it from `sys.modules`) got the
half-initialised module from another thread: "partially initialized module 'pandas' has no
attribute 'Series'" instead of a chart. So the modules the pages draw with are imported here,
once, before any session exists.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
PRELOAD = ("pandas", "plotly.graph_objects", "explorer.charts", "explorer.charts_memory", "lstm_engine")


def main(argv: list[str] | None = None) -> None:
    """Run Streamlit's CLI as `streamlit run app.py ARGV` with the legacy pages mode off."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # app.py's st.navigation is the only page list
    sys.path.insert(0, str(APP.parent))
    for module in PRELOAD:
        importlib.import_module(module)
    cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
