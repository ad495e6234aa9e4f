"""Read both ways: hide one character and see what each direction of a bidirectional LSTM
guesses for it, what each direction's states and gates look like, and how far each reaches.

Thin page: widgets -> engine (Model.run, Model.blank_probs, analyses.attribution) -> chart
builders -> render. The sentence, the blank's position and the view live in the URL.
"""

import numpy as np
import streamlit as st

from explorer import charts
from explorer.charts_attribution import influence_text
from explorer.render import model_caption, notify_unknown, show_chart
from explorer.state import (
    BOTH_WAYS,
    MAX_TEXT,
    clamp_widget,
    clip_text,
    keep,
    load_shipped,
    seed_widget,
    set_query_params,
    tr,
)
from explorer.visual import char_code
from lstm_engine import UNK
from lstm_engine.analyses import unit_stats
from lstm_engine.analyses.attribution import blank_attribution, reach
from lstm_engine.core.gates import GATE_TABLE

PAGE = "both_ways"  # prefix of this page's widget keys
DEFAULT_TEXT = "The function returns None if the list is empty."
DEFAULT_BLANK = DEFAULT_TEXT.index("f")  # a word's first letter: only the rest of the word tells
TOP_K = 5
UNITS = 24  # units per heatmap: the ones that move most while reading
SIDES = ("forward", "backward", "both")


def label(kind: str, name: str) -> str:
    """The short name of a drawn array ("forget gate F", "hidden state H", ...)."""
    key = f"gates.short.{name}"
    return tr(key + "_gru" if (kind, name) == ("gru", "candidate") else key)


def scale(kind: str, name: str) -> str:
    """The heatmap colour scale of a drawn array: σ gates "gate", tanh values "tanh", the
    LSTM cell state "cell" (from the engine's gate table)."""
    if name in ("cell", "hidden"):
        return "tanh" if name == "hidden" else "cell"
    activation = next(g.activation for g in GATE_TABLE[kind] if g.name == name)
    return "gate" if activation == "sigmoid" else "tanh"


st.title(tr("nav.both_ways"))
st.write(tr("both.intro"))

both, error = load_shipped(BOTH_WAYS["both"], tr("both.model_both"))
left_only, error_left = load_shipped(BOTH_WAYS["left"], tr("both.model_left"))
for message in (error, error_left):
    if message:
        st.error(message)
if both is None:
    st.stop()
st.caption(tr("both.models", both=model_caption(both), left=model_caption(left_only) if left_only else "—"))

raw = st.text_input(
    tr("common.text"),
    key=seed_widget("text", DEFAULT_TEXT, url="text", page=PAGE),
    help=tr("both.text_help", n=MAX_TEXT),
)
text, cut = clip_text(raw)
if cut:
    st.warning(tr("common.truncated", n=MAX_TEXT))
if not text:
    set_query_params(text="")
    st.info(tr("common.empty_text"))
    st.stop()
probs = both.blank_probs(text)
tokens, ids = probs.tokens, probs.ids
enc = both.encode(text)
notify_unknown(enc.unknown, enc.dropped)
T = len(tokens)
if T < 2:
    st.warning(tr("both.too_short"))
    st.stop()

# ---- the blank
blank_key = seed_widget("blank", DEFAULT_BLANK, url="blank", cast=int, page=PAGE)
clamp_widget(blank_key, 0, T - 1)
t = st.slider(tr("both.blank"), 0, T - 1, key=blank_key, help=tr("both.blank_help"))
keep("text", "blank", page=PAGE)
set_query_params(text=text, blank=t)
hidden = tokens[t]
shown = "".join(tokens[:t]) + "_" + "".join(tokens[t + 1 :])
st.markdown(tr("both.sentence", text=char_code(shown), char=char_code(hidden)))
if hidden == UNK:
    st.info(tr("both.blank_unknown"))

# ---- the candidates: each side alone, both, and the model that only reads the left
st.subheader(tr("both.candidates_header"))
guesses = {side: getattr(probs, side)[t] for side in SIDES}
if left_only is not None:
    guesses["left_only"] = left_only.blank_probs(text).forward[t]
columns = st.columns(len(guesses))
for (name, p), col in zip(guesses.items(), columns, strict=True):
    with col:
        model = left_only if name == "left_only" else both
        show_chart(
            charts.top_k_bars,
            model.top_k(p, TOP_K),
            tr(f"both.side.{name}"),
            key=f"{PAGE}_top_{name}",
            config={"displaylogo": False},
        )
        st.caption(tr("both.p_hidden", char=char_code(hidden), p=f"{p[ids[t]]:.3f}"))
st.caption(tr("both.candidates_cap"))

# ---- how far each direction's information reaches
st.subheader(tr("both.reach_header"))
words = {"step": tr("gates.hover.step"), "value": tr("attribution.hover")}
with np.errstate(over="ignore", invalid="ignore"):
    rows = {"both": blank_attribution(both, ids, t).norms[0]}
    if left_only is not None:
        rows["left_only"] = blank_attribution(left_only, left_only.encode(text).ids, t).norms[0]
for name, norms in rows.items():
    r = reach(norms, t)
    if name == "left_only" and t == 0:
        st.info(tr("both.nothing_left"))
        continue
    if not np.isfinite(norms).all() or not norms.any():
        st.info(tr("attribution.zero" if np.isfinite(norms).all() else "attribution.overflow"))
        continue
    seen = np.arange(T) < t if name == "left_only" else np.arange(T) != t
    show_chart(
        influence_text,
        tokens,
        norms,
        seen,
        t,
        words,
        tr(f"both.reach_title.{name}"),
        key=f"{PAGE}_reach_{name}",
        config={"displaylogo": False},
    )
    st.caption(
        tr(
            f"both.reach_cap.{name}",
            left=f"{r.left:.0%}",
            right=f"{r.right:.0%}",
            left_span=r.left_span,
            right_span=r.right_span,
        )
    )

WORDS = {"step": tr("gates.hover.step"), "unit": tr("gates.hover.unit"), "value": tr("gates.hover.value")}
# ---- the two directions' states and gates, aligned character by character
st.subheader(tr("both.states_header"))
layer = both.run(text).layers[0]
halves = {d: unit_stats.layer_arrays(layer.direction(d), both.kind) for d in ("forward", "backward")}
labels = {n: label(both.kind, n) for n in halves["forward"]}
what = st.radio(
    tr("both.show"),
    list(labels),
    format_func=labels.get,  # a dict, not tr: worded once, in the language of this run
    horizontal=True,
    key=seed_widget("show", "hidden", url="show", page=PAGE),
)
keep("show", page=PAGE)
set_query_params(show=what)
read = {"forward": t - 1 if t > 0 else None, "backward": t + 1 if t + 1 < T else None}
for d, arrays in halves.items():
    units = unit_stats.top_units(unit_stats.unit_activity(arrays.values()), min(UNITS, both.hidden_size))
    show_chart(
        charts.unit_heatmap,
        arrays[what],
        tokens,
        units,
        tr(f"both.heat_title.{d}", name=labels[what]),
        scale(both.kind, what),
        read[d],
        WORDS,
        caption=tr(f"both.heat_cap.{d}"),
        key=f"{PAGE}_heat_{d}",
        config={"displaylogo": False},
    )
