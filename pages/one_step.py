"""One step, all the numbers: one cell update with the live numbers in every equation.

The numbers come from a step t of the typed sentence (the same sentence, model and step as
"Watch the gates") or from a tiny hand-editable cell (2 units, input size 3) with presets.
Thin page: widgets -> lstm_engine.analyses.step -> chart builders -> render.
"""

import inspect

import pandas as pd
import streamlit as st

from explorer import charts, equations, step_tables
from explorer.render import notify_unknown, sentence_and_model, show_chart
from explorer.state import (
    clamp_widget,
    follow_text,
    keep,
    lang,
    run_model,
    seed_widget,
    set_query_params,
    tr,
    widget_key,
)
from explorer.visual import char_code, char_label, subscript
from lstm_engine import GATE_TABLE, SUFFIXES
from lstm_engine.analyses import step, unit_stats
from lstm_engine.core import cells, reference

STEP_FUNCTIONS = {
    "lstm": cells.lstm_step_forward,
    "gru": cells.gru_step_forward,
    "rnn": cells.rnn_step_forward,
}
DIAGRAM_LABELS = {
    "c_prev": "C<sub>t−1</sub>", "h_prev": "H<sub>t−1</sub>", "x": "X<sub>t</sub>", "c": "C<sub>t</sub>",
    "h": "H<sub>t</sub>", "tanh_c": "tanh(C<sub>t</sub>)", "input": "I = σ(·)", "forget": "F = σ(·)",
    "output": "O = σ(·)", "candidate": "C̃ = tanh(·)", "update": "Z = σ(·)", "reset": "R = σ(·)",
    "hidden": "tanh(·)",
}  # fmt: skip
STATIC = {"displayModeBar": False}  # fixed pictures: no toolbar that could cover their titles
PAGE = "one_step"  # prefix of this page's widget keys (explorer.state.widget_key)
PRESETS = ("boss", "bias", "random")
# rows of the tiny cell's weight tables (W_x, W_h, b stacked), units numbered from 0
TINY_X = [subscript("x", k) for k in range(step.TINY_INPUT)]
TINY_ROWS = [*TINY_X, *(subscript("h", k) for k in range(step.TINY_HIDDEN)), "b"]
TINY_UNITS = list(range(step.TINY_HIDDEN))


def shift_step(delta: int, last: int) -> None:
    """Button callback: move the shared step by `delta`, staying inside 0..last."""
    key = widget_key("step", PAGE)
    st.session_state[key] = min(max(int(st.session_state.get(key, 0)) + delta, 0), last)


def diagram_labels(kind: str) -> dict[str, str]:
    """Box labels of the cell diagram (trusted HTML subset for Plotly)."""
    labels = dict(DIAGRAM_LABELS)
    if kind == "gru":
        labels["candidate"] = "H̃ = tanh(·)"
    return labels


def diagram_values(bd: step.StepBreakdown, units) -> dict:
    """Node name -> values of the shown units, for charts.cell_diagram."""
    values = {name: term.act[units] for name, term in bd.terms.items()}
    values |= {"h_prev": bd.h_prev[units], "h": bd.h[units]}
    if bd.c is not None:
        values |= {"c_prev": bd.c_prev[units], "c": bd.c[units], "tanh_c": bd.tanh_c[units]}
    if len(bd.x) <= step.TINY_INPUT:
        values["x"] = bd.x
    return values


def show_step(bd: step.StepBreakdown, units, x_rows: list[str], x_label: str) -> None:
    """Render one breakdown: equations, matrix products, diagram, full table and the code."""
    st.subheader(tr("step.equations"))
    st.caption(tr("step.equations_cap"))
    for eq in equations.equations_latex(bd, units):
        st.latex(eq)

    st.subheader(tr("step.matvec"))
    names = list(bd.terms)
    labels = diagram_labels(bd.kind)
    gate = st.radio(tr("step.matvec_gate"), names, horizontal=True, key="matvec_gate", format_func=labels.get)
    term = bd.terms[gate]
    s = term.suffix
    h_in = bd.rh if (bd.kind, gate) == ("gru", "candidate") else bd.h_prev
    h_name = "(R⊙H)" if (bd.kind, gate) == ("gru", "candidate") else "H<sub>t−1</sub>"
    cols = [str(u) for u in units]
    left, right = st.columns(2)
    for i, (col, v, W, row_names, vname, wname) in enumerate(
        (
            (left, bd.x, bd.params[f"W_x{s}"], x_rows, "X<sub>t</sub>", f"W<sub>x{s}</sub>"),
            (
                right,
                h_in,
                bd.params[f"W_h{s}"],
                [f"h{r}" for r in range(len(h_in))],
                h_name,
                f"W<sub>h{s}</sub>",
            ),
        )
    ):
        rows, rest = step.top_contributions(v, W, units, k=8)
        with col:
            if len(rows) == 0:  # an all-zero vector (e.g. H at t = 0): the product is 0
                st.caption(tr("step.rows_note", k=0, d=len(v), rest=charts_vec(rest)))
                continue
            show_chart(
                charts.matvec_figure,
                v[rows],
                W[rows][:, units],
                [row_names[r] for r in rows],
                cols,
                (vname, wname, f"{vname} {wname}"),
                key=f"matvec_{i}",
                config=STATIC,
            )
            if i == 0 and x_label:
                st.caption(tr("step.onehot_note"))
            elif len(rows) < len(v):
                st.caption(tr("step.rows_note", k=len(rows), d=len(v), rest=charts_vec(rest)))
    st.caption(tr("step.matvec_cap"))

    st.subheader(tr("step.diagram"))
    if x_label:
        labels["x"] = f"X<sub>t</sub> = {x_label}"
    show_chart(
        charts.cell_diagram,
        bd.kind,
        diagram_values(bd, units),
        labels,
        caption=tr("step.diagram_cap"),
        key="diagram",
        config=STATIC,
    )

    st.subheader(tr("step.table"))
    columns = step_tables.breakdown_columns(bd)
    table = pd.DataFrame(columns).rename(columns={k: column_label(k, bd) for k in columns})
    table.index.name = tr("step.col.unit")
    st.dataframe(table, height=min(36 * (len(table) + 1), 380), width="stretch")
    st.caption(tr("step.table_cap"))

    with st.expander(tr("step.code")):
        st.code(inspect.getsource(STEP_FUNCTIONS[bd.kind]), language="python")
        st.caption(tr("step.code_cap"))
    if bd.kind == "lstm":
        with st.expander(tr("step.lesson_code")):
            st.code(reference.step_source(), language="python")
            st.caption(tr("step.lesson_code_cap"))


def column_label(key: str, bd: step.StepBreakdown) -> str:
    """A table header in the UI language: the gates by their translated names, the
    pre-activations as "pre-activation of ...", the terms and states by their symbols."""
    gates = {term.name: term for term in bd.terms.values()}
    name = key.removeprefix("pre_")
    if name in gates:
        word = tr(f"gates.short.{name}" + ("_gru" if (bd.kind, name) == ("gru", "candidate") else ""))
        return tr("step.col.pre", gate=word) if key.startswith("pre_") else word
    symbols = {"h_prev": "H(t−1)", "c_prev": "C(t−1)", "c": "C", "tanh_c": "tanh(C)", "h": "H"}
    return symbols.get(key, key.replace("XW_", "X·W_").replace("HW_", "H·W_"))


def charts_vec(values) -> str:
    """A short plain-text vector like [0.12, −0.50]."""
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


def sentence_mode() -> None:
    """Numbers from step t of the typed sentence, for the chosen model and layer."""
    text, name, model = sentence_and_model(PAGE)
    if model is None:
        return
    if not text:
        st.info(tr("common.empty_text"))
        return
    trace = run_model(name, model, text)
    T = len(trace.tokens)
    if T == 0:
        st.warning(tr("gates.no_tokens"))
        return
    notify_unknown(trace.unknown, trace.dropped)

    step_key = seed_widget("step", T - 1, url="step", cast=int, page=PAGE)
    follow_text(step_key, text, T - 1)
    clamp_widget(step_key, 0, T - 1)
    c_prev, c_step, c_next = st.columns([1, 4, 1], vertical_alignment="bottom")
    c_prev.button(
        tr("step.prev"), on_click=shift_step, args=(-1, T - 1), disabled=st.session_state[step_key] <= 0
    )
    c_next.button(
        tr("step.next"), on_click=shift_step, args=(1, T - 1), disabled=st.session_state[step_key] >= T - 1
    )
    t = c_step.slider(tr("step.step"), 0, T - 1, key=step_key) if T > 1 else 0
    keep("step", page=PAGE)
    set_query_params(text=text, model=name, step=t, lang=lang())

    layer = 0
    if model.num_layers > 1:
        layer = st.selectbox(
            tr("gates.layer"),
            range(model.num_layers),
            format_func=lambda k: tr("gates.layer_name", k=k + 1, n=model.num_layers),
        )
    H = model.hidden_size
    if "step_units" in st.session_state:
        st.session_state["step_units"] = [u for u in st.session_state["step_units"] if u < H]
    else:
        arrays = unit_stats.trace_arrays(trace, layer)
        st.session_state["step_units"] = [int(u) for u in unit_stats.order_units(
            arrays.values(), unit_stats.top_units(unit_stats.unit_activity(arrays.values()), 3), "activity")]  # fmt: skip
    units = st.multiselect(
        tr("step.units"), list(range(H)), key="step_units", help=tr("step.units_help", h=H), max_selections=6
    )
    if not units:
        st.warning(tr("step.pick_units"))
        return
    ch = trace.tokens[t]
    st.markdown(tr("step.reads", t=t, n=T) + " " + char_code(ch))
    if model.variant != "d2l":  # a converted nn.GRU: its candidate is not the d2l equation shown here
        st.info(tr("step.torch_gru"))
        return
    bd = step.model_step(model, trace, t, layer)
    x_rows = [char_label(c) for c in model.vocab.chars] if layer == 0 else [f"x{r}" for r in range(len(bd.x))]
    show_step(bd, units, x_rows, char_label(ch) if layer == 0 else "")


def preset_cell(preset: str, kind: str) -> step.TinyCell:
    """The tiny cell a preset starts from."""
    if preset == "boss":
        return step.boss_raise()
    if preset == "bias":
        return step.forget_bias_cell(0.0)
    return step.tiny_random(kind, seed=1)


def tiny_mode() -> None:
    """The hand-editable cell: 2 units, input size 3, with presets."""
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    preset = c1.radio(
        tr("step.preset"),
        PRESETS,
        format_func=lambda p: tr(f"step.preset.{p}"),
        horizontal=True,
        key="preset",
    )
    kinds = ["lstm", "gru", "rnn"]
    kind = "lstm"
    if preset == "random":
        kind = c2.selectbox(tr("step.kind"), kinds, format_func=str.upper, key="tiny_kind")
    version = st.session_state.setdefault("tiny_version", 0)
    if c3.button(tr("step.reset")):
        st.session_state["tiny_version"] = version = version + 1
    base = preset_cell(preset, kind)
    tag = f"{preset}_{kind}_{version}"  # new widgets (fresh values) whenever the preset changes
    if preset == "boss":
        st.info(tr("step.boss_story"))
    elif preset == "bias":
        st.info(tr("step.bias_story"))

    st.markdown(f"**{tr('step.edit_state')}**")
    cols = st.columns(7)
    prev = [f"{subscript(v, u)} (t−1)" for v in "hc" for u in TINY_UNITS]
    names = [*TINY_X, *prev]
    start = [*base.x, *base.h_prev, *(base.c_prev if base.c_prev is not None else [0.0, 0.0])]
    vals = []
    for i, (col, label, v0) in enumerate(zip(cols, names, start, strict=True)):
        if i >= 5 and kind != "lstm":
            break
        vals.append(
            col.number_input(label, -100.0, 100.0, float(v0), step=0.1, format="%.3f", key=f"tiny_s{i}_{tag}")
        )
    st.markdown(f"**{tr('step.edit_weights')}**")
    st.caption(tr("step.edit_help"))
    tables = {}
    gate_cols = st.columns(len(SUFFIXES[kind]))
    config = {
        str(u): st.column_config.NumberColumn(min_value=-100.0, max_value=100.0, format="%.3f")
        for u in TINY_UNITS
    }
    names_by_suffix = {g.suffix: g.name for g in GATE_TABLE[kind]}
    for col, s in zip(gate_cols, SUFFIXES[kind], strict=True):
        df = pd.DataFrame(
            step_tables.tiny_gate_table(base, s), index=TINY_ROWS, columns=[str(u) for u in TINY_UNITS]
        )
        with col:
            st.markdown(
                f"${equations.SYMBOLS[(kind, names_by_suffix[s])]}$: $W_{{x{s}}}, W_{{h{s}}}, b_{{{s}}}$"
            )
            edited = st.data_editor(df, key=f"tiny_w{s}_{tag}", column_config=config, width="stretch")
        tables[s] = edited.to_numpy(dtype=float, na_value=float("nan"))
    if any(not pd.notna(tables[s]).all() for s in tables):
        st.warning(tr("step.bad_number"))
    cell = step_tables.tiny_from_tables(
        kind, tables, vals[:3], vals[3:5], vals[5:7] if kind == "lstm" else None
    )
    bd = cell.step()
    if preset == "boss":  # the honest twist: the cell state caps what h can show
        ceiling = step.output_bound(bd.c)
        st.warning(
            tr(
                "step.boss_twist",
                c=charts_vec(bd.c),
                ceiling=charts_vec(ceiling),
                target=step.BOSS_TARGET_H,
                need=f"{float(step.cell_needed(step.BOSS_TARGET_H)):.3f}",
                h=charts_vec(bd.h),
            )
        )
    show_step(bd, TINY_UNITS, TINY_X, "")

    if preset == "bias":
        f0 = cell.with_bias("f", 0.0).step().terms["forget"].act
        f1 = cell.with_bias("f", 1.0).step().terms["forget"].act
        st.write(tr("step.bias_compare", f0=charts_vec(f0), f1=charts_vec(f1)))
        retention = step.memory_retention(cell, steps=20)
        show_chart(
            charts.retention_figure,
            retention,
            tr("step.bias_title"),
            tr("step.bias_x"),
            tr("step.bias_name"),
            caption=tr("step.bias_cap"),
            key="retention",
        )


st.title(tr("nav.one_step"))
st.write(tr("step.intro"))
mode = st.radio(
    tr("step.source"),
    ("sentence", "tiny"),
    format_func=lambda m: tr(f"step.source.{m}"),
    horizontal=True,
    key=seed_widget("step_source", "sentence", url="source", page=PAGE),
)
keep("step_source", page=PAGE)
if mode == "tiny":
    set_query_params(source="tiny", lang=lang())
elif "source" in st.query_params:
    del st.query_params["source"]
if mode == "sentence":
    sentence_mode()
else:
    tiny_mode()
