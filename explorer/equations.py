"""The one-step equations as LaTeX: symbols first, then this step's numbers.

The engine (lstm_engine.analyses.step) returns a StepBreakdown of numbers; this module words
it for `st.latex`. Only numbers and fixed symbols go into the strings, never any user text.
"""

from __future__ import annotations

import numpy as np

from lstm_engine.analyses.step import StepBreakdown

# LaTeX symbol of each pre-activation's activation, and of its three terms' weight suffix.
SYMBOLS = {
    ("lstm", "input"): "I_t", ("lstm", "forget"): "F_t", ("lstm", "output"): "O_t",
    ("lstm", "candidate"): r"\tilde{C}_t", ("gru", "update"): "Z_t", ("gru", "reset"): "R_t",
    ("gru", "candidate"): r"\tilde{H}_t", ("rnn", "hidden"): "H_t",
}  # fmt: skip


def latex_number(v: float) -> str:
    """A number as LaTeX: 3 decimals, or 2 significant digits × 10^k for very large or tiny magnitudes."""
    v = float(v)
    if not np.isfinite(v):
        return r"\text{nan}" if np.isnan(v) else (r"\infty" if v > 0 else r"-\infty")
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        mantissa, exp = f"{v:.1e}".split("e")
        return rf"{mantissa}\times 10^{{{int(exp)}}}"
    return f"{v:.3f}"


def latex_vector(values) -> str:
    """A row vector as a LaTeX bmatrix built only from numbers."""
    return r"\begin{bmatrix}" + " & ".join(latex_number(v) for v in values) + r"\end{bmatrix}"


def equations_latex(bd: StepBreakdown, units) -> list[str]:
    """The cell's equations, each first in symbols and then with this step's numbers for the
    given units. Returns one LaTeX string (an aligned block) per equation. Only numbers and
    fixed symbols go in: never any user text."""
    u = np.asarray(units, dtype=int)
    vec = lambda a: latex_vector(np.asarray(a)[u])  # noqa: E731
    out = []
    for name, term in bd.terms.items():
        sym, s = SYMBOLS[(bd.kind, name)], term.suffix
        fn = r"\sigma" if term.fn == "sigmoid" else r"\tanh"
        h_sym = r"(R_t \odot H_{t-1})" if (bd.kind, name) == ("gru", "candidate") else "H_{t-1}"
        out.append(
            r"\begin{aligned}"
            rf"{sym} &= {fn}\left(X_t W_{{x{s}}} + {h_sym} W_{{h{s}}} + b_{{{s}}}\right) \\"
            rf"&= {fn}\Big(\underbrace{{{vec(term.x_term)}}}_{{X_t W_{{x{s}}}}} + "
            rf"\underbrace{{{vec(term.h_term)}}}_{{{h_sym} W_{{h{s}}}}} + \underbrace{{{vec(term.bias)}}}_{{b_{{{s}}}}}\Big) \\"
            rf"&= {fn}\left({vec(term.pre)}\right) = {vec(term.act)}"
            r"\end{aligned}"
        )
    t = bd.terms
    if bd.kind == "lstm":
        fc, ig = t["forget"].act * bd.c_prev, t["input"].act * t["candidate"].act
        out.append(
            r"\begin{aligned}"
            r"C_t &= F_t \odot C_{t-1} + I_t \odot \tilde{C}_t \\"
            rf"F_t \odot C_{{t-1}} &= {vec(t['forget'].act)} \odot {vec(bd.c_prev)} = {vec(fc)} \\"
            rf"I_t \odot \tilde{{C}}_t &= {vec(t['input'].act)} \odot {vec(t['candidate'].act)} = {vec(ig)} \\"
            rf"C_t &= {vec(fc)} + {vec(ig)} = {vec(bd.c)}"
            r"\end{aligned}"
        )
        out.append(
            r"\begin{aligned}"
            r"H_t &= O_t \odot \tanh(C_t) \\"
            rf"&= {vec(t['output'].act)} \odot \tanh\left({vec(bd.c)}\right) \\"
            rf"&= {vec(t['output'].act)} \odot {vec(bd.tanh_c)} = {vec(bd.h)}"
            r"\end{aligned}"
        )
    elif bd.kind == "gru":
        z, ht = t["update"].act, t["candidate"].act
        out.append(
            r"\begin{aligned}"
            r"H_t &= Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde{H}_t \\"
            rf"Z_t \odot H_{{t-1}} &= {vec(z)} \odot {vec(bd.h_prev)} = {vec(z * bd.h_prev)} \\"
            rf"(1 - Z_t) \odot \tilde{{H}}_t &= {vec(1 - z)} \odot {vec(ht)} = {vec((1 - z) * ht)} \\"
            rf"H_t &= {vec(z * bd.h_prev)} + {vec((1 - z) * ht)} = {vec(bd.h)}"
            r"\end{aligned}"
        )
    return out
