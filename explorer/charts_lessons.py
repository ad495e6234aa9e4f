"""Pure Plotly builders for the lessons' own charts: arrays and translated words in, a figure
out, no st.* and no maths (the numbers come from lstm_engine.analyses)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from explorer.charts import _title, figure

MARGIN = {"l": 60, "r": 20, "t": 48, "b": 50}
BAR_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
MARK = "#d62728"  # the learner's prediction, drawn beside the engine's numbers


def value_bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    y_title: str = "",
    guess: float | None = None,
    guess_name: str = "",
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """One bar per labelled value, the value written on the bar; `guess` (the learner's
    prediction) as a dashed line named `guess_name`. labels, values: (n,)."""
    values = [float(v) for v in values]
    bars = {
        "type": "bar",
        "x": list(labels),
        "y": values,
        "text": [f"{v:.3g}" for v in values],
        "textposition": "outside",
        "marker": {"color": [BAR_COLOURS[i % len(BAR_COLOURS)] for i in range(len(values))]},
        "hovertemplate": "%{x}: %{y:.4f}<extra></extra>",
        "cliponaxis": False,
    }
    layout = {
        "title": _title(title),
        "height": 340,
        "margin": MARGIN,
        "yaxis": {"title": y_title, "zeroline": True, **({"range": list(y_range)} if y_range else {})},
        "showlegend": False,
        "shapes": [],
        "annotations": [],
    }
    if guess is not None:
        layout["shapes"].append(
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": guess, "y1": guess,
             "line": {"color": MARK, "dash": "dash", "width": 2}}
        )  # fmt: skip
        layout["annotations"].append(
            {"xref": "paper", "x": 1, "y": guess, "xanchor": "right", "yanchor": "bottom",
             "text": guess_name, "showarrow": False, "font": {"color": MARK}}
        )  # fmt: skip
    return figure([bars], layout)


def output_bound_figure(
    c_grid: np.ndarray,
    bound: np.ndarray,
    c: float,
    h: float,
    claim: float,
    words: dict[str, str],
) -> go.Figure:
    """How big H can get for a cell state C: the bound tanh(|C|) over c_grid, the cell's own
    (C, H) point and the story's claimed H as a dashed line.

    c_grid, bound: (n,) from lstm_engine.analyses.step.output_bound; words: "title", "x",
    "y", "bound", "cell", "claim"."""
    data = [
        {"type": "scatter", "x": c_grid, "y": bound, "mode": "lines", "name": words["bound"],
         "line": {"color": "#1f77b4", "width": 3}},
        {"type": "scatter", "x": [c], "y": [h], "mode": "markers+text", "name": words["cell"],
         "text": [words["cell"]], "textposition": "bottom right",
         "marker": {"size": 14, "color": "#2ca02c"}},
    ]  # fmt: skip
    layout = {
        "title": _title(words["title"]),
        "height": 360,
        "margin": MARGIN,
        "xaxis": {"title": words["x"]},
        "yaxis": {"title": words["y"], "range": [0, 1.05]},
        "legend": {"orientation": "h", "y": -0.25},
        "shapes": [
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": claim, "y1": claim,
             "line": {"color": MARK, "dash": "dash", "width": 2}}
        ],
        "annotations": [
            {"xref": "paper", "x": 0.02, "y": claim, "xanchor": "left", "yanchor": "bottom",
             "text": words["claim"], "showarrow": False, "font": {"color": MARK}}
        ],
    }  # fmt: skip
    return figure(data, layout)


def lines_figure(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    title: str,
    x_title: str,
    y_title: str,
    log: bool = False,
    level: float | None = None,
    level_name: str = "",
    mark: float | None = None,
    mark_name: str = "",
) -> go.Figure:
    """One line per named series over the same x, log y if `log`; `level` a dashed horizontal
    line (e.g. a factor of 1), `mark` a dashed vertical line (e.g. the learner's prediction).
    series: name -> values at x[: len(values)]; the names are trusted words (translated text)."""
    data = [
        {"type": "scatter", "x": list(x)[: len(y)], "y": [float(v) for v in y], "mode": "lines", "name": name,
         "line": {"color": BAR_COLOURS[i % len(BAR_COLOURS)], "width": 3}}
        for i, (name, y) in enumerate(series.items())
    ]  # fmt: skip
    shapes, notes = [], []
    if level is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": level, "y1": level,
                       "line": {"color": "#888", "dash": "dash", "width": 2}})  # fmt: skip
        notes.append({"xref": "paper", "x": 0.01, "y": level, "xanchor": "left", "yanchor": "bottom",
                      "text": level_name, "showarrow": False, "font": {"color": "#555"}})  # fmt: skip
    if mark is not None:
        shapes.append({"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": mark, "x1": mark,
                       "line": {"color": MARK, "dash": "dash", "width": 2}})  # fmt: skip
        notes.append({"yref": "paper", "y": 1, "x": mark, "xanchor": "left", "yanchor": "top",
                      "text": mark_name, "showarrow": False, "font": {"color": MARK}})  # fmt: skip
    layout = {
        "title": _title(title),
        "height": 360,
        "margin": MARGIN,
        "xaxis": {"title": x_title},
        "yaxis": {"title": y_title, **({"type": "log", "exponentformat": "power"} if log else {})},
        "legend": {"orientation": "h", "y": -0.25},
        "shapes": shapes,
        "annotations": notes,
    }
    return figure(data, layout)


def gate_pairs_figure(pairs: dict[str, tuple[np.ndarray, np.ndarray]], words: dict[str, str]) -> go.Figure:
    """Each (keep, write) gate pair as a cloud of points, one point per (step, unit), with the
    line write = 1 − keep on which a GRU's pair (Z, 1 − Z) always lies.

    pairs: name -> (keep (n,), write (n,)), e.g. "LSTM" -> (F, I), "GRU" -> (Z, 1 − Z);
    words: "title", "x", "y", "line"."""
    data = [
        {"type": "scatter", "x": [0, 1], "y": [1, 0], "mode": "lines", "name": words["line"],
         "line": {"color": "#888", "dash": "dash", "width": 2}}
    ]  # fmt: skip
    for i, (name, (keep, write)) in enumerate(pairs.items()):
        data.append(
            {"type": "scattergl", "x": np.asarray(keep, dtype=float), "y": np.asarray(write, dtype=float),
             "mode": "markers", "name": name,
             "marker": {"size": 4, "opacity": 0.35, "color": BAR_COLOURS[i % len(BAR_COLOURS)]}}
        )  # fmt: skip
    layout = {
        "title": _title(words["title"]),
        "height": 420,
        "margin": MARGIN,
        "xaxis": {"title": words["x"], "range": [-0.02, 1.02]},
        "yaxis": {"title": words["y"], "range": [-0.02, 1.02], "scaleanchor": "x"},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return figure(data, layout)
