"""Shared AppTest helpers: open one page, and read back the Plotly figures it sent."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_page(name: str, timeout: float = 90) -> AppTest:
    """pages/NAME.py run on its own (app.py only adds navigation and the language switch)."""
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=timeout).run()


def decode(obj):
    """Plotly JSON with typed arrays ({"dtype", "bdata", "shape"}) decoded to NumPy."""
    if isinstance(obj, dict) and "bdata" in obj and "dtype" in obj:
        arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
        shape = obj.get("shape")
        return arr.reshape([int(n) for n in str(shape).split(",")]) if shape else arr
    if isinstance(obj, dict):
        return {k: decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    return obj


def figures(at: AppTest) -> list[go.Figure]:
    """Every Plotly chart on the page, rebuilt from what was sent to the browser."""
    return [go.Figure(decode(json.loads(e.proto.spec)), skip_invalid=True) for e in at.get("plotly_chart")]


def set_small(at: AppTest, steps: int = 3, hidden: int = 16, sample_every: int = 0) -> AppTest:
    """Set the train page to a run small enough for a test (a few steps of a tiny model)."""
    at.number_input(key="train_steps").set_value(steps)
    at.select_slider(key="train_hidden").set_value(hidden)
    at.number_input(key="train_sample_every").set_value(sample_every)
    return at


def finish_job(at: AppTest, key: str) -> AppTest:
    """Wait until the page's training job (session_state[key], run in the pool) has ended,
    then rerun the page, as its polling fragment would, so it shows the outcome."""
    assert at.session_state[key]["handle"].wait(120), "the training job did not end"
    return at.run()


def page_job(handle, text: str, config, label: str = "RNN 1×8") -> dict:
    """The train page's record of a pool job it has not polled yet (as pages/train.py new_job)."""
    return {
        "handle": handle, "text": text, "config": config, "model": None, "history": [],
        "samples": [], "status": "queued", "label": label, "name": None, "error": None,
    }  # fmt: skip


def page_constant(page: str, name: str):
    """A module-level constant of pages/PAGE.py, read from its source (importing a page would
    run it): the value of `NAME = <literal>`."""
    import ast

    tree = ast.parse((ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(name)
