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
