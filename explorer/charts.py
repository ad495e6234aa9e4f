"""Pure Plotly figure builders: arrays in, `go.Figure` out, never a `st.*` call.

Tests check each figure's data against the engine's arrays, so builders put the exact
arrays they are given into the traces (no rescaling behind the reader's back).

Colours, character labels and numbering come from explorer.visual (one visual language for
every page); user text reaches Plotly only through its `char_label`/`text_label`. Builders take every
word they show as an argument, so the pages pass translated strings.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from explorer.visual import DIVERGING, SEQUENTIAL, SURPRISE, char_label

# --- gates and one-step charts (colours and labels: explorer.visual)
# The cell state c_t is not bounded by 1: a trained LSTM's counters reach ±100 (the shipped
# model: median |c| ≈ 6, 99th percentile ≈ 90). Its heatmap keeps z = c exactly on the fixed
# range [−100, 100] but bends the colour scale like asinh(c) (a log-like scale), so 1, 10 and
# 100 are equal colour steps and small values still show.
CELL_RANGE = 100.0
MAX_LABELS = 80  # at most this many character labels per axis (every k-th character beyond)
SURPRISE_MAX = 8.0  # bits; the colour saturates above (uniform over 100 characters ≈ 6.6 bits)
RANGES = {"gate": (0.0, 1.0), "tanh": (-1.0, 1.0), "cell": (-CELL_RANGE, CELL_RANGE)}
SCALES = {"gate": SEQUENTIAL, "tanh": DIVERGING, "cell": DIVERGING}
MARGIN = {"l": 56, "r": 96, "t": 34, "b": 38}  # fixed, so stacked heatmaps line up column by column
DIGITS = 3  # decimals of the numbers a RawFigure sends to the browser (see plain)
FONT = {"family": '"Source Sans", sans-serif', "color": "#31333f"}  # the app's own (Streamlit's)
LOOK = {
    "font": FONT,
    "paper_bgcolor": "#fff",
    "plot_bgcolor": "#fff",
    "hoverlabel": {"bgcolor": "#fff", "font": FONT},
}


class RawFigure(go.Figure):
    """A figure handed to Streamlit exactly as built: `to_dict()` returns the figure dict
    (data, layout, frames) unvalidated; the go.Figure itself stays empty, so read the figure
    through `to_dict()`. It carries no template: its look is LOOK (explorer.render.show_chart
    draws it with Streamlit's theme off). Build one with raw_figure.

    Why unvalidated: plotly.py validates every number of every trace (and would build an
    object for every trace of each of the gates figure's 200 frames): 0.15 s of a 0.3 s rerun,
    for a dict built from arrays already checked. Why no template: Streamlit copies the figure
    before each of its two Plotly.react calls per new figure, and Plotly counts a copied
    template as a change that redraws everything (160 ms). Streamlit serialises a go.Figure
    through `to_dict()`, so the dict reaches the browser as written."""

    raw: dict | None = None  # declared: go.Figure refuses attributes it does not know

    def __init__(self, figure: dict) -> None:
        super().__init__()
        self.raw = figure

    def to_dict(self) -> dict:
        return self.raw


def raw_figure(
    data: list[dict], layout: dict, frames: list[dict] | None = None, digits: int | None = DIGITS
) -> RawFigure:
    """A RawFigure of plain trace and layout dicts (NumPy arrays allowed at any depth; floats
    rounded to `digits` decimals, None: exact), with the app's LOOK under the layout and a
    layout.datarevision of the traces' arrays; frames (animation frames) must hold plain
    values already: they go as given."""
    layout = {**LOOK, **layout, "datarevision": revision(data)}
    spec = plain({"data": data, "layout": layout}, digits)
    return RawFigure(spec | ({"frames": frames} if frames else {}))


def plain(obj, digits: int | None = DIGITS):
    """obj with every NumPy array (at any depth of dicts and lists) turned into a list, floats
    rounded to `digits` decimals (None: exact) and NaN into None (the lists in obj hold either
    containers or plain values, not both).

    Why: plotly.py sends NumPy arrays base64-encoded, and Plotly.react counts a decoded array
    as changed on every call (a new typed array is never the old one), so each react redrew the
    whole figure; Streamlit reacts twice per new figure (the second time to set its width).
    With lists and a layout.datarevision, the second react redraws nothing. Rounded lists are
    no longer than base64 (hovers show 3 decimals; the one-step page shows the exact numbers)."""
    if isinstance(obj, dict):
        return {k: plain(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):  # a list of plain values (its first one says) is kept
        nested = bool(obj) and isinstance(obj[0], dict | list | tuple | np.ndarray)
        return [plain(v, digits) for v in obj] if nested else list(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind != "f":
            return obj.tolist()
        rounded = obj.astype(float) if digits is None else np.round(obj.astype(float), digits)
        return (
            np.where(np.isnan(rounded), None, rounded).tolist()
            if np.isnan(rounded).any()
            else rounded.tolist()
        )
    return obj


def revision(data: list[dict]) -> str:
    """A digest of every array in the traces: the figure's layout.datarevision (it changes
    exactly when the data does, so Plotly.react redraws then and only then)."""
    h = hashlib.blake2b(digest_size=8)
    for trace in data:
        for value in trace.values():
            if isinstance(value, np.ndarray):
                h.update(
                    np.ascontiguousarray(value).tobytes()
                    if value.dtype.kind != "O"
                    else repr(value.tolist()).encode()
                )
            elif isinstance(value, list):
                h.update(repr(value).encode())
    return h.hexdigest()


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, validated once as a whole.

    Why: building the same figure with trace objects, `update_layout` and `make_subplots`
    validates every piece again and again; one dict spec costs the server about a quarter of
    that on every rerun of the gates page (six heatmaps 82 -> 18 ms, the step bars 79 -> 19 ms)."""
    return go.Figure({"data": data, "layout": layout})


def axis_names(letter: str, k: int) -> tuple[str, str]:
    """The k-th (from 1) x or y axis as a trace refers to it and as the layout names it:
    ("y", "yaxis") for k = 1, ("y2", "yaxis2") for k = 2, ..."""
    suffix = "" if k == 1 else str(k)
    return f"{letter}{suffix}", f"{letter}axis{suffix}"


def _title(text: str) -> dict:
    """A chart title, left-aligned above the plot."""
    return {"text": text, "x": 0, "xanchor": "left", "font": {"size": 15}}


# A row title of a stacked figure: left-aligned just above its row (y = the row's top).
ROW_TITLE = {"xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "yanchor": "bottom"}
ROW_TITLE |= {"showarrow": False, "font": {"size": 12}}


def domains(n: int, spacing: float) -> list[tuple[float, float]]:
    """n equal spans of [0, 1], `spacing` apart, from 0 upwards: the (left, right) paper
    fractions of n side-by-side panels, or, reversed, the (bottom, top) of n stacked rows."""
    width = (1 - spacing * (n - 1)) / n
    starts = [k * (width + spacing) for k in range(n)]
    return [(round(a, 12), min(1.0, round(a + width, 12))) for a in starts]


def step_categories(tokens: list[str]) -> list[str]:
    """One unique x category per step, "t · char" (t from 0), so repeated characters stay
    separate columns and the hover shows both the step and the character."""
    return [f"{t} · {char_label(ch)}" for t, ch in enumerate(tokens)]


def label_every(n: int) -> int:
    """Label every k-th of n characters, so at most MAX_LABELS labels are drawn (drawing each
    tick label is most of a heatmap's cost in the browser); the hover names every column."""
    return max(1, -(-n // MAX_LABELS))


def _char_axis(tokens: list[str]) -> dict:
    """x-axis settings: one category per step ("t · char"), its tick label the character
    itself (labelalias), every label_every-th column labelled; fixed margins (no automargin:
    measuring hundreds of labels is slow and would misalign the stacked heatmaps)."""
    cats = step_categories(tokens)
    k = label_every(len(tokens))
    shown = -(-len(tokens) // k)
    return {
        "type": "category",
        "tickmode": "linear",
        "tick0": 0,
        "dtick": k,
        "labelalias": dict(zip(cats, (char_label(ch) for ch in tokens), strict=True)),
        "tickangle": 0,
        "automargin": False,
        "tickfont": {"size": 13 if shown <= 60 else 11, "family": "monospace"},
        "showgrid": False,
    }


def _steps(n: int, T: int) -> np.ndarray:
    """(n, T) int16 grid of step indices: customdata, so the hover can name the step (the tick
    alias shows only the character)."""
    return np.broadcast_to(np.arange(T, dtype=np.int16), (n, T))


def _cell_colorscale(steps: int = 24) -> list:
    """The diverging scale on asinh(c) over [−100, 100], as stops placed linearly in c (z stays the exact c)."""
    u = np.linspace(-1.0, 1.0, 2 * steps + 1) * np.arcsinh(CELL_RANGE)
    c = np.sinh(u)  # values whose asinh is evenly spaced
    pos = (c + CELL_RANGE) / (2 * CELL_RANGE)
    colours = sample_colorscale(DIVERGING, list((u - u[0]) / (u[-1] - u[0])))
    return [[float(p), col] for p, col in zip(pos, colours, strict=True)]


def _cursor(step: int | None) -> list[dict]:
    """A rectangle around column `step` (the time cursor), or nothing."""
    if step is None:
        return []
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": step - 0.5,
            "x1": step + 0.5,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#111", "width": 2},
            "fillcolor": "rgba(0,0,0,0)",
        }
    ]


def colour_position(values, scale: str) -> np.ndarray:
    """Position in [0, 1] along the scale's colour bar (values outside the range clip); the
    cell state's position is that of asinh(c) (see _cell_colorscale)."""
    lo, hi = RANGES[scale]
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), lo, hi)
    if scale == "cell":
        a = np.arcsinh(hi)
        return (np.arcsinh(v) + a) / (2 * a)
    return (v - lo) / (hi - lo)


def unit_heatmap(
    values: np.ndarray,
    tokens: list[str],
    units,
    title: str,
    scale: str = "gate",
    step: int | None = None,
    words: dict[str, str] | None = None,
) -> go.Figure:
    """Units × characters heatmap of one (T, H) array.

    values: (T, H); tokens: the T characters; units: the unit indices to show, top to bottom;
    scale: "gate" ([0, 1] sequential), "tanh" ([−1, 1] diverging) or "cell" ([−100, 100]
    diverging, log-like colours); step: column to outline as the time cursor; words: hover
    words {"step", "unit", "value"}. The trace's z is exactly values[:, units].T, shape (n, T).
    """
    words = {"step": "step · char", "unit": "unit", "value": "value", **(words or {})}
    units = np.asarray(units, dtype=int)
    shown = values[:, units].T
    zmin, zmax = RANGES[scale]
    colorbar = {"thickness": 12, "len": 1.0, "x": 1.01, "xanchor": "left", "xpad": 4}
    colorscale = SCALES[scale]
    if scale == "cell":
        colorscale = _cell_colorscale()
        colorbar |= {"tickvals": [-100, -50, 0, 50, 100]}
    heatmap = {
        "type": "heatmap",
        "z": shown,
        "x": step_categories(tokens),
        "y": [str(u) for u in units],
        "customdata": _steps(len(units), len(tokens)),
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": colorscale,
        "colorbar": colorbar,
        "hovertemplate": (
            f"{words['step']}: %{{customdata}} · %{{x}}<br>{words['unit']}: %{{y}}<br>"
            f"{words['value']}: %{{z:.3f}}<extra></extra>"
        ),
    }
    layout = {
        "title": _title(title),
        "height": MARGIN["t"] + MARGIN["b"] + int(np.clip(7 * len(units), 60, 420)),
        "margin": MARGIN,
        "xaxis": _char_axis(tokens),
        "yaxis": {"type": "category", "autorange": "reversed", "automargin": False, "title": None},
        "shapes": _cursor(step),
    }
    return figure([heatmap], layout)


def surprise_strip(
    bits: np.ndarray, tokens: list[str], title: str, step: int | None = None, words=None
) -> go.Figure:
    """A one-row heatmap of the surprise −log₂ p(next character) after each character.

    bits: (T,) (the last entry NaN: there is no next character); the colour range is fixed
    at [0, SURPRISE_MAX] bits. z is exactly bits[None, :].
    """
    words = {"step": "step · char", "value": "bits", **(words or {})}
    strip = {
        "type": "heatmap",
        "z": np.asarray(bits, dtype=float)[None, :],
        "x": step_categories(tokens),
        "y": [""],
        "zmin": 0.0,
        "zmax": SURPRISE_MAX,
        "colorscale": SURPRISE,
        "colorbar": {"thickness": 12, "len": 1.6, "x": 1.01, "xanchor": "left", "xpad": 4, "nticks": 3},
        "customdata": _steps(1, len(tokens)),
        "hovertemplate": f"{words['step']}: %{{customdata}} · %{{x}}<br>{words['value']}: %{{z:.2f}}<extra></extra>",
    }
    layout = {
        "title": _title(title),
        "height": MARGIN["t"] + MARGIN["b"] + 44,
        "margin": MARGIN,
        "xaxis": _char_axis(tokens),
        "yaxis": {"automargin": False, "showticklabels": False},
        "shapes": _cursor(step),
    }
    return figure([strip], layout)


def gate_bars(
    vectors: dict[str, np.ndarray], scales: dict[str, str], units, titles: dict[str, str]
) -> go.Figure:
    """The gate and state vectors at one step as bars, one row per vector.

    vectors: name -> (H,) values at the step; scales: name -> "gate" | "tanh" | "cell";
    units: the units shown, left to right (same order as the heatmap rows); titles: name ->
    row title. Trace k's y is exactly vectors[name][units].
    """
    names = list(vectors)
    units = np.asarray(units, dtype=int)
    x = [str(u) for u in units]
    rows = domains(len(names), spacing=0.035)[::-1]  # top to bottom
    data, layout = [], {}
    for k, (name, (bottom, top)) in enumerate(zip(names, rows, strict=True), start=1):
        lo, hi = RANGES[scales[name]]
        y = vectors[name][units]
        if scales[name] == "cell":  # unbounded: a symmetric axis that fits the values
            hi = max(1.0, float(np.nanmax(np.abs(y), initial=0.0))) * 1.05
            lo = -hi
        axis, key = axis_names("y", k)
        data.append(
            {
                "type": "bar",
                "x": x,
                "y": y,
                "yaxis": axis,
                "name": titles[name],
                "marker": {"color": _colours(y, scales[name])},
                "hovertemplate": "%{x}: %{y:.3f}<extra></extra>",
            }
        )
        layout[key] = {"domain": [bottom, top], "range": [lo, hi], "nticks": 3}
    layout |= {
        "xaxis": {  # one category axis shared by every row, labelled under the last
            "type": "category",
            "anchor": axis_names("y", len(names))[0],
            "showticklabels": len(units) <= 64,
            "tickangle": 0,
            "tickfont": {"size": 9},
        },
        "annotations": [
            {**ROW_TITLE, "text": titles[name], "y": top} for name, (_, top) in zip(names, rows, strict=True)
        ],
        "height": 50 + 105 * len(names),
        "margin": {"l": 40, "r": 10, "t": 24, "b": 24},
        "showlegend": False,
        "bargap": 0.1,
    }
    return figure(data, layout)


def top_k_bars(pairs: list[tuple[str, float]], title: str) -> go.Figure:
    """Horizontal bars of the most likely next characters, most likely on top.

    pairs: (character, probability) as from Model.top_k. x is exactly the probabilities.
    """
    labels = [char_label(ch) for ch, _ in pairs]
    probs = [p for _, p in pairs]
    bars = {
        "type": "bar",
        "x": probs,
        "y": list(range(len(pairs))),
        "orientation": "h",
        "text": [f"{p:.1%}" for p in probs],
        "textposition": "auto",
        "marker": {"color": "#4c78a8"},
        "hovertemplate": "%{x:.3f}<extra></extra>",
    }
    layout = {
        "title": _title(title),
        "height": 60 + 34 * max(len(pairs), 1),
        "margin": {"l": 50, "r": 10, "t": 34, "b": 24},
        "xaxis": {"range": [0, 1], "tickformat": ".0%"},
        "yaxis": {
            "tickmode": "array",
            "tickvals": list(range(len(pairs))),
            "ticktext": labels,
            "autorange": "reversed",
            "tickfont": {"size": 15, "family": "monospace"},
        },
    }
    return figure([bars], layout)


def matvec_figure(
    v: np.ndarray, W: np.ndarray, row_labels: list[str], col_labels: list[str], names: tuple[str, str, str]
) -> go.Figure:
    """An annotated vector-matrix product v W (row-vector convention) on a few rows and columns.

    v: (r,) the vector's entries for the rows shown; W: (r, n) the matrix slice; row_labels,
    col_labels: axis labels (trusted text: indices or escaped characters); names: (vector,
    matrix, product) titles. Panels: v as a column beside W's rows, and v W below W. The
    product panel's z is exactly (v @ W)[None, :].
    """
    v, W = np.asarray(v, dtype=float), np.asarray(W, dtype=float)
    prod = v @ W
    lim = float(max(np.abs(W).max(initial=0), np.abs(v).max(initial=0), np.abs(prod).max(initial=0), 1e-9))
    r = len(v)
    # a 2 × 2 grid without its bottom-left cell: v | W on top, v W under W
    left, right = (0.0, 0.194), (0.224, 1.0)  # columns 1 : 4 with a 0.03 gap
    row_top = r / (r + 1.6) * 0.96  # rows r : 1.6 with a 0.04 gap
    top, bottom = (1.0 - row_top, 1.0), (0.0, 0.96 - row_top)
    common = {
        "type": "heatmap",
        "zmin": -lim,
        "zmax": lim,
        "colorscale": DIVERGING,
        "showscale": False,
        "texttemplate": "%{z:.2f}",
        "hoverinfo": "skip",
    }
    data = [
        {**common, "z": v[:, None], "x": [names[0]], "y": row_labels},
        {**common, "z": W, "x": col_labels, "y": row_labels, "xaxis": "x2", "yaxis": "y2"},
        {
            **common,
            "z": prod[None, :],
            "x": col_labels,
            "y": [f"Σ = {names[2]}"],
            "xaxis": "x3",
            "yaxis": "y3",
        },
    ]
    x = {"type": "category", "side": "top", "tickfont": {"size": 12}, "ticks": ""}
    y = {
        "type": "category",
        "autorange": "reversed",
        "tickfont": {"size": 12, "family": "monospace"},
        "ticks": "",
    }
    layout = {
        "xaxis": {**x, "domain": left, "anchor": "y"},
        "yaxis": {**y, "domain": top, "anchor": "x"},
        "xaxis2": {
            **x,
            "domain": right,
            "anchor": "y2",
            "title": {"text": names[1], "standoff": 4, "font": {"size": 13}},
        },
        "yaxis2": {**y, "domain": top, "anchor": "x2", "showticklabels": False},
        "xaxis3": {**x, "domain": right, "anchor": "y3", "showticklabels": False},
        "yaxis3": {**y, "domain": bottom, "anchor": "x3"},
        "height": 110 + 32 * (r + 2),
        "margin": {"l": 110, "r": 10, "t": 60, "b": 10},
    }
    return figure(data, layout)


def retention_figure(retention: dict[float, np.ndarray], title: str, x_title: str, name: str) -> go.Figure:
    """How much of C_0 survives k steps (∏ F), one line per forget bias, log scale.

    retention: bias -> (steps, H); each line is the mean over units, y exactly that mean.
    name: legend label template with "{bias}".
    """
    fig = go.Figure()
    for bias, r in retention.items():
        y = r.mean(axis=1)
        fig.add_trace(
            go.Scatter(x=np.arange(1, len(y) + 1), y=y, mode="lines+markers", name=name.format(bias=bias))
        )
    fig.update_layout(
        title=_title(title),
        height=320,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
        yaxis={"type": "log", "exponentformat": "power"},
        xaxis={"title": x_title},
        legend={"x": 0.01, "y": 0.02, "xanchor": "left", "yanchor": "bottom"},
    )
    return fig


# ---- the cell diagram: boxes coloured by their values, wires as arrows
def _fmt_vec(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


@functools.cache
def _palette(scale: str) -> np.ndarray:
    """256 CSS colours ("#rrggbb") evenly along the scale's colour bar (sampled once: Plotly's
    sample_colorscale parses colour strings per value, too slow on every rerun)."""
    rgb = sample_colorscale(SCALES[scale], list(np.linspace(0.0, 1.0, 256)), colortype="tuple")
    return np.array(["#" + "".join(f"{round(255 * c):02x}" for c in colour) for colour in rgb])


def _colours(values: np.ndarray, scale: str) -> list[str]:
    """Explicit colours for values on the scale's fixed range (clipped), as CSS strings.

    Why explicit colours rather than numbers and a colour scale: Plotly.js 4 writes a console
    warning (with a stack trace) for every bar with a numeric colour."""
    pos = colour_position(values, scale)
    return _palette(scale)[np.rint(pos * 255).astype(int)].tolist() if len(pos) else []


def _node_colour(values: np.ndarray, scale: str) -> str:
    """Fill colour of a diagram box: its mean value on the node's fixed colour range."""
    if not len(values):
        return "#f4f4f4"
    return _colours(np.array([np.mean(values)]), scale)[0]


def _text_colour(values: np.ndarray, scale: str) -> str:
    """Black or white text, whichever reads on the node's fill."""
    pos = float(colour_position([np.mean(values) if len(values) else 0.0], scale)[0])
    dark = pos < 0.45 if scale == "gate" else abs(pos - 0.5) > 0.33
    return "white" if dark else "#111"


BOX = (0.85, 0.42)  # half width, half height of a diagram box (data units)
OP = 0.26  # radius of an operation circle
# Per kind: boxes name -> (x, y, colour scale); operations name -> (x, y, symbol);
# junctions name -> (x, y) (wire corners, not drawn); wires (from, to): an arrowhead unless
# the target is a junction. The diagram is 12 × 7 data units.
DIAGRAMS = {
    "lstm": {
        "boxes": {
            "c_prev": (0.8, 6.0, "cell"), "c": (11.2, 6.0, "cell"), "h_prev": (0.8, 1.3, "tanh"),
            "x": (2.2, 0.25, "tanh"), "h": (11.2, 1.3, "tanh"), "forget": (3.4, 3.0, "gate"),
            "input": (5.3, 3.0, "gate"), "candidate": (7.2, 3.0, "tanh"), "output": (9.1, 3.0, "gate"),
            "tanh_c": (10.4, 4.6, "tanh"),
        },
        "ops": {"×f": (3.4, 6.0, "×"), "+": (7.2, 6.0, "+"), "×i": (7.2, 4.6, "×"), "×o": (10.4, 3.0, "×")},
        "junctions": {"jx": (2.2, 1.3), "jf": (3.4, 1.3), "ji": (5.3, 1.3), "jc": (7.2, 1.3), "jo": (9.1, 1.3),
                      "jc2": (10.4, 6.0), "jh": (10.4, 1.3)},
        "wires": [
            ("c_prev", "×f"), ("×f", "+"), ("+", "c"), ("forget", "×f"), ("input", "×i"), ("candidate", "×i"),
            ("×i", "+"), ("jc2", "tanh_c"), ("tanh_c", "×o"), ("output", "×o"), ("×o", "jh"), ("jh", "h"),
            ("h_prev", "jo"), ("x", "jx"), ("jf", "forget"), ("ji", "input"), ("jc", "candidate"), ("jo", "output"),
        ],
    },
    "gru": {
        "boxes": {
            "h_prev": (0.8, 6.0, "tanh"), "h": (11.2, 6.0, "tanh"), "x": (2.2, 0.25, "tanh"),
            "reset": (3.4, 3.0, "gate"), "update": (5.6, 3.0, "gate"), "candidate": (8.6, 3.0, "tanh"),
        },
        "ops": {"×r": (3.4, 3.95, "×"), "×z": (5.6, 6.0, "×"), "1−": (7.1, 4.7, "1−"), "×(1−z)": (8.6, 4.7, "×"),
                "+": (8.6, 6.0, "+")},
        "junctions": {"jl": (0.8, 1.3), "jx": (2.2, 1.3), "jr": (3.4, 1.3), "jz": (5.6, 1.3), "jc": (8.6, 1.3),
                      "jtop": (3.4, 6.0), "jrh": (7.3, 3.95)},
        "wires": [
            ("h_prev", "×z"), ("×z", "+"), ("+", "h"), ("jtop", "×r"), ("reset", "×r"), ("×r", "jrh"),
            ("jrh", "candidate"), ("update", "×z"), ("update", "1−"), ("1−", "×(1−z)"),
            ("candidate", "×(1−z)"), ("×(1−z)", "+"), ("h_prev", "jl"), ("jl", "jc"), ("x", "jx"),
            ("jr", "reset"), ("jz", "update"), ("jc", "candidate"),
        ],
    },
    "rnn": {
        "boxes": {"h_prev": (0.8, 2.6, "tanh"), "x": (3.4, 0.45, "tanh"), "hidden": (6.4, 2.6, "tanh"),
                  "h": (11.2, 2.6, "tanh")},
        "ops": {"+": (3.4, 2.6, "+")},
        "junctions": {},
        "wires": [("h_prev", "+"), ("x", "+"), ("+", "hidden"), ("hidden", "h")],
        "height": (3.3, 260),  # top of the y range, figure height in pixels
    },
}  # fmt: skip


def _clip_to(point: tuple[float, float], other: tuple[float, float], half: tuple[float, float]):
    """Move `point` (a shape's centre) toward `other` until it sits on the shape's edge."""
    (x, y), (ox, oy) = point, other
    dx, dy = ox - x, oy - y
    scale = min(half[0] / abs(dx) if dx else np.inf, half[1] / abs(dy) if dy else np.inf)
    scale = min(scale, 1.0)
    return x + dx * scale, y + dy * scale


def cell_diagram(
    kind: str, values: dict[str, np.ndarray], labels: dict[str, str], title: str = ""
) -> go.Figure:
    """The cell as boxes and wires, each box coloured by its value and labelled with it.

    kind: "lstm" | "gru" | "rnn"; values: box name -> (k,) values of the units shown (boxes as
    in DIAGRAMS[kind]: states "c_prev", "h_prev", "x", "c", "tanh_c", "h" and the gates by
    name); labels: box name -> short trusted label (HTML subset, e.g. "F = σ(·)"). Boxes use
    the fixed colour ranges of the heatmaps; the fill shows the mean of the shown values.
    """
    spec = DIAGRAMS[kind]
    top, height = spec.get("height", (6.6, 430))
    boxes, ops, junctions = spec["boxes"], spec["ops"], spec["junctions"]

    def centre(name: str) -> tuple[float, float]:
        for table in (boxes, ops, junctions):
            if name in table:
                return table[name][:2]
        raise KeyError(name)

    def half(name: str) -> tuple[float, float]:
        return BOX if name in boxes else (OP, OP) if name in ops else (0.0, 0.0)

    shapes, notes = [], []
    for a, b in spec["wires"]:
        start = _clip_to(centre(a), centre(b), half(a))
        end = _clip_to(centre(b), centre(a), half(b))
        if b in junctions:
            shapes.append({"type": "line", "x0": start[0], "y0": start[1], "x1": end[0], "y1": end[1],
                           "line": {"color": "#888", "width": 1.5}})  # fmt: skip
        else:
            notes.append(
                {"x": end[0], "y": end[1], "ax": start[0], "ay": start[1], "xref": "x", "yref": "y", "axref": "x",
                 "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 1.5,
                 "arrowcolor": "#888", "text": ""}
            )  # fmt: skip
    for x, y, symbol in ops.values():
        shapes.append(
            {"type": "circle", "x0": x - OP, "x1": x + OP, "y0": y - OP, "y1": y + OP,
             "fillcolor": "white", "line": {"color": "#555"}}
        )  # fmt: skip
        notes.append(
            {"x": x, "y": y, "text": symbol, "showarrow": False, "font": {"size": 14, "color": "#222"}}
        )
    for name, (x, y, scale) in boxes.items():
        vals = np.asarray(values.get(name, []), dtype=float)
        shapes.append(
            {"type": "rect", "x0": x - BOX[0], "x1": x + BOX[0], "y0": y - BOX[1], "y1": y + BOX[1],
             "fillcolor": _node_colour(vals, scale), "line": {"color": "#333"}}
        )  # fmt: skip
        label = labels.get(name, name)
        text = f"<b>{label}</b><br>{_fmt_vec(vals)}" if len(vals) else f"<b>{label}</b>"
        notes.append({"x": x, "y": y, "text": text, "showarrow": False,
                      "font": {"size": 11, "color": _text_colour(vals, scale)}})  # fmt: skip
    names = list(boxes)
    hover = {
        "type": "scatter",
        "x": [boxes[n][0] for n in names],
        "y": [boxes[n][1] for n in names],
        "mode": "markers",
        "marker": {"size": 44, "opacity": 0},
        "text": [f"{labels.get(n, n)}: {_fmt_vec(np.asarray(values.get(n, [])))}" for n in names],
        "hoverinfo": "text",
    }
    layout = {
        "title": _title(title),
        "shapes": shapes,
        "annotations": notes,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30 if title else 10, "b": 10},
        "xaxis": {"range": [-0.2, 12.2], "visible": False, "fixedrange": True},
        "yaxis": {"range": [-0.35, top], "visible": False, "fixedrange": True},
        "showlegend": False,
        "plot_bgcolor": "white",
    }
    return figure([hover], layout)


# --- end gates and one-step charts
