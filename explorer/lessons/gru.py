"""Lesson: the GRU's one update gate. H = Z·H_prev + (1 − Z)·H̃: what it keeps and what it
writes are tied, where the LSTM has a forget gate and an input gate of its own. Seen on a real
sentence read by the shipped GRU and LSTM."""

from __future__ import annotations

import numpy as np

from explorer.charts_lessons import gate_pairs_figure
from explorer.lessons import quotes
from explorer.lessons.framework import Chart, Choice, Lesson, Link, Slider, Step, Word
from explorer.state import SHIPPED, shipped_model
from explorer.visual import code_span, glyph
from lstm_engine.analyses import unit_stats

SENTENCE = quotes.SENTENCE
SHOWN = 16  # most active units in the heatmaps
TIED = 0.05  # mean |F + I − 1| below this would count as "the LSTM ties its gates too"


def facts() -> dict:
    gru = shipped_model(SHIPPED["GRU"]).run(SENTENCE)
    lstm = shipped_model(SHIPPED["LSTM"]).run(SENTENCE)
    z = gru.gates["update"]
    f, i = lstm.gates["forget"], lstm.gates["input"]
    active = unit_stats.top_units(unit_stats.unit_activity([z]), SHOWN)
    per_step = z.mean(axis=1)
    lowest = int(np.argmin(per_step))
    return {
        "gru": gru,
        "tokens": gru.tokens,
        "z": z,
        "f": f,
        "i": i,
        "active": active,
        "shown": len(active),
        "hidden_gru": z.shape[1],
        "mean_z": float(z.mean()),
        "gap": float(np.abs(f + i - 1.0).mean()),
        "tied": "yes" if float(np.abs(f + i - 1.0).mean()) < TIED else "no",
        "lowest": lowest,
        "lowest_char": code_span(glyph(gru.tokens[lowest])),
        "lowest_z": float(per_step[lowest]),
    }


def heatmaps(f, _answer) -> list:
    return [
        quotes.heatmap_chart(values, f["tokens"], f["active"], title, "gate", cap)
        for values, title, cap in (
            (f["z"], "lesson.gru.z.chart_keep", "lesson.gru.z.cap_keep"),
            (1.0 - f["z"], "lesson.gru.z.chart_write", "lesson.gru.z.cap_write"),
        )
    ]


def pairs(f, _answer) -> list:
    words = {k: Word(f"lesson.gru.tied.{k}") for k in ("x", "y", "line")}
    words["title"] = Word("lesson.gru.tied.chart")
    z = f["z"].ravel()
    return [
        Chart(
            gate_pairs_figure,
            ({"LSTM (F, I)": (f["f"].ravel(), f["i"].ravel()), "GRU (Z, 1 − Z)": (z, 1.0 - z)}, words),
            "lesson.gru.tied.cap",
        ),
        Link("gates", {"text": SENTENCE, "model": "GRU", "step": f["lowest"]}, "lesson.gru.link"),
    ]


LESSON = Lesson(
    "gru",
    facts,
    (
        Step(
            "z",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.1),
            truth=lambda f: f["mean_z"],
            reveal=heatmaps,
        ),
        Step("tied", ask=Choice(("yes", "no")), truth=lambda f: f["tied"], reveal=pairs),
    ),
)
