"""One cell update, every term of every equation, in numbers; and the tiny hand-editable cell.

The views "Watch the gates" and "One step, all the numbers" draw what this module computes;
it holds the maths so the pages hold none. Row-vector convention and d2l names (docs/design.md):

LSTM   I = σ(X W_xi + H W_hi + b_i)   F = σ(X W_xf + H W_hf + b_f)   O = σ(X W_xo + H W_ho + b_o)
       C̃ = tanh(X W_xc + H W_hc + b_c)   C = F ⊙ C_prev + I ⊙ C̃   H = O ⊙ tanh(C)
GRU    Z = σ(X W_xz + H W_hz + b_z)   R = σ(X W_xr + H W_hr + b_r)
       H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h)   H = Z ⊙ H_prev + (1 − Z) ⊙ H̃
RNN    H = tanh(X W_xh + H_prev W_hh + b_h)

`cell_step` splits every pre-activation into its three terms (input, recurrent, bias) and
then runs the engine's own step function (core/cells.py) for the new state, so the numbers on
screen are the engine's, not a re-implementation. Also here: the tiny hand-editable cell
(hidden size 2, input size 3) with its presets and the forget-bias comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.cells import gru_step_forward, lstm_step_forward, rnn_step_forward, sigmoid
from ..core.gates import GATE_TABLE, SUFFIXES, fuse_layer
from ..core.model import Model, Trace

TINY_HIDDEN, TINY_INPUT = 2, 3  # the hand-editable cell: H = 2 units, input size 3


# ---------------------------------------------------------------- one cell update
@dataclass
class GateTerms:
    """One pre-activation split into its terms, and its activation. Every array is (H,).

    x_term = X W_x*, h_term = H_prev W_h* (for the GRU candidate (R ⊙ H_prev) W_hh),
    bias = b_*, pre = x_term + h_term + bias, act = σ(pre) or tanh(pre).
    """

    name: str  # "input", "forget", ..., "hidden" for the RNN
    suffix: str  # d2l suffix: "i", "f", "o", "c", "z", "r" or "h"
    fn: str  # "sigmoid" or "tanh"
    x_term: np.ndarray
    h_term: np.ndarray
    bias: np.ndarray
    pre: np.ndarray
    act: np.ndarray


@dataclass
class StepBreakdown:
    """Every number of one cell update.

    x: (D,) the input (one-hot character for layer 0); h_prev, c_prev: (H,) the previous state
    (c_prev None unless LSTM); terms: GateTerms by name in fused order; rh: (H,) R ⊙ H_prev
    (GRU only); c, tanh_c: (H,) new cell state and its tanh (LSTM only); h: (H,) new hidden
    state; params: the layer's unprefixed d2l parameters ("W_xi": (D, H), "W_hi": (H, H), "b_i": (H,)).
    """

    kind: str
    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray | None
    terms: dict[str, GateTerms]
    rh: np.ndarray | None
    c: np.ndarray | None
    tanh_c: np.ndarray | None
    h: np.ndarray
    params: dict[str, np.ndarray]

    @property
    def hidden_size(self) -> int:
        return self.h.shape[0]


def cell_step(kind: str, params: dict[str, np.ndarray], x, h_prev, c_prev=None) -> StepBreakdown:
    """Break one cell update into its terms, then run the engine's step for the new state.

    params: unprefixed d2l names (see StepBreakdown); x: (D,); h_prev: (H,); c_prev: (H,) for
    the LSTM (ignored otherwise). Works for any sizes: the model's layers and the tiny cell.
    """
    x, h_prev = np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float)
    c_prev = np.asarray(c_prev, dtype=float) if kind == "lstm" else None
    p = fuse_layer(kind, params)
    x_proj = (x @ p["Wx"] + p["b"])[None]
    if kind == "lstm":
        h, c, cache = lstm_step_forward(x_proj, h_prev[None], c_prev[None], p["Wh"])
        c, tanh_c, rh = c[0], cache.tc[0], None
    elif kind == "gru":
        h, cache = gru_step_forward(x_proj, h_prev[None], p["Wh"])
        c = tanh_c = None
        rh = cache.rh[0]
    else:
        h, cache = rnn_step_forward(x_proj, h_prev[None], p["Wh"])
        c = tanh_c = rh = None
    a = cache.a
    terms = {}
    for j, (name, s, fn) in enumerate(GATE_TABLE[kind]):
        x_term = x @ params[f"W_x{s}"]
        h_in = rh if (kind == "gru" and name == "candidate") else h_prev
        h_term = h_in @ params[f"W_h{s}"]
        pre = a[0, j * len(h_prev) : (j + 1) * len(h_prev)]
        act = sigmoid(pre) if fn == "sigmoid" else np.tanh(pre)
        terms[name] = GateTerms(name, s, fn, x_term, h_term, params[f"b_{s}"], pre, act)
    return StepBreakdown(kind, x, h_prev, c_prev, terms, rh, c, tanh_c, h[0], dict(params))


def layer_params(model: Model, layer: int = 0) -> dict[str, np.ndarray]:
    """The unprefixed d2l parameters of one layer's forward direction ("W_xi", "W_hi", "b_i", ...)."""
    prefix = f"{layer}/"
    return {
        k[len(prefix) :]: v
        for k, v in model.params().items()
        if k.startswith(prefix) and "/" not in k[len(prefix) :]
    }


def model_step(model: Model, trace: Trace, t: int, layer: int = 0) -> StepBreakdown:
    """The breakdown of step t (0-based) of a trace, for one layer of the model that made it.

    Layer 0 reads the one-hot character trace.ids[t] (V,); layer k > 0 reads the hidden state
    of layer k-1 at step t (H,). The previous state is the trace's state at t-1 (zeros at t=0).
    A bidirectional model shows its forward direction (layer k > 0 reads [forward | backward]
    of layer k-1, (2H,)). Raises ValueError for PyTorch's GRU form, whose step is not the
    d2l equations this breakdown names.
    """
    T = len(trace.tokens)
    if not 0 <= t < T:
        raise IndexError(f"step {t} is outside the trace (0..{T - 1})")
    if model.variant != "d2l":
        raise ValueError("the step breakdown follows the d2l GRU; this model uses PyTorch's GRU form")
    H = model.hidden_size
    if layer == 0:
        x = np.zeros(len(model.vocab))
        x[trace.ids[t]] = 1.0
    else:
        x = trace.layers[layer - 1].h[t]
    lt = trace.layers[layer].direction("forward") if model.bidirectional else trace.layers[layer]
    h_prev = lt.h[t - 1] if t > 0 else np.zeros(H)
    c_prev = None
    if lt.c is not None:
        c_prev = lt.c[t - 1] if t > 0 else np.zeros(H)
    return cell_step(model.kind, layer_params(model, layer), x, h_prev, c_prev)


def top_contributions(v: np.ndarray, W: np.ndarray, units, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of a vector-matrix product v W matter most for some output units.

    v: (D,); W: (D, H); units: the output columns shown. Returns (rows, rest): rows the (at
    most k) indices r with the largest max_j |v_r W_rj| (nonzero v_r only, ascending order),
    rest: (len(units),) the sum of every other row's contribution, so that
    v[rows] @ W[rows][:, units] + rest == (v @ W)[units]. This lets a page draw a readable
    slice of a 128-row product without hiding anything.
    """
    units = np.asarray(units, dtype=int)
    contrib = v[:, None] * W[:, units]
    score = np.abs(contrib).max(axis=1) if len(units) else np.zeros(len(v))
    candidates = np.flatnonzero(v != 0)
    picked = candidates[np.argsort(-score[candidates], kind="stable")[:k]]
    rows = np.sort(picked)
    rest = contrib.sum(axis=0) - contrib[rows].sum(axis=0)
    return rows, rest


# ---------------------------------------------------------------- the tiny cell and its presets
@dataclass
class TinyCell:
    """A hand-editable single cell: hidden size 2, input size 3 (any kind).

    params: unprefixed d2l names, W_x*: (3, 2), W_h*: (2, 2), b_*: (2,); x: (3,); h_prev: (2,);
    c_prev: (2,) (LSTM only, else None).
    """

    kind: str
    params: dict[str, np.ndarray]
    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray | None

    def step(self) -> StepBreakdown:
        """The breakdown of this cell's one update."""
        return cell_step(self.kind, self.params, self.x, self.h_prev, self.c_prev)

    def with_bias(self, suffix: str, value: float) -> TinyCell:
        """A copy with every entry of b_{suffix} set to `value`."""
        params = {k: v.copy() for k, v in self.params.items()}
        params[f"b_{suffix}"][:] = value
        return TinyCell(self.kind, params, self.x.copy(), self.h_prev.copy(), _copy(self.c_prev))


def _copy(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else a.copy()


def tiny_random(kind: str = "lstm", seed: int = 0, scale: float = 0.5) -> TinyCell:
    """A tiny cell with weights N(0, scale²), zero biases (forget bias 1 for the LSTM) and a
    random input and state, deterministic for `seed`."""
    rng = np.random.default_rng(seed)
    H, D = TINY_HIDDEN, TINY_INPUT
    params = {}
    for s in SUFFIXES[kind]:
        params[f"W_x{s}"] = np.round(rng.normal(0, scale, (D, H)), 2)
        params[f"W_h{s}"] = np.round(rng.normal(0, scale, (H, H)), 2)
        params[f"b_{s}"] = np.full(H, 1.0 if (kind, s) == ("lstm", "f") else 0.0)
    x = np.round(rng.uniform(-1, 1, D), 2)
    h_prev = np.round(rng.uniform(-1, 1, H), 2)
    c_prev = np.round(rng.uniform(-1, 1, H), 2) if kind == "lstm" else None
    return TinyCell(kind, params, x, h_prev, c_prev)


def boss_raise() -> TinyCell:
    """The "boss raise" story: the cell held an old opinion C_prev = [0.7, 0.3]; the new input
    x = [1, −1, 1] (with h_prev = [1, 1]) is big news, so the forget gate closes
    (F ⊙ C_prev ≈ [0, 0]), the input gate opens and the candidate is ≈ [1, 1]: new C ≈ [1, 1].

    Weights are chosen so each gate's pre-activation is ±8 (input 3 × 2 + recurrent 2 × 1):
    σ(−8) ≈ 0.0003, σ(8) ≈ 0.9997, tanh(8) ≈ 1. The output gate is mildly open (pre = 2).
    """
    toward = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, 2.0]])  # x W = +6 for x = [1, −1, 1]
    params = {
        "W_xi": toward.copy(), "W_hi": np.ones((2, 2)), "b_i": np.zeros(2),
        "W_xf": -toward, "W_hf": -np.ones((2, 2)), "b_f": np.zeros(2),
        "W_xo": toward / 4, "W_ho": np.full((2, 2), 0.25), "b_o": np.zeros(2),
        "W_xc": toward.copy(), "W_hc": np.ones((2, 2)), "b_c": np.zeros(2),
    }  # fmt: skip
    return TinyCell("lstm", params, np.array([1.0, -1.0, 1.0]), np.array([1.0, 1.0]), np.array([0.7, 0.3]))


BOSS_TARGET_H = (
    0.9  # the boss-raise story's claim: the new belief shows as h ≈ 0.9 (it cannot, see output_bound)
)


def forget_bias_cell(bias: float = 0.0) -> TinyCell:
    """A freshly initialised tiny LSTM (small weights, like training step 0) with forget bias
    `bias`; its forget gate sits near σ(bias): 0.5 for bias 0, 0.73 for bias 1."""
    return tiny_random("lstm", seed=7, scale=0.1).with_bias("f", bias)


def memory_retention(
    cell: TinyCell, steps: int = 20, biases=(0.0, 1.0), seed: int = 0
) -> dict[float, np.ndarray]:
    """How much of the starting cell state survives k steps, per forget bias.

    Feeds the same random inputs (uniform in [−1, 1], seeded) to copies of `cell` (LSTM)
    that differ only in b_f, and returns for each bias the (steps, H) running product
    ∏_{s ≤ k} F_s: the direct path from C_0 to C_k (∂C_k/∂C_0 along the cell line).
    """
    if cell.kind != "lstm":
        raise ValueError("memory retention is about the LSTM forget gate")
    xs = np.random.default_rng(seed).uniform(-1, 1, (steps, cell.x.shape[0]))
    out = {}
    for bias in biases:
        c = cell.with_bias("f", bias)
        h, cs, fs = c.h_prev, c.c_prev, []
        for x in xs:
            bd = cell_step("lstm", c.params, x, h, cs)
            fs.append(bd.terms["forget"].act)
            h, cs = bd.h, bd.c
        out[float(bias)] = np.cumprod(np.array(fs), axis=0)
    return out


def output_bound(c) -> np.ndarray:
    """The largest |H| a cell state can give: H = O ⊙ tanh(C) with 0 < O < 1, so
    |H| < tanh(|C|). c: any shape; returns the same shape."""
    return np.tanh(np.abs(np.asarray(c, dtype=float)))


def cell_needed(h) -> np.ndarray:
    """The smallest |C| that can give |H| = h even with the output gate fully open:
    artanh(|h|) (inf for |h| >= 1). h: any shape; returns the same shape."""
    h = np.abs(np.asarray(h, dtype=float))
    with np.errstate(divide="ignore"):
        return np.where(h < 1, np.arctanh(np.minimum(h, 1.0)), np.inf)


def first_below(retention: np.ndarray, level: float) -> int | None:
    """The first k (1-based, steps read) at which a retention curve (steps,) from
    `memory_retention` (one unit, or the mean over units) drops below `level`; None if never."""
    hits = np.flatnonzero(np.asarray(retention) < level)
    return int(hits[0]) + 1 if hits.size else None
