"""Render helpers that keep one broken chart from blanking a page.

A page draws many charts; if one builder (or Plotly's serialisation of its figure) raises,
Streamlit would replace the whole rest of the page with a traceback. `show_chart` builds and
draws one chart, and on any error shows a short translated warning in that chart's place
and logs the traceback on the server, so every other element of the page still renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from explorer.charts import RawFigure
from explorer.state import (
    MAX_TEXT,
    accept_offer,
    clip_text,
    default_text,
    get_model,
    keep,
    lang,
    model_names,
    model_offer,
    model_picker_key,
    picked_model,
    seed_widget,
    tr,
)
from explorer.texts import coded_text, error_text, plain
from explorer.visual import unknown_notice
from lstm_engine import CodedError, Model

LOG = logging.getLogger(__name__)


def model_caption(model: Model) -> str:
    """One line for captions, e.g. "LSTM, 1×128 units, 118k parameters", in the UI language."""
    return tr(
        "common.model_caption",
        kind=model.kind.upper(),
        layers=model.num_layers,
        hidden=model.hidden_size,
        k=f"{model.num_params / 1000:.0f}",
    )


def failure_reason(exc: BaseException) -> str:
    """A short, markdown-safe description of an error: its type and first words."""
    message = str(exc)
    return plain(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def job_error(end: dict) -> str:
    """A worker's failure (its end message, explorer/jobs.py) in the UI language: worded from
    the engine error's code and params when it had one, else its own text."""
    return coded_text(end["code"], end["params"], lang()) if "code" in end else plain(end["error"])


def error_message(exc: BaseException) -> str:
    """What went wrong, markdown-safe, for st.error / st.warning: an engine error (one with a
    code) in the UI language, anything else as `failure_reason`."""
    return error_text(exc, lang()) if isinstance(exc, CodedError) else failure_reason(exc)


def show_chart(
    build: Callable[..., go.Figure],
    *args: Any,
    caption: str | None = None,
    key: str | None = None,
    where: Any = None,
    config: dict | None = None,
    **kwargs: Any,
) -> go.Figure | None:
    """Draw `build(*args, **kwargs)` with `st.plotly_chart` and return the figure.

    build: a pure chart builder (explorer.charts / charts_memory); caption: the chart's
    one-sentence caption, shown under it (not when it failed); key: the plotly_chart key;
    where: the container to draw into (a column, an `st.empty()` slot, ...; default `st`;
    give a slot no caption: a second element in a slot replaces the chart);
    config: Plotly config passed on. A RawFigure (explorer.charts) sets its own look and is
    drawn with Streamlit's theme off, any other figure with it. Any Exception from building or drawing becomes
    `st.warning(common.chart_failed)` in the chart's place and None is returned; Streamlit's
    own control flow (st.stop, reruns) derives from BaseException and passes through.
    """
    where = st if where is None else where
    try:
        fig = build(*args, **kwargs)
        theme = None if isinstance(fig, RawFigure) else "streamlit"
        where.plotly_chart(fig, key=key, theme=theme, **({"config": config} if config is not None else {}))
    except Exception as exc:  # noqa: BLE001 - the point: no chart error may blank the page
        LOG.exception("chart %s (key=%s) failed", getattr(build, "__name__", build), key)
        where.warning(tr("common.chart_failed", why=failure_reason(exc)))
        return None
    if caption:
        where.caption(caption)
    return fig


def notify_unknown(unknown: list[tuple[int, str]], dropped: bool) -> None:
    """The notice for characters outside the model's vocabulary (explorer.visual.unknown_notice),
    the same on every page; nothing when there are none."""
    if unknown:
        key, fmt = unknown_notice(unknown, dropped)
        st.info(tr(key, **fmt))


def offer_model(page: str, name: str) -> None:
    """After a language switch, a small notice offering the new language's model, with a
    button to take it and one to keep the current model (never switched without asking)."""
    offer = model_offer()
    if offer is None:
        return
    with st.container(border=True):
        st.caption(tr("common.offer_model", model=offer, current=name))
        take, stay, _ = st.columns([2, 2, 3])
        take.button(
            tr("common.offer_take", model=offer),
            on_click=accept_offer,
            args=(page, True),
            key=f"{page}:offer_take",
        )
        stay.button(
            tr("common.offer_keep", model=name),
            on_click=accept_offer,
            args=(page, False),
            key=f"{page}:offer_keep",
        )


def sentence_and_model(page: str) -> tuple[str, str, Model | None]:
    """The sentence box and model picker shared by the gates and one-step pages.

    Both widgets keep their value across pages and in the URL; a text over MAX_TEXT is cut
    with a visible note, a link naming a model this session does not have says so, and a
    model that fails to load shows its message. Returns (text,
    model name, model or None when it could not be loaded).
    """
    left, right = st.columns([3, 1])
    raw = left.text_input(
        tr("common.text"),
        key=seed_widget("text", default_text(), url="text", page=page),
        help=tr("gates.text_help", n=MAX_TEXT),
    )
    name = right.selectbox(
        tr("common.model"),
        model_names(),
        key=model_picker_key(page),
        help=tr("gates.model_help"),
        on_change=picked_model,
        args=(page,),
    )
    keep("text", "model", page=page)
    linked = st.query_params.get("model")
    if linked and linked not in model_names():  # someone else's trained or uploaded model
        st.warning(tr("common.model_elsewhere", name=plain(linked, 60)))
    offer_model(page, name)
    text, cut = clip_text(raw)
    if cut:
        st.warning(tr("common.truncated", n=MAX_TEXT))
    model, error = get_model(name)
    if error:
        st.error(error)
    return text, name, model
