"""Finite-difference gradient checking, after cs231n's gradient_check.py."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def rel_error(x: np.ndarray, y: np.ndarray) -> float:
    """Largest elementwise relative error, |x - y| / max(1e-8, |x| + |y|)."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def numerical_gradient(
    f: Callable[[], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = 1e-3
) -> np.ndarray:
    """Derivative of sum(f() * df) with respect to every entry of x (perturbed in place).

    f re-evaluates the output after x changes; df is the upstream gradient of f's output.
    Uses the fourth-order central stencil (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h,
    whose truncation error is O(h^4), so float64 checks reach relative errors near 1e-10.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        vals = []
        for step in (2 * h, h, -h, -2 * h):
            x[ix] = old + step
            vals.append(np.sum(f() * df))
        x[ix] = old
        grad[ix] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
        it.iternext()
    return grad
