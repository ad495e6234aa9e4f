"""Lesson: the boss-raise story on the tiny hand-set cell. Predict the forget gate and the new
cell state, then the honest twist: the story's output h cannot happen, because
H = O·tanh(C) stays below tanh(|C|), computed for this cell."""

from __future__ import annotations

import numpy as np

from explorer.charts_lessons import output_bound_figure, value_bars
from explorer.lessons.framework import Chart, Choice, Lesson, Link, Slider, Step, Word
from lstm_engine.analyses import step as cell_maths

CLAIM = cell_maths.BOSS_TARGET_H  # the output the popular story says the cell produces (its premise)


def facts() -> dict:
    """Every number of the boss-raise update (units averaged: both units move alike)."""
    cell = cell_maths.boss_raise()
    bd = cell.step()
    act = {name: term.act for name, term in bd.terms.items()}
    c, h = float(bd.c.mean()), float(bd.h.mean())
    grid = np.linspace(0.0, max(2.0, 1.5 * float(cell_maths.cell_needed(CLAIM))), 121)
    return {
        "x": ", ".join(f"{v:g}" for v in cell.x),
        "c_prev": ", ".join(f"{v:g}" for v in cell.c_prev),
        "F": float(act["forget"].mean()),
        "F_pre": float(bd.terms["forget"].pre.mean()),
        "I": float(act["input"].mean()),
        "G": float(act["candidate"].mean()),
        "O": float(act["output"].mean()),
        "keep": float((act["forget"] * bd.c_prev).mean()),
        "write": float((act["input"] * act["candidate"]).mean()),
        "C": c,
        "H": h,
        "tanh_C": float(np.tanh(c)),
        "claim": CLAIM,
        "bound": float(cell_maths.output_bound(c)),
        "need": float(cell_maths.cell_needed(CLAIM)),
        "grid": grid,
        "grid_bound": cell_maths.output_bound(grid),
    }


def gates(f, answer) -> list:
    names = ("F", "I", "C̃", "O")
    values = (f["F"], f["I"], f["G"], f["O"])
    return [
        Chart(
            value_bars,
            (names, values, Word("lesson.boss.forget.chart")),
            "lesson.boss.forget.cap",
            {"guess": answer, "guess_name": Word("lesson.guess"), "y_range": (-0.05, 1.15)},
        )
    ]


def cell(f, answer) -> list:
    names = ("F·C_{t−1}", "I·C̃", "C_t")
    return [
        Chart(
            value_bars,
            (names, (f["keep"], f["write"], f["C"]), Word("lesson.boss.cell.chart")),
            "lesson.boss.cell.cap",
            {"guess": answer, "guess_name": Word("lesson.guess"), "y_range": (-0.05, 2.0)},
        )
    ]


def twist(f, _answer) -> list:
    words = {k: Word(f"lesson.boss.twist.{k}") for k in ("x", "y", "bound", "cell", "claim")}
    words["title"] = Word("lesson.boss.twist.chart")
    return [
        Chart(
            output_bound_figure,
            (f["grid"], f["grid_bound"], f["C"], f["H"], f["claim"], words),
            "lesson.boss.twist.cap",
        ),
        Link("one_step", {"source": "tiny"}, "lesson.boss.link"),
    ]


LESSON = Lesson(
    "boss",
    facts,
    (
        Step(
            "forget",
            ask=Slider(0.0, 1.0, 0.05, 0.5, tolerance=0.1),
            truth=lambda f: f["F"],
            reveal=gates,
        ),
        Step("cell", ask=Slider(0.0, 2.0, 0.1, 0.5, tolerance=0.15), truth=lambda f: f["C"], reveal=cell),
        Step(
            "twist",
            ask=Choice(("yes", "no")),
            truth=lambda f: "yes" if f["bound"] >= f["claim"] else "no",
            reveal=twist,
        ),
    ),
)
