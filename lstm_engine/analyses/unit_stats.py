"""Reading a whole trace: which units to show and in what order, per-character surprise, gate
saturation and the unit finder. Pure NumPy.

- Unit activity: each unit's standard deviation over time, relative to the layer's mean.
- Gate saturation (Karpathy, Johnson & Fei-Fei 2015): per unit, the fraction of steps a gate
  is below 0.1 (left-saturated, closed) and above 0.9 (right-saturated, open).
- Unit finder: a per-step pattern signal s_t (inside quotes, bracket depth, position in a
  word, position in the line of verse, start of a line, a marked span) and the Pearson correlation r_j = corr(s, h[:, j]) of
  every unit with it; units ranked by |r_j|.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from ..core.gates import FLOW_ORDER
from ..core.model import LayerTrace, Trace

PATTERNS = ("quotes", "parens", "word_position", "line_position", "line_start", "span")
QUOTES = "\"'"
OPEN, CLOSE = "([{", ")]}"
UNIT_ORDERS = ("index", "activity", "cluster")  # how the heatmap rows can be sorted


# ---------------------------------------------------------------- reading a whole trace
def trace_arrays(trace: Trace, layer: int = -1) -> dict[str, np.ndarray]:
    """The (T, H) arrays the gates page draws for one layer, in display order:
    the gates (LSTM input, forget, candidate, output; GRU update, reset, candidate), then
    "cell" (LSTM) and "hidden"."""
    return layer_arrays(trace.layers[layer], trace.kind)


def layer_arrays(lt: LayerTrace, kind: str) -> dict[str, np.ndarray]:
    """`trace_arrays` of one LayerTrace (e.g. one direction of a bidirectional layer)."""
    out = {name: lt.gates[name] for name in FLOW_ORDER[kind]}
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


# ----------------------------------------------------------------------------- saturation
@dataclass
class Saturation:
    """Per-unit saturation of one gate over a text.

    gate: the gate name; low: (H,) fraction of steps with the gate < 0.1;
    high: (H,) fraction of steps with the gate > 0.9.
    """

    gate: str
    low: np.ndarray
    high: np.ndarray


def gate_saturation(gates: dict[str, np.ndarray], low: float = 0.1, high: float = 0.9) -> list[Saturation]:
    """Saturation of every sigmoid gate in `gates` (name -> (T, H)); the tanh candidate is
    not a gate and is skipped. An RNN (no gates) gives []."""
    out = []
    for name, a in gates.items():
        if name == "candidate" or a.shape[0] == 0:
            continue
        out.append(Saturation(name, (a < low).mean(axis=0), (a > high).mean(axis=0)))
    return out


# ----------------------------------------------------------------------------- patterns
def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def quote_signal(tokens: list[str]) -> np.ndarray:
    """(T,) 1.0 while inside a '...' or "..." quote (after reading the opening quote, up to
    but not including the closing one), else 0. An apostrophe between two letters ("don't")
    is not a quote."""
    out = np.zeros(len(tokens))
    open_q = None
    for t, ch in enumerate(tokens):
        if ch in QUOTES:
            prev = tokens[t - 1] if t else " "
            nxt = tokens[t + 1] if t + 1 < len(tokens) else " "
            if open_q is None and not (ch == "'" and prev.isalpha() and nxt.isalpha()):
                open_q = ch
            elif ch == open_q:
                open_q = None
        out[t] = open_q is not None
    return out


def paren_signal(tokens: list[str]) -> np.ndarray:
    """(T,) bracket depth after reading each character: ( [ { open, ) ] } close, never < 0."""
    out = np.zeros(len(tokens))
    depth = 0
    for t, ch in enumerate(tokens):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        out[t] = depth
    return out


def word_position_signal(tokens: list[str]) -> np.ndarray:
    """(T,) 1, 2, 3, ... for the characters of a word (letters, digits, _), 0 elsewhere."""
    out = np.zeros(len(tokens))
    run = 0
    for t, ch in enumerate(tokens):
        run = run + 1 if _is_word_char(ch) else 0
        out[t] = run
    return out


def line_position_signal(tokens: list[str]) -> np.ndarray:
    """(T,) characters read since the last punctuation mark or line break: 1, 2, 3, ... and 0
    on the mark itself. In a line of classical verse (白日依山尽，) it counts 1..5, then 0 at "，"."""
    out = np.zeros(len(tokens))
    run = 0
    for t, ch in enumerate(tokens):
        run = 0 if ch == "\n" or unicodedata.category(ch).startswith("P") else run + 1
        out[t] = run
    return out


def line_start_signal(tokens: list[str]) -> np.ndarray:
    """(T,) 1.0 for the first character of every line (t = 0 or after a newline)."""
    return np.array([float(t == 0 or tokens[t - 1] == "\n") for t in range(len(tokens))])


def span_signal(length: int, start: int, end: int) -> np.ndarray:
    """(length,) 1.0 for positions start <= t < end (clipped to the text), else 0."""
    out = np.zeros(length)
    out[max(start, 0) : max(min(end, length), 0)] = 1.0
    return out


def pattern_signal(tokens: list[str], pattern: str, span: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The (T,) signal of one pattern in PATTERNS; `span` (start, end) is for "span"."""
    if pattern == "quotes":
        return quote_signal(tokens)
    if pattern == "parens":
        return paren_signal(tokens)
    if pattern == "word_position":
        return word_position_signal(tokens)
    if pattern == "line_position":
        return line_position_signal(tokens)
    if pattern == "line_start":
        return line_start_signal(tokens)
    if pattern == "span":
        return span_signal(len(tokens), *span)
    raise ValueError(f"unknown pattern {pattern!r}; expected one of {PATTERNS}")


@dataclass
class UnitRanking:
    """Units ranked by how well they follow a pattern.

    corr: (H,) Pearson correlation of each unit with the signal (0 for a constant unit);
    order: (H,) unit indices, largest |corr| first; constant: the signal never changes, so
    no unit can follow it (every corr is 0).
    """

    corr: np.ndarray
    order: np.ndarray
    constant: bool


def correlations(states: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """(H,) Pearson correlation of every column of states (T, H) with signal (T,); a column
    or signal that never changes gives 0."""
    x = states - states.mean(axis=0)
    s = signal - signal.mean()
    denom = np.sqrt((x**2).sum(axis=0) * (s**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (s @ x) / denom
    return np.where(denom > 1e-12, r, 0.0)


def rank_units(states: np.ndarray, signal: np.ndarray) -> UnitRanking:
    """Rank the units of states (T, H) by |correlation| with signal (T,), strongest first."""
    corr = correlations(states, signal)
    order = np.argsort(-np.abs(corr), kind="stable")
    return UnitRanking(corr, order, bool(signal.size == 0 or np.ptp(signal) == 0))


# ----------------------------------------------------------------------------- per step
# The per-step summaries of the gates page, per kind: (summary name, gate, "below" | "above",
# threshold). LSTM: units erasing their cell (forget shut) and writing hard (input wide open);
# GRU: units taking the candidate (update shut) and ignoring their past (reset shut).
STEP_SUMMARIES = {
    "lstm": (("forget_shut", "forget", "below", 0.1), ("input_open", "input", "above", 0.9)),
    "gru": (("update_shut", "update", "below", 0.1), ("reset_shut", "reset", "below", 0.1)),
}
FINDER_PATTERNS = ("quotes", "parens", "word_position", "line_start")  # found live, no input needed


def step_summaries(trace: Trace, layer: int = -1) -> dict[str, np.ndarray]:
    """At each step, the share of ALL the layer's units past a gate threshold (see
    STEP_SUMMARIES): summary name -> (T,) values in [0, 1]. An RNN has none: {}."""
    gates = trace.layers[layer].gates
    out = {}
    for name, gate, side, threshold in STEP_SUMMARIES.get(trace.kind, ()):
        a = gates[gate]
        out[name] = (a < threshold if side == "below" else a > threshold).mean(axis=1)
    return out


def peaks(series: np.ndarray, k: int = 5) -> np.ndarray:
    """The steps of the (at most) k highest local maxima of series (T,) that stand out, i.e.
    lie above mean + one standard deviation (none for a flat series); ascending step order."""
    s = np.asarray(series, dtype=float)
    if s.size < 2 or np.ptp(s) == 0:
        return np.array([], dtype=int)
    left = np.concatenate([[-np.inf], s[:-1]])
    right = np.concatenate([s[1:], [-np.inf]])
    candidates = np.flatnonzero((s >= left) & (s > right) & (s > s.mean() + s.std()))
    best = candidates[np.argsort(-s[candidates], kind="stable")[:k]]
    return np.sort(best)


@dataclass
class Tracker:
    """A unit that follows a pattern in this text: unit index, pattern (one of PATTERNS),
    Pearson r of its state with the pattern's signal."""

    unit: int
    pattern: str
    r: float


def pattern_units(
    tokens: list[str], states: np.ndarray, min_r: float = 0.5, per_pattern: int = 2
) -> list[Tracker]:
    """Units found live by the unit finder: for each pattern in FINDER_PATTERNS whose signal
    varies over `tokens`, its (at most) `per_pattern` units of states (T, H) with |r| >= min_r,
    strongest first; a unit is kept once, for its strongest pattern. Sorted by |r| descending."""
    found: dict[int, Tracker] = {}
    for pattern in FINDER_PATTERNS:
        ranking = rank_units(states, pattern_signal(tokens, pattern))
        if ranking.constant:
            continue
        for u in ranking.order[:per_pattern]:
            r = float(ranking.corr[u])
            if abs(r) >= min_r and (u not in found or abs(r) > abs(found[u].r)):
                found[int(u)] = Tracker(int(u), pattern, r)
    return sorted(found.values(), key=lambda tr: -abs(tr.r))


def interesting_first(arrays, trackers: list[Tracker], n: int) -> np.ndarray:
    """n units to show: the trackers' units first (strongest first), then the most active of
    the rest (see unit_activity), most active first. arrays: (T, H) arrays. Returns (n,)."""
    arrays = list(arrays)
    first = [tr.unit for tr in trackers][:n]
    activity = unit_activity(arrays)
    rest = [int(u) for u in np.argsort(-activity, kind="stable") if int(u) not in first]
    return np.array(first + rest[: max(n - len(first), 0)], dtype=int)


@dataclass
class CellScale:
    """A colour scale for cell states chosen from their measured distribution.

    median, top: the median and the 99th percentile of |c| over the values shown; bend: the
    s of the colour position asinh(c / s) / asinh(top / s), chosen so that the median sits
    half-way along either half of the colour bar (typical values told apart, the rare big
    counters still darkest)."""

    median: float
    top: float
    bend: float


def cell_scale(values: np.ndarray) -> CellScale:
    """CellScale of the cell states shown, values (T, n); a flat (all-zero) input gives a
    linear scale on [−1, 1]."""
    a = np.abs(np.asarray(values, dtype=float)).ravel()
    top = float(np.quantile(a, 0.99)) if a.size else 0.0
    median = float(np.median(a)) if a.size else 0.0
    if top <= 0 or median <= 0 or median >= top / 2:
        top = max(top, 1.0)
        return CellScale(median, top, top * 1e3)  # asinh(c / s) ≈ c / s: linear
    # asinh(m / s) / asinh(top / s) rises from m / top (s → ∞) to 1 (s → 0): bisect on log s
    lo, hi = np.log(top) - 40.0, np.log(top) + 40.0
    for _ in range(100):
        mid = (lo + hi) / 2
        s = np.exp(mid)
        if np.arcsinh(median / s) / np.arcsinh(top / s) > 0.5:
            lo = mid
        else:
            hi = mid
    return CellScale(median, top, float(np.exp((lo + hi) / 2)))


def top_next(probs: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The k likeliest next tokens after every step: probs (T, V) -> (ids (T, k), p (T, k)),
    most likely first (ties by token id, as Model.top_k)."""
    ids = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return ids, np.take_along_axis(probs, ids, axis=1)
