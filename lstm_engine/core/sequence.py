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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .cells import (
    GRUCache,
    LSTMCache,
    RNNCache,
    gru_step_backward,
    lstm_step_backward,
    recurrent_weight_grad,
    rnn_step_backward,
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


class LayerBackward(NamedTuple):
    """What `layer_backward` returns. da: (T, B, G*H) pre-activation gradients; dh0, dc0:
    (B, H) gradients for the initial state; dh, dc: (T, B, H) the total ∂L/∂h_t and ∂L/∂c_t
    (dc0 and dc None unless LSTM)."""

    da: np.ndarray
    dh0: np.ndarray
    dc0: np.ndarray | None
    dh: np.ndarray
    dc: np.ndarray | None


class Backward(NamedTuple):
    """What `backward` returns: per layer the gradients keyed like its fused arrays, the head's
    gradients, and per layer the total ∂L/∂h_t and ∂L/∂c_t as (T, B, H) arrays (dc None unless
    LSTM)."""

    layer_grads: list[dict[str, np.ndarray]]
    head_grads: dict[str, np.ndarray]
    dh: list[np.ndarray]
    dc: list[np.ndarray | None]


def zero_state(kind: str, num_layers: int, batch: int, hidden: int, dtype=np.float64) -> State:
    """All-zero initial state for every layer."""

    def zeros():
        return np.zeros((batch, hidden), dtype=dtype)

    return [(zeros(), zeros() if kind == "lstm" else None) for _ in range(num_layers)]


class Steps(Sequence):
    """The per-step caches of one layer, stored as whole-sequence arrays.

    Behaves like the list of per-step caches the cells return (steps[t] is exactly the
    LSTMCache / GRUCache / RNNCache the cell's step forward would give, as views),
    but keeps time-major buffers so the backward pass can vectorise everything that does not
    depend on the recurrence. Fields (all (T, B, ·)): h_prev, c_prev (LSTM), a the
    pre-activations (T, B, G*H), act the gate activations ([I|F|O|C̃] LSTM, [Z|R] GRU), ht
    (GRU H̃), rh (GRU R ⊙ H_prev), tc (LSTM tanh C), h (RNN output).
    """

    def __init__(self, kind: str, **arrays) -> None:
        self.kind = kind
        self.h_prev, self.a = arrays["h_prev"], arrays["a"]
        self.c_prev, self.act, self.tc = arrays.get("c_prev"), arrays.get("act"), arrays.get("tc")
        self.ht, self.rh, self.h = arrays.get("ht"), arrays.get("rh"), arrays.get("h")

    def __len__(self) -> int:
        return self.a.shape[0]

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[i] for i in range(*t.indices(len(self)))]
        if self.kind == "lstm":
            H = self.h_prev.shape[2]
            return LSTMCache(
                self.h_prev[t],
                self.c_prev[t],
                self.a[t],
                self.act[t, :, : 3 * H],
                self.act[t, :, 3 * H :],
                self.tc[t],
            )
        if self.kind == "gru":
            return GRUCache(self.h_prev[t], self.a[t], self.act[t], self.ht[t], self.rh[t])
        return RNNCache(self.h_prev[t], self.a[t], self.h[t])


def layer_forward(kind: str, x_proj: np.ndarray, Wh: np.ndarray, h0, c0):
    """Run one recurrent layer over time.

    x_proj: (T, B, G*H) precomputed X W_x + b; Wh: (H, G*H); h0, c0: (B, H) (c0 None
    unless LSTM). Returns (hs, cs, steps): hs, cs (T, B, H) (cs None unless LSTM) and the
    per-step caches (a `Steps`: steps[t] is the cache the cell's step forward returns).

    The loops below compute exactly the cells' equations (cells.py is the readable
    reference, and tests check they agree), written for speed: whole-sequence buffers
    allocated once, every per-step NumPy call writing into them with out=, and σ folded
    into one tanh (σ(x) = ½ tanh(x/2) + ½, the ½ pre-multiplied into the weights; exact,
    since scaling by ½ is exact in floating point).
    """
    T, B, _ = x_proj.shape
    H = Wh.shape[0]
    h_all = np.empty((T + 1, B, H), dtype=x_proj.dtype)  # h_all[t] = h_{t-1}; h_all[0] = h0
    h_all[0] = h0
    if kind == "lstm":
        c_all = np.empty_like(h_all)
        c_all[0] = c0
        steps = _lstm_forward_loop(x_proj, Wh, h_all, c_all)
        return h_all[1:], c_all[1:], steps
    loop = _gru_forward_loop if kind == "gru" else _rnn_forward_loop
    return h_all[1:], None, loop(x_proj, Wh, h_all)


def _sigmoid_scale(G: int, H: int, dtype) -> np.ndarray:
    """(G*H,) factors: ½ on the sigmoid-gate columns, 1 on the last (tanh) block."""
    scale = np.full(G * H, 0.5, dtype=dtype)
    scale[(G - 1) * H :] = 1.0
    return scale


def _lstm_forward_loop(x_proj, Wh, h_all, c_all) -> Steps:
    """LSTM over time (equations in cells.py) into h_all, c_all: (T+1, B, H)."""
    T, B, H = x_proj.shape[0], x_proj.shape[1], Wh.shape[0]
    dt = x_proj.dtype
    scale = _sigmoid_scale(4, H, dt)
    Ws = Wh * scale  # pre-activations come out pre-halved for σ
    a = x_proj * scale  # X W_x + b, halved; the loop adds H_prev W_h; true values after the loop
    act = np.empty_like(x_proj)  # [I | F | O | C̃]
    tc = np.empty((T, B, H), dtype=dt)
    hw, ig = np.empty((B, 4 * H), dtype=dt), np.empty((B, H), dtype=dt)
    half = np.array(0.5, dtype=dt)  # a 0-d array: cheaper per call than a Python float
    # whole-sequence views per gate, made once, so each step only indexes [t]
    ifo_all, I, F, O, G = (
        act[..., : 3 * H],
        act[..., :H],
        act[..., H : 2 * H],
        act[..., 2 * H : 3 * H],
        act[..., 3 * H :],
    )
    for t in range(T):
        np.matmul(h_all[t], Ws, out=hw)
        at = a[t]
        at += hw
        np.tanh(at, out=act[t])  # tanh(a/2) on I, F, O; tanh(a) on C̃
        ifo = ifo_all[t]
        ifo *= half
        ifo += half  # σ(a) = ½ tanh(a/2) + ½
        c = c_all[t + 1]
        np.multiply(F[t], c_all[t], out=c)  # F ⊙ C_prev
        np.multiply(I[t], G[t], out=ig)  # I ⊙ C̃
        c += ig
        np.tanh(c, out=tc[t])
        np.multiply(O[t], tc[t], out=h_all[t + 1])  # H = O ⊙ tanh(C)
    a /= scale  # undo the ½ (exact): the cache keeps the true pre-activations
    return Steps("lstm", h_prev=h_all[:-1], c_prev=c_all[:-1], a=a, act=act, tc=tc)


def _gru_forward_loop(x_proj, Wh, h_all) -> Steps:
    """GRU over time (d2l form, equations in cells.py) into h_all: (T+1, B, H)."""
    T, B, H = x_proj.shape[0], x_proj.shape[1], Wh.shape[0]
    dt = x_proj.dtype
    scale = _sigmoid_scale(3, H, dt)
    W_zr = Wh[:, : 2 * H] * 0.5  # σ via tanh, as in the LSTM loop
    W_hh = np.ascontiguousarray(Wh[:, 2 * H :])
    a = x_proj * scale  # (T, B, 3H) pre-activations, Z and R halved until after the loop
    a_zr, a_h = a[..., : 2 * H], a[..., 2 * H :]
    zr = np.empty((T, B, 2 * H), dtype=dt)
    ht = np.empty((T, B, H), dtype=dt)
    rh = np.empty_like(ht)
    hw, tmp = np.empty((B, 2 * H), dtype=dt), np.empty((B, H), dtype=dt)
    half = np.array(0.5, dtype=dt)
    Z, R = zr[..., :H], zr[..., H:]
    for t in range(T):
        np.matmul(h_all[t], W_zr, out=hw)
        azr = a_zr[t]
        azr += hw
        np.tanh(azr, out=zr[t])
        zr[t] *= half
        zr[t] += half  # [Z | R]
        np.multiply(R[t], h_all[t], out=rh[t])  # R ⊙ H_prev
        np.matmul(rh[t], W_hh, out=tmp)
        ah = a_h[t]
        ah += tmp
        np.tanh(ah, out=ht[t])  # H̃
        np.subtract(h_all[t], ht[t], out=tmp)  # H = Z ⊙ H_prev + (1 − Z) ⊙ H̃ = H̃ + Z ⊙ (H_prev − H̃)
        tmp *= Z[t]
        np.add(ht[t], tmp, out=h_all[t + 1])
    a /= scale  # true pre-activations (exact)
    return Steps("gru", h_prev=h_all[:-1], a=a, act=zr, ht=ht, rh=rh)


def _rnn_forward_loop(x_proj, Wh, h_all) -> Steps:
    """tanh RNN over time into h_all: (T+1, B, H)."""
    a = np.empty_like(x_proj)
    for t in range(x_proj.shape[0]):
        np.matmul(h_all[t], Wh, out=a[t])
        a[t] += x_proj[t]
        np.tanh(a[t], out=h_all[t + 1])
    return Steps("rnn", h_prev=h_all[:-1], a=a, h=h_all[1:])


def layer_backward(kind: str, dhs: np.ndarray, steps: list, Wh: np.ndarray, dh_last=None, dc_last=None):
    """Backpropagate through one layer over time.

    dhs: (T, B, H) ∂L/∂h_t from above (the head or the next layer); dh_last, dc_last: (B, H)
    gradients arriving from beyond the last step (None = zero). Returns a LayerBackward; its
    total ∂L/∂h_t, ∂L/∂c_t are what the vanishing-gradient view plots.

    `steps` from `layer_forward` (a Steps) takes the fast path: every factor that does not
    depend on the recurrence (σ', 1 − tanh², ...) is computed for all t at once before the
    loop, leaving a few in-place calls per step. Any other list of per-step caches goes
    through the cells' step backward functions.
    """
    T, B, H = dhs.shape
    dh_carry = np.zeros((B, H), dtype=dhs.dtype) if dh_last is None else np.array(dh_last, dtype=dhs.dtype)
    dc_carry = None
    if kind == "lstm":
        dc_carry = (
            np.zeros((B, H), dtype=dhs.dtype) if dc_last is None else np.array(dc_last, dtype=dhs.dtype)
        )
    if not isinstance(steps, Steps):
        return LayerBackward(*_layer_backward_cells(kind, dhs, steps, Wh, dh_carry, dc_carry))
    if kind == "lstm":
        return LayerBackward(*_lstm_backward_loop(dhs, steps, Wh, dh_carry, dc_carry))
    if kind == "gru":
        return LayerBackward(*_gru_backward_loop(dhs, steps, Wh, dh_carry))
    return LayerBackward(*_rnn_backward_loop(dhs, steps, Wh, dh_carry))


def _lstm_backward_loop(dhs, st: Steps, Wh, dh_carry, dc_carry):
    """LSTM BPTT; the same equations as cells.lstm_step_backward, regrouped.

    Per step only dh = ∂L/∂h_t and dc = ∂L/∂c_t are recurrent; with them
    da = [dc·M_I, dc·M_F, dh·M_O, dc·M_C] where the factors M are precomputed for all t
    (in place, without temporaries: fresh big arrays cost page faults), and da then
    overwrites M step by step.
    """
    T, B, H = dhs.shape
    act, tc = st.act, st.tc
    I, F, O, G = act[..., :H], act[..., H : 2 * H], act[..., 2 * H : 3 * H], act[..., 3 * H :]
    M = np.subtract(1.0, act)  # (T, B, 4H); becomes da
    Mi, Mf, Mo, Mc = M[..., :H], M[..., H : 2 * H], M[..., 2 * H : 3 * H], M[..., 3 * H :]
    M[..., : 3 * H] *= act[..., : 3 * H]  # σ' = σ (1 − σ) for I, F, O
    Mi *= G  # dI = dc ⊙ C̃ ⊙ σ'
    Mf *= st.c_prev  # dF = dc ⊙ C_prev ⊙ σ'
    Mo *= tc  # dO = dh ⊙ tanh C ⊙ σ'
    np.multiply(G, G, out=Mc)
    np.subtract(1.0, Mc, out=Mc)
    Mc *= I  # dC̃ = dc ⊙ I ⊙ (1 − C̃²)
    K = np.multiply(tc, tc)
    np.subtract(1.0, K, out=K)
    K *= O  # dh's share of dc: dc = dc_next + dh ⊙ O ⊙ (1 − tanh²C)
    Mif = M.reshape(T, B, 4, H)[:, :, :2]  # the I and F blocks, both scaled by dc
    dh_total = np.empty_like(dhs)
    dc_total = np.empty_like(dhs)
    WhT = np.ascontiguousarray(Wh.T)
    for t in range(T - 1, -1, -1):
        dh, dc = dh_total[t], dc_total[t]
        np.add(dhs[t], dh_carry, out=dh)
        np.multiply(dh, K[t], out=dc)
        dc += dc_carry
        mif = Mif[t]
        mif *= dc[:, None]  # dI, dF
        Mo[t] *= dh  # dO
        Mc[t] *= dc  # dC̃
        np.multiply(dc, F[t], out=dc_carry)  # ∂L/∂c_{t-1} through C = F ⊙ C_prev + ...
        np.matmul(M[t], WhT, out=dh_carry)  # ∂L/∂h_{t-1}
    return M, dh_carry, dc_carry, dh_total, dc_total


def _gru_backward_loop(dhs, st: Steps, Wh, dh_carry):
    """GRU BPTT; the same equations as cells.gru_step_backward, with the non-recurrent
    factors precomputed in place for all t."""
    T, B, H = dhs.shape
    Z, R = st.act[..., :H], st.act[..., H:]
    K_h = np.multiply(st.ht, st.ht)
    np.subtract(1.0, K_h, out=K_h)
    K_h *= 1.0 - Z  # dH̃-pre = dh ⊙ (1 − Z) ⊙ (1 − H̃²)
    K_zr = np.subtract(1.0, st.act)
    K_zr *= st.act  # σ' for Z and R
    K_z, K_r = K_zr[..., :H], K_zr[..., H:]
    K_z *= st.h_prev - st.ht  # dZ-pre = dh ⊙ (H_prev − H̃) ⊙ σ'
    K_r *= st.h_prev  # dR-pre = d(R ⊙ H_prev) ⊙ H_prev ⊙ σ'
    da = np.empty((T, B, 3 * H), dtype=dhs.dtype)
    da_zr, da_h = da[..., : 2 * H], da[..., 2 * H :]
    dh_total = np.empty_like(dhs)
    W_zrT = np.ascontiguousarray(Wh[:, : 2 * H].T)
    W_hhT = np.ascontiguousarray(Wh[:, 2 * H :].T)
    drh, tmp = np.empty((B, H), dtype=dhs.dtype), np.empty((B, H), dtype=dhs.dtype)
    dzr = np.empty((B, 2 * H), dtype=dhs.dtype)
    for t in range(T - 1, -1, -1):
        dh = dh_total[t]
        np.add(dhs[t], dh_carry, out=dh)
        np.multiply(dh, K_h[t], out=da_h[t])
        np.matmul(da_h[t], W_hhT, out=drh)  # ∂L/∂(R ⊙ H_prev)
        np.multiply(dh, K_z[t], out=dzr[:, :H])
        np.multiply(drh, K_r[t], out=dzr[:, H:])
        da_zr[t] = dzr
        np.matmul(dzr, W_zrT, out=dh_carry)  # ∂L/∂h_{t-1}: through the gates,
        np.multiply(dh, Z[t], out=tmp)  # through Z ⊙ H_prev,
        dh_carry += tmp
        np.multiply(drh, R[t], out=tmp)  # and through R ⊙ H_prev
        dh_carry += tmp
    return da, dh_carry, None, dh_total, None


def _rnn_backward_loop(dhs, st: Steps, Wh, dh_carry):
    """tanh RNN BPTT: da = dh ⊙ (1 − H²), dh_prev = da W_hh^T."""
    T = dhs.shape[0]
    K = 1.0 - st.h * st.h
    da = np.empty_like(st.a)
    dh_total = np.empty_like(dhs)
    WhT = np.ascontiguousarray(Wh.T)
    for t in range(T - 1, -1, -1):
        np.add(dhs[t], dh_carry, out=dh_total[t])
        np.multiply(dh_total[t], K[t], out=da[t])
        np.matmul(da[t], WhT, out=dh_carry)
    return da, dh_carry, None, dh_total, None


def _layer_backward_cells(kind, dhs, steps, Wh, dh_carry, dc_carry):
    """The reference BPTT loop over the cells' step backward functions (any cache list)."""
    T, B, H = dhs.shape
    G = Wh.shape[1] // H
    da = np.empty((T, B, G * H), dtype=dhs.dtype)
    dh_total = np.empty_like(dhs)
    dc_total = np.empty_like(dhs) if kind == "lstm" else None
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


def step_preactivations(steps) -> np.ndarray:
    """(T, B, G*H) pre-activations of every step, from a Steps or a list of step caches."""
    if isinstance(steps, Steps):
        return steps.a
    return np.stack([s.a for s in steps])


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
            x_proj = p["Wx"][x]  # one-hot X times W_x is a row lookup
            x_proj += p["b"]  # in place: one (T, B, G*H) buffer fewer
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
    the last step. Returns a Backward (gradients keyed like the fused arrays, and per layer the
    total ∂L/∂h_t, ∂L/∂c_t).
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
        lb = layer_backward(kind, dx, lc.steps, p["Wh"], dh_last, dc_last)
        dh_totals[k], dc_totals[k] = lb.dh, lb.dc
        da2 = lb.da.reshape(T * B, -1)
        if isinstance(lc.steps, Steps):
            h_prevs = lc.steps.h_prev.reshape(T * B, H)  # a view of the forward's buffer
        else:
            h_prevs = np.concatenate([lc.h0[None], lc.hs[:-1]]).reshape(T * B, H)
        rhs = None
        if kind == "gru":
            rhs = lc.steps.rh if isinstance(lc.steps, Steps) else np.stack([s.rh for s in lc.steps])
            rhs = rhs.reshape(T * B, H)
        grads = {"Wh": recurrent_weight_grad(kind, h_prevs, rhs, da2), "b": da2.sum(axis=0)}
        if k == 0:
            grads["Wx"] = scatter_rows(lc.x.reshape(-1), da2, p["Wx"].shape[0])
        else:
            grads["Wx"] = lc.x.reshape(T * B, -1).T @ da2
            dx = (da2 @ p["Wx"].T).reshape(T, B, -1)
        layer_grads[k] = grads
    return Backward(layer_grads, head_grads, dh_totals, dc_totals)


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
