"""The gates page's attribution view: which earlier characters moved one prediction.

One call from a page, `attribution_section(model, trace, page)`, draws a header, its own step
slider and the sentence coloured by influence (lstm_engine.analyses.attribution). The slider
lives in an `st.fragment`, so moving it reruns only this section (one backward pass, ~10 ms
for 200 characters), never the page's heatmaps; the gates page's own time cursor moves in
the browser and does not reach the server.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.charts_attribution import influence_text
from explorer.render import show_chart
from explorer.state import clamp_widget, follow_text, seed_widget, tr
from explorer.visual import char_code
from lstm_engine import Model, Trace
from lstm_engine.analyses.attribution import attribution


def seen_positions(model: Model, T: int, step: int) -> np.ndarray:
    """(T,) bool: the inputs the prediction at `step` can depend on (a left-to-right model:
    positions up to `step`; a bidirectional one: the whole text, but for a fill-in-the-blank
    model the hidden character itself)."""
    if model.task == "blank":
        return np.arange(T) != step
    if model.bidirectional:
        return np.ones(T, dtype=bool)
    return np.arange(T) <= step


@st.fragment
def attribution_section(model: Model, trace: Trace, page: str) -> None:
    """Header, step slider, a line saying what is predicted, and the coloured sentence."""
    T = len(trace.ids)
    if T == 0:
        return
    st.subheader(tr("attribution.header"))
    key = seed_widget("attribution_step", T - 1, page=page)
    follow_text(key, trace.text, T - 1, memo=f"{key}_text")
    clamp_widget(key, 0, T - 1)
    step = (
        st.slider(tr("attribution.step"), 0, T - 1, key=key, help=tr("attribution.step_help")) if T > 1 else 0
    )
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        result = attribution(model, trace.ids, steps=[step])
    norms = result.norms[0]
    target = model.vocab.chars[int(result.targets[0])]
    which = "attribution.scored_next" if step + 1 < T else "attribution.scored_top"
    if model.task == "blank":
        which = "attribution.scored_blank"
    p = f"{float(np.exp(result.log_p[0])):.3f}"
    st.markdown(tr(which, char=char_code(target), after=char_code(trace.tokens[step]), t=step, p=p))
    if not np.isfinite(norms).all():
        st.info(tr("attribution.overflow"))
        return
    if not norms.any():
        st.info(tr("attribution.zero"))
        return
    show_chart(
        influence_text,
        trace.tokens,
        norms,
        seen_positions(model, T, step),
        step,
        {"step": tr("gates.hover.step"), "value": tr("attribution.hover")},
        caption=tr("attribution.cap"),
        key=f"{page}_attribution",
        config={"displaylogo": False},
    )
