"""Lesson: reading both ways. One character of a sentence is hidden; the learner predicts
which side alone (the forward direction reading the left, the backward direction reading the
right) gives it more probability, then how sure the model is with both, and sees how far each
side's influence reaches, all computed live by the shipped fill-in-the-blank models."""

from __future__ import annotations

import numpy as np

from explorer import charts
from explorer.charts_attribution import influence_text
from explorer.lessons.framework import Chart, Choice, Lesson, Link, Slider, Step, Word
from explorer.state import BOTH_WAYS, shipped_model
from explorer.visual import char_code
from lstm_engine.analyses.attribution import blank_attribution, reach

SENTENCE = "for i in range(10):"
BLANK = SENTENCE.index("(")  # the bracket: what follows it ("10):") says more than "range"
TOP_K = 5


def facts() -> dict:
    """The guesses for the blank from each side, both, and the left-only model, and the
    attribution of the both-ways guess."""
    both, left = shipped_model(BOTH_WAYS["both"]), shipped_model(BOTH_WAYS["left"])
    probs = both.blank_probs(SENTENCE)
    ids, tokens = probs.ids, probs.tokens
    p = {side: getattr(probs, side)[BLANK] for side in ("forward", "backward", "both")}
    p_left_only = left.blank_probs(SENTENCE).forward[BLANK]
    norms = blank_attribution(both, ids, BLANK).norms[0]
    r = reach(norms, BLANK)
    y = int(ids[BLANK])
    return {
        "tokens": tokens,
        "shown": char_code("".join(tokens[:BLANK]) + "_" + "".join(tokens[BLANK + 1 :])),
        "char": char_code(tokens[BLANK]),
        "top": {side: both.top_k(q, TOP_K) for side, q in p.items()},
        "p_forward": float(p["forward"][y]),
        "p_backward": float(p["backward"][y]),
        "p_both": float(p["both"][y]),
        "p_left_only": float(p_left_only[y]),
        "norms": norms,
        "seen": np.arange(len(tokens)) != BLANK,
        "left_share": r.left,
        "right_share": r.right,
    }


def sides(f, _answer) -> list:
    return [
        Chart(
            charts.top_k_bars,
            (f["top"][side], Word(f"lesson.both_ways.which.{side}")),
            "lesson.both_ways.which.cap",
        )
        for side in ("forward", "backward")
    ]


def together(f, _answer) -> list:
    return [
        Chart(
            charts.top_k_bars,
            (f["top"]["both"], Word("lesson.both_ways.together.chart")),
            "lesson.both_ways.together.cap",
        )
    ]


def reach_blocks(f) -> list:
    words = {"step": Word("gates.hover.step"), "value": Word("attribution.hover")}
    return [
        Chart(
            influence_text,
            (f["tokens"], f["norms"], f["seen"], BLANK, words, Word("lesson.both_ways.reach.chart")),
            "lesson.both_ways.reach.cap",
        ),
        Link("both_ways", {"text": SENTENCE, "blank": BLANK}, "lesson.both_ways.link"),
    ]


LESSON = Lesson(
    "both_ways",
    facts,
    (
        Step(
            "which",
            ask=Choice(("left", "right")),
            truth=lambda f: "left" if f["p_forward"] > f["p_backward"] else "right",
            reveal=sides,
        ),
        Step(
            "together",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.15, percent=True),
            truth=lambda f: f["p_both"],
            reveal=together,
        ),
        Step("reach", show=reach_blocks),
    ),
)
