"""Inside the cells: gate saturation per unit, a unit finder for patterns, and a "what if" edit.

Thin page: widgets -> model.run + lstm_engine.analyses (units, edits) -> explorer.charts_memory -> render.
"""

from __future__ import annotations

import streamlit as st

from explorer.charts_memory import delta_heatmap, saturation_chart, top_units_chart, unit_text_chart
from explorer.render import model_caption, notify_unknown, show_chart
from explorer.state import (
    ZH_MODEL,
    choice,
    clip_text,
    default_model,
    get_model,
    lang,
    model_names,
    tr,
    url_widget,
    write_url,
)
from lstm_engine.analyses import edits, unit_stats

MAX_CELL_TEXT = 2000  # characters this page runs (statistics need more text than one sentence)
DEFAULT_PATTERN = {"zh": "line_position"}  # the pattern the default text shows best; else quotes
URL = {"cells_pattern": "pattern", "cells_text": "text"}  # widget key -> URL parameter


def show_unknown(model, text: str) -> None:
    """Tell the user which characters the model does not know."""
    enc = model.encode(text)
    notify_unknown(enc.unknown, enc.dropped)


def saturation_section(trace) -> None:
    st.header(tr("cells.sat_heading"))
    st.markdown(tr("cells.sat_intro"))
    sats = unit_stats.gate_saturation(trace.gates)
    if not sats:
        st.info(tr("cells.no_gates"))
        return
    show_chart(saturation_chart, sats, lang(), caption=tr("cells.sat_caption"), key="cells_sat")


def finder_section(trace) -> None:
    st.header(tr("cells.finder_heading"))
    st.markdown(tr("cells.finder_intro"))
    T = len(trace.tokens)
    c1, c2, c3 = st.columns([2, 1, 1])
    pattern = c1.radio(
        tr("cells.pattern"),
        unit_stats.PATTERNS,
        format_func=lambda p: tr(f"cells.pattern_{p}"),
        horizontal=True,
        key=url_widget(
            "cells_pattern", DEFAULT_PATTERN.get(lang(), "quotes"), URL, choice(unit_stats.PATTERNS)
        ),
    )
    paths = ("h", "c") if trace.c is not None else ("h",)
    path = c2.radio(
        tr("cells.state"),
        paths,
        format_func=lambda p: tr(f"cells.state_{p}"),
        horizontal=True,
        key="cells_path",
    )
    k = c3.slider(tr("cells.top_k"), 1, 10, 5, key="cells_k")
    span = (0, 0)
    if pattern == "span":
        span = st.slider(tr("cells.span"), 0, T, (0, min(T, 20)), key="cells_span")
        st.text(tr("cells.span_shows", text=repr("".join(trace.tokens[span[0] : span[1]])[:200])))
    states = trace.c if path == "c" else trace.h
    signal = unit_stats.pattern_signal(trace.tokens, pattern, span)
    ranking = unit_stats.rank_units(states, signal)
    if ranking.constant:
        st.warning(tr("cells.constant_signal"))
        return
    top = [int(u) for u in ranking.order[:k]]
    show_chart(
        top_units_chart,
        states,
        top,
        ranking.corr,
        trace.tokens,
        signal,
        lang(),
        caption=tr("cells.top_caption"),
        key="cells_top",
    )
    unit = st.selectbox(
        tr("cells.unit_pick"),
        top,
        format_func=lambda u: tr("cells.unit_label", unit=u, r=ranking.corr[u]),
        key="cells_unit",
    )
    title = tr("cells.text_title", unit=unit, path=path, r=ranking.corr[unit])
    show_chart(
        unit_text_chart,
        trace.tokens,
        states[:, unit],
        title,
        caption=tr("cells.text_caption"),
        key="cells_unit_text",
    )


def whatif_section(model) -> None:
    st.header(tr("cells.whatif_heading"))
    st.markdown(tr("cells.whatif_intro"))
    c1, c2 = st.columns(2)
    original, _ = clip_text(
        c1.text_input(tr("cells.original"), tr("cells.original_default"), key="cells_original")
    )
    edited, _ = clip_text(c2.text_input(tr("cells.edited"), tr("cells.edited_default"), key="cells_edited"))
    if not original or not edited:
        st.info(tr("common.empty_text"))
        return
    delta = edits.edit_delta(model, original, edited)
    if len(delta.edited) == 0:
        st.info(tr("common.empty_text"))
        return
    if original == edited:
        st.info(tr("cells.no_change"))
    for name, arr in (("Δc", delta.dc), ("Δh", delta.dh)):
        if arr is not None:
            show_chart(
                delta_heatmap,
                arr,
                delta.edited,
                delta.changed,
                name,
                lang(),
                caption=tr("cells.delta_caption_c" if name == "Δc" else "cells.delta_caption_h"),
                key=f"cells_delta_{name}",
            )


st.title(tr("nav.cells"))
st.markdown(tr("cells.intro"))
names = model_names()
first = default_model()
name = st.selectbox(
    tr("common.model"), names, index=names.index(first) if first in names else 0, key="cells_model"
)
model, error = get_model(name)
raw = st.text_area(
    tr("cells.text", zh=ZH_MODEL), height=180, key=url_widget("cells_text", tr("cells.default_text"), URL)
)
text, cut = clip_text(raw, MAX_CELL_TEXT)
if cut:
    st.caption(tr("common.truncated", n=MAX_CELL_TEXT))

if error:
    st.error(error)
elif not text:
    st.info(tr("common.empty_text"))
else:
    show_unknown(model, text)
    trace = model.run(text)
    if len(trace.tokens) < 2:
        st.info(tr("common.empty_text"))
    else:
        st.caption(tr("cells.model_line", model=model_caption(model), n=len(trace.tokens)))
        saturation_section(trace)
        finder_section(trace)
        whatif_section(model)
write_url(URL, defaults={"cells_text": tr("cells.default_text")})
