"""Lesson: reading a sentence. One unit of the shipped LSTM tracks "inside quotes"; the unit
finder's correlation finds it live (never a fixed unit index), and the learner guesses how
closely it follows the quotes, where it flips, and whether it also counts brackets."""

from __future__ import annotations

import numpy as np

from explorer import charts
from explorer.charts_memory import top_units_chart, unit_text_chart
from explorer.lessons.framework import LANG, Chart, Choice, Lesson, Link, Slider, Step, Word
from explorer.state import SHIPPED, shipped_model
from explorer.visual import code_span, glyph
from lstm_engine.analyses import unit_stats

SENTENCE = 'The "with" statement calls "__enter__()" and then "__exit__()" on the object.'
MODEL = "LSTM"
SHOWN = 16  # most active units in the first heatmap
CLASSES = ("quote", "letter", "space", "bracket")  # what kind of character a unit flips on


def char_class(ch: str) -> str:
    """Which of CLASSES a character belongs to ("letter" covers letters, digits and _)."""
    if ch in unit_stats.QUOTES:
        return "quote"
    if ch in unit_stats.OPEN + unit_stats.CLOSE:
        return "bracket"
    return "space" if ch.isspace() else "letter"


def facts() -> dict:
    """The trace of SENTENCE, the best quote unit and the best bracket unit (by |r|)."""
    trace = shipped_model(SHIPPED[MODEL]).run(SENTENCE)
    tokens = trace.tokens
    quotes = unit_stats.pattern_signal(tokens, "quotes")
    brackets = unit_stats.pattern_signal(tokens, "parens")
    rq, rb = unit_stats.rank_units(trace.h, quotes), unit_stats.rank_units(trace.h, brackets)
    unit, bracket_unit = int(rq.order[0]), int(rb.order[0])
    jumps = np.abs(np.diff(trace.h[:, unit], prepend=0.0))
    flip = int(np.argmax(jumps))
    active = unit_stats.top_units(unit_stats.unit_activity([trace.h]), SHOWN)
    return {
        "trace": trace,
        "tokens": tokens,
        "quotes": quotes,
        "brackets": brackets,
        "corr": rq.corr,
        "bracket_corr": rb.corr,
        "unit": unit,
        "r": float(rq.corr[unit]),
        "abs_r": float(abs(rq.corr[unit])),
        "bracket_unit": bracket_unit,
        "bracket_r": float(rb.corr[bracket_unit]),
        "unit_bracket_r": float(rb.corr[unit]),
        "flip": flip,
        "flip_char": code_span(glyph(tokens[flip])),
        "flip_class": char_class(tokens[flip]),
        "active": active,
        "shown": len(active),
        "hidden": trace.h.shape[1],
        "n_chars": len(tokens),
        "sentence": code_span(SENTENCE),
    }


def heatmap_chart(values, tokens: list[str], units, title: str, scale: str, caption: str) -> Chart:
    """A units × characters heatmap of one (T, H) array (the gates page's builder), its title and
    caption text keys, with the gates page's hover words."""
    hover = {k: Word(f"gates.hover.{k}") for k in ("step", "unit", "value")}
    return Chart(charts.unit_heatmap, (values, tokens, units, Word(title), scale, None, hover), caption)


def heatmap(f) -> list:
    return [
        heatmap_chart(
            f["trace"].h,
            f["tokens"],
            f["active"],
            "lesson.quotes.read.chart",
            "tanh",
            "lesson.quotes.read.cap",
        )
    ]


def ranking(f, _answer) -> list:
    top = [int(u) for u in np.argsort(-np.abs(f["corr"]), kind="stable")[:5]]
    return [
        Chart(
            top_units_chart,
            (f["trace"].h, top, f["corr"], f["tokens"], f["quotes"], LANG),
            "lesson.quotes.guess.cap",
        )
    ]


def unit_text(f, _answer) -> list:
    return [
        Chart(
            unit_text_chart,
            (f["tokens"], f["trace"].h[:, f["unit"]], Word("lesson.quotes.flip.chart")),
            "lesson.quotes.flip.cap",
        )
    ]


def brackets(f, _answer) -> list:
    top = [f["bracket_unit"]] + ([f["unit"]] if f["unit"] != f["bracket_unit"] else [])
    return [
        Chart(
            top_units_chart,
            (f["trace"].h, top, f["bracket_corr"], f["tokens"], f["brackets"], LANG),
            "lesson.quotes.brackets.cap",
        ),
        Link("gates", {"text": SENTENCE, "model": MODEL, "step": f["flip"]}, "lesson.quotes.link_gates"),
        Link("cells", {}, "lesson.quotes.link_cells"),
    ]


LESSON = Lesson(
    "quotes",
    facts,
    (
        Step("read", show=heatmap),
        Step(
            "guess",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.15),
            truth=lambda f: f["abs_r"],
            reveal=ranking,
        ),
        Step("flip", ask=Choice(CLASSES), truth=lambda f: f["flip_class"], reveal=unit_text),
        Step(
            "brackets",
            ask=Choice(("same", "other")),
            truth=lambda f: "same" if f["bracket_unit"] == f["unit"] else "other",
            reveal=brackets,
        ),
    ),
)
