"""What if: Δc_t, Δh_t between the states of an original and an edited sentence, position by
position (characters before and after the edit matched one to one). Pure NumPy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.model import Model
from .memory import as_float64


# ----------------------------------------------------------------------------- what if
@dataclass
class EditDelta:
    """State differences edited − original, for every position of the edited text.

    Positions are matched around the edit: the common prefix position by position, the
    common suffix counted from the end (so an insertion does not shift everything after
    it), and each position inside the edited stretch against the original position at the
    same offset, or the last original position before the suffix (the state just before the
    edit, or the zero state, when nothing of the original is left there).

    dh, dc: (n, H) with n = len(edited) (dc None unless LSTM); original, edited: the token
    lists; match: (n,) index of the original position compared with (-1 = the zero state);
    changed: (n,) True inside the edited stretch (for a pure deletion: the first position
    after it).
    """

    dh: np.ndarray
    dc: np.ndarray | None
    original: list[str]
    edited: list[str]
    match: np.ndarray
    changed: np.ndarray


def align_edit(original: list[str], edited: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(match (n,), changed (n,)) for the edited tokens, as described in EditDelta."""
    n1, n2 = len(original), len(edited)
    p = 0
    while p < min(n1, n2) and original[p] == edited[p]:
        p += 1
    s = 0
    while s < min(n1, n2) - p and original[n1 - 1 - s] == edited[n2 - 1 - s]:
        s += 1
    j = np.arange(n2)
    middle = np.minimum(j, n1 - s - 1)  # inside the edit: same offset, capped before the suffix
    match = np.where(j < p, j, np.where(j >= n2 - s, j - (n2 - n1), middle))
    changed = (j >= p) & (j < n2 - s)
    if not changed.any() and p < n2 and n1 != n2:  # a pure deletion: mark where it happened
        changed[p] = True
    return match.astype(int), changed


def edit_delta(model: Model, original: str, edited: str) -> EditDelta:
    """Run both texts and subtract the matched original states (in float64)."""
    model = as_float64(model)
    a, b = model.run(original), model.run(edited)
    match, changed = align_edit(a.tokens, b.tokens)

    def padded(x: np.ndarray) -> np.ndarray:  # row -1 = the zero initial state
        return np.vstack([x, np.zeros((1, x.shape[1]))])

    dh = b.h - padded(a.h)[match]
    dc = b.c - padded(a.c)[match] if a.c is not None else None
    return EditDelta(dh, dc, a.tokens, b.tokens, match, changed)
