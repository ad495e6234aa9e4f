"""Plotly builders for the "RNN vs LSTM memory", "Train your own" and "Inside the cells" pages.

Pure functions: arrays (or lstm_engine.analyses results) in, `go.Figure` out, never a `st.*`
call. Traces carry exactly the arrays they are given, so tests compare them with the engine.
Axis titles come from explorer.texts in the language passed as `lang`. Colours and character
labels come from explorer.visual (`char_label` makes whitespace visible and escapes the few
HTML-like tags Plotly interprets, so user text is never read as markup).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.charts import axis_names, domains, figure
from explorer.texts import t
from explorer.visual import DIVERGING, DIVERGING_LIGHT, char_label, text_label
from lstm_engine.analyses.memory import THRESHOLD, Divergence, GradientCurve
from lstm_engine.analyses.unit_stats import Saturation

KIND_COLORS = {"rnn": "#d62728", "gru": "#2ca02c", "lstm": "#1f77b4"}
EXTRA_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
LOG_FLOOR = 1e-16  # lowest value the log axes show (float64 noise below this)
# loss_chart units -> axis title key: nats or bits per character (language models), or the
# memory tasks' own losses (cross-entropy for recall, squared error for adding)
LOSS_AXES = {"nats": "train.axis_loss", "bits": "train.axis_loss_bits", "task": "memory.axis_task_loss"}
MARGIN = {"l": 60, "r": 20, "t": 50, "b": 50}
FIT = {"automargin": True}  # axis settings: the margins grow to fit the tick labels and title
# the read-through chart's colour bar: a fixed length in pixels with three ticks, so a text of
# one or two lines does not squash it into overlapping labels (the chart grows to hold it)
READ_THROUGH_BAR = {"lenmode": "pixels", "len": 120, "thickness": 12, "nticks": 3, "yanchor": "top", "y": 1}


def curve_name(c: GradientCurve, lang: str = "en") -> str:
    """The display name of a gradient curve: the model's label, or "<label> cell" (translated)
    for an LSTM's cell path."""
    base = c.label.removesuffix(" cell")
    return t("memory.cell_label", lang, label=base) if c.path == "c" else base


def _color(kind: str, i: int) -> str:
    return KIND_COLORS.get(kind, EXTRA_COLORS[i % len(EXTRA_COLORS)])


def _log_lines_layout(fig: go.Figure, x_title: str, y_title: str, height: int) -> None:
    """The shared look of the log-scale line charts: titles, legend on top, log y axis."""
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "y": 1.12},
        margin=MARGIN,
        height=height,
    )
    fig.update_xaxes(**FIT)
    fig.update_yaxes(type="log", exponentformat="power", **FIT)


def _log_range(arrays: list[np.ndarray]) -> list[float] | None:
    """[lo, hi] in log10 units covering the positive values, floored at LOG_FLOOR."""
    pos = np.concatenate([a[a > 0] for a in arrays]) if arrays else np.array([])
    if pos.size == 0:
        return None
    lo, hi = np.log10(max(pos.min(), LOG_FLOOR)), np.log10(pos.max())
    return [float(lo) - 0.3, float(hi) + 0.3]


# ----------------------------------------------------------------------------- memory page
def gradient_chart(curves: list[GradientCurve], lang: str = "en") -> go.Figure:
    """‖∂L/∂h‖ / its last-step value (log scale) against distance from the end, one line per
    curve (cell paths dashed), a marker where each falls below 1 %, and the 1 % line."""
    fig = go.Figure()
    seen: dict[str, str] = {}
    for i, c in enumerate(curves):
        color = seen.setdefault(c.label.removesuffix(" cell"), _color(c.kind, i))
        fig.add_trace(
            go.Scatter(
                x=c.distance,
                y=c.relative,
                name=curve_name(c, lang),
                mode="lines",
                line={"color": color, "dash": "dash" if c.path == "c" else "solid", "width": 2},
                customdata=c.norm,
                hovertemplate=t("memory.hover_grad", lang)
                + f"<extra>{text_label(curve_name(c, lang))}</extra>",
            )
        )
    for c in curves:
        if c.below is not None:
            fig.add_trace(
                go.Scatter(
                    x=[c.below],
                    y=[c.relative[c.below]],
                    name=t("memory.below_marker", lang, label=curve_name(c, lang), d=c.below),
                    mode="markers",
                    marker={"symbol": "x", "size": 11, "color": seen[c.label.removesuffix(" cell")]},
                    showlegend=False,
                    hovertemplate=t(
                        "memory.below_hover", lang, label=text_label(curve_name(c, lang)), d=c.below
                    )
                    + "<extra></extra>",
                )
            )
    fig.add_hline(y=THRESHOLD, line={"dash": "dot", "color": "#888"})
    fig.add_annotation(
        x=1,
        xref="paper",
        y=np.log10(THRESHOLD),
        text="1 %",
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
    )  # on a log axis an annotation's y is log10 of the value
    _log_lines_layout(fig, t("memory.axis_distance", lang), t("memory.axis_relative_grad", lang), 420)
    fig.update_yaxes(range=_log_range([c.relative for c in curves]))
    return fig


def _group_rows(rows: list[dict], task: str) -> dict[tuple[str, float], dict[int, list[dict]]]:
    """Rows of one task grouped by (kind, forget_bias) and then lag."""
    groups: dict[tuple[str, float], dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["task"] == task:
            groups[(r["kind"], float(r.get("forget_bias", 1.0)))][int(r["lag"])].append(r)
    return groups


def series_name(kind: str, forget_bias: float, with_bias: bool = True) -> str:
    """The name of one kind's results, e.g. "RNN" or "LSTM (b_f = 5)" (the bias only for an
    LSTM, and only `with_bias`)."""
    return kind.upper() + (f" (b_f = {forget_bias:g})" if kind == "lstm" and with_bias else "")


def accuracy_chart(rows: list[dict], task: str, lang: str = "en") -> go.Figure:
    """Accuracy against lag for one task (rows of assets/memory_results.csv): one line per
    kind (per forget-gate bias for the LSTM when several were run), the mean over seeds with
    bars from the worst to the best seed, and the chance level dashed."""
    fig = go.Figure()
    groups = _group_rows(rows, task)
    lstm_biases = {fb for kind, fb in groups if kind == "lstm"}
    chance = [float(r["chance"]) for r in rows if r["task"] == task]
    for i, ((kind, fb), by_lag) in enumerate(sorted(groups.items())):
        lags = sorted(by_lag)
        runs = [[float(r["accuracy"]) for r in by_lag[lag]] for lag in lags]
        acc = [float(np.mean(a)) for a in runs]
        spread = {
            "type": "data",
            "symmetric": False,
            "array": [max(a) - m for a, m in zip(runs, acc, strict=True)],
            "arrayminus": [m - min(a) for a, m in zip(runs, acc, strict=True)],
            "visible": any(len(a) > 1 for a in runs),
            "thickness": 1,
        }
        name = series_name(kind, fb, len(lstm_biases) > 1)
        dash = "solid" if fb in (1.0,) or kind != "lstm" else "dot"
        fig.add_trace(
            go.Scatter(
                x=lags,
                y=acc,
                name=name,
                mode="lines+markers",
                line={"color": _color(kind, i), "dash": dash},
                error_y=spread,
                customdata=[len(a) for a in runs],
                hovertemplate=t("memory.hover_acc", lang) + f"<extra>{name}</extra>",
            )
        )
    if chance:
        fig.add_hline(
            y=float(np.mean(chance)),
            line={"dash": "dash", "color": "#888"},
            annotation_text=t("memory.chance", lang),
        )
    fig.update_layout(
        xaxis_title=t("memory.axis_lag", lang),
        yaxis_title=t("memory.axis_accuracy", lang),
        legend={"orientation": "h", "y": 1.15},
        margin=MARGIN,
        height=360,
    )
    lags = sorted({lag for by_lag in groups.values() for lag in by_lag})
    fig.update_xaxes(type="log", tickmode="array", tickvals=lags, ticktext=[str(lag) for lag in lags], **FIT)
    fig.update_yaxes(range=[0, 1.05], **FIT)
    return fig


def loss_chart(
    steps: list[int] | np.ndarray,
    losses: list[float] | np.ndarray,
    val_steps: list[int] | np.ndarray | None = None,
    val_losses: list[float] | np.ndarray | None = None,
    lang: str = "en",
    unit: str = "nats",
) -> go.Figure:
    """Training loss per step (and validation loss at its steps), e.g. for a live curve."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(steps),
            y=list(losses),
            name=t("train.legend_train", lang),
            mode="lines",
            line={"color": "#1f77b4"},
        )
    )
    if val_steps is not None and len(val_steps):
        fig.add_trace(
            go.Scatter(
                x=list(val_steps),
                y=list(val_losses),
                name=t("train.legend_val", lang),
                mode="lines+markers",
                line={"color": "#ff7f0e"},
            )
        )
    fig.update_layout(
        xaxis_title=t("train.axis_step", lang),
        yaxis_title=t(LOSS_AXES[unit], lang),
        legend={"orientation": "h", "y": 1.15},
        margin=MARGIN,
        height=320,
    )
    fig.update_xaxes(**FIT)
    fig.update_yaxes(**FIT)
    return fig


def divergence_chart(divs: list[Divergence], lang: str = "en") -> go.Figure:
    """‖Δh_t‖ over t (log scale) for every model after changing the first character."""
    fig = go.Figure()
    for i, d in enumerate(divs):
        ticks = [char_label(ch) for ch in d.original]
        fig.add_trace(
            go.Scatter(
                x=np.arange(d.dh.size),
                y=d.dh,
                name=d.label,
                mode="lines",
                line={"color": _color(d.kind, i), "width": 2},
                customdata=ticks,
                hovertemplate=t("memory.hover_div", lang) + f"<extra>{text_label(d.label)}</extra>",
            )
        )
    _log_lines_layout(fig, t("memory.axis_step", lang), t("memory.axis_dh", lang), 380)
    fig.update_yaxes(range=_log_range([d.dh for d in divs]))
    return fig


# ----------------------------------------------------------------------------- cells page
def saturation_chart(sats: list[Saturation], lang: str = "en") -> go.Figure:
    """One scatter per gate: for every unit, the fraction of steps left-saturated (< 0.1,
    x) against right-saturated (> 0.9, y), after Karpathy et al. 2015."""
    names = [t(f"cells.gate_{s.gate}", lang) for s in sats]
    n = max(len(sats), 1)
    spans = domains(n, spacing=0.2 / n)[: len(sats)]  # side by side, as make_subplots spaces them
    data, shapes, titles, layout = [], [], [], {}
    for j, (s, (left, right)) in enumerate(zip(sats, spans, strict=True)):
        (x, x_key), (y, y_key) = axis_names("x", j + 1), axis_names("y", j + 1)
        data.append(
            {
                "type": "scatter",
                "x": s.low,
                "y": s.high,
                "xaxis": x,
                "yaxis": y,
                "mode": "markers",
                "name": names[j],
                "marker": {"size": 6, "opacity": 0.7, "color": EXTRA_COLORS[j] if j else "#1f77b4"},
                "customdata": np.arange(s.low.size),
                "hovertemplate": t("cells.hover_sat", lang) + "<extra></extra>",
                "showlegend": False,
            }
        )
        layout[x_key] = {
            "domain": [left, right],
            "anchor": y,
            "range": [-0.03, 1.03],
            "title": {"text": t("cells.axis_low", lang)},
        }
        shared = (
            {"title": {"text": t("cells.axis_high", lang)}}
            if j == 0
            else {"matches": "y", "showticklabels": False}
        )
        layout[y_key] = {"anchor": x, "range": [-0.03, 1.03], **shared}
        shapes.append({"type": "line", "xref": x, "yref": y, "x0": 0, "y0": 1, "x1": 1, "y1": 0,
                       "line": {"dash": "dot", "color": "#bbb"}})  # fmt: skip
        titles.append({"text": names[j], "xref": "paper", "yref": "paper", "x": (left + right) / 2, "y": 1.0,
                       "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}})  # fmt: skip
    return figure(data, layout | {"shapes": shapes, "annotations": titles, "margin": MARGIN, "height": 360})


def _position_axis(tokens: list[str], max_chars: int = 120) -> dict:
    """x-axis settings: positions labelled with their characters when the text is short
    enough to read them, plain position numbers otherwise (the hover shows the character)."""
    if len(tokens) > max_chars:
        return {"tickmode": "auto"}
    idx = list(range(len(tokens)))
    return {
        "tickmode": "array",
        "tickvals": idx,
        "ticktext": [char_label(tokens[i]) for i in idx],
        "tickangle": 0,
    }


def top_units_chart(
    states: np.ndarray,
    units: list[int] | np.ndarray,
    corr: np.ndarray,
    tokens: list[str],
    signal: np.ndarray,
    lang: str = "en",
) -> go.Figure:
    """The pattern signal (top) and the chosen units' states over the text (heatmap, one
    row per unit, labelled with its correlation). states: (T, H); signal: (T,)."""
    units = [int(u) for u in units]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.22, 0.78], vertical_spacing=0.04)
    chars = [char_label(ch) for ch in tokens]
    x = np.arange(len(tokens))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=signal,
            mode="lines",
            line={"shape": "hv", "color": "#444"},
            name=t("cells.signal", lang),
            customdata=chars,
            hovertemplate="%{customdata} · %{y}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    labels = [t("cells.unit_label", lang, unit=u, r=float(corr[u])) for u in units]
    fig.add_trace(
        go.Heatmap(
            z=states[:, units].T,
            x=x,
            y=labels,
            colorscale=DIVERGING,
            zmid=0,
            customdata=np.tile(np.array(chars, dtype=object), (len(units), 1)),
            hovertemplate="%{y} · %{customdata}: %{z:.3f}<extra></extra>",
            colorbar={"len": 0.75, "y": 0.38},
        ),
        row=2,
        col=1,
    )
    fig.update_xaxes(**_position_axis(tokens), row=2, col=1)
    fig.update_yaxes(title_text=t("cells.signal", lang), row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_layout(margin={**MARGIN, "l": 130}, height=170 + 34 * max(len(units), 1))
    return fig


def text_grid(tokens: list[str], width: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Lay the text out like a page: (rows, cols) index of every character, breaking at
    newlines and every `width` characters. Returns (row (T,), col (T,))."""
    rows, cols = np.zeros(len(tokens), dtype=int), np.zeros(len(tokens), dtype=int)
    r = c = 0
    for i, ch in enumerate(tokens):
        if c >= width:
            r, c = r + 1, 0
        rows[i], cols[i] = r, c
        if ch == "\n":
            r, c = r + 1, 0
        else:
            c += 1
    return rows, cols


def unit_text_chart(tokens: list[str], values: np.ndarray, title: str = "", width: int = 80) -> go.Figure:
    """The text laid out as on a page, each character's cell coloured by `values` (T,) (a
    unit's state after reading it): the Karpathy et al. picture, drawn without HTML."""
    rows, cols = text_grid(tokens, width)
    n_rows, n_cols = (int(rows.max()) + 1, int(cols.max()) + 1) if len(tokens) else (1, 1)
    z = np.full((n_rows, n_cols), np.nan)
    text = np.full((n_rows, n_cols), "", dtype=object)
    z[rows, cols] = values
    text[rows, cols] = [char_label(ch) if ch != " " else " " for ch in tokens]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            textfont={"family": "monospace", "size": 13, "color": "#111"},
            colorscale=DIVERGING_LIGHT,
            zmid=0,
            xgap=1,
            ygap=1,
            hoverongaps=False,  # the empty cells after a line's end have nothing to tell
            hovertemplate="%{text}: %{z:.3f}<extra></extra>",
            colorbar=READ_THROUGH_BAR,
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(
        title={"text": text_label(title, 120), "font": {"size": 14}},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=50 + max(READ_THROUGH_BAR["len"], 22 * n_rows),
    )
    return fig


def edited_runs(changed: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of consecutive True values in `changed` (n,)."""
    idx = np.flatnonzero(changed)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([idx[:1], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], idx[-1:]])
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def delta_heatmap(
    delta: np.ndarray, tokens: list[str], changed: np.ndarray, name: str, lang: str = "en"
) -> go.Figure:
    """Δ (n, H) edited − original as a heatmap (units × positions), zero white, with the
    edited positions marked above. name: "Δc" or "Δh"."""
    limit = float(np.abs(delta).max()) if delta.size else 1.0
    chars = [char_label(ch) for ch in tokens]
    fig = go.Figure(
        go.Heatmap(
            z=delta.T,
            x=np.arange(len(tokens)),
            colorscale=DIVERGING,
            zmid=0,
            zmin=-limit or -1,
            zmax=limit or 1,
            customdata=np.tile(np.array(chars, dtype=object), (delta.shape[1], 1)),
            hovertemplate=t("cells.hover_delta", lang, name=text_label(name)) + "<extra></extra>",
            colorbar={"title": {"text": name}},
        )
    )
    # One dotted outline per run of edited positions (a lone edit is a line at its column),
    # set in one layout update: add_vline per column is quadratic in Plotly (100 s for 400).
    mark = {"color": "#222", "dash": "dot", "width": 1}
    fig.update_layout(
        shapes=[
            {"type": "rect", "xref": "x", "yref": "paper", "x0": a, "x1": b, "y0": 0, "y1": 1, "line": mark}
            for a, b in edited_runs(changed)
        ]
    )
    fig.update_xaxes(**_position_axis(tokens), title_text=t("cells.axis_edited_text", lang))
    fig.update_yaxes(title_text=t("cells.axis_unit", lang))
    fig.update_layout(margin=MARGIN, height=360)
    return fig
