"""Watch the gates: type a sentence and see every gate and state of the model, character by character.

Thin page: widgets -> engine (model.run, lstm_engine.analyses.unit_stats) -> one chart builder
(explorer.charts_gates) -> render. The time cursor lives in the figure itself (animation frames,
Plotly's slider and a Play button), so scrubbing and playing never call the server. The
sentence, model, first cursor step, unit ordering, top-N and chosen units live in the URL.
"""

import unicodedata

import numpy as np
import pandas as pd
import streamlit as st

from explorer import charts_gates, export
from explorer.attribution_view import attribution_section
from explorer.render import model_caption, notify_unknown, sentence_and_model, show_chart
from explorer.state import (
    clamp_widget,
    follow_text,
    keep,
    lang,
    run_model,
    seed_widget,
    set_query_params,
    tr,
)
from lstm_engine import Trace
from lstm_engine.analyses import unit_stats

PAGE = "gates"  # prefix of this page's widget keys (explorer.state.widget_key)
SCALES = {"input": "gate", "forget": "gate", "output": "gate", "update": "gate", "reset": "gate"}
SCALES |= {"candidate": "tanh", "hidden": "tanh", "cell": "cell"}
ORDERS = ("patterns", *unit_stats.UNIT_ORDERS)  # "interesting first" is the unit finder's
# characters in view by default (a phone's UA says "Mobi"); a Chinese character is twice as wide
VIEWS = {"phone": 24, "phone_wide": 16, "wide": 80}
VIEW_CHOICES = (16, 24, 48, 80, 160, 0)  # 0: all
MIN_R = 0.5  # |r| a unit needs with a pattern to be listed as tracking it
TOP_NEXT = 5


def text_key(kind: str, name: str, what: str) -> str:
    """Text key of a heatmap's title (what="title") or caption ("cap"); the GRU and RNN have
    their own wording for the candidate and the hidden state."""
    key = f"gates.{what}.{name}"
    if (kind, name) == ("gru", "candidate") or (what == "cap" and name == "hidden" and kind != "lstm"):
        key += f"_{kind}"
    return key


def trace_csv(trace: Trace) -> bytes:
    """The whole trace as tidy long-format CSV (built only when the user clicks download)."""
    return pd.DataFrame(export.trace_columns(trace)).to_csv(index=False).encode("utf-8")


def parse_units(value: str) -> list[int]:
    """Unit numbers from the URL ("3,17,40"); anything else is ignored."""
    return [int(v) for v in str(value).split(",") if v.strip().isdigit()]


def on_phone() -> bool:
    """Whether the browser says it is a phone (its user agent has "Mobi")."""
    return "Mobi" in (st.context.headers.get("User-Agent", "") if st.context.headers else "")


def wide_text(text: str) -> bool:
    """Whether most characters of text are East Asian wide ones (CJK: two columns each)."""
    return sum(unicodedata.east_asian_width(ch) in "WF" for ch in text) * 2 > len(text)


def default_view(text: str) -> int:
    """Characters in view by default: fewer on a phone, fewer still for Chinese text."""
    if not on_phone():
        return VIEWS["wide"]
    return VIEWS["phone_wide"] if wide_text(text) else VIEWS["phone"]


st.title(tr("nav.gates"))
st.write(tr("gates.intro"))

text, name, model = sentence_and_model(PAGE)
if model is None:
    st.stop()
st.caption(model_caption(model))
if not text:
    set_query_params(text="", model=name)
    st.info(tr("common.empty_text"))
    st.stop()

trace = run_model(name, model, text)
notify_unknown(trace.unknown, trace.dropped)
T = len(trace.tokens)
if T == 0:
    st.warning(tr("gates.no_tokens"))
    st.stop()

# ---- controls (each kept in the URL, so a shared link opens the same view)
H = model.hidden_size
layer = model.num_layers - 1
c1, c2, c3 = st.columns([2, 1, 1])
order = c1.radio(
    tr("gates.order"),
    ORDERS,
    format_func=lambda o: tr(f"gates.order.{o}"),
    horizontal=True,
    key=seed_widget("order", "patterns", url="order", page=PAGE),
)
top_key = seed_widget(f"top_n_{H}", min(32, H), url="top", cast=int, page=PAGE)
clamp_widget(top_key, 1, H)
top_n = c2.slider(tr("gates.top_n"), 1, H, help=tr("gates.top_n_help"), key=top_key)
view_key = seed_widget("view", default_view(text), url="view", cast=int, page=PAGE)
if st.session_state[view_key] not in VIEW_CHOICES:
    st.session_state[view_key] = default_view(text)
view = c3.selectbox(
    tr("gates.view"),
    VIEW_CHOICES,
    format_func=lambda v: str(v) if v else tr("gates.view.all"),
    help=tr("gates.view_help"),
    key=view_key,
)
units_key = seed_widget("units", [], url="units", cast=parse_units, page=PAGE)
st.session_state[units_key] = [u for u in st.session_state[units_key] if 0 <= u < H]
chosen = st.multiselect(
    tr("gates.units"),
    list(range(H)),
    key=units_key,
    help=tr("gates.units_help", h=H - 1),
    placeholder=tr("gates.units_placeholder"),
    max_selections=64,
)
if model.num_layers > 1:
    layer = st.selectbox(
        tr("gates.layer"),
        range(model.num_layers),
        index=model.num_layers - 1,
        format_func=lambda k: tr("gates.layer_name", k=k + 1, n=model.num_layers),
    )
step_key = seed_widget("step", 0, url="step", cast=int, page=PAGE)
follow_text(step_key, text, 0, memo="gates_cursor_text")  # a new sentence plays from its start
clamp_widget(step_key, 0, T - 1)
step = int(st.session_state[step_key])
keep("order", f"top_n_{H}", "units", "view", page=PAGE)  # the cursor moves in the browser: not kept
set_query_params(
    text=text,
    model=name,
    order=order,
    top=top_n,
    units=",".join(map(str, sorted(chosen))),
    view=view,
    lang=lang(),
)

# ---- which units, in which order
arrays = unit_stats.trace_arrays(trace, layer)
trackers = unit_stats.pattern_units(trace.tokens, arrays["hidden"], min_r=MIN_R)
if chosen:
    units = unit_stats.order_units(arrays.values(), chosen, "index" if order == "patterns" else order)
elif order == "patterns":
    units = unit_stats.interesting_first(arrays.values(), trackers, top_n)
else:
    units = unit_stats.order_units(
        arrays.values(), unit_stats.top_units(unit_stats.unit_activity(arrays.values()), top_n), order
    )
tracks = {tr_.unit: tr(f"gates.track.{tr_.pattern}") for tr_ in trackers}
unit_labels = [f"{u} {tracks[u]}" if u in tracks else str(u) for u in units]
st.caption(tr("gates.units_note", n=len(units), total=H, order=tr(f"gates.order.{order}")))
if order == "patterns":
    listed = ", ".join(f"{t.unit} {tracks[t.unit]} (r = {t.r:+.2f})" for t in trackers)
    st.caption(
        tr("gates.tracked_note", r=MIN_R, units=listed) if trackers else tr("gates.no_tracked", r=MIN_R)
    )
if model.kind == "rnn":
    st.info(tr("gates.rnn_note"))

# ---- the figure: summaries, heatmaps, surprise, and the cursor's step
summaries = unit_stats.step_summaries(trace, layer)
thresholds = {s[0]: s[3] for s in unit_stats.STEP_SUMMARIES.get(model.kind, ())}
title = "short" if on_phone() else "title"  # a phone's narrow figure would cut the long titles
panels = [
    charts_gates.Panel(
        gate,
        values,
        SCALES[gate],
        tr(text_key(model.kind, gate, title)),
        tr(text_key(model.kind, gate, "short")),
    )
    for gate, values in arrays.items()
]
cell = unit_stats.cell_scale(arrays["cell"][:, units]) if "cell" in arrays else None
ids, probs = unit_stats.top_next(trace.probs, TOP_NEXT)
words = {
    "summary": tr("gates.summary_title", h=H),
    "surprise": tr("gates.surprise_title"),
    "bars": tr("gates.bars_title"),
    "top": tr("gates.topk_title"),
    "step": tr("gates.hover.step_only"),
    "unit": tr("gates.hover.unit"),
    "value": tr("gates.hover.value"),
    "bits": tr("gates.hover.bits"),
    "play": tr("gates.play"),
    "pause": tr("gates.pause"),
    "reading": tr("gates.reading"),
    "reading_last": tr("gates.reading_last"),
} | {s: tr(f"gates.sum.{s}", v=v) for s, v in thresholds.items()}
in_view = view or T
if in_view < T:
    st.caption(tr("gates.view_note", T=T, view=in_view))
show_chart(
    charts_gates.gates_figure,
    trace.tokens,
    panels,
    units,
    unit_labels,
    summaries,
    {s: unit_stats.peaks(v) for s, v in summaries.items()},
    unit_stats.surprise_bits(trace),
    (np.array(model.vocab.chars, dtype=object)[ids], probs),
    words,
    step=step,
    view=in_view,
    cell=cell,
    caption=tr("gates.fig_cap"),
    key="gates_figure",
    config={"displaylogo": False, "scrollZoom": False},
)
with st.expander(tr("gates.panels")):
    notes = [tr("gates.cap.summary")] if summaries else []
    for gate in arrays:
        fmt = {"median": f"{cell.median:.1f}", "top": f"{cell.top:.0f}"} if gate == "cell" and cell else {}
        notes.append(
            f"**{tr(text_key(model.kind, gate, 'short'))}**: " + tr(text_key(model.kind, gate, "cap"), **fmt)
        )
    notes += [tr("gates.surprise_cap"), tr("gates.bars_cap"), tr("gates.topk_cap")]
    st.markdown("\n".join(f"- {n}" for n in notes))

# ---- more views of the same trace (each one section with its own captions)
attribution_section(model, trace, PAGE)  # which earlier characters moved one prediction

st.download_button(
    tr("gates.download"),
    data=lambda: trace_csv(trace),
    file_name="lstm_explorer_trace.csv",
    mime="text/csv",
    icon=":material/download:",
)
st.caption(tr("gates.download_cap"))
