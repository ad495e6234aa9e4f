"""Watch the gates: type a sentence and see every gate and state of the model, character by character.

Thin page: widgets -> engine (model.run, lstm_engine.analyses.unit_stats) -> chart builders -> render.
The sentence, model and step live in the URL so a view can be shared.
"""

import pandas as pd
import streamlit as st

from explorer import charts, export
from explorer.attribution_view import attribution_section
from explorer.render import model_caption, notify_unknown, sentence_and_model, show_chart
from explorer.state import (
    clamp_widget,
    ensure_app_shell,
    follow_text,
    keep,
    run_model,
    seed_widget,
    set_query_params,
    tr,
)
from explorer.visual import char_code
from lstm_engine import Trace
from lstm_engine.analyses import unit_stats

PAGE = "gates"  # prefix of this page's widget keys (explorer.state.widget_key)
SCALES = {"input": "gate", "forget": "gate", "output": "gate", "update": "gate", "reset": "gate"}
SCALES |= {"candidate": "tanh", "hidden": "tanh", "cell": "cell"}


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


ensure_app_shell()
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

# ---- controls
layer = model.num_layers - 1
if model.num_layers > 1:
    c1, c2, c3 = st.columns([1, 2, 2])
    layer = c1.selectbox(
        tr("gates.layer"),
        range(model.num_layers),
        index=model.num_layers - 1,
        format_func=lambda k: tr("gates.layer_name", k=k + 1, n=model.num_layers),
    )
else:
    c2, c3 = st.columns([1, 1])
H = model.hidden_size
order = c2.radio(
    tr("gates.order"),
    unit_stats.UNIT_ORDERS,
    format_func=lambda o: tr(f"gates.order.{o}"),
    horizontal=True,
    key=seed_widget("order", "activity", page=PAGE),
)
top_n = c3.slider(tr("gates.top_n"), 1, H, min(32, H), help=tr("gates.top_n_help"), key=f"top_n_{H}")
step_key = seed_widget("step", T - 1, url="step", cast=int, page=PAGE)
follow_text(step_key, text, T - 1)
clamp_widget(step_key, 0, T - 1)
step = st.slider(tr("gates.step"), 0, T - 1, key=step_key, help=tr("gates.step_help")) if T > 1 else 0
keep("order", "step", page=PAGE)
set_query_params(text=text, model=name, step=step)

# ---- the heatmaps: one per gate and state, units × characters
arrays = unit_stats.trace_arrays(trace, layer)
units = unit_stats.top_units(unit_stats.unit_activity(arrays.values()), top_n)
units = unit_stats.order_units(arrays.values(), units, order)
st.caption(tr("gates.units_note", n=len(units), total=H, order=tr(f"gates.order.{order}")))
if model.kind == "rnn":
    st.info(tr("gates.rnn_note"))
words = {"step": tr("gates.hover.step"), "unit": tr("gates.hover.unit"), "value": tr("gates.hover.value")}
for gate, values in arrays.items():
    show_chart(
        charts.unit_heatmap,
        values,
        trace.tokens,
        units,
        tr(text_key(model.kind, gate, "title")),
        SCALES[gate],
        step,
        words,
        caption=tr(text_key(model.kind, gate, "cap")),
        key=f"heat_{gate}",
        config={"displaylogo": False},
    )

bits = unit_stats.surprise_bits(trace)
show_chart(
    charts.surprise_strip,
    bits,
    trace.tokens,
    tr("gates.surprise_title"),
    step,
    {"step": words["step"], "value": tr("gates.hover.bits")},
    caption=tr("gates.surprise_cap"),
    key="surprise",
    config={"displaylogo": False},
)

# ---- the time cursor: every vector at step t, and the prediction after it
st.subheader(tr("gates.cursor_header", t=step) + " " + char_code(trace.tokens[step]))
bars_col, top_col = st.columns([3, 2])
vectors = {gate: values[step] for gate, values in arrays.items()}
titles = {gate: tr(text_key(model.kind, gate, "short")) for gate in arrays}
with bars_col:
    show_chart(
        charts.gate_bars,
        vectors,
        SCALES,
        units,
        titles,
        caption=tr("gates.bars_cap"),
        key="bars",
        config={"displaylogo": False},
    )
with top_col:
    top = model.top_k(trace.probs[step], 5)
    show_chart(
        charts.top_k_bars,
        top,
        tr("gates.topk_title"),
        caption=tr("gates.topk_cap"),
        key="topk",
        config={"displaylogo": False},
    )
    if step + 1 < T:
        nxt = trace.tokens[step + 1]
        p = float(trace.probs[step, trace.ids[step + 1]])
        shown = char_code(nxt)
        st.write(tr("gates.actual_next", char=shown, p=f"{p:.3f}", bits=f"{bits[step]:.2f}"))

attribution_section(model, trace, PAGE)  # which earlier characters moved one prediction

st.download_button(
    tr("gates.download"),
    data=lambda: trace_csv(trace),
    file_name="lstm_explorer_trace.csv",
    mime="text/csv",
    icon=":material/download:",
)
st.caption(tr("gates.download_cap"))
