"""Lesson: one cell update by hand. From the real numbers of one step of the shipped LSTM, the
learner computes C_t = F·C_{t−1} + I·C̃ for one unit and then H_t = O·tanh(C_t), types each,
and the page checks it against the engine's value (within a tolerance)."""

from __future__ import annotations

import numpy as np

from explorer.equations import equations_latex
from explorer.lessons import quotes
from explorer.lessons.framework import Latex, Lesson, Link, Number, Step, Text
from explorer.state import SHIPPED, shipped_model
from explorer.visual import code_span, glyph
from lstm_engine.analyses import step as cell_maths

TOLERANCE = (
    0.01  # a typed answer within this of the engine's counts (the shown numbers are rounded to 3 places)
)


def facts() -> dict:
    """One step t of the quote sentence and one unit u: the quote unit of the first lesson, at
    the step where both terms of its update matter most (the larger min(|F·C_prev|, |I·C̃|)),
    so that leaving either term out gives a visibly wrong answer."""
    base = quotes.facts()
    model, trace, u = shipped_model(SHIPPED[quotes.MODEL]), base["trace"], base["unit"]
    lt = trace.layers[0]
    c_prev = np.vstack([np.zeros(trace.c.shape[1]), trace.c[:-1]])[:, u]
    keep = lt.gates["forget"][:, u] * c_prev
    write = lt.gates["input"][:, u] * lt.gates["candidate"][:, u]
    t = int(np.argmax(np.minimum(np.abs(keep), np.abs(write))))
    bd = cell_maths.model_step(model, trace, t)
    act = {name: float(term.act[u]) for name, term in bd.terms.items()}
    shown = {name: round(v, 3) for name, v in act.items()} | {"c_prev": round(float(bd.c_prev[u]), 3)}
    c, h = float(bd.c[u]), float(bd.h[u])
    slips = {  # what a learner gets by leaving one part out (from the shown numbers)
        "keep_only": shown["forget"] * shown["c_prev"],
        "write_only": shown["input"] * shown["candidate"],
        "no_input_gate": shown["forget"] * shown["c_prev"] + shown["candidate"],
        "no_forget_gate": shown["c_prev"] + shown["input"] * shown["candidate"],
    }
    return {
        "breakdown": bd,
        "t": t,
        "unit": u,
        "char": code_span(glyph(base["tokens"][t])),
        "shown": shown,
        "F": shown["forget"],
        "I": shown["input"],
        "G": shown["candidate"],
        "O": shown["output"],
        "C_prev": shown["c_prev"],
        "C": c,
        "C_shown": round(c, 3),
        "tanh_C": float(np.tanh(round(c, 3))),
        "H": h,
        "keep": float(keep[t]),
        "write": float(write[t]),
        "slips": slips,
        "tol": TOLERANCE,
    }


def slip(f, answer: float) -> list:
    """If a wrong answer is what leaving out one part gives, say which part."""
    if abs(answer - f["C"]) <= TOLERANCE:
        return []
    for name, value in f["slips"].items():
        if abs(answer - value) <= TOLERANCE:
            return [Text(f"lesson.by_hand.c.slip.{name}", {"slip": value})]
    return []


def c_equation(f, answer) -> list:
    bd, u = f["breakdown"], [f["unit"]]
    return [*slip(f, answer), Latex(equations_latex(bd, u)[4])]


def h_equation(f, _answer) -> list:
    bd, u = f["breakdown"], [f["unit"]]
    return [Latex(equations_latex(bd, u)[5])]


def everything(f) -> list:
    bd, u = f["breakdown"], [f["unit"]]
    return [
        *[Latex(eq) for eq in equations_latex(bd, u)[:4]],
        Link(
            "one_step",
            {"text": quotes.SENTENCE, "model": quotes.MODEL, "step": f["t"]},
            "lesson.by_hand.link",
        ),
    ]


STEPS = (
    Step("c", ask=Number(TOLERANCE), truth=lambda f: f["C"], reveal=c_equation),
    Step("h", ask=Number(TOLERANCE), truth=lambda f: f["H"], reveal=h_equation),
    Step("all", show=everything),
)
LESSON = Lesson("by_hand", facts, STEPS)
