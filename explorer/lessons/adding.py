"""Lesson: memory over lag, the adding problem. Predict which of an RNN and an LSTM still
solves it at a long lag (the shipped results, assets/memory_results.csv), then train both
live at a short lag for a few hundred steps and compare."""

from __future__ import annotations

import numpy as np

from explorer.charts_lessons import lines_figure, value_bars
from explorer.charts_memory import accuracy_chart
from explorer.lessons.framework import LANG, Chart, Choice, Lesson, Link, Slider, Step, Word
from lstm_engine.analyses import memory
from lstm_engine.training.experiments import load_memory_results, train_memory_task

TASK = "adding"
LAG = 50  # the long lag asked about (one of the shipped results' lags)
LIVE_LAG = 10  # the short lag trained live
LIVE_STEPS = 400  # Adam steps of each live run (a few seconds)
OUTCOMES = ("both", "lstm_only", "rnn_only", "neither")


def summaries(rows: list[dict], task: str, lag: int) -> dict[tuple[str, float], memory.SeedSummary]:
    """The shipped runs of `task` at `lag` summarised over seeds, by (kind, forget-gate bias)."""
    return {(s.kind, s.forget_bias): s for s in memory.seed_summaries(rows, task, lag)}


def outcome(rnn: bool, lstm: bool) -> str:
    """The OUTCOMES id for which of the two learned the task."""
    return {(True, True): "both", (False, True): "lstm_only", (True, False): "rnn_only"}.get(
        (rnn, lstm), "neither"
    )


def facts() -> dict:
    rows = load_memory_results()
    shipped = summaries(rows, TASK, LAG)
    chance = shipped[("lstm", 1.0)].chance
    acc = {k: shipped[(k, 1.0)].mean for k in ("rnn", "gru", "lstm")}
    return {
        "rows": rows,
        "lag": LAG,
        "chance": chance,
        "acc_rnn": acc["rnn"],
        "acc_gru": acc["gru"],
        "acc_lstm": acc["lstm"],
        "shipped_outcome": outcome(
            memory.is_solved(acc["rnn"], chance), memory.is_solved(acc["lstm"], chance)
        ),
        "live_lag": LIVE_LAG,
        "live_steps": LIVE_STEPS,
    }


def live(f) -> dict:
    """Train a fresh RNN and LSTM at LIVE_LAG (deterministic for the seed)."""
    runs = {k: train_memory_task(TASK, k, LIVE_LAG, steps=LIVE_STEPS, seed=0) for k in ("rnn", "lstm")}
    return {
        "runs": runs,
        "live_rnn": runs["rnn"].accuracy,
        "live_lstm": runs["lstm"].accuracy,
        "live_seconds": sum(r.seconds for r in runs.values()),
    }


def shipped(f, _answer) -> list:
    return [Chart(accuracy_chart, (f["rows"], TASK, LANG), "lesson.adding.shipped.cap")]


def trained(f, answer) -> list:
    runs = f["runs"]
    return [
        Chart(
            value_bars,
            (
                ("RNN", "LSTM"),
                (f["live_rnn"], f["live_lstm"]),
                Word("lesson.adding.live.chart"),
                Word("lesson.adding.live.y"),
            ),
            "lesson.adding.live.cap",
            {"guess": answer, "guess_name": Word("lesson.guess"), "y_range": (0, 1.1)},
        ),  # fmt: skip
        Chart(
            lines_figure,
            (
                np.arange(1, max(len(r.losses) for r in runs.values()) + 1),
                {k.upper(): r.losses for k, r in runs.items()},
                Word("lesson.adding.live.loss"),
                Word("lesson.adding.live.loss_x"),
                Word("lesson.adding.live.loss_y"),
            ),
            "lesson.adding.live.loss_cap",
            {"log": True},
        ),  # fmt: skip
        Link("memory", {}, "lesson.adding.link"),
    ]


LESSON = Lesson(
    "adding",
    facts,
    (
        Step("shipped", ask=Choice(OUTCOMES), truth=lambda f: f["shipped_outcome"], reveal=shipped),
        Step(
            "live",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.15, percent=True),
            truth=lambda f: f["live_lstm"],
            reveal=trained,
            compute=live,
        ),
    ),
)
