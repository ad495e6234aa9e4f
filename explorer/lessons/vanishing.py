"""Lesson: why an RNN forgets. On freshly initialised weights, which gradient falls below 1 %
of its last-step value first; the recurrent radius turned up until the RNN's gradient grows
instead of fading; and what clipping does (it shrinks every part of the gradient alike)."""

from __future__ import annotations

import numpy as np

from explorer.charts_lessons import lines_figure
from explorer.charts_memory import gradient_chart
from explorer.lessons.framework import LANG, Chart, Choice, Knob, Lesson, Link, Slider, Step, Word
from explorer.state import SHIPPED, shipped_model
from lstm_engine.analyses import memory

TEXT = "The cell state carries information across many steps of a sentence. "
LENGTH = 100  # characters back the gradient is followed
HIDDEN = 128  # units of each fresh model
RADII = tuple(round(0.5 + 0.1 * i, 1) for i in range(26))  # 0.5 .. 3.0
CLIP = 1.0  # global-norm clipping threshold (the memory experiments' setting)
KINDS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}  # option id -> curve label
OPTIONS = ("rnn", "gru", "lstm", "lstm_cell")


def option_of(curve: memory.GradientCurve) -> str:
    """The OPTIONS id of a gradient curve."""
    return f"{curve.kind}_cell" if curve.path == "c" else curve.kind


def fresh(kind: str, radius: float = 1.0):
    vocab = shipped_model(SHIPPED["LSTM"]).vocab
    return memory.fresh_model(kind, vocab, HIDDEN, radius, 1.0)


def facts() -> dict:
    """Gradient curves of fresh models, the RNN's per-step factor over RADII and clipping."""
    text = memory.fit_length(TEXT, LENGTH + 1)
    vocab = shipped_model(SHIPPED["LSTM"]).vocab
    curves = memory.gradient_curves({label: fresh(kind) for kind, label in KINDS.items()}, text)
    below = {option_of(c): (c.below if c.below is not None else np.inf) for c in curves}
    first = min(below, key=below.get)
    factors = memory.decay_by_radius("rnn", vocab, text, RADII, HIDDEN)
    grows = memory.first_growing(RADII, factors)
    wild = RADII[-1]
    norm, factor = memory.clip_factor(fresh("rnn", wild), text, CLIP)
    wild_curve = memory.gradient_curves({"RNN": fresh("rnn", wild)}, text)[0]
    before, after = wild_curve.norm, wild_curve.norm * factor
    same = bool(np.allclose(before / before[0], after / after[0]))
    return {
        "text": text,
        "length": LENGTH,
        "threshold": memory.THRESHOLD,
        "hidden": HIDDEN,
        "curves": curves,
        "below": below,
        "first": first,
        "first_d": int(below[first]),
        "rnn_d": below["rnn"],
        "factors": factors,
        "grows": grows if grows is not None else RADII[-1],
        "factor_at_one": float(factors[RADII.index(1.0)]),
        "wild": wild,
        "clip": CLIP,
        "norm": norm,
        "factor": factor,
        "before": before,
        "after": after,
        "far_share": float(before[-1] / before[0]),
        "share_truth": "same"
        if same
        else ("less" if after[-1] / after[0] < before[-1] / before[0] else "more"),
    }


def radius_curve(f, radius: float) -> list:
    curves = memory.gradient_curves({"RNN": fresh("rnn", radius)}, f["text"])
    return [Chart(gradient_chart, (curves, LANG), "lesson.vanishing.radius.knob_cap")]


def factor_chart(f, answer) -> list:
    return [
        Chart(
            lines_figure,
            (
                RADII,
                {Word("lesson.vanishing.radius.series"): f["factors"]},
                Word("lesson.vanishing.radius.chart"),
                Word("lesson.vanishing.radius.x"),
                Word("lesson.vanishing.radius.y"),
            ),
            "lesson.vanishing.radius.cap",
            {
                "level": 1.0,
                "level_name": Word("lesson.vanishing.radius.level"),
                "mark": answer,
                "mark_name": Word("lesson.guess"),
            },
        ),  # fmt: skip
        Knob("radius", RADII, 1.0, lambda r: radius_curve(f, r)),
    ]


def clip_chart(f, _answer) -> list:
    d = np.arange(len(f["before"]))
    return [
        Chart(
            lines_figure,
            (
                d,
                {
                    Word("lesson.vanishing.clip.before"): f["before"],
                    Word("lesson.vanishing.clip.after"): f["after"],
                },
                Word("lesson.vanishing.clip.chart"),
                Word("lesson.vanishing.clip.x"),
                Word("lesson.vanishing.clip.y"),
            ),
            "lesson.vanishing.clip.cap",
            {"log": True},
        ),  # fmt: skip
        Link("memory", {}, "lesson.vanishing.link"),
    ]


LESSON = Lesson(
    "vanishing",
    facts,
    (
        Step(
            "first",
            ask=Choice(OPTIONS),
            truth=lambda f: f["first"],
            reveal=lambda f, _a: [Chart(gradient_chart, (f["curves"], LANG), "lesson.vanishing.first.cap")],
        ),
        Step(
            "radius",
            ask=Slider(RADII[0], RADII[-1], 0.1, 1.0, tolerance=0.3),
            truth=lambda f: f["grows"],
            reveal=factor_chart,
        ),
        Step(
            "clip", ask=Choice(("more", "same", "less")), truth=lambda f: f["share_truth"], reveal=clip_chart
        ),
    ),
)
