"""The "Watch the gates" figure: every gate and state of a sentence, and a time cursor that
moves in the browser.

One Plotly figure holds, top to bottom: the per-step summaries, one units × characters
heatmap per gate and state, the surprise strip, then the vectors at the cursor's step as bars
and the five likeliest next characters. The time cursor is Plotly's own: one animation frame
per character, a slider and a ▶ Play / ⏸ button. A frame changes only the layout: the column
outlines, the rows of bars and the top-5 (shapes), the reading line and the top-5's texts
(annotations), with `redraw: false`, so scrubbing and playing never call the server and never
touch a heatmap. The window of characters stays where the learner drags it (gates_figure's
frames say why).

Characters: every column has its own tick label (x is the step number, the tick text the
character through visual.char_label) on three rows of the stack: above the heatmaps, in the
middle and under them (see label_rows). A sentence longer than `view` characters opens on a
window of `view` characters around the first step; the learner drags sideways or zooms to
follow the cursor and read the rest (the page says so). Pure: arrays in, a RawFigure out (sent
as built: see explorer.charts.RawFigure and plain), no `st.*`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from plotly.colors import sample_colorscale

from explorer.charts import DIGITS, LOOK, RANGES, SCALES, SURPRISE_MAX, RawFigure, axis_names, raw_figure
from explorer.visual import DIVERGING, SURPRISE, char_label, escape_html
from lstm_engine.analyses.unit_stats import CellScale

FRAME_MS = 350  # Play: milliseconds per character
BAR_X = 2  # x units per bar on the bars' axis: bar j spans 2j ± 1, so every edge is an integer
BAR_GAP_PX = 2  # the white line drawn between neighbouring bars
ROW_PX = {"few": 12, "many": 8}  # heatmap row height: up to 24 units, more
TICK_FONT = {"size": 12, "family": "monospace"}
# heights in pixels: rows of the stack, and the gaps for a row's title and tick labels
PX = {
    "reading": 40,
    "legend": 52,
    "title": 22,
    "ticks": 24,
    "summary": 70,
    "strip": 18,
    "bars": 56,
    "bar_gap": 16,
    "top_row": 22,
}
MARGIN = {"l": 64, "r": 52, "t": 124, "b": 12}  # t: the chart toolbar's strip, then Play and the slider
TOOLBAR_PX = 34  # the top strip left free for Plotly's toolbar, so it never covers a control
SUMMARY_COLOURS = ("#e45756", "#4c78a8")  # the two per-step summary lines
CURSOR = {"color": "#111", "width": 2}
BAR_COLOUR = "#6b7280"  # the bars at the cursor's step: a neutral grey (the heatmaps carry colour)
NO_HOVER = {"hoverinfo": "skip", "showlegend": False}
# Every axis: margins are fixed (MARGIN) and labels stay put, so Plotly need not measure every
# tick label to push margins (Streamlit's theme turns automargin on) or to hide labels that
# overflow: together those measurements were half of the browser's work per Enter.
FIXED_AXIS = {"automargin": False, "ticklabeloverflow": "allow"}


@dataclass
class Panel:
    """One heatmap: name (e.g. "forget"), values (T, H), scale ("gate" | "tanh" | "cell"),
    title (trusted text), short (the bars' row title)."""

    name: str
    values: np.ndarray
    scale: str
    title: str
    short: str


def window(step: int, T: int, view: int) -> list[float]:
    """The x range of `view` characters that shows step `step` of T, kept inside the text.

    The window starts at a multiple of view // 2, the last one that keeps the step at least a
    quarter of the window from its left edge (so at least a quarter from the right edge too,
    until the text ends): the page opens on the linked step with room to play on."""
    if view >= T:
        return [-0.5, T - 0.5]
    stride = max(1, view // 2)
    start = min(max(0, (step - view // 4) // stride) * stride, T - view)
    return [start - 0.5, start + view - 0.5]


def cell_position(values, cs: CellScale) -> np.ndarray:
    """Colour-bar position in [0, 1] of cell values: 0.5 + 0.5 asinh(c / s) / asinh(top / s),
    clipped (see unit_stats.CellScale)."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), -cs.top, cs.top)
    return 0.5 + 0.5 * np.arcsinh(v / cs.bend) / np.arcsinh(cs.top / cs.bend)


def cell_colorscale(cs: CellScale, steps: int = 16) -> list:
    """DIVERGING bent by cell_position over [−top, top], as stops placed linearly in c (the
    heatmap's z stays the exact c)."""
    u = np.linspace(-1.0, 1.0, 2 * steps + 1)
    c = cs.bend * np.sinh(u * np.arcsinh(cs.top / cs.bend))  # values evenly spaced in colour
    colours = sample_colorscale(DIVERGING, list((u + 1) / 2))
    pos = np.clip((c + cs.top) / (2 * cs.top), 0.0, 1.0)
    pos[0], pos[-1] = 0.0, 1.0
    return [[float(p), col] for p, col in zip(pos, colours, strict=True)]


def _number(v: float) -> str:
    """A colour bar's tick text: 0, 0.5, 1, -1, 12 ..."""
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


class _Stack:
    """Lays panels out top to bottom in pixels and hands out axis names."""

    def __init__(self) -> None:
        self.y = 0.0  # pixels from the top of the plot area
        self.k = 0
        self.rows: list[tuple[int, float, float]] = []  # (axis k, top px, bottom px)

    def add(self, height: float, gap_above: float = 0.0) -> int:
        self.y += gap_above
        self.k += 1
        self.rows.append((self.k, self.y, self.y + height))
        self.y += height
        return self.k

    def rows_k(self) -> list[int]:
        """Every row's axis number, top to bottom."""
        return [k for k, _, _ in self.rows]

    def domain(self, k: int) -> list[float]:
        _, top, bottom = self.rows[k - 1]
        return [round(1 - bottom / self.y, 6), round(1 - top / self.y, 6)]


def gates_figure(
    tokens: list[str],
    panels: list[Panel],
    units,
    unit_labels: list[str],
    summaries: dict[str, np.ndarray],
    peaks: dict[str, np.ndarray],
    bits: np.ndarray,
    top: tuple[np.ndarray, np.ndarray],
    words: dict[str, str],
    step: int = 0,
    view: int = 80,
    cell: CellScale | None = None,
) -> RawFigure:
    """The whole gates view with its time cursor.

    tokens: the T characters; panels: the heatmaps, top to bottom (values (T, H)); units: (n,)
    unit indices of the rows, top to bottom; unit_labels: (n,) their tick texts (trusted);
    summaries: name -> (T,) shares of units, drawn as lines (legend: words[name]); peaks:
    name -> step indices marked with their character; bits: (T,) surprise (last NaN); top:
    (chars (T, k) str, probs (T, k)) the likeliest next characters after each step; words:
    translated words (titles "summary", "surprise", "bars", "top"; hovers "step", "unit",
    "value", "bits", "share"; "play", "pause"; "reading" and "reading_last": templates with
    {t}, {char}, {next}, {p}, {bits}); step: the cursor's first step; view: characters in
    the x window; cell: the cell panel's colour scale (None: the fixed [−100, 100] range).

    Heatmap k's z is exactly panels[k].values[:, units].T; frame t's bars are values[t, units].
    """
    T = len(tokens)
    units = np.asarray(units, dtype=int)
    n = len(units)
    labels = [char_label(ch) for ch in tokens]
    steps = np.arange(T)
    row_px = ROW_PX["few"] if n <= 24 else ROW_PX["many"]
    stack = _Stack()
    data: list[dict] = []
    layout: dict = {}
    notes: list[dict] = []
    cursors: list[dict] = []  # the column outlines: a layout shape on every row of characters
    char_axes: list[int] = []
    owners: dict[int, int] = {}  # a row drawn in a shared subplot -> its group's first row
    colour_bars: dict[int, int] = {}  # heatmap trace index -> its axis k
    x_range = window(step, T, view)

    n_rows = int(bool(summaries)) + len(panels) + 1
    labelled = label_rows(n_rows)

    def char_panel(height: float, title: str) -> int:
        under_labels = bool(char_axes) and len(char_axes) - 1 in labelled
        k = stack.add(height, gap_above=PX["title"] + (PX["ticks"] if under_labels else 8))
        char_axes.append(k)
        notes.append({"text": title, "k": k})
        return k

    def outline(k: int, band: tuple[float, float] | None = None) -> None:
        """The cursor's outline on row k: its whole subplot, or band (y0, y1) of a shared one."""
        owner = owners.get(k, k)
        y = axis_names("y", owner)[0]
        span = (
            {"yref": y, "y0": band[0], "y1": band[1]} if band else {"yref": f"{y} domain", "y0": 0, "y1": 1}
        )
        cursors.append(
            {"type": "rect", "xref": axis_names("x", owner)[0], **_column(step), **span, "line": CURSOR}
        )

    # ---- the reading line on top: what is read at the cursor, what comes next
    reading = [_reading(tokens, bits, t, words) for t in range(T)]
    k_read = stack.add(PX["reading"])
    spaces = [k_read]  # rows of the stack that only make room (no axes: each subplot costs a draw)

    # ---- per-step summaries (their legend in a row of its own: it wraps on a phone)
    if summaries:
        spaces.append(stack.add(PX["legend"]))
        k = char_panel(PX["summary"], words["summary"])
        xa, ya = axis_names("x", k)[0], axis_names("y", k)[0]
        for (name, share), colour in zip(summaries.items(), SUMMARY_COLOURS, strict=False):
            data.append(
                {"type": "scatter", "x": steps, "y": share, "xaxis": xa, "yaxis": ya, "mode": "lines",
                 "name": words[name], "line": {"color": colour, "width": 2, "shape": "hvh"},
                 "customdata": labels, "legendgroup": name,
                 "hovertemplate": f"%{{x}} · %{{customdata}}: %{{y:.0%}}<extra>{escape_html(words[name])}</extra>"}
            )  # fmt: skip
            at = np.asarray(peaks.get(name, []), dtype=int)
            data.append(
                {"type": "scatter", "x": at, "y": share[at], "xaxis": xa, "yaxis": ya, "mode": "markers+text",
                 "text": [labels[i] for i in at], "textposition": "top center", "cliponaxis": False,
                 "textfont": {"color": colour, "size": 12, "family": "monospace"}, "legendgroup": name,
                 "marker": {"color": colour, "size": 7, "symbol": "triangle-up"}, **NO_HOVER}
            )  # fmt: skip
        layout[axis_names("y", k)[1]] = {
            "range": [0, 1.08],
            "tickformat": ".0%",
            "nticks": 3,
            "fixedrange": True,
        }
        outline(k)

    # ---- one heatmap per gate and state, in groups that share a subplot (each subplot costs
    # every draw a few ms); a group ends at a row labelled with the characters, which its x
    # axis shows under it. A group's y axis counts pixels down from its top.
    heat_px = max(n * row_px, 36)
    labelled_rows = sorted(_unit_ticks(unit_labels, row_px))
    group: list[int] = []
    for panel in panels:
        if not group or len(char_axes) - 1 in labelled:
            group = []  # the row above carries labels: a new subplot starts here
        k = char_panel(heat_px, panel.title)
        group.append(k)
        owners[k] = group[0]
        band_top = stack.rows[k - 1][1] - stack.rows[group[0] - 1][1]  # in its subplot's pixels
        xa, ya = axis_names("x", group[0])[0], axis_names("y", group[0])[0]
        centres = band_top + (np.arange(n) + 0.5) * (heat_px / n)
        axis = layout.setdefault(axis_names("y", group[0])[1], {
            "tickmode": "array", "tickvals": [], "ticktext": [], "tickfont": {"size": 9 if row_px > 8 else 8},
            "fixedrange": True, "showgrid": False, "zeroline": False})  # fmt: skip
        axis["range"] = [band_top + heat_px, 0]
        axis["tickvals"] += [round(float(centres[i]), 2) for i in labelled_rows]
        axis["ticktext"] += [unit_labels[i] for i in labelled_rows]
        lo, hi = RANGES[panel.scale]
        colorscale = SCALES[panel.scale]
        if panel.scale == "cell" and cell is not None:
            lo, hi, colorscale = -cell.top, cell.top, cell_colorscale(cell)
        ticks = [lo, (lo + hi) / 2, hi]  # given, not found: Plotly's tick search costs per bar
        bar = {"thickness": 10, "len": heat_px, "lenmode": "pixels", "x": 1.0, "xpad": 6,
               "tickvals": ticks, "ticktext": [_number(v) for v in ticks]}  # fmt: skip
        first_of_scale = panel.scale not in {p.scale for p in panels[: panels.index(panel)]}
        if first_of_scale:  # one colour bar per scale: each bar costs the browser ~7 ms per draw,
            colour_bars[len(data)] = k  # and the titles of the others state their range
        data.append(
            {"type": "heatmap", "z": panel.values[:, units].T, "x": steps, "y": centres, "xaxis": xa,
             "yaxis": ya, "zmin": lo, "zmax": hi, "colorscale": colorscale, "colorbar": bar,
             "showscale": first_of_scale,
             "customdata": np.broadcast_to(units.astype(np.int16)[:, None], (n, T)), "name": panel.name,
             "hovertemplate": (f"{escape_html(words['step'])} %{{x}} · {escape_html(words['unit'])} %{{customdata}}"
                               f"<br>{escape_html(words['value'])}: %{{z:.3f}}<extra></extra>")}
        )  # fmt: skip
        outline(k, (band_top, band_top + heat_px))

    # ---- surprise strip
    k = char_panel(PX["strip"], words["surprise"])
    data.append(
        {"type": "heatmap", "z": np.asarray(bits, dtype=float)[None, :], "x": steps, "y": [0],
         "xaxis": axis_names("x", k)[0], "yaxis": axis_names("y", k)[0], "zmin": 0.0, "zmax": SURPRISE_MAX,
         "colorscale": SURPRISE, "showscale": False, "customdata": [labels], "hoverongaps": False,
         "hovertemplate": f"%{{x}} · %{{customdata}}: %{{z:.2f}} {escape_html(words['bits'])}<extra></extra>"}
    )  # fmt: skip
    layout[axis_names("y", k)[1]] = {"showticklabels": False, "fixedrange": True, "range": [-0.5, 0.5]}
    outline(k)

    for k in char_axes:
        if k in owners and owners[k] != k:
            continue  # its group's x axis: labelled when the group's last row is
        last = max(j for j, row in enumerate(char_axes) if owners.get(row, row) == k)
        layout[axis_names("x", k)[1]] = {
            "range": x_range,
            "showticklabels": last in labelled,
            "tickmode": "array",
            "tickvals": steps,
            "ticktext": labels,
            "tickangle": 0,
            "tickfont": TICK_FONT,
            "ticks": "",
            "showgrid": False,
            "zeroline": False,
            **({"matches": axis_names("x", char_axes[0])[0]} if k != char_axes[0] else {}),
        }

    # ---- the cursor's step: one band of bars per vector (one subplot for all: each subplot
    # costs Plotly a few ms per draw), then the likeliest next characters
    bands, bar_ranges = [], []
    for i, panel in enumerate(panels):
        k = stack.add(PX["bars"], gap_above=PX["ticks"] + 2 * PX["title"] if i == 0 else PX["bar_gap"])
        if i == 0:
            notes.append({"text": words["bars"], "k": k, "above": PX["title"]})
        notes.append({"text": panel.short, "k": k, "small": True})
        bands.append(k)
        owners[k] = bands[0]
        lo, hi = RANGES[panel.scale]
        if panel.scale == "cell":  # unbounded: one symmetric range for every step
            hi = max(1.0, float(np.abs(panel.values[:, units]).max(initial=0.0))) * 1.05
            lo = -hi
        bar_ranges.append((lo, hi))
    # the bands' y axis counts pixels up from the bottom of the last band
    bottom = stack.rows[bands[-1] - 1][2]
    floors = [bottom - stack.rows[k - 1][2] for k in bands]  # each band's bottom
    zeros = [f + PX["bars"] * -lo / (hi - lo) for f, (lo, hi) in zip(floors, bar_ranges, strict=True)]
    ticks = [(f + PX["bars"] * frac, lo + (hi - lo) * frac) for f, (lo, hi) in zip(floors, bar_ranges, strict=True)
             for frac in (0, 0.5, 1)]  # fmt: skip
    k_bars = bands[0]
    layout[axis_names("y", k_bars)[1]] = {
        "range": [0, bottom - stack.rows[k_bars - 1][1]],
        "fixedrange": True,
        "tickmode": "array",
        "tickvals": [round(y, 2) for y, _ in ticks],
        "ticktext": [f"{v:.3g}" for _, v in ticks],
        "zeroline": False,
    }
    layout[axis_names("x", k_bars)[1]] = {
        "range": [-0.75 * BAR_X, BAR_X * (n - 0.25)],  # a little room beyond the outer bars
        "fixedrange": True,
        "tickmode": "array",
        "tickvals": [BAR_X * j for j in range(n)],
        "ticktext": [str(u) for u in units],
        "tickfont": {"size": 9},
        "tickangle": 0 if n <= 24 else -90,
    }
    chars, probs = top
    n_top = chars.shape[1]
    k_top = stack.add(PX["top_row"] * n_top, gap_above=PX["ticks"] + 2 * PX["title"])
    notes.append({"text": words["top"], "k": k_top})
    layout[axis_names("x", k_top)[1]] = {
        "range": [0, 1.3],
        "tickformat": ".0%",
        "fixedrange": True,
        "nticks": 4,
    }
    layout[axis_names("y", k_top)[1]] = {"range": [n_top - 0.5, -0.5], "showticklabels": False, "showgrid": False,
                                  "zeroline": False, "fixedrange": True}  # fmt: skip
    for k, _, _ in stack.rows:  # every row's place, now that the total height is known
        if k in spaces or owners.get(k, k) != k:
            continue  # room only, or drawn in the subplot of its group's first row
        group_rows = [row for row in stack.rows_k() if owners.get(row, row) == k]
        layout[axis_names("y", k)[1]] |= {
            "domain": [stack.domain(group_rows[-1])[0], stack.domain(k)[1]],
            "anchor": axis_names("x", k)[0],
            **FIXED_AXIS,
        }
        layout[axis_names("x", k)[1]] |= {"anchor": axis_names("y", k)[0], "domain": [0, 1], **FIXED_AXIS}
    for i, k in colour_bars.items():  # each heatmap's colour bar beside its own rows
        data[i]["colorbar"] |= {"y": stack.domain(k)[1], "yanchor": "top"}

    # The cursor is layout only: shapes (outlines, bars, top-5) and annotations (the reading
    # line, the top-5's texts). Why: Plotly.js 4 animates a trace by re-plotting every subplot
    # with that trace alone, which erases every heatmap; frames that change only the layout
    # leave the traces alone. Frames never move the x window either: a frame that sets an axis
    # range equal to the current one erases the heatmaps too.
    bar_ax = (axis_names("x", k_bars)[0], axis_names("y", k_bars)[0])
    bar_paths = [
        bars_paths(p.values[:, units], span, PX["bars"]) for p, span in zip(panels, bar_ranges, strict=True)
    ]
    top_ax = (axis_names("x", k_top)[0], axis_names("y", k_top)[0])
    read_at = {"x": 0, "y": stack.domain(k_read)[1], "xref": "paper", "yref": "paper", "xanchor": "left",
               "yanchor": "top", "align": "left", "showarrow": False, "font": {"size": 13}}  # fmt: skip

    def moving_shapes(t: int, full: bool) -> list[dict]:
        """Step t's shapes: the outlines, every bar, the top-5 (full: with what stays put)."""
        bars = [
            _bars(row[t], (*bar_ax, zero) if full else None)
            for row, zero in zip(bar_paths, zeros, strict=True)
        ]
        tops = [_top_bar(r, prob, top_ax if full else None) for r, prob in enumerate(probs[t])]
        outlines = [({**c, **_column(t)} if full else _column(t)) for c in cursors]
        return [*outlines, *bars, *tops]

    def moving_notes(t: int, full: bool) -> list[dict]:
        """Step t's annotations: the reading line, then the top-5's texts."""
        texts = [
            _top_text(r, ch, prob, top_ax if full else None)
            for r, (ch, prob) in enumerate(zip(chars[t], probs[t], strict=True))
        ]
        return [{**(read_at if full else {}), "text": reading[t]}, *texts]

    frames = [
        {"name": str(t), "layout": {"shapes": moving_shapes(t, False), "annotations": moving_notes(t, False)}}
        for t in range(T)
    ]  # fmt: skip
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    playing = {**still, "frame": {"duration": FRAME_MS, "redraw": False}, "fromcurrent": True}
    layout |= {
        "height": int(stack.y + MARGIN["t"] + MARGIN["b"]),
        # fixed margins: the slider and each colour bar would otherwise push them, and Plotly
        # redraws the whole figure once for each push (a third of its first draw)
        "margin": {**MARGIN, "autoexpand": False},
        "dragmode": "pan",
        "hovermode": "closest",
        "showlegend": bool(summaries),
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": stack.domain(2)[1] if summaries else 1,
                   "yanchor": "top", "font": {"size": 12}},
        "annotations": [*moving_notes(step, True), *(_note(note, stack) for note in notes)],
        "shapes": [*moving_shapes(step, True), _gaps(n, floors, bar_ax)],  # the gaps stay put
        "sliders": [{"active": step, "x": 0, "len": 1, "xanchor": "left", "y": 1 + (MARGIN["t"] - TOOLBAR_PX - 40) / stack.y,
                     "yanchor": "top", "pad": {"t": 8, "b": 0}, "ticklen": 3, "minorticklen": 0,
                     "currentvalue": {"visible": False}, "font": {"size": 1, "color": "rgba(0,0,0,0)"},
                     "transition": {"duration": 0},
                     "steps": [{"method": "animate", "label": "", "value": str(t), "args": [[str(t)], still]}
                               for t in range(T)]}],  # no labels: Plotly would measure 200
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False, "x": 0, "xanchor": "left",
                         "y": 1 + (MARGIN["t"] - TOOLBAR_PX) / stack.y, "yanchor": "top",
                         "buttons": [{"label": words["play"], "method": "animate", "args": [None, playing]},
                                     {"label": words["pause"], "method": "animate", "args": [[None], still]}]}],
    }  # fmt: skip
    return raw_figure(data, layout, frames)


def label_rows(n: int) -> set[int]:
    """Which of n rows of characters (top to bottom) carry the character labels: the first,
    the middle and the last. Why not all: drawing tick labels is most of the browser's work
    (eight labelled rows of 80 characters: 2.4 CPU-s per Enter; three rows: 1.2 s)."""
    return {0, (n - 1) // 2, n - 1}


def _column(t: int) -> dict:
    """The x extent of the cursor's outline around column t."""
    return {"x0": t - 0.5, "x1": t + 0.5}


def bars_paths(values: np.ndarray, span: tuple[float, float], px: float) -> list[str]:
    """One SVG path of bars per row of values ((T, n) values -> T paths): bar j of a row rises
    from its band's zero line to values[t, j] (clipped to span, the band's range) over x in
    BAR_X·j ± 1, its height in whole pixels up (the band is px pixels tall for the span).

    The path is one outline along the tops of the bars, which touch ("M-1,0V28H1V-14H3V0Z",
    drawn with ysizemode "pixel" from the zero line); the white lines between them are one
    shape that never moves (_gaps). A frame holds six of these paths per step, most of what
    the browser receives. Why one path per row, not one shape per bar: Plotly fills in and
    redraws every shape on each frame, and 192 bar shapes made a cursor step ~30 ms slower."""
    lo, hi = span
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), lo, hi)
    heights = np.rint(v * (px / (hi - lo))).astype(int) + 0
    n = v.shape[1]
    if n == 0:
        return ["" for _ in range(v.shape[0])]
    walk = [f"H{BAR_X * j + 1}V" for j in range(n - 1)] + [f"H{BAR_X * n - 1}V0Z"]
    return ["M-1,0V" + "".join(row) for row in np.char.add(heights.astype(str), np.array(walk)).tolist()]


def _gaps(n: int, floors: list[float], axes: tuple[str, str]) -> dict:
    """The white lines between neighbouring bars, from the bottom to the top of every band
    (floors: each band's bottom on the bars' y axis, in pixels): a shape that no frame moves,
    in the layer above the bars' (Plotly re-appends every shape a frame moves, so within one
    layer the bars would end up on top of it)."""
    path = "".join(
        f"M{BAR_X * j + 1},{floor:g}V{floor + PX['bars']:g}" for floor in floors for j in range(n - 1)
    )
    return {"type": "path", "xref": axes[0], "yref": axes[1], "path": path,
            "line": {"color": LOOK["plot_bgcolor"], "width": BAR_GAP_PX}}  # fmt: skip


def _bars(path: str, where: tuple[str, str, float] | None) -> dict:
    """One row of bars at one step (its path: bars_paths) as a path shape; where (x axis, y axis,
    the band's zero line on that y axis): the whole shape, None: only what moves. One colour
    for every bar keeps the frames small; the heatmap column above shows the colours."""
    moving = {"path": path}
    if where is None:
        return moving
    x, y, zero = where
    return {"type": "path", "xref": x, "yref": y, "ysizemode": "pixel", "yanchor": round(zero, 2),
            "layer": "between", "fillcolor": BAR_COLOUR, "line": {"width": 0}, **moving}  # fmt: skip


def _top_bar(r: int, prob: float, axes: tuple[str, str] | None) -> dict:
    """The r-th likeliest next character's bar (0 to prob); axes as in _bars."""
    moving = {"x1": round(float(prob), DIGITS)}
    if axes is None:
        return moving
    return {"type": "rect", "xref": axes[0], "yref": axes[1], "x0": 0, "y0": r - 0.4, "y1": r + 0.4,
            "fillcolor": "#4c78a8", "line": {"width": 0}, **moving}  # fmt: skip


def _top_text(r: int, ch: str, prob: float, axes: tuple[str, str] | None) -> dict:
    """The r-th likeliest next character and its probability, right of its bar; axes as in _bars."""
    moving = {"x": round(float(prob), DIGITS), "text": f"{char_label(ch)}  {prob:.1%}"}
    if axes is None:
        return moving
    return {"xref": axes[0], "yref": axes[1], "y": r, "xanchor": "left", "xshift": 4, "showarrow": False,
            "font": {"family": "monospace", "size": 14}, **moving}  # fmt: skip


def _reading(tokens: list[str], bits: np.ndarray, t: int, words: dict[str, str]) -> str:
    """The reading line at step t (trusted template, escaped characters)."""
    fields = {"t": t, "char": char_label(tokens[t])}
    if t + 1 >= len(tokens):
        return words["reading_last"].format(**fields)
    return words["reading"].format(
        **fields, next=char_label(tokens[t + 1]), p=f"{2.0 ** -bits[t]:.3f}", bits=f"{bits[t]:.2f}"
    )


def _unit_ticks(unit_labels: list[str], row_px: int) -> set[int]:
    """The rows (top to bottom) that get their unit's tick label: every row when rows are tall
    enough, else every k-th plain row (each row still hovers with its unit) and every labelled
    (tracker) row."""
    every = max(1, -(-11 // row_px))
    return {i for i, label in enumerate(unit_labels) if i % every == 0 or not label.isdigit()}


def _note(note: dict, stack: _Stack) -> dict:
    top = stack.domain(note["k"])[1]
    return {
        "text": note["text"],
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": top,
        "yshift": note.get("above", 0),
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 11 if note.get("small") else 14},
    }
