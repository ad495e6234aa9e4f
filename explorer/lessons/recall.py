"""Lesson: the forget-gate bias on delayed recall. At the start of training a forget gate sits
near σ(b_f), so what survives a long gap is about σ(b_f)^lag; two LSTMs that differ only in
b_f are trained live on delayed recall, then compared with the shipped results."""

from __future__ import annotations

import numpy as np

from explorer.charts import retention_figure
from explorer.charts_lessons import lines_figure, value_bars
from explorer.charts_memory import accuracy_chart
from explorer.lessons.adding import summaries
from explorer.lessons.framework import LANG, Chart, Choice, Lesson, Link, Slider, Step, Word
from lstm_engine.analyses import memory
from lstm_engine.analyses import step as cell_maths
from lstm_engine.training.experiments import load_memory_results, train_memory_task

TASK = "recall"
BIASES = (1.0, 5.0)  # the usual initialisation against a large one
LAG = 50  # distractors between the symbol and the report marker, trained live
STEPS = 200  # Adam steps of each live run
SHIPPED_LAG = 100  # the longest lag of the shipped results
OUTCOMES = ("low", "high", "both", "neither")  # which bias learned: BIASES[0], BIASES[1], ...


def facts() -> dict:
    rows = load_memory_results()
    lo, hi = BIASES
    shipped = summaries(rows, TASK, SHIPPED_LAG)
    chance = shipped[("lstm", lo)].chance
    kept = cell_maths.memory_retention(cell_maths.forget_bias_cell(lo), steps=LAG, biases=BIASES)
    gate = {b: float(cell_maths.forget_bias_cell(b).step().terms["forget"].act.mean()) for b in BIASES}
    return {
        "rows": rows,
        "chance": chance,
        "lo": lo,
        "hi": hi,
        "lag": LAG,
        "steps": STEPS,
        "kept": kept,
        "F_lo": gate[lo],
        "F_hi": gate[hi],
        "left_lo": float(kept[lo][-1].mean()),
        "left_hi": float(kept[hi][-1].mean()),
        "shipped_lag": SHIPPED_LAG,
        "seeds": shipped[("lstm", hi)].runs,
        "shipped_lo": shipped[("lstm", lo)].mean,
        "shipped_hi": shipped[("lstm", hi)].mean,
    }


def live(f) -> dict:
    """Train the two LSTMs (same seed, only b_f differs)."""
    runs = {b: train_memory_task(TASK, "lstm", LAG, steps=STEPS, forget_bias=b, seed=0) for b in BIASES}
    ok = {b: memory.is_solved(r.accuracy, r.chance) for b, r in runs.items()}
    lo, hi = BIASES
    outcome = {(True, True): "both", (True, False): "low", (False, True): "high"}.get(
        (ok[lo], ok[hi]), "neither"
    )
    return {
        "runs": runs,
        "outcome": outcome,
        "acc_lo": runs[lo].accuracy,
        "acc_hi": runs[hi].accuracy,
        "steps_lo": runs[lo].steps,
        "steps_hi": runs[hi].steps,
    }


def trained(f, _answer) -> list:
    runs = f["runs"]
    names = {b: Word("lesson.recall.train.name", {"b": b}) for b in BIASES}
    return [
        Chart(
            value_bars,
            (
                [names[b] for b in BIASES],
                [runs[b].accuracy for b in BIASES],
                Word("lesson.recall.train.chart"),
                Word("lesson.recall.train.y"),
            ),
            "lesson.recall.train.cap",
            {"y_range": (0, 1.1)},
        ),  # fmt: skip
        Chart(
            lines_figure,
            (
                np.arange(1, STEPS + 1),
                {names[b]: runs[b].losses for b in BIASES},
                Word("lesson.recall.train.loss"),
                Word("lesson.recall.train.loss_x"),
                Word("lesson.recall.train.loss_y"),
            ),
            "lesson.recall.train.loss_cap",
        ),  # fmt: skip
    ]


def retention(f, _answer) -> list:
    return [
        Chart(
            retention_figure,
            (
                f["kept"],
                Word("lesson.recall.why.chart"),
                Word("lesson.recall.why.x"),
                Word("lesson.recall.why.name"),
            ),
            "lesson.recall.why.cap",
        )
    ]


def shipped(f) -> list:
    return [
        Chart(accuracy_chart, (f["rows"], TASK, LANG), "lesson.recall.shipped.cap"),
        Link("memory", {}, "lesson.recall.link"),
    ]


LESSON = Lesson(
    "recall",
    facts,
    (
        Step("train", ask=Choice(OUTCOMES), truth=lambda f: f["outcome"], reveal=trained, compute=live),
        Step(
            "why",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.15, percent=True),
            truth=lambda f: f["left_hi"],
            reveal=retention,
        ),
        Step("shipped", show=shipped),
    ),
)
