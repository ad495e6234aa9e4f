"""Lesson: the forget gate is the memory. How much of the starting cell state C₀ survives k
steps is the product of the forget gates, ∏F; a freshly initialised cell with forget-gate
bias 0 against bias 1 (the usual LSTM initialisation)."""

from __future__ import annotations

from explorer.charts import retention_figure
from explorer.lessons.framework import Chart, Choice, Lesson, Link, Slider, Step, Word
from lstm_engine.analyses import step as cell_maths

BIASES = (0.0, 1.0)  # the two forget-gate biases compared
STEPS = 30  # steps of random input the retention is followed over
K = 20  # the step the first two questions ask about
LEVELS = (0.1, 0.01, 0.001)  # bucket edges of the "how much is left" choices
BUCKETS = ("most", "tenth", "hundredth", "tiny")  # > LEVELS[0], > LEVELS[1], > LEVELS[2], below


def bucket(share: float) -> str:
    """The BUCKETS id a surviving share falls in."""
    for name, level in zip(BUCKETS, LEVELS, strict=False):
        if share > level:
            return name
    return BUCKETS[-1]


def facts() -> dict:
    """∏F over STEPS random inputs for each bias (mean over the cell's units)."""
    cell = cell_maths.forget_bias_cell(BIASES[0])
    kept = cell_maths.memory_retention(cell, steps=STEPS, biases=BIASES)
    mean = {b: kept[b].mean(axis=1) for b in BIASES}
    gate = {b: float(cell.with_bias("f", b).step().terms["forget"].act.mean()) for b in BIASES}
    b0, b1 = BIASES
    return {
        "kept": kept,
        "b0": b0,
        "b1": b1,
        "F0": gate[b0],
        "F1": gate[b1],
        "k": K,
        "steps": STEPS,
        "left0": float(mean[b0][K - 1]),
        "left1": float(mean[b1][K - 1]),
        "ratio": float(mean[b1][K - 1] / mean[b0][K - 1]),
        "half0": cell_maths.first_below(mean[b0], 0.5),
        "half1": cell_maths.first_below(mean[b1], 0.5) or STEPS,
        "lv0": LEVELS[0],
        "lv1": LEVELS[1],
        "lv2": LEVELS[2],
    }


def curves(f, biases) -> list:
    return [
        Chart(
            retention_figure,
            (
                {b: f["kept"][b] for b in biases},
                Word("lesson.forget.chart"),
                Word("lesson.forget.chart_x"),
                Word("lesson.forget.chart_name"),
            ),
            "lesson.forget.cap",
        )
    ]


LESSON = Lesson(
    "forget",
    facts,
    (
        Step(
            "bias0",
            ask=Choice(BUCKETS),
            truth=lambda f: bucket(f["left0"]),
            reveal=lambda f, _a: curves(f, BIASES[:1]),
        ),
        Step(
            "bias1",
            ask=Choice(BUCKETS),
            truth=lambda f: bucket(f["left1"]),
            reveal=lambda f, _a: curves(f, BIASES),
        ),
        Step(
            "half",
            ask=Slider(1, STEPS, 1, 5, tolerance=2),
            truth=lambda f: f["half1"],
            reveal=lambda f, _a: [
                *curves(f, BIASES),
                Link("memory", {}, "lesson.forget.link"),
            ],
        ),
    ),
)
