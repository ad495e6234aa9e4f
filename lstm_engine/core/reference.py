"""The whole LSTM character model, forward and backprop through time, in one readable file.

In the style of Karpathy's min-char-rnn: one loop forward, one loop backward, the history
kept in per-step dicts keyed by t (xs, hs, cs, gs, ps). It computes exactly what the fast path
(core/sequence.py) computes for a one-layer LSTM (tests/test_reference.py checks it to 1e-10
in float64), written to be read rather than to be fast: one sequence, row vectors, the d2l
names of docs/design.md (parameters without the "0/" and "out/" prefixes: W_xi, W_hi, b_i, ...,
W_hq, b_q).

    I = σ(X W_xi + H W_hi + b_i)    F = σ(X W_xf + H W_hf + b_f)    O = σ(X W_xo + H W_ho + b_o)
    C̃ = tanh(X W_xc + H W_hc + b_c)    C = F ⊙ C_prev + I ⊙ C̃    H = O ⊙ tanh(C)
    Y = H W_hq + b_q    P = softmax(Y)    L = −mean log P[next character]
"""

from __future__ import annotations

import inspect

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(x, h_prev, c_prev, p):
    """One LSTM step. x: (V,) one-hot character; h_prev, c_prev: (H,). Returns i, f, o, g, c, h."""
    i = sigmoid(x @ p["W_xi"] + h_prev @ p["W_hi"] + p["b_i"])  # input gate: how much to write
    f = sigmoid(x @ p["W_xf"] + h_prev @ p["W_hf"] + p["b_f"])  # forget gate: how much to keep
    o = sigmoid(x @ p["W_xo"] + h_prev @ p["W_ho"] + p["b_o"])  # output gate: how much to show
    g = np.tanh(x @ p["W_xc"] + h_prev @ p["W_hc"] + p["b_c"])  # candidate C̃: what to write
    c = f * c_prev + i * g  # the cell state: keep some of the old, add some of the new
    h = o * np.tanh(c)  # the hidden state: what the cell shows
    return i, f, o, g, c, h


def forward(ids, p):
    """Read ids[:-1] from a zero state. ids: token ids; p: the parameters.

    Returns the per-step dicts xs[t] (V,), gs[t] = (i, f, o, g), cs[t], hs[t] (H,) (with
    cs[-1], hs[-1] the zero start) and ps[t] (V,) the next-character distribution after t.
    """
    V, H = p["W_xi"].shape
    xs, gs, ps = {}, {}, {}
    hs, cs = {-1: np.zeros(H)}, {-1: np.zeros(H)}
    for t in range(len(ids) - 1):
        xs[t] = np.zeros(V)
        xs[t][ids[t]] = 1.0  # the one-hot character
        i, f, o, g, cs[t], hs[t] = lstm_step(xs[t], hs[t - 1], cs[t - 1], p)
        gs[t] = (i, f, o, g)
        y = hs[t] @ p["W_hq"] + p["b_q"]  # scores of every next character
        e = np.exp(y - y.max())
        ps[t] = e / e.sum()  # softmax
    return xs, gs, cs, hs, ps


def loss_and_grads(ids, p):
    """Mean cross-entropy (nats) of predicting ids[1:] from ids[:-1], and its gradient with
    respect to every parameter (a dict with the same keys and shapes as p)."""
    xs, gs, cs, hs, ps = forward(ids, p)
    n = len(ids) - 1
    loss = -sum(np.log(ps[t][ids[t + 1]]) for t in range(n)) / n
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next, dc_next = np.zeros_like(hs[-1]), np.zeros_like(cs[-1])  # from step t+1
    for t in reversed(range(n)):
        dy = ps[t].copy()
        dy[ids[t + 1]] -= 1.0  # ∂L/∂Y of softmax + cross-entropy
        dy /= n
        grads["W_hq"] += np.outer(hs[t], dy)
        grads["b_q"] += dy
        dh = dy @ p["W_hq"].T + dh_next  # H_t feeds the output and step t+1
        i, f, o, g = gs[t]
        tc = np.tanh(cs[t])
        dc = dc_next + dh * o * (1.0 - tc**2)  # C_t feeds H_t and C_{t+1}
        da = {  # ∂L/∂(pre-activation) of each gate, through σ' = σ(1−σ) and tanh' = 1 − tanh²
            "i": dc * g * i * (1.0 - i),
            "f": dc * cs[t - 1] * f * (1.0 - f),
            "o": dh * tc * o * (1.0 - o),
            "c": dc * i * (1.0 - g**2),
        }
        for s, d in da.items():
            grads[f"W_x{s}"] += np.outer(xs[t], d)
            grads[f"W_h{s}"] += np.outer(hs[t - 1], d)
            grads[f"b_{s}"] += d
        dh_next = sum(d @ p[f"W_h{s}"].T for s, d in da.items())  # to H_{t-1} through every gate
        dc_next = dc * f  # to C_{t-1} through the forget gate
    return loss, grads


def step_source() -> str:
    """The source of `lstm_step`: the code of the one-step lesson."""
    return inspect.getsource(lstm_step)
