"""The CSV download of a trace: one tidy long table, one row per (layer, quantity, step, unit)."""

from __future__ import annotations

import numpy as np

from lstm_engine import Trace
from lstm_engine.analyses.unit_stats import surprise_bits


def trace_columns(trace: Trace) -> dict[str, np.ndarray]:
    """The whole trace as a tidy long table: one row per (layer, quantity, step, unit).

    Columns: layer, step, char, unit, quantity ("input", ..., "pre_input", ..., "cell",
    "hidden", and per step "surprise_bits" with unit −1), value. Every column is a 1-D array
    of the same length N = layers × quantities × T × H (+ T surprise rows).
    """
    T = len(trace.tokens)
    chars = np.array(trace.tokens, dtype=object) if T else np.array([], dtype=object)
    cols: dict[str, list] = {k: [] for k in ("layer", "step", "char", "unit", "quantity", "value")}

    def add(layer: int, name: str, a: np.ndarray) -> None:
        H = a.shape[1]
        cols["layer"].append(np.full(T * H, layer))
        cols["step"].append(np.repeat(np.arange(T), H))
        cols["char"].append(np.repeat(chars, H))
        cols["unit"].append(np.tile(np.arange(H), T))
        cols["quantity"].append(np.full(T * H, name, dtype=object))
        cols["value"].append(a.reshape(-1))

    for k, lt in enumerate(trace.layers):
        for name, a in lt.gates.items():
            add(k, name, a)
        for name, a in lt.pre.items():
            add(k, f"pre_{name}", a)
        if lt.c is not None:
            add(k, "cell", lt.c)
        add(k, "hidden", lt.h)
    top = len(trace.layers) - 1
    add(top, "surprise_bits", surprise_bits(trace)[:, None])
    cols["unit"][-1] = np.full(T, -1)
    return {k: np.concatenate(v) if v else np.array([]) for k, v in cols.items()}
