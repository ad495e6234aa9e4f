"""Lesson: 数到七 / Counting to seven. A Tang quatrain has lines of seven characters, each
closed by "，" or "。"; the shipped Chinese LSTM has a cell that counts the characters since the
last mark. The unit finder's "position in the line" signal finds it live (never a fixed unit
index); the learner guesses how closely it counts, then after how many characters the model
expects "，", and sees both."""

from __future__ import annotations

import numpy as np

from explorer import charts
from explorer.charts_lessons import value_bars
from explorer.charts_memory import top_units_chart, unit_text_chart
from explorer.lessons.framework import LANG, Chart, Lesson, Link, Slider, Step, Word
from explorer.state import SHIPPED, ZH_MODEL, shipped_model
from explorer.visual import code_span
from lstm_engine.analyses import unit_stats

POEM = "月落乌啼霜满天，江枫渔火对愁眠。\n姑苏城外寒山寺，夜半钟声到客船。"  # 张继《枫桥夜泊》, held out of training
COMMA = "，"
SHOWN = 16  # most active cells in the first heatmap


def facts() -> dict:
    """The trace of POEM, the cell that best follows the position in the line (by |r|), and
    the probability of "，" after each character of the first line."""
    model = shipped_model(SHIPPED[ZH_MODEL])
    trace = model.run(POEM)
    tokens = trace.tokens
    signal = unit_stats.pattern_signal(tokens, "line_position")
    ranking = unit_stats.rank_units(trace.c, signal)
    unit = int(ranking.order[0])
    width = tokens.index(COMMA)  # characters in the first line
    p_comma = trace.probs[:width, model.vocab.index[COMMA]].astype(float)
    expect = int(np.argmax(p_comma)) + 1
    return {
        "trace": trace,
        "tokens": tokens,
        "signal": signal,
        "corr": ranking.corr,
        "unit": unit,
        "r": float(ranking.corr[unit]),
        "abs_r": float(abs(ranking.corr[unit])),
        "active": unit_stats.top_units(unit_stats.unit_activity([trace.c]), SHOWN),
        "shown": min(SHOWN, trace.c.shape[1]),
        "hidden": trace.c.shape[1],
        "width": width,
        "p_comma": p_comma,
        "expect": expect,
        "p_expect": float(p_comma[expect - 1]),
        "p_other": float(np.delete(p_comma, expect - 1).max()) if width > 1 else 0.0,
        "line": code_span("".join(tokens[: width + 1])),
        "poem": code_span(POEM.replace("\n", " ")),
    }


def heatmap(f) -> list:
    words = {
        "step": Word("gates.hover.step"),
        "unit": Word("gates.hover.unit"),
        "value": Word("gates.hover.value"),
    }
    args = (f["trace"].c, f["tokens"], f["active"], Word("lesson.counting.read.chart"), "cell", None, words)
    return [Chart(charts.unit_heatmap, args, "lesson.counting.read.cap")]


def ranking(f, _answer) -> list:
    top = [int(u) for u in np.argsort(-np.abs(f["corr"]), kind="stable")[:5]]
    args = (f["trace"].c, top, f["corr"], f["tokens"], f["signal"], LANG)
    return [Chart(top_units_chart, args, "lesson.counting.find.cap")]


def comma_bars(f, answer) -> list:
    labels = [f"{k} · {ch}" for k, ch in enumerate(f["tokens"][: f["width"]], start=1)]
    args = (labels, f["p_comma"], Word("lesson.counting.expect.chart"), Word("lesson.counting.expect.axis"))
    kwargs = {"y_range": (0.0, 1.05)}
    return [
        Chart(value_bars, args, "lesson.counting.expect.cap", kwargs),
        Link(
            "gates", {"text": POEM, "model": ZH_MODEL, "step": f["expect"] - 1}, "lesson.counting.link_gates"
        ),
    ]


def unit_text(f) -> list:
    return [
        Chart(
            unit_text_chart,
            (f["tokens"], f["trace"].c[:, f["unit"]], Word("lesson.counting.see.chart")),
            "lesson.counting.see.cap",
        ),
        Link("cells", {}, "lesson.counting.link_cells"),
    ]


LESSON = Lesson(
    "counting",
    facts,
    (
        Step("read", show=heatmap),
        Step(
            "find",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.15),
            truth=lambda f: f["abs_r"],
            reveal=ranking,
        ),
        Step(
            "expect",
            ask=Slider(1, 7, 1, 4, tolerance=0),
            truth=lambda f: f["expect"],
            reveal=comma_bars,
        ),
        Step("see", show=unit_text),
    ),
)
