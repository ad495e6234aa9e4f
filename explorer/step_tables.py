"""Table layouts of the one-step page: every number of a step as columns, and the tiny
cell's weights as the editable per-gate tables (rows W_x, W_h, b), with their inverse."""

from __future__ import annotations

import numpy as np

from lstm_engine import SUFFIXES
from lstm_engine.analyses.step import TINY_HIDDEN, TINY_INPUT, StepBreakdown, TinyCell


def breakdown_columns(bd: StepBreakdown) -> dict[str, np.ndarray]:
    """Every number of a step for every unit, as columns of equal length H (for a table):
    previous state, the three terms, pre-activation and activation of each gate, new state."""
    cols = {"h_prev": bd.h_prev}
    if bd.c_prev is not None:
        cols["c_prev"] = bd.c_prev
    for term in bd.terms.values():
        s = term.suffix
        cols[f"XW_x{s}"] = term.x_term
        cols[f"HW_h{s}"] = term.h_term
        cols[f"b_{s}"] = term.bias
        cols[f"pre_{term.name}"] = term.pre
        cols[term.name] = term.act
    if bd.c is not None:
        cols["c"], cols["tanh_c"] = bd.c, bd.tanh_c
    cols["h"] = bd.h
    return cols


def tiny_gate_table(cell: TinyCell, suffix: str) -> np.ndarray:
    """One gate's weights of the tiny cell stacked for editing: rows W_x (D), W_h (H) and b,
    shape (D + H + 1, H)."""
    p = cell.params
    return np.vstack([p[f"W_x{suffix}"], p[f"W_h{suffix}"], p[f"b_{suffix}"][None, :]])


def tiny_from_tables(kind: str, tables: dict[str, np.ndarray], x, h_prev, c_prev=None) -> TinyCell:
    """Inverse of `tiny_gate_table` for every gate: a TinyCell from edited (D + H + 1, H)
    tables keyed by suffix; non-finite entries (an emptied cell) become 0."""
    D, H = TINY_INPUT, TINY_HIDDEN
    params = {}
    for s in SUFFIXES[kind]:
        a = np.nan_to_num(np.asarray(tables[s], dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
        params[f"W_x{s}"], params[f"W_h{s}"], params[f"b_{s}"] = a[:D], a[D : D + H], a[D + H]
    c = np.asarray(c_prev, dtype=float) if kind == "lstm" else None
    return TinyCell(kind, params, np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float), c)
