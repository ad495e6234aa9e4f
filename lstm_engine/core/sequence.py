"""Sequence forward/backward over a minibatch, for a stack of recurrent layers and a softmax head.

Shapes: B batch, T time, V vocab, H hidden, G gates per cell (cells.GATES). Public arrays are
batch-major (B, T, ...); inside, time-major (T, B, ...) so every step reads contiguous rows.

Speed: the input projection of the whole sequence is one gather (layer 0: X is one-hot, so
X W_x is a row lookup) or one matmul (layers above), done before the time loop; the loop does
one fused (B, H) @ (H, G*H) matmul per step; all weight gradients are single matmuls over
the stacked sequence after the backward loop.

A layer is a dict of fused arrays {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)} (PyTorch's
GRU form adds "bh": (H,), its b_hh); the head is {"W_hq": (D*H, V), "b_q": (V,)}. `kind` here
is the cell: "lstm", "gru", "gru_torch" (PyTorch's GRU form) or "rnn".

Bidirectional stacks (`reverse` = the backward direction's layers): the backward direction of
a layer runs the same loops on the time-reversed input, so every cache of that direction is
in its own time order (its step j reads text position T−1−j); layer k+1 reads [forward |
backward] of layer k in text order, so D = 2 directions and its W_x is (2H, G*H). A state is a
list with one (h, c) pair per layer and direction, layer-major ([l0 fwd, l0 bwd, l1 fwd, ...]),
each (B, H); c is None for the GRU and RNN.

Heads (`task`): "next" reads the top output h_t, (T, B, D*H); "blank" (bidirectional only)
reads [h_fwd(t−1) | h_bwd(t+1)], the initial states beyond either end, so the logits at t
never depend on character t (fill in the blank).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .cells import (
    GRUCache,
    GRUTorchCache,
    LSTMCache,
    RNNCache,
    gru_step_backward,
    gru_torch_recurrent_grads,
    gru_torch_step_backward,
    lstm_step_backward,
    recurrent_weight_grad,
    rnn_step_backward,
)

State = list[tuple[np.ndarray, np.ndarray | None]]
CELL_KIND = {"lstm": "lstm", "gru": "gru", "gru_torch": "gru", "rnn": "rnn"}  # cell -> model kind


@dataclass
class LayerCache:
    """What one layer's forward keeps for its backward.

    steps: the per-step caches; hs, cs: (T, B, H) outputs (cs None unless LSTM);
    x: the layer's input, (T, B) ids for layer 0, else (T, B, D) activations;
    h0, c0: (B, H) initial state; reverse: the same layer's backward direction (a LayerCache
    in that direction's own time order), None for a left-to-right model.
    """

    steps: list
    hs: np.ndarray
    cs: np.ndarray | None
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray | None
    reverse: LayerCache | None = None


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
    gradients, per layer the total ∂L/∂h_t and ∂L/∂c_t as (T, B, D*H) arrays in text order
    ([forward | backward] when bidirectional; dc None unless LSTM), and the backward
    direction's gradients (None for a left-to-right model)."""

    layer_grads: list[dict[str, np.ndarray]]
    head_grads: dict[str, np.ndarray]
    dh: list[np.ndarray]
    dc: list[np.ndarray | None]
    reverse_grads: list[dict[str, np.ndarray]] | None = None


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
    (GRU H̃), rh (GRU R ⊙ H_prev), hn (PyTorch GRU H_prev W_hh + b_hh), tc (LSTM tanh C), h
    (RNN output).
    """

    def __init__(self, kind: str, **arrays) -> None:
        self.kind = kind
        self.h_prev, self.a = arrays["h_prev"], arrays["a"]
        self.c_prev, self.act, self.tc = arrays.get("c_prev"), arrays.get("act"), arrays.get("tc")
        self.ht, self.rh, self.h = arrays.get("ht"), arrays.get("rh"), arrays.get("h")
        self.hn = arrays.get("hn")

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
        if self.kind == "gru_torch":
            return GRUTorchCache(self.h_prev[t], self.a[t], self.act[t], self.ht[t], self.hn[t])
        return RNNCache(self.h_prev[t], self.a[t], self.h[t])


def layer_forward(kind: str, x_proj: np.ndarray, Wh: np.ndarray, h0, c0, b_hh=None):
    """Run one recurrent layer over time.

    x_proj: (T, B, G*H) precomputed X W_x + b; Wh: (H, G*H); h0, c0: (B, H) (c0 None
    unless LSTM); b_hh: (H,) for "gru_torch" only. Returns (hs, cs, steps): hs, cs (T, B, H) (cs None unless LSTM) and the
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
    if kind == "gru_torch":
        return h_all[1:], None, _gru_torch_forward_loop(x_proj, Wh, b_hh, h_all)
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


def _gru_torch_forward_loop(x_proj, Wh, b_hh, h_all) -> Steps:
    """GRU over time in PyTorch's form (cells.gru_torch_step_forward) into h_all: (T+1, B, H).

    The reset gate acts after the matmul, so one fused (B, H) @ (H, 3H) matmul per step gives
    both the gates' recurrent terms and H_prev W_hh.
    """
    T, B, H = x_proj.shape[0], x_proj.shape[1], Wh.shape[0]
    dt = x_proj.dtype
    scale = _sigmoid_scale(3, H, dt)
    Ws = Wh * scale  # Z and R columns halved for σ via tanh; W_hh as it is
    a = x_proj * scale
    a_zr, a_h = a[..., : 2 * H], a[..., 2 * H :]
    zr = np.empty((T, B, 2 * H), dtype=dt)
    ht = np.empty((T, B, H), dtype=dt)
    hn = np.empty_like(ht)
    hw, tmp = np.empty((B, 3 * H), dtype=dt), np.empty((B, H), dtype=dt)
    half = np.array(0.5, dtype=dt)
    Z, R = zr[..., :H], zr[..., H:]
    for t in range(T):
        np.matmul(h_all[t], Ws, out=hw)
        azr = a_zr[t]
        azr += hw[:, : 2 * H]
        np.tanh(azr, out=zr[t])
        zr[t] *= half
        zr[t] += half  # [Z | R]
        np.add(hw[:, 2 * H :], b_hh, out=hn[t])  # H_prev W_hh + b_hh
        np.multiply(R[t], hn[t], out=tmp)
        ah = a_h[t]
        ah += tmp
        np.tanh(ah, out=ht[t])  # H̃
        np.subtract(h_all[t], ht[t], out=tmp)  # H = H̃ + Z ⊙ (H_prev − H̃)
        tmp *= Z[t]
        np.add(ht[t], tmp, out=h_all[t + 1])
    a /= scale
    return Steps("gru_torch", h_prev=h_all[:-1], a=a, act=zr, ht=ht, hn=hn)


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
    if kind == "gru_torch":
        return LayerBackward(*_gru_torch_backward_loop(dhs, steps, Wh, dh_carry))
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


def _gru_torch_backward_loop(dhs, st: Steps, Wh, dh_carry):
    """BPTT of PyTorch's GRU form; the equations of cells.gru_torch_step_backward, regrouped.

    Every per-step term is dh times a factor precomputed for all t: M = [K_z | K_r | K_n] with
    dZ-pre = dh ⊙ K_z, dR-pre = dh ⊙ K_r and dhn = dh ⊙ K_n (∂L/∂(H_prev W_hh + b_hh)), so
    ∂L/∂h_{t-1} = dh ⊙ Z + [dZ | dR | dhn] W_hᵀ is one fused matmul. After the loop the third
    block is replaced by dH̃-pre = dh ⊙ K_h, the pre-activation gradient `da` promises.
    """
    T, B, H = dhs.shape
    Z, R = st.act[..., :H], st.act[..., H:]
    K_h = np.multiply(st.ht, st.ht)
    np.subtract(1.0, K_h, out=K_h)
    K_h *= 1.0 - Z  # dH̃-pre = dh ⊙ (1 − Z) ⊙ (1 − H̃²)
    M = np.empty((T, B, 3 * H), dtype=dhs.dtype)
    K_zr, K_n = M[..., : 2 * H], M[..., 2 * H :]
    np.subtract(1.0, st.act, out=K_zr)
    K_zr *= st.act  # σ' for Z and R
    K_zr[..., :H] *= st.h_prev - st.ht  # dZ-pre = dh ⊙ (H_prev − H̃) ⊙ σ'
    K_zr[..., H:] *= st.hn * K_h  # dR-pre = dH̃-pre ⊙ hn ⊙ σ'
    np.multiply(K_h, R, out=K_n)  # dhn = dH̃-pre ⊙ R
    M3 = M.reshape(T, B, 3, H)
    dh_total = np.empty_like(dhs)
    WhT = np.ascontiguousarray(Wh.T)
    tmp = np.empty((B, H), dtype=dhs.dtype)
    for t in range(T - 1, -1, -1):
        dh = dh_total[t]
        np.add(dhs[t], dh_carry, out=dh)
        m = M3[t]
        m *= dh[:, None]  # [dZ | dR | dhn]
        np.matmul(M[t], WhT, out=dh_carry)  # through the gates and H_prev W_hh
        np.multiply(dh, Z[t], out=tmp)  # and through Z ⊙ H_prev
        dh_carry += tmp
    np.multiply(dh_total, K_h, out=K_n)  # the third block becomes dH̃-pre
    return M, dh_carry, None, dh_total, None


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
        elif kind == "gru_torch":
            da[t], _, dh_carry = gru_torch_step_backward(dh, steps[t], Wh)
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


def direction_forward(kind: str, p: dict, x: np.ndarray, h0, c0, first: bool) -> LayerCache:
    """One direction of one layer over its input x in its own time order.

    x: (T, B) ids (first layer: one-hot X times W_x is a row lookup) or (T, B, D) activations.
    """
    T, B = x.shape[:2]
    if first:
        x_proj = p["Wx"][x]
        x_proj += p["b"]  # in place: one (T, B, G*H) buffer fewer
    else:
        x_proj = (x.reshape(T * B, x.shape[-1]) @ p["Wx"] + p["b"]).reshape(T, B, p["b"].size)
    hs, cs, steps = layer_forward(kind, x_proj, p["Wh"], h0, c0, p.get("bh"))
    return LayerCache(steps, hs, cs, x, h0, c0)


def _final(lc: LayerCache) -> tuple[np.ndarray, np.ndarray | None]:
    """The (h, c) a direction ends in (its initial state when T = 0)."""
    T = lc.hs.shape[0]
    return (lc.hs[-1] if T else lc.h0, (lc.cs[-1] if T else lc.c0) if lc.cs is not None else None)


def layer_output(lc: LayerCache, name: str = "hs") -> np.ndarray:
    """A layer's (T, B, D*H) `hs` or `cs` in text order: [forward | backward] when bidirectional."""
    fwd = getattr(lc, name)
    if lc.reverse is None:
        return fwd
    return np.concatenate([fwd, getattr(lc.reverse, name)[::-1]], axis=-1)


def head_input(top: LayerCache, task: str) -> np.ndarray:
    """(T, B, D*H) what the head reads: h_t ("next"), or [h_fwd(t−1) | h_bwd(t+1)] ("blank"),
    with each direction's initial state beyond its end."""
    out = layer_output(top)
    if task == "next":
        return out
    z = np.empty_like(out)
    T, H = out.shape[0], top.hs.shape[2]
    if T:
        z[0, :, :H], z[1:, :, :H] = top.h0, out[:-1, :, :H]
        z[-1, :, H:], z[:-1, :, H:] = top.reverse.h0, out[1:, :, H:]
    return z


def head_input_backward(dz: np.ndarray, task: str) -> np.ndarray:
    """∂L/∂(top output) from ∂L/∂(head input), undoing the "blank" shift (transpose of
    `head_input`; the parts reaching the initial states are dropped, as for "next")."""
    if task == "next":
        return dz
    H = dz.shape[2] // 2
    d = np.zeros_like(dz)
    d[:-1, :, :H] = dz[1:, :, :H]
    d[1:, :, H:] = dz[:-1, :, H:]
    return d


def forward(
    kind: str,
    layers: list[dict],
    head: dict,
    ids: np.ndarray,
    state: State | None = None,
    reverse: list[dict] | None = None,
    task: str = "next",
):
    """Run the stacked network on a batch of token ids.

    ids: (B, T) int; layers / reverse: per layer the forward / backward direction's fused
    arrays (reverse None = left to right); state: per layer and direction the initial (h, c),
    None = zeros; task: "next" or "blank" (module docstring).
    Returns (logits, caches, final_state): logits (B, T, V); caches: one LayerCache per layer
    (its `reverse` the backward direction's); final_state: the state after each direction's
    last step (for truncated BPTT and sampling).
    """
    B, T = ids.shape
    dirs = [layers] if reverse is None else [layers, reverse]
    H, D = layers[0]["Wh"].shape[0], len(dirs)
    if state is None:
        state = zero_state(kind, len(layers) * D, B, H, layers[0]["Wh"].dtype)
    x = ids.T
    caches, final = [], []
    for k in range(len(layers)):
        lcs = []
        for d, params in enumerate(dirs):
            h0, c0 = state[k * D + d]
            lcs.append(direction_forward(kind, params[k], x if d == 0 else x[::-1], h0, c0, k == 0))
            final.append(_final(lcs[-1]))
        lcs[0].reverse = lcs[1] if D == 2 else None
        caches.append(lcs[0])
        x = layer_output(lcs[0])
    z = head_input(caches[-1], task)
    logits = z.reshape(T * B, D * H) @ head["W_hq"] + head["b_q"]
    return logits.reshape(T, B, head["b_q"].size).transpose(1, 0, 2), caches, final


def direction_grads(kind: str, p: dict, lc: LayerCache, da: np.ndarray, first: bool):
    """(fused gradients of one direction, ∂L/∂input (T, B, D) or None for the first layer),
    from its pre-activation gradients da: (T, B, G*H), all in the direction's time order."""
    T, B, H = lc.hs.shape
    da2 = da.reshape(T * B, -1)
    st = lc.steps
    fast = isinstance(st, Steps)
    # h_{t-1} for every step: a view of the forward's buffer on the fast path
    h_prevs = (st.h_prev if fast else np.concatenate([lc.h0[None], lc.hs[:-1]])).reshape(T * B, H)
    grads = {"b": da2.sum(axis=0)}
    if kind == "gru_torch":
        r = st.act[..., H:] if fast else np.stack([s.zr[:, H:] for s in st])
        grads["Wh"], grads["bh"] = gru_torch_recurrent_grads(h_prevs, r.reshape(T * B, H), da2)
    else:
        rhs = None
        if kind == "gru":
            rhs = (st.rh if fast else np.stack([s.rh for s in st])).reshape(T * B, H)
        grads["Wh"] = recurrent_weight_grad(kind, h_prevs, rhs, da2)
    if first:
        grads["Wx"] = scatter_rows(lc.x.reshape(-1), da2, p["Wx"].shape[0])
        return grads, None
    grads["Wx"] = lc.x.reshape(T * B, -1).T @ da2
    return grads, (da2 @ p["Wx"].T).reshape(T, B, -1)


def backward(
    kind: str,
    layers: list[dict],
    head: dict,
    dlogits: np.ndarray,
    caches: list[LayerCache],
    dstate=None,
    reverse: list[dict] | None = None,
    task: str = "next",
):
    """Backpropagate through time through the whole stack, both directions.

    dlogits: (B, T, V) ∂L/∂logits; dstate: optional per layer and direction (dh, dc) arriving
    from beyond each direction's last step. Returns a Backward (gradients keyed like the fused
    arrays, per layer the total ∂L/∂h_t, ∂L/∂c_t in text order).
    """
    B, T, V = dlogits.shape
    dirs = [layers] if reverse is None else [layers, reverse]
    H, D = layers[0]["Wh"].shape[0], len(dirs)
    dl = dlogits.transpose(1, 0, 2).reshape(T * B, V)
    z = head_input(caches[-1], task).reshape(T * B, D * H)
    head_grads = {"W_hq": z.T @ dl, "b_q": dl.sum(axis=0)}
    dx = head_input_backward((dl @ head["W_hq"].T).reshape(T, B, D * H), task)
    L = len(layers)
    grads = [[None] * L for _ in dirs]
    dh_totals, dc_totals = [None] * L, [None] * L
    for k in range(L - 1, -1, -1):
        below, dhs, dcs = None, [], []
        for d, params in enumerate(dirs):
            lc = caches[k] if d == 0 else caches[k].reverse
            up = dx[..., d * H : (d + 1) * H]
            up = up if d == 0 else np.ascontiguousarray(up[::-1])
            dh_last, dc_last = dstate[k * D + d] if dstate is not None else (None, None)
            lb = layer_backward(kind, up, lc.steps, params[k]["Wh"], dh_last, dc_last)
            grads[d][k], dxd = direction_grads(kind, params[k], lc, lb.da, k == 0)
            flip = slice(None) if d == 0 else slice(None, None, -1)  # back to text order
            dhs.append(lb.dh[flip])
            dcs.append(lb.dc[flip] if lb.dc is not None else None)
            if dxd is not None:
                below = dxd[flip] if below is None else below + dxd[flip]
        dh_totals[k] = dhs[0] if D == 1 else np.concatenate(dhs, axis=-1)
        dc_totals[k] = dcs[0] if D == 1 or dcs[0] is None else np.concatenate(dcs, axis=-1)
        dx = below
    return Backward(grads[0], head_grads, dh_totals, dc_totals, grads[1] if D == 2 else None)


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
