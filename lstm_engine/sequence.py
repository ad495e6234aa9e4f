"""Sequence forward/backward over a minibatch, for a stack of recurrent layers and a softmax head.

Shapes: B batch, T time, V vocab, H hidden, G gates per cell (cells.GATES). Public arrays are
batch-major (B, T, ...); inside, time-major (T, B, ...) so every step reads contiguous rows.

Speed: the input projection of the whole sequence is one gather (layer 0: X is one-hot, so
X W_x is a row lookup) or one matmul (layers above), done before the time loop; the loop does
one fused (B, H) @ (H, G*H) matmul per step; all weight gradients are single matmuls over
the stacked sequence after the backward loop.

A layer is a dict of fused arrays {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)}; the head is
{"W_hq": (H, V), "b_q": (V,)}. A state is a list with one (h, c) pair per layer, each (B, H);
c is None for the GRU and RNN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cells import (
    gru_step_backward,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    recurrent_weight_grad,
    rnn_step_backward,
    rnn_step_forward,
)

State = list[tuple[np.ndarray, np.ndarray | None]]


@dataclass
class LayerCache:
    """What one layer's forward keeps for its backward.

    steps: the per-step caches; hs, cs: (T, B, H) outputs (cs None unless LSTM);
    x: the layer's input, (T, B) ids for layer 0, else (T, B, D) activations;
    h0, c0: (B, H) initial state.
    """

    steps: list
    hs: np.ndarray
    cs: np.ndarray | None
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray | None


def zero_state(kind: str, num_layers: int, batch: int, hidden: int, dtype=np.float64) -> State:
    """All-zero initial state for every layer."""

    def zeros():
        return np.zeros((batch, hidden), dtype=dtype)

    return [(zeros(), zeros() if kind == "lstm" else None) for _ in range(num_layers)]


def layer_forward(kind: str, x_proj: np.ndarray, Wh: np.ndarray, h0, c0):
    """Run one recurrent layer over time.

    x_proj: (T, B, G*H) precomputed X W_x + b; Wh: (H, G*H); h0, c0: (B, H) (c0 None
    unless LSTM). Returns (hs, cs, steps): hs, cs (T, B, H) (cs None unless LSTM) and the
    list of per-step caches.
    """
    T, B, _ = x_proj.shape
    H = Wh.shape[0]
    hs = np.empty((T, B, H), dtype=x_proj.dtype)
    cs = np.empty_like(hs) if kind == "lstm" else None
    steps = []
    h, c = h0, c0
    for t in range(T):
        if kind == "lstm":
            h, c, cache = lstm_step_forward(x_proj[t], h, c, Wh)
            cs[t] = c
        elif kind == "gru":
            h, cache = gru_step_forward(x_proj[t], h, Wh)
        else:
            h, cache = rnn_step_forward(x_proj[t], h, Wh)
        hs[t] = h
        steps.append(cache)
    return hs, cs, steps


def layer_backward(kind: str, dhs: np.ndarray, steps: list, Wh: np.ndarray, dh_last=None, dc_last=None):
    """Backpropagate through one layer over time.

    dhs: (T, B, H) ∂L/∂h_t from above (the head or the next layer); dh_last, dc_last: (B, H)
    gradients arriving from beyond the last step (None = zero). Returns
    (da, dh0, dc0, dh_total, dc_total): da (T, B, G*H) pre-activation gradients; dh0, dc0
    (B, H) gradients for the initial state; dh_total, dc_total (T, B, H) the total ∂L/∂h_t
    and ∂L/∂c_t (dc None unless LSTM), which is what the vanishing-gradient view plots.
    """
    T, B, H = dhs.shape
    G = Wh.shape[1] // H
    da = np.empty((T, B, G * H), dtype=dhs.dtype)
    dh_total = np.empty_like(dhs)
    dc_total = np.empty_like(dhs) if kind == "lstm" else None
    dh_carry = np.zeros((B, H), dtype=dhs.dtype) if dh_last is None else dh_last
    dc_carry = None
    if kind == "lstm":
        dc_carry = np.zeros((B, H), dtype=dhs.dtype) if dc_last is None else dc_last
    for t in range(T - 1, -1, -1):
        dh = dhs[t] + dh_carry
        dh_total[t] = dh
        if kind == "lstm":
            da[t], dh_carry, dc_carry, dc_total[t] = lstm_step_backward(dh, dc_carry, steps[t], Wh)
        elif kind == "gru":
            da[t], dh_carry = gru_step_backward(dh, steps[t], Wh)
        else:
            da[t], dh_carry = rnn_step_backward(dh, steps[t], Wh)
    return da, dh_carry, dc_carry, dh_total, dc_total


def scatter_rows(ids: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Sum the rows of `rows` (N, K) into an (n, K) array by id: onehot(ids).T @ rows, fast."""
    order = np.argsort(ids, kind="stable")
    uniq, starts = np.unique(ids[order], return_index=True)
    out = np.zeros((n, rows.shape[1]), dtype=rows.dtype)
    if len(order):
        out[uniq] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def forward(kind: str, layers: list[dict], head: dict, ids: np.ndarray, state: State | None = None):
    """Run the stacked network on a batch of token ids.

    ids: (B, T) int. state: per-layer initial (h, c), None = zeros.
    Returns (logits, caches, final_state): logits (B, T, V); caches: one LayerCache per
    layer; final_state: the state after the last step (for truncated BPTT and sampling).
    """
    B, T = ids.shape
    H = layers[0]["Wh"].shape[0]
    dtype = layers[0]["Wh"].dtype
    if state is None:
        state = zero_state(kind, len(layers), B, H, dtype)
    x = ids.T
    caches, final = [], []
    for k, p in enumerate(layers):
        if k == 0:
            x_proj = p["Wx"][x] + p["b"]
        else:
            x_proj = (x.reshape(T * B, x.shape[-1]) @ p["Wx"] + p["b"]).reshape(T, B, p["b"].size)
        h0, c0 = state[k]
        hs, cs, steps = layer_forward(kind, x_proj, p["Wh"], h0, c0)
        caches.append(LayerCache(steps, hs, cs, x, h0, c0))
        final.append((hs[-1] if T else h0, (cs[-1] if T else c0) if cs is not None else None))
        x = hs
    logits = x.reshape(T * B, H) @ head["W_hq"] + head["b_q"]
    return logits.reshape(T, B, head["b_q"].size).transpose(1, 0, 2), caches, final


def backward(
    kind: str, layers: list[dict], head: dict, dlogits: np.ndarray, caches: list[LayerCache], dstate=None
):
    """Backpropagate through time through the whole stack.

    dlogits: (B, T, V) ∂L/∂logits; dstate: optional per-layer (dh, dc) arriving from beyond
    the last step. Returns (layer_grads, head_grads, dh_totals, dc_totals): gradients keyed
    like the parameters, and per layer the total ∂L/∂h_t, ∂L/∂c_t as (T, B, H) arrays.
    """
    B, T, V = dlogits.shape
    top = caches[-1].hs
    H = top.shape[2]
    dl = dlogits.transpose(1, 0, 2).reshape(T * B, V)
    head_grads = {"W_hq": top.reshape(T * B, H).T @ dl, "b_q": dl.sum(axis=0)}
    dx = (dl @ head["W_hq"].T).reshape(T, B, H)
    layer_grads, dh_totals, dc_totals = [None] * len(layers), [None] * len(layers), [None] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        p, lc = layers[k], caches[k]
        dh_last, dc_last = dstate[k] if dstate is not None else (None, None)
        da, _, _, dh_totals[k], dc_totals[k] = layer_backward(kind, dx, lc.steps, p["Wh"], dh_last, dc_last)
        da2 = da.reshape(T * B, -1)
        h_prevs = np.concatenate([lc.h0[None], lc.hs[:-1]]).reshape(T * B, H)
        rhs = np.stack([s[4] for s in lc.steps]).reshape(T * B, H) if kind == "gru" else None
        grads = {"Wh": recurrent_weight_grad(kind, h_prevs, rhs, da2), "b": da2.sum(axis=0)}
        if k == 0:
            grads["Wx"] = scatter_rows(lc.x.reshape(-1), da2, p["Wx"].shape[0])
        else:
            grads["Wx"] = lc.x.reshape(T * B, -1).T @ da2
            dx = (da2 @ p["Wx"].T).reshape(T, B, -1)
        layer_grads[k] = grads
    return layer_grads, head_grads, dh_totals, dc_totals


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the max for stability."""
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(logits: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None):
    """Mean cross-entropy in nats and its gradient.

    logits: (B, T, V); targets: (B, T) ids; mask: optional (B, T) weights (1 = counted).
    Returns (loss, dlogits) with dlogits (B, T, V).
    """
    p = softmax(logits)
    w = np.ones(targets.shape, dtype=logits.dtype) if mask is None else mask.astype(logits.dtype)
    n = max(float(w.sum()), 1.0)
    picked = np.take_along_axis(p, targets[..., None], axis=-1)[..., 0]
    loss = float(-(np.log(np.maximum(picked, 1e-300)) * w).sum() / n)
    dlogits = p
    np.put_along_axis(dlogits, targets[..., None], picked[..., None] - 1.0, axis=-1)
    dlogits *= (w / n)[..., None]
    return loss, dlogits
