"""Which characters made the model predict this one? Input-gradient attribution.

Notation: T characters read, V vocabulary, H units; x_s (V,) the one-hot input at step s;
p_t (V,) what the head says at step t and y_t the character it is scored on: for a
next-character model, p_t follows x_0..x_t (a bidirectional one reads the whole text) and
y_t is the text's next character (at the last step, where there is none, the model's own top
choice); for a fill-in-the-blank model, p_t is character t guessed from all the others and
y_t = x_t.

    A[t, s] = ‖∂ log p_t(y_t) / ∂x_s‖

The gradient with respect to the one-hot row x_s is the input-projection path: x_s enters
only through x_s W_x (layer 0, each direction), so ∂/∂x_s = Σ_directions ∂/∂(x_s W_x) · W_xᵀ,
a (V,) vector whose norm says how strongly a change of character s would move log p_t(y_t).
A left-to-right model gives A[t, s] = 0 for s > t: it cannot see the future.

Exact backprop through time. One prediction step is one backward pass through the sequence
code's fast loops. For a left-to-right model many prediction steps go in ONE backward sweep:
the batch rows are the prediction steps, and at step s only the rows with t ≥ s are live (a
triangular wavefront that walks down all layers at each step), so a row costs what one
backward pass over its prefix costs. A bidirectional model runs one full backward pass (both
directions, every layer) with the rows as its batch.

`side` (bidirectional fill-in-the-blank models): "both", or "forward" / "backward" for the
guess from one side alone (the other half of the head's input held at its zero initial
state, as in Model.blank_probs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import sequence
from ..core.model import Model
from ..core.sequence import layer_backward, softmax

SIDES = ("both", "forward", "backward")


@dataclass
class Attribution:
    """Input-gradient attribution of some prediction steps.

    steps: (n,) the prediction steps t, ascending; targets: (n,) the ids y_t scored;
    log_p: (n,) log p_t(y_t) (nats); norms: (n, T) ‖∂ log p_t(y_t) / ∂x_s‖ for every s.
    """

    steps: np.ndarray
    targets: np.ndarray
    log_p: np.ndarray
    norms: np.ndarray


@dataclass
class Reach:
    """How far a blank's guess reaches on each side, from its attribution norms.

    left, right: the shares (0..1) of the total influence Σ_s A[t, s] from before and after
    the blank; left_span, right_span: the fewest nearest characters on that side that hold
    `fraction` of its influence (0 when it has none).
    """

    left: float
    right: float
    left_span: int
    right_span: int


def reach(norms: np.ndarray, position: int, fraction: float = 0.9) -> Reach:
    """Reach of the guess at `position` from its norms (T,) (a row of Attribution.norms)."""
    norms = np.asarray(norms, dtype=np.float64)
    sides = (norms[:position][::-1], norms[position + 1 :])  # nearest first

    def span(side: np.ndarray) -> int:
        total = side.sum()
        return 0 if total <= 0 else int(np.searchsorted(np.cumsum(side), fraction * total) + 1)

    total = sides[0].sum() + sides[1].sum()
    shares = [float(s.sum() / total) if total > 0 else 0.0 for s in sides]
    return Reach(shares[0], shares[1], span(sides[0]), span(sides[1]))


def scored_targets(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """(T,) the character each next-character prediction is scored on: ids[t+1], and at the
    last step the model's top choice. ids: (T,); scores: (T, V) probabilities or logits."""
    ids = np.asarray(ids)
    if len(ids) == 0:
        return ids.copy()
    return np.append(ids[1:], np.argmax(scores[-1]))


def attribution(model: Model, ids: np.ndarray, steps=None, targets=None, side: str = "both") -> Attribution:
    """‖∂ log p_t(y_t) / ∂x_s‖ for the prediction steps `steps` (default: all T) and every s.

    model: any kind, layers and direction; ids: (T,) token ids; steps: prediction steps in
    [0, T) (any order, duplicates dropped); targets: (T,) the id scored at every step (default:
    see the module docstring); side: see the module docstring ("both" for every model that is
    not a bidirectional fill-in-the-blank one). In the model's dtype.
    """
    if side not in SIDES or (side != "both" and model.task != "blank"):
        raise ValueError(f"side must be one of {SIDES}; one side alone only for a fill-in-the-blank model")
    ids = np.asarray(ids, dtype=np.int64)
    T = len(ids)
    rows = np.arange(T) if steps is None else np.unique(np.asarray(steps, dtype=np.int64))
    if rows.size and (rows[0] < 0 or rows[-1] >= T):
        raise ValueError(f"prediction steps must lie in [0, {T})")
    if T == 0 or rows.size == 0:
        empty = np.zeros(0, dtype=model.dtype)
        return Attribution(rows, rows.copy(), empty, np.zeros((rows.size, T), dtype=model.dtype))
    logits, caches, _ = model.forward(ids[None, :])
    if side != "both":  # one side alone: the logits from that half of the head's input
        logits = dict(zip(SIDES, model.blank_logits(ids[None, :]), strict=True))[side]
    if targets is None:
        targets = ids if model.task == "blank" else scored_targets(ids, logits[0])
    y = np.asarray(targets)[rows]
    probs = softmax(logits[0, rows])  # (n, V)
    log_p = np.log(np.maximum(probs[np.arange(rows.size), y], np.finfo(model.dtype).tiny))
    dlogits = -probs  # ∂ log softmax(z)[y] / ∂z = e_y − p
    dlogits[np.arange(rows.size), y] += 1.0
    seed = dlogits @ model.head["W_hq"].T  # (n, D*H): ∂ log p_t / ∂(the head's input at t)
    if model.bidirectional or rows.size == 1:  # one row: the fast loops over the whole text
        norms = _full_pass(model, caches, rows, seed, side)
    else:
        norms = _wavefront(model, caches, rows, seed)
    return Attribution(rows, y, log_p, norms)


def blank_attribution(model: Model, ids: np.ndarray, position: int, side: str = "both") -> Attribution:
    """Attribution of the guess for character `position` as a blank, from the text around it.

    A fill-in-the-blank model: its own guess (from `side`); a left-to-right model (side "both"
    or "forward", the only side it has): its next-character prediction at position − 1 scored
    on x_position (at position 0, where it has read nothing, softmax(b_q): every norm 0), as
    Model.blank_probs. steps is [position] either way.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if model.task == "blank":
        return attribution(model, ids, [position], side=side)
    if side == "backward":
        raise ValueError("a left-to-right model has no guess from the right side")
    if not 0 <= position < len(ids):
        raise ValueError(f"the blank must lie in [0, {len(ids)})")
    if position == 0:
        log_p = np.log(softmax(model.head["b_q"])[ids[:1]])
        return Attribution(np.array([0]), ids[:1].copy(), log_p, np.zeros((1, len(ids)), dtype=model.dtype))
    a = attribution(model, ids, [position - 1])
    return Attribution(np.array([position]), a.targets, a.log_p, a.norms)


def _wavefront(model: Model, caches, rows: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """(n, T) norms of a left-to-right model, every row in one backward sweep.

    rows: (n,) ascending prediction steps; seed: (n, H) ∂ log p_t / ∂h_t of the top layer."""
    n, T, H, L = rows.size, caches[0].hs.shape[0], model.hidden_size, model.num_layers
    carry = [(np.zeros((n, H), dtype=seed.dtype), np.zeros((n, H), dtype=seed.dtype)) for _ in range(L)]
    norms = np.zeros((n, T), dtype=seed.dtype)
    for s in range(rows[-1], -1, -1):
        j = int(np.searchsorted(rows, s))  # rows j.. are live: their t ≥ s
        above = np.zeros((1, n - j, H), dtype=seed.dtype)
        if rows[j] == s:
            above[0, 0] = seed[j]  # the prediction at step s starts here
        for k in range(L - 1, -1, -1):
            p, (dh, dc) = model.layers[k], carry[k]
            # one step through the cells' step backward (its (1, H) cache broadcasts over rows)
            lb = layer_backward(model.cell, above, [caches[k].steps[s]], p["Wh"], dh[j:], dc[j:])
            dh[j:] = lb.dh0
            if lb.dc0 is not None:
                dc[j:] = lb.dc0
            above = lb.da @ p["Wx"].T  # to the layer below; at layer 0: ∂/∂x_s, (1, n − j, V)
        norms[j:, s] = np.linalg.norm(above[0], axis=1)
    return norms


def _full_pass(model: Model, caches, rows: np.ndarray, seed: np.ndarray, side: str) -> np.ndarray:
    """(n, T) norms from one backward pass of every direction through every layer, the rows
    as its batch (one row: the sequence code's fast loops). seed: (n, D*H) ∂ log p_t /
    ∂(head input at t), D = 2 directions for a bidirectional model, else 1."""
    n, T, H = rows.size, caches[0].hs.shape[0], model.hidden_size
    dirs = (model.layers, model.reverse) if model.bidirectional else (model.layers,)
    dz = np.zeros((T, n, len(dirs) * H), dtype=seed.dtype)
    dz[rows, np.arange(n)] = seed
    if side == "forward":  # the other half of the head's input is a constant, the zero state
        dz[..., H:] = 0.0
    elif side == "backward":
        dz[..., :H] = 0.0
    up = sequence.head_input_backward(dz, model.task)  # ∂/∂(top layer output), text order
    for k in range(model.num_layers - 1, -1, -1):
        below = 0.0
        for d, params in enumerate(dirs):
            lc = caches[k] if d == 0 else caches[k].reverse
            order = slice(None) if d == 0 else slice(None, None, -1)  # the direction's time order
            dhs = np.ascontiguousarray(up[order, :, d * H : (d + 1) * H])
            steps = lc.steps if n == 1 else list(lc.steps)  # a list broadcasts the (1, H) caches
            da = layer_backward(model.cell, dhs, steps, params[k]["Wh"]).da
            below = below + (da @ params[k]["Wx"].T)[order]
        up = below  # (T, n, D*H) for the layer below, or (T, n, V) = ∂/∂x_s at layer 0
    return np.linalg.norm(up, axis=2).T
