"""Explaining one cell update and one trace: every term of every equation, in numbers.

The views "Watch the gates" and "One step, all the numbers" draw what this module computes;
it holds the maths so the pages hold none. Row-vector convention and d2l names (design.md):

LSTM   I = σ(X W_xi + H W_hi + b_i)   F = σ(X W_xf + H W_hf + b_f)   O = σ(X W_xo + H W_ho + b_o)
       C̃ = tanh(X W_xc + H W_hc + b_c)   C = F ⊙ C_prev + I ⊙ C̃   H = O ⊙ tanh(C)
GRU    Z = σ(X W_xz + H W_hz + b_z)   R = σ(X W_xr + H W_hr + b_r)
       H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h)   H = Z ⊙ H_prev + (1 − Z) ⊙ H̃
RNN    H = tanh(X W_xh + H_prev W_hh + b_h)

`cell_step` splits every pre-activation into its three terms (input, recurrent, bias) and
then runs the engine's own step function (cells.py) for the new state, so the numbers on
screen are the engine's, not a re-implementation. Also here: the tiny hand-editable cell
(hidden size 2, input size 3) with its presets, the forget-bias comparison, unit ordering
for the heatmaps, the per-character surprise and a tidy long table of a trace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cells import gru_step_forward, lstm_step_forward, rnn_step_forward, sigmoid
from .model import SUFFIXES, Model, Trace

# Per kind: (name shown on screen, d2l suffix, activation) for each pre-activation, fused order.
TERMS = {
    "lstm": (("input", "i", "sigmoid"), ("forget", "f", "sigmoid"), ("output", "o", "sigmoid"), ("candidate", "c", "tanh")),
    "gru": (("update", "z", "sigmoid"), ("reset", "r", "sigmoid"), ("candidate", "h", "tanh")),
    "rnn": (("hidden", "h", "tanh"),),
}  # fmt: skip
TINY_HIDDEN, TINY_INPUT = 2, 3  # the hand-editable cell: H = 2 units, input size 3
UNIT_ORDERS = ("index", "activity", "cluster")  # how the heatmap rows can be sorted


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


def fuse_params(kind: str, params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Wx (D, G*H), Wh (H, G*H), b (G*H,)) from unprefixed d2l names, in the engine's fused order."""
    sfx = SUFFIXES[kind]
    Wx = np.concatenate([params[f"W_x{s}"] for s in sfx], axis=1)
    Wh = np.concatenate([params[f"W_h{s}"] for s in sfx], axis=1)
    b = np.concatenate([params[f"b_{s}"] for s in sfx])
    return Wx, Wh, b


def cell_step(kind: str, params: dict[str, np.ndarray], x, h_prev, c_prev=None) -> StepBreakdown:
    """Break one cell update into its terms, then run the engine's step for the new state.

    params: unprefixed d2l names (see StepBreakdown); x: (D,); h_prev: (H,); c_prev: (H,) for
    the LSTM (ignored otherwise). Works for any sizes: the model's layers and the tiny cell.
    """
    x, h_prev = np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float)
    c_prev = np.asarray(c_prev, dtype=float) if kind == "lstm" else None
    Wx, Wh, b = fuse_params(kind, params)
    x_proj = (x @ Wx + b)[None]
    if kind == "lstm":
        h, c, (_, _, a, _, _, tc) = lstm_step_forward(x_proj, h_prev[None], c_prev[None], Wh)
        c, tanh_c, rh = c[0], tc[0], None
    elif kind == "gru":
        h, (_, a, _, _, rh) = gru_step_forward(x_proj, h_prev[None], Wh)
        c = tanh_c = None
        rh = rh[0]
    else:
        h, (_, a, _) = rnn_step_forward(x_proj, h_prev[None], Wh)
        c = tanh_c = rh = None
    terms = {}
    for j, (name, s, fn) in enumerate(TERMS[kind]):
        x_term = x @ params[f"W_x{s}"]
        h_in = rh if (kind == "gru" and name == "candidate") else h_prev
        h_term = h_in @ params[f"W_h{s}"]
        pre = a[0, j * len(h_prev) : (j + 1) * len(h_prev)]
        act = sigmoid(pre) if fn == "sigmoid" else np.tanh(pre)
        terms[name] = GateTerms(name, s, fn, x_term, h_term, params[f"b_{s}"], pre, act)
    return StepBreakdown(kind, x, h_prev, c_prev, terms, rh, c, tanh_c, h[0], dict(params))


def layer_params(model: Model, layer: int = 0) -> dict[str, np.ndarray]:
    """The unprefixed d2l parameters of one layer ("W_xi", "W_hi", "b_i", ...)."""
    prefix = f"{layer}/"
    return {k[len(prefix) :]: v for k, v in model.params().items() if k.startswith(prefix)}


def model_step(model: Model, trace: Trace, t: int, layer: int = 0) -> StepBreakdown:
    """The breakdown of step t (0-based) of a trace, for one layer of the model that made it.

    Layer 0 reads the one-hot character trace.ids[t] (V,); layer k > 0 reads the hidden state
    of layer k-1 at step t (H,). The previous state is the trace's state at t-1 (zeros at t=0).
    """
    T = len(trace.tokens)
    if not 0 <= t < T:
        raise IndexError(f"step {t} is outside the trace (0..{T - 1})")
    H = model.hidden_size
    if layer == 0:
        x = np.zeros(len(model.vocab))
        x[trace.ids[t]] = 1.0
    else:
        x = trace.layers[layer - 1].h[t]
    lt = trace.layers[layer]
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


# ---------------------------------------------------------------- reading a whole trace
def trace_arrays(trace: Trace, layer: int = -1) -> dict[str, np.ndarray]:
    """The (T, H) arrays the gates page draws for one layer, in display order:
    the gates (LSTM input, forget, candidate, output; GRU update, reset, candidate), then
    "cell" (LSTM) and "hidden"."""
    lt = trace.layers[layer]
    order = {"lstm": ("input", "forget", "candidate", "output"), "gru": ("update", "reset", "candidate")}
    out = {name: lt.gates[name] for name in order.get(trace.kind, ())}
    if lt.c is not None:
        out["cell"] = lt.c
    out["hidden"] = lt.h
    return out


def unit_activity(arrays) -> np.ndarray:
    """How much each unit moves while reading: each unit's standard deviation over time in
    each given (T, H) array, divided by that array's mean over units (so a cell state that
    counts up to ±100 does not drown the gates, which live in [0, 1]), averaged over the
    arrays. Returns (H,); 1 is an average unit; zeros for T < 2."""
    arrays = list(arrays)
    if not arrays or arrays[0].shape[0] < 2:
        return np.zeros(arrays[0].shape[1] if arrays else 0)
    rel = []
    for a in arrays:
        sd = a.std(axis=0)
        mean = sd.mean()
        rel.append(sd / mean if mean > 0 else sd)
    return np.mean(rel, axis=0)


def top_units(activity: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n most active units (ties broken by index), ascending index order."""
    n = max(0, min(n, len(activity)))
    return np.sort(np.argsort(-activity, kind="stable")[:n])


def cluster_order(features: np.ndarray) -> np.ndarray:
    """A row order that puts similar rows next to each other.

    features: (n, F). Average-linkage agglomerative clustering on correlation distance
    (1 − r); merging keeps each cluster's rows contiguous and joins two clusters at the
    ends that are closest, so the leaf order reads as blocks of similar units. Returns (n,).
    """
    n = features.shape[0]
    if n <= 2:
        return np.arange(n)
    f = features - features.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(f, axis=1)
    f = np.divide(f, norm[:, None], out=np.zeros_like(f), where=norm[:, None] > 0)
    d = 1.0 - f @ f.T  # correlation distance, 1 for constant rows
    np.fill_diagonal(d, np.inf)
    point = d.copy()
    clusters = {i: [i] for i in range(n)}
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    for _ in range(n - 1):
        masked = np.where(alive[:, None] & alive[None, :], d, np.inf)
        a, b = np.unravel_index(np.argmin(masked), d.shape)
        a, b = (a, b) if a < b else (b, a)
        clusters[a] = _join(clusters[a], clusters.pop(b), point)
        merged = (size[a] * d[a] + size[b] * d[b]) / (size[a] + size[b])
        d[a], d[:, a] = merged, merged
        d[a, a] = np.inf
        size[a] += size[b]
        alive[b] = False
    return np.array(clusters[int(np.flatnonzero(alive)[0])])


def _join(left: list[int], right: list[int], point: np.ndarray) -> list[int]:
    """Concatenate two leaf orders, flipping them so the closest ends touch."""
    options = [(left, right), (left, right[::-1]), (left[::-1], right), (left[::-1], right[::-1])]
    best = min(options, key=lambda lr: point[lr[0][-1], lr[1][0]])
    return best[0] + best[1]


def order_units(arrays, units, how: str = "index") -> np.ndarray:
    """Sort the chosen units for display: by "index", by "activity" (most active first) or
    "cluster" (similar units together, see cluster_order). arrays: (T, H) arrays; units: (n,)."""
    units = np.asarray(units, dtype=int)
    arrays = list(arrays)
    if how == "index":
        return np.sort(units)
    if how == "activity":
        act = unit_activity(arrays)[units]
        return units[np.argsort(-act, kind="stable")]
    if how == "cluster":
        features = np.concatenate([a[:, units].T for a in arrays], axis=1)
        return units[cluster_order(features)]
    raise ValueError(f"unknown unit order {how!r}; expected one of {UNIT_ORDERS}")


def surprise_bits(trace: Trace) -> np.ndarray:
    """−log₂ p(actual next character) after each character: (T,), the last entry NaN (no next
    character). High values are where the model was surprised."""
    T = len(trace.ids)
    out = np.full(T, np.nan)
    if T > 1:
        p = trace.probs[np.arange(T - 1), trace.ids[1:]]
        out[:-1] = -np.log2(np.maximum(p.astype(np.float64), 1e-300))  # float32 holds no 1e-300
    return out


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


# ---------------------------------------------------------------- equations and tables for display
# LaTeX symbol of each pre-activation's activation, and of its three terms' weight suffix.
SYMBOLS = {
    ("lstm", "input"): "I_t", ("lstm", "forget"): "F_t", ("lstm", "output"): "O_t",
    ("lstm", "candidate"): r"\tilde{C}_t", ("gru", "update"): "Z_t", ("gru", "reset"): "R_t",
    ("gru", "candidate"): r"\tilde{H}_t", ("rnn", "hidden"): "H_t",
}  # fmt: skip


def latex_number(v: float) -> str:
    """A number as LaTeX: 3 decimals, or 2 significant digits × 10^k for very large or tiny magnitudes."""
    v = float(v)
    if not np.isfinite(v):
        return r"\text{nan}" if np.isnan(v) else (r"\infty" if v > 0 else r"-\infty")
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        mantissa, exp = f"{v:.1e}".split("e")
        return rf"{mantissa}\times 10^{{{int(exp)}}}"
    return f"{v:.3f}"


def latex_vector(values) -> str:
    """A row vector as a LaTeX bmatrix built only from numbers."""
    return r"\begin{bmatrix}" + " & ".join(latex_number(v) for v in values) + r"\end{bmatrix}"


def equations_latex(bd: StepBreakdown, units) -> list[str]:
    """The cell's equations, each first in symbols and then with this step's numbers for the
    given units. Returns one LaTeX string (an aligned block) per equation. Only numbers and
    fixed symbols go in: never any user text."""
    u = np.asarray(units, dtype=int)
    vec = lambda a: latex_vector(np.asarray(a)[u])  # noqa: E731
    out = []
    for name, term in bd.terms.items():
        sym, s = SYMBOLS[(bd.kind, name)], term.suffix
        fn = r"\sigma" if term.fn == "sigmoid" else r"\tanh"
        h_sym = r"(R_t \odot H_{t-1})" if (bd.kind, name) == ("gru", "candidate") else "H_{t-1}"
        out.append(
            r"\begin{aligned}"
            rf"{sym} &= {fn}\left(X_t W_{{x{s}}} + {h_sym} W_{{h{s}}} + b_{{{s}}}\right) \\"
            rf"&= {fn}\Big(\underbrace{{{vec(term.x_term)}}}_{{X_t W_{{x{s}}}}} + "
            rf"\underbrace{{{vec(term.h_term)}}}_{{{h_sym} W_{{h{s}}}}} + \underbrace{{{vec(term.bias)}}}_{{b_{{{s}}}}}\Big) \\"
            rf"&= {fn}\left({vec(term.pre)}\right) = {vec(term.act)}"
            r"\end{aligned}"
        )
    t = bd.terms
    if bd.kind == "lstm":
        fc, ig = t["forget"].act * bd.c_prev, t["input"].act * t["candidate"].act
        out.append(
            r"\begin{aligned}"
            r"C_t &= F_t \odot C_{t-1} + I_t \odot \tilde{C}_t \\"
            rf"F_t \odot C_{{t-1}} &= {vec(t['forget'].act)} \odot {vec(bd.c_prev)} = {vec(fc)} \\"
            rf"I_t \odot \tilde{{C}}_t &= {vec(t['input'].act)} \odot {vec(t['candidate'].act)} = {vec(ig)} \\"
            rf"C_t &= {vec(fc)} + {vec(ig)} = {vec(bd.c)}"
            r"\end{aligned}"
        )
        out.append(
            r"\begin{aligned}"
            r"H_t &= O_t \odot \tanh(C_t) \\"
            rf"&= {vec(t['output'].act)} \odot \tanh\left({vec(bd.c)}\right) \\"
            rf"&= {vec(t['output'].act)} \odot {vec(bd.tanh_c)} = {vec(bd.h)}"
            r"\end{aligned}"
        )
    elif bd.kind == "gru":
        z, ht = t["update"].act, t["candidate"].act
        out.append(
            r"\begin{aligned}"
            r"H_t &= Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde{H}_t \\"
            rf"Z_t \odot H_{{t-1}} &= {vec(z)} \odot {vec(bd.h_prev)} = {vec(z * bd.h_prev)} \\"
            rf"(1 - Z_t) \odot \tilde{{H}}_t &= {vec(1 - z)} \odot {vec(ht)} = {vec((1 - z) * ht)} \\"
            rf"H_t &= {vec(z * bd.h_prev)} + {vec((1 - z) * ht)} = {vec(bd.h)}"
            r"\end{aligned}"
        )
    return out


def breakdown_columns(bd: StepBreakdown) -> dict[str, np.ndarray]:
    """Every number of a step for every unit, as columns of equal length H (for a table):
    previous state, the three terms, pre-activation and activation of each gate, new state."""
    cols = {"h_prev": bd.h_prev}
    if bd.c_prev is not None:
        cols["c_prev"] = bd.c_prev
    for term in bd.terms.values():
        s = term.suffix
        cols[f"XW_x{s}"] = term.x_term
        cols[f"HW_h{s}"] = term.h_term
        cols[f"b_{s}"] = term.bias
        cols[f"pre_{term.name}"] = term.pre
        cols[term.name] = term.act
    if bd.c is not None:
        cols["c"], cols["tanh_c"] = bd.c, bd.tanh_c
    cols["h"] = bd.h
    return cols


def tiny_gate_table(cell: TinyCell, suffix: str) -> np.ndarray:
    """One gate's weights of the tiny cell stacked for editing: rows W_x (D), W_h (H) and b,
    shape (D + H + 1, H)."""
    p = cell.params
    return np.vstack([p[f"W_x{suffix}"], p[f"W_h{suffix}"], p[f"b_{suffix}"][None, :]])


def tiny_from_tables(kind: str, tables: dict[str, np.ndarray], x, h_prev, c_prev=None) -> TinyCell:
    """Inverse of `tiny_gate_table` for every gate: a TinyCell from edited (D + H + 1, H)
    tables keyed by suffix; non-finite entries (an emptied cell) become 0."""
    D, H = TINY_INPUT, TINY_HIDDEN
    params = {}
    for s in SUFFIXES[kind]:
        a = np.nan_to_num(np.asarray(tables[s], dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
        params[f"W_x{s}"], params[f"W_h{s}"], params[f"b_{s}"] = a[:D], a[D : D + H], a[D + H]
    c = np.asarray(c_prev, dtype=float) if kind == "lstm" else None
    return TinyCell(kind, params, np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float), c)
