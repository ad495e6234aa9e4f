"""Recurrent cells as pure step functions in forward/backward pairs (row-vector convention).

Notation (docs/design.md, d2l.ai names): B batch, H hidden size, G gates per cell (LSTM 4,
GRU 3, RNN 1). The input projection `x_proj = X W_x + b` of a whole sequence is computed
before the time loop, so a step only adds the recurrent term. The gate matrices are fused
column-wise: W_h = [W_h1 | W_h2 | ...] of shape (H, G*H), in the gate order below.

LSTM (order i, f, o, c):
    I = σ(X W_xi + H W_hi + b_i)   F = σ(X W_xf + H W_hf + b_f)   O = σ(X W_xo + H W_ho + b_o)
    C̃ = tanh(X W_xc + H W_hc + b_c)   C = F ⊙ C_prev + I ⊙ C̃   H = O ⊙ tanh(C)
GRU (order z, r, h):
    Z = σ(X W_xz + H W_hz + b_z)   R = σ(X W_xr + H W_hr + b_r)
    H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h)   H = Z ⊙ H_prev + (1 − Z) ⊙ H̃
GRU, PyTorch's form (nn.GRU; variant "torch"): Z, R and H as above, but the reset gate
multiplies the recurrent term after the matmul, which has its own bias b_hh:
    H̃ = tanh(X W_xh + b_h + R ⊙ (H_prev W_hh + b_hh))
RNN:
    H = tanh(X W_xh + H_prev W_hh + b_h)

Every step backward returns `da`, the gradient with respect to the pre-activations
(B, G*H) — which is also ∂L/∂x_proj — so the sequence code can form all weight gradients
with one matmul over the whole sequence (see `recurrent_weight_grad`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .gates import NUM_BLOCKS

GATES = NUM_BLOCKS  # G per kind, from the gate table (gates.py)


class LSTMCache(NamedTuple):
    """What one LSTM step keeps for its backward. Every array is (B, ·)."""

    h_prev: np.ndarray  # (B, H)
    c_prev: np.ndarray  # (B, H)
    a: np.ndarray  # (B, 4H) pre-activations [I | F | O | C̃]
    ifo: np.ndarray  # (B, 3H) gate activations [I | F | O]
    g: np.ndarray  # (B, H) the candidate C̃
    tc: np.ndarray  # (B, H) tanh(C)


class GRUCache(NamedTuple):
    """What one GRU step keeps for its backward."""

    h_prev: np.ndarray  # (B, H)
    a: np.ndarray  # (B, 3H) pre-activations [Z | R | H̃]
    zr: np.ndarray  # (B, 2H) gate activations [Z | R]
    ht: np.ndarray  # (B, H) the candidate H̃
    rh: np.ndarray  # (B, H) R ⊙ H_prev


class GRUTorchCache(NamedTuple):
    """What one step of PyTorch's GRU form keeps for its backward."""

    h_prev: np.ndarray  # (B, H)
    a: np.ndarray  # (B, 3H) pre-activations [Z | R | H̃]
    zr: np.ndarray  # (B, 2H) gate activations [Z | R]
    ht: np.ndarray  # (B, H) the candidate H̃
    hn: np.ndarray  # (B, H) H_prev W_hh + b_hh


class RNNCache(NamedTuple):
    """What one RNN step keeps for its backward."""

    h_prev: np.ndarray  # (B, H)
    a: np.ndarray  # (B, H) pre-activation
    h: np.ndarray  # (B, H) the new hidden state


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function via tanh: exact, and never overflows for large |x|."""
    return 0.5 * np.tanh(0.5 * x) + 0.5


# ---------------------------------------------------------------- LSTM
def lstm_step_forward(x_proj, h_prev, c_prev, Wh):
    """One LSTM step.

    x_proj: (B, 4H) input projection X W_x + b; h_prev, c_prev: (B, H); Wh: (H, 4H).
    Returns (h, c, cache); h, c: (B, H); cache: an LSTMCache.
    """
    H = h_prev.shape[1]
    a = x_proj + h_prev @ Wh
    ifo = sigmoid(a[:, : 3 * H])
    g = np.tanh(a[:, 3 * H :])
    c = ifo[:, H : 2 * H] * c_prev + ifo[:, :H] * g
    tc = np.tanh(c)
    h = ifo[:, 2 * H :] * tc
    return h, c, LSTMCache(h_prev, c_prev, a, ifo, g, tc)


def lstm_step_backward(dh, dc_next, cache, Wh):
    """Backward of `lstm_step_forward`.

    dh: (B, H) total ∂L/∂h_t; dc_next: (B, H) ∂L/∂c_t arriving through c_{t+1}.
    Returns (da, dh_prev, dc_prev, dc): da (B, 4H) = ∂L/∂a, dh_prev and dc_prev (B, H) the
    gradients flowing to step t-1, and dc (B, H) the total ∂L/∂c_t.
    """
    c_prev, ifo, g, tc = cache.c_prev, cache.ifo, cache.g, cache.tc
    H = dh.shape[1]
    i, f, o = ifo[:, :H], ifo[:, H : 2 * H], ifo[:, 2 * H :]
    dc = dc_next + dh * o * (1.0 - tc * tc)
    da = np.empty((dh.shape[0], 4 * H), dtype=dh.dtype)
    da[:, :H] = dc * g  # dI
    da[:, H : 2 * H] = dc * c_prev  # dF
    da[:, 2 * H : 3 * H] = dh * tc  # dO
    da[:, : 3 * H] *= ifo * (1.0 - ifo)  # through σ
    da[:, 3 * H :] = dc * i * (1.0 - g * g)  # dC̃ through tanh
    return da, da @ Wh.T, dc * f, dc


# ---------------------------------------------------------------- GRU
def gru_step_forward(x_proj, h_prev, Wh):
    """One GRU step (d2l form: the reset gate multiplies H before W_hh).

    x_proj: (B, 3H); h_prev: (B, H); Wh: (H, 3H) = [W_hz | W_hr | W_hh].
    Returns (h, cache); h: (B, H); cache: a GRUCache.
    """
    H = h_prev.shape[1]
    a = np.empty_like(x_proj)
    a[:, : 2 * H] = x_proj[:, : 2 * H] + h_prev @ Wh[:, : 2 * H]
    zr = sigmoid(a[:, : 2 * H])
    z = zr[:, :H]
    rh = zr[:, H:] * h_prev
    a[:, 2 * H :] = x_proj[:, 2 * H :] + rh @ Wh[:, 2 * H :]
    ht = np.tanh(a[:, 2 * H :])
    h = z * h_prev + (1.0 - z) * ht
    return h, GRUCache(h_prev, a, zr, ht, rh)


def gru_step_backward(dh, cache, Wh):
    """Backward of `gru_step_forward`. dh: (B, H) total ∂L/∂h_t.

    Returns (da, dh_prev): da (B, 3H) = ∂L/∂a, dh_prev (B, H).
    """
    h_prev, zr, ht = cache.h_prev, cache.zr, cache.ht
    H = dh.shape[1]
    z, r = zr[:, :H], zr[:, H:]
    da = np.empty((dh.shape[0], 3 * H), dtype=dh.dtype)
    da[:, 2 * H :] = dh * (1.0 - z) * (1.0 - ht * ht)  # dH̃ through tanh
    drh = da[:, 2 * H :] @ Wh[:, 2 * H :].T
    da[:, :H] = dh * (h_prev - ht)  # dZ
    da[:, H : 2 * H] = drh * h_prev  # dR
    da[:, : 2 * H] *= zr * (1.0 - zr)
    dh_prev = dh * z + drh * r + da[:, : 2 * H] @ Wh[:, : 2 * H].T
    return da, dh_prev


# ---------------------------------------------------------------- GRU, PyTorch's form
def gru_torch_step_forward(x_proj, h_prev, Wh, b_hh):
    """One GRU step in PyTorch's form (nn.GRU): the reset gate multiplies H W_hh + b_hh.

        H̃ = tanh(X W_xh + b_h + R ⊙ (H_prev W_hh + b_hh))     (Z, R and H as in the d2l form)

    x_proj: (B, 3H); h_prev: (B, H); Wh: (H, 3H) = [W_hz | W_hr | W_hh]; b_hh: (H,).
    Returns (h, cache); h: (B, H); cache: a GRUTorchCache.
    """
    H = h_prev.shape[1]
    a = np.empty_like(x_proj)
    a[:, : 2 * H] = x_proj[:, : 2 * H] + h_prev @ Wh[:, : 2 * H]
    zr = sigmoid(a[:, : 2 * H])
    z = zr[:, :H]
    hn = h_prev @ Wh[:, 2 * H :] + b_hh
    a[:, 2 * H :] = x_proj[:, 2 * H :] + zr[:, H:] * hn
    ht = np.tanh(a[:, 2 * H :])
    h = z * h_prev + (1.0 - z) * ht
    return h, GRUTorchCache(h_prev, a, zr, ht, hn)


def gru_torch_step_backward(dh, cache, Wh):
    """Backward of `gru_torch_step_forward`. dh: (B, H) total ∂L/∂h_t.

    Returns (da, dhn, dh_prev): da (B, 3H) = ∂L/∂a; dhn (B, H) = ∂L/∂(H_prev W_hh + b_hh),
    from which ∂L/∂W_hh = H_prevᵀ dhn and ∂L/∂b_hh = Σ dhn; dh_prev (B, H).
    """
    h_prev, zr, ht, hn = cache.h_prev, cache.zr, cache.ht, cache.hn
    H = dh.shape[1]
    z, r = zr[:, :H], zr[:, H:]
    da = np.empty((dh.shape[0], 3 * H), dtype=dh.dtype)
    da[:, 2 * H :] = dh * (1.0 - z) * (1.0 - ht * ht)  # dH̃ through tanh
    dhn = da[:, 2 * H :] * r
    da[:, :H] = dh * (h_prev - ht)  # dZ
    da[:, H : 2 * H] = da[:, 2 * H :] * hn  # dR
    da[:, : 2 * H] *= zr * (1.0 - zr)
    dh_prev = dh * z + da[:, : 2 * H] @ Wh[:, : 2 * H].T + dhn @ Wh[:, 2 * H :].T
    return da, dhn, dh_prev


# ---------------------------------------------------------------- RNN
def rnn_step_forward(x_proj, h_prev, Wh):
    """One tanh RNN step. x_proj: (B, H); h_prev: (B, H); Wh: (H, H).

    Returns (h, cache); h: (B, H); cache: an RNNCache.
    """
    a = x_proj + h_prev @ Wh
    h = np.tanh(a)
    return h, RNNCache(h_prev, a, h)


def rnn_step_backward(dh, cache, Wh):
    """Backward of `rnn_step_forward`. Returns (da, dh_prev), both (B, H)."""
    h = cache.h
    da = dh * (1.0 - h * h)
    return da, da @ Wh.T


# ---------------------------------------------------------------- weight gradients
def recurrent_weight_grad(kind: str, h_prevs, rhs, da: np.ndarray) -> np.ndarray:
    """∂L/∂W_h summed over all steps with one matmul per column block.

    h_prevs: (N, H) stacked h_{t-1}; rhs: (N, H) stacked R ⊙ h_{t-1} (GRU only, else None);
    da: (N, G*H) stacked pre-activation gradients. Returns (H, G*H).
    """
    if kind != "gru":
        return h_prevs.T @ da
    H = h_prevs.shape[1]
    return np.concatenate([h_prevs.T @ da[:, : 2 * H], rhs.T @ da[:, 2 * H :]], axis=1)


def gru_torch_recurrent_grads(h_prevs, r, da: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂W_h (H, 3H), ∂L/∂b_hh (H,)) of PyTorch's GRU form, summed over all steps.

    h_prevs: (N, H) stacked h_{t-1}; r: (N, H) stacked reset gates; da: (N, 3H) stacked
    pre-activation gradients. The candidate's recurrent term gets dhn = da_H̃ ⊙ R.
    """
    H = h_prevs.shape[1]
    dhn = da[:, 2 * H :] * r
    return np.concatenate([h_prevs.T @ da[:, : 2 * H], h_prevs.T @ dhn], axis=1), dhn.sum(axis=0)
