"""Plotly builders for attribution: which characters moved a prediction, and by how much.

Pure functions: arrays from lstm_engine.analyses.attribution in, a RawFigure out, never a
`st.*` call; z is exactly the norms given. Characters are drawn as heatmap cell text through
explorer.visual.char_label (escaped, whitespace visible), never as HTML; colours from
explorer.visual.
"""

from __future__ import annotations

import numpy as np

from explorer.charts import RawFigure, raw_figure
from explorer.charts_memory import text_grid
from explorer.visual import INFLUENCE, char_label, text_label

LINE = 30  # characters per line of the coloured sentence (fits a phone: ~10 px per cell)
ROW_HEIGHT = 26  # pixels per line


def influence_text(
    tokens: list[str],
    norms: np.ndarray,
    seen: np.ndarray,
    mark: int | None,
    words: dict[str, str],
    title: str = "",
    width: int = LINE,
) -> RawFigure:
    """The sentence laid out in lines, each character's cell coloured by its influence.

    tokens: the T characters; norms: (T,) ‖∂ log p / ∂x_s‖ for every position s; seen: (T,)
    bool, the positions the prediction can depend on (the others stay uncoloured, z NaN);
    mark: the position to outline (the prediction's step, or the blank), None for none;
    words: hover words {"step", "value"}; title: plain text (escaped here), "" for none. The trace's z at (row, col) of position s (see
    charts_memory.text_grid) is exactly norms[s] where seen[s], NaN elsewhere; the colour
    runs from 0 to the largest seen norm.
    """
    rows, cols = text_grid(tokens, width)
    shape = (int(rows.max()) + 1, int(cols.max()) + 1) if len(tokens) else (1, 1)
    seen = np.asarray(seen, dtype=bool)
    values = np.where(seen, np.asarray(norms, dtype=float), np.nan)
    z = np.full(shape, np.nan)
    z[rows, cols] = values
    text = np.full(shape, "", dtype=object)
    text[rows, cols] = [" " if ch == " " else char_label(ch) for ch in tokens]
    seen_cell = np.zeros(shape, dtype=bool)
    seen_cell[rows, cols] = seen
    step = np.full(shape, -1, dtype=np.int32)
    step[rows, cols] = np.arange(len(tokens))
    top = float(np.nanmax(values)) if seen.any() else 0.0
    cells = {
        "type": "heatmap",
        "z": z,
        "text": np.where(seen_cell, text, ""),
        "customdata": step,
        "texttemplate": "%{text}",
        "textfont": {"family": "monospace", "size": 13},
        "colorscale": INFLUENCE,
        "zmin": 0.0,
        "zmax": top if top > 0 else 1.0,
        "xgap": 1,
        "ygap": 1,
        "hoverongaps": False,
        "hovertemplate": (
            f"{words['step']}: %{{customdata}} · %{{text}}<br>{words['value']}: %{{z:.3g}}<extra></extra>"
        ),
        "colorbar": {"thickness": 12, "lenmode": "pixels", "len": 90, "nticks": 3, "yanchor": "top", "y": 1},
    }
    # a grey twin trace under it carrying the characters the prediction cannot see (z NaN),
    # so the whole sentence still reads; each character is drawn once, by one of the two
    ghost = {
        "type": "heatmap",
        "z": np.where(np.isnan(z) & (step >= 0), 0.0, np.nan),
        "text": np.where(seen_cell, "", text),
        "texttemplate": "%{text}",
        "textfont": {"family": "monospace", "size": 13, "color": "#999"},
        "colorscale": [[0, "#f4f4f4"], [1, "#f4f4f4"]],
        "showscale": False,
        "hoverinfo": "skip",
        "xgap": 1,
        "ygap": 1,
    }
    shapes = []
    if mark is not None and 0 <= mark < len(tokens):
        r, c = int(rows[mark]), int(cols[mark])
        shapes.append(
            {"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5}
            | {"xref": "x", "yref": "y", "line": {"color": "#d62728", "width": 3}}
        )
    layout = {
        # fixed margins (room for the colour bar): a colour bar that pushes them makes Plotly
        # draw the chart twice
        "margin": {"l": 10, "r": 64, "t": 36 if title else 8, "b": 8, "autoexpand": False},
        "height": 50 + max(96, ROW_HEIGHT * shape[0]),
        "xaxis": {"visible": False, "range": [-0.5, shape[1] - 0.5], "fixedrange": True},
        "yaxis": {"visible": False, "autorange": "reversed", "fixedrange": True},
        "shapes": shapes,
        "plot_bgcolor": "white",
    }
    if title:
        layout["title"] = {"text": text_label(title, 120), "x": 0, "xanchor": "left", "font": {"size": 14}}
    return raw_figure([ghost, cells], layout, digits=None)  # z: exactly the norms
