"""One visual language: explorer.visual alone names the colour conventions, every chart
builder reads it, and the labels and notices look the same on every page."""

import re
from pathlib import Path

import numpy as np
import plotly.colors

from explorer import charts, charts_memory, visual
from explorer.texts import t

ROOT = Path(__file__).resolve().parents[1]
DIVERGING_NAMES = {n for n in dir(plotly.colors.diverging) if not n.startswith("_") and n[0].isalpha()}
DIVERGING_NAMES -= {"swatches", "swatches_continuous"}


def sources() -> list[Path]:
    """Every UI source file: app.py, pages/, explorer/ (the engine draws nothing)."""
    return [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "explorer").glob("*.py")),
    ]


def test_only_the_convention_module_names_a_diverging_colour_scale():
    names = "|".join(sorted(DIVERGING_NAMES, key=len, reverse=True))
    pattern = re.compile(rf"""["']({names})["']""")
    named = {p.name for p in sources() if pattern.search(p.read_text(encoding="utf-8"))}
    assert named == {"visual.py"}
    # nor does any other file write its own colour stops or reach into Plotly's scales
    for p in sources():
        if p.name != "visual.py":
            text = p.read_text(encoding="utf-8")
            assert "plotly.colors.diverging" not in text and not re.search(r"colorscale=\[\[", text), p


def test_the_diverging_convention_is_red_for_positive_on_every_builder():
    assert visual.DIVERGING in DIVERGING_NAMES
    low, mid, high = (plotly.colors.sample_colorscale(visual.DIVERGING, [x])[0] for x in (0, 0.5, 1))
    rgb = [tuple(float(v) for v in c[4:-1].split(",")) for c in (low, mid, high)]
    assert rgb[2][0] > rgb[2][2] and rgb[0][2] > rgb[0][0]  # red at +, blue at −
    assert min(rgb[1]) > 240  # white at 0
    light = visual.DIVERGING_LIGHT
    assert light[0][1] != light[-1][1]
    first, last = (tuple(int(v) for v in c[4:-1].split(",")) for c in (light[0][1], light[-1][1]))
    assert last[0] > last[2] and first[2] > first[0]  # the faded scale keeps the same sides
    assert charts.SCALES["tanh"] == charts.SCALES["cell"] == visual.DIVERGING
    assert charts.SCALES["gate"] == visual.SEQUENTIAL


def test_char_label_is_one_function_with_one_set_of_glyphs():
    assert charts.char_label is visual.char_label is charts_memory.char_label
    assert [visual.char_label(ch) for ch in " \n\t\r<&\x07\u200b"] == [
        "␣",
        "↵",
        "⇥",
        "␍",
        "&lt;",
        "&amp;",
        "U+0007",
        "U+200B",
    ]
    assert visual.text_label("<b>a b</b>\n") == "&lt;b&gt;a b&lt;/b&gt;↵"
    assert visual.text_label("x" * 70, 60) == "x" * 60 + "…"
    assert visual.subscript("x", 0) == "x₀" and visual.subscript("h", 12) == "h₁₂"


def test_unknown_notice_lists_each_character_once_as_code():
    unknown = [(0, "😀"), (3, " "), (5, "😀"), (7, "`")]
    key, fmt = visual.unknown_notice(unknown, dropped=False)
    assert key == "common.unknown_chars" and fmt["n"] == 4
    assert fmt["chars"] == "` ␣ ` `` ` `` ` 😀 `"  # code-point order: space, backtick, emoji
    assert visual.unknown_notice(unknown, dropped=True)[0] == "common.dropped_chars"
    many = [(k, chr(0x4E00 + k)) for k in range(visual.MAX_UNKNOWN + 5)]
    assert visual.unknown_notice(many, False)[1]["chars"].endswith(" …")
    for lang in ("en", "zh"):
        assert "😀" in t(key, lang, **fmt)


def test_what_if_hover_names_the_quantity_instead_of_a_placeholder():
    delta = np.random.default_rng(0).normal(size=(6, 4))
    for lang in ("en", "zh"):
        fig = charts_memory.delta_heatmap(
            delta, list("abc xy"), np.array([0, 0, 1, 0, 0, 0], bool), "Δc", lang
        )
        template = fig.data[0].hovertemplate
        assert "{name}" not in template and "Δc" in template and "%{z:.3f}" in template
        assert fig.data[0].colorscale == charts_memory.go.Heatmap(colorscale=visual.DIVERGING).colorscale


def test_read_through_chart_does_not_hover_on_empty_cells_and_its_colour_bar_is_readable():
    tokens = list("ab\nc")  # two lines: the second row's cells after "c" are empty (NaN)
    fig = charts_memory.unit_text_chart(tokens, np.array([0.5, -0.5, 0.1, 0.9]), "unit 0")
    hm = fig.data[0]
    assert np.isnan(np.asarray(hm.z, dtype=float)).any() and hm.hoverongaps is False
    bar = hm.colorbar
    assert bar.lenmode == "pixels" and bar.nticks == 3
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot_height >= bar.len  # the bar fits the chart instead of being squashed
    assert hm.colorscale[-1][1] == visual.DIVERGING_LIGHT[-1][1]
