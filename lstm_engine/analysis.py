"""Analyses behind the "RNN vs LSTM memory" and "Inside the cells" pages. Pure NumPy.

Notation: T steps read, H units, d = T-1-t the distance of step t from the end.

- Gradient through time: g_h(d) = ‖∂L/∂h_{T-1-d}‖ (and g_c(d) = ‖∂L/∂c_{T-1-d}‖ for the LSTM's
  cell path) for the loss L of predicting the last character. Each curve is shown relative to
  its own last-step value, g(d) / g(0), so kinds with different output scales compare fairly;
  `fall_below` finds the first distance where a curve drops under 1% of g(0).
- State divergence: ‖Δh_t‖ = ‖h_t(text) − h_t(text with the first character changed)‖: how
  long the first character still moves the state.
- Gate saturation (Karpathy, Johnson & Fei-Fei 2015): per unit, the fraction of steps a gate
  is below 0.1 (left-saturated, closed) and above 0.9 (right-saturated, open).
- Unit finder: a per-step pattern signal s_t (inside quotes, bracket depth, position in a
  word, start of a line, a marked span) and the Pearson correlation r_j = corr(s, h[:, j]) of
  every unit with it; units ranked by |r_j|.
- What if: Δc_t, Δh_t between the states of an original and an edited sentence, position by
  position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .init import ModelConfig, init_model, set_recurrent_radius
from .model import Model
from .vocab import Vocab

MAX_LENGTH = 500  # longest sequence the gradient view runs
THRESHOLD = 0.01  # "vanished": below 1% of the last-step value
PATTERNS = ("quotes", "parens", "word_position", "line_start", "span")
QUOTES = "\"'"
OPEN, CLOSE = "([{", ")]}"


# ----------------------------------------------------------------------------- models
def with_knobs(model: Model, radius: float | None = None, forget_bias: float | None = None) -> Model:
    """A copy of `model` with every recurrent block W_h* rescaled to spectral radius `radius`
    and (LSTM only) every forget-gate bias b_f set to `forget_bias`; None leaves it as is."""
    out = model.copy()
    if radius is not None:
        set_recurrent_radius(out, radius)
    if forget_bias is not None and out.kind == "lstm":
        for name, b in out.params().items():
            if name.endswith("/b_f"):
                b[...] = forget_bias
    return out


def fresh_model(
    kind: str,
    vocab: Vocab,
    hidden_size: int = 128,
    radius: float = 1.0,
    forget_bias: float = 1.0,
    seed: int = 0,
) -> Model:
    """A freshly initialised one-layer model (Xavier), its recurrent blocks at spectral
    radius `radius` and (LSTM) forget-gate bias `forget_bias`. Deterministic for `seed`."""
    config = ModelConfig(
        kind=kind, hidden_size=hidden_size, forget_bias=forget_bias, recurrent_radius=radius, seed=seed
    )
    return init_model(config, vocab)


def as_float64(model: Model) -> Model:
    """`model` itself if it is float64, else a float64 copy: shipped models are float32,
    whose rounding (~1e-7 relative) would otherwise show up as a floor under tiny norms."""
    return model if model.dtype == np.float64 else model.astype(np.float64)


def fit_length(text: str, length: int) -> str:
    """`text` repeated (or cut) to exactly `length` characters; "" for an empty text."""
    if not text or length <= 0:
        return ""
    reps = -(-length // len(text))
    return (text * reps)[:length]


# ----------------------------------------------------------------------------- gradients
@dataclass
class GradientCurve:
    """One curve of the vanishing-gradient chart.

    label: e.g. "RNN", "LSTM", "LSTM cell"; kind: the model kind; path: "h" or "c".
    distance: (T,) 0..T-1, steps from the end; norm: (T,) ‖∂L/∂h‖ (or ‖∂L/∂c‖) at that
    distance (norm[d] is step T-1-d); relative: (T,) norm / norm[0];
    below: first distance where relative < THRESHOLD, None if it never drops that low;
    decay: the factor the norm is multiplied by per step back over the far half of the
    curve (see `decay_per_step`), None when it cannot be fitted;
    overflow: the distance at which the norm exploded past what floating point holds (inf or
    NaN): the arrays stop just before it, so every value kept is finite; None if it never did;
    zero: the gradient at the last step is exactly 0 (e.g. saturated units or a model certain
    of the answer), so there is no curve relative to it (relative is all 0, below None).
    """

    label: str
    kind: str
    path: str
    distance: np.ndarray
    norm: np.ndarray
    relative: np.ndarray
    below: int | None
    decay: float | None = None
    overflow: int | None = None
    zero: bool = False


def fall_below(relative: np.ndarray, threshold: float = THRESHOLD) -> int | None:
    """First index where `relative` (T,) is below `threshold`, None if never."""
    hits = np.flatnonzero(relative < threshold)
    return int(hits[0]) if hits.size else None


def decay_per_step(relative: np.ndarray) -> float | None:
    """The per-step factor r of a least-squares fit log10 g(d) ≈ a + d·log10 r over the far
    half of a curve (d ≥ T/2, positive values only): r < 1 vanishes, r > 1 explodes.
    Local wiggles average out, so two models compare by one number. None if < 4 points."""
    d = np.arange(relative.size)
    keep = (d >= relative.size // 2) & (relative > 0)
    if keep.sum() < 4:
        return None
    slope = np.polyfit(d[keep], np.log10(relative[keep]), 1)[0]
    return float(10.0**slope)


def _curve(label: str, kind: str, path: str, norms_by_step: np.ndarray) -> GradientCurve:
    """Reverse (T,) per-step norms into distance order and normalise by the last step.

    Exploding gradients can overflow: the curve is cut before the first non-finite value
    (see GradientCurve.overflow), so a chart never receives inf or NaN."""
    norm = np.asarray(norms_by_step, dtype=np.float64)[::-1].copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        last = norm[0] if norm.size else 0.0
        relative = norm / last if last > 0 else np.zeros_like(norm)
    bad = np.flatnonzero(~(np.isfinite(norm) & np.isfinite(relative)))
    overflow = int(bad[0]) if bad.size else None
    if overflow is not None:
        norm, relative = norm[:overflow], relative[:overflow]
    zero = bool(norm.size and norm[0] == 0)
    return GradientCurve(
        label,
        kind,
        path,
        np.arange(norm.size),
        norm,
        relative,
        None if zero else fall_below(relative),
        None if zero else decay_per_step(relative),
        overflow,
        zero,
    )


def gradient_curves(models: dict[str, Model], text: str) -> list[GradientCurve]:
    """The h-path curve of every model (label -> model) and the cell path of each LSTM.

    text: at least two known characters; the loss is predicting its last one.
    """
    curves = []
    for label, model in models.items():
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported, see _curve
            g = as_float64(model).gradient_norms(text)
        curves.append(_curve(label, model.kind, "h", g.h))
        if g.c is not None:
            curves.append(_curve(f"{label} cell", model.kind, "c", g.c))
    return curves


# ----------------------------------------------------------------------------- divergence
@dataclass
class Divergence:
    """How long one changed character keeps moving the state.

    label, kind: the model; dh: (T,) ‖Δh_t‖; dc: (T,) ‖Δc_t‖ (LSTM) or None;
    original, changed: the two token lists (same length T).
    """

    label: str
    kind: str
    dh: np.ndarray
    dc: np.ndarray | None
    original: list[str]
    changed: list[str]


def replace_first(text: str, vocab: Vocab, replacement: str | None = None) -> str:
    """`text` with its first character replaced: by `replacement`, or by the first vocab
    character (in the order "xX#" then the vocab) that differs from it."""
    if not text:
        return text
    if replacement is None:
        candidates = [ch for ch in "xX#" if ch in vocab.index] + list(vocab.chars)
        replacement = next(ch for ch in candidates if ch != text[0])
    return replacement + text[1:]


def state_divergence(label: str, model: Model, text: str, changed: str) -> Divergence:
    """‖Δh_t‖ (and ‖Δc_t‖) between runs of `text` and `changed`, t < the shorter length
    (computed in float64)."""
    model = as_float64(model)
    a, b = model.run(text), model.run(changed)
    n = min(len(a.tokens), len(b.tokens))
    dh = np.linalg.norm(a.h[:n] - b.h[:n], axis=1)
    dc = np.linalg.norm(a.c[:n] - b.c[:n], axis=1) if a.c is not None else None
    return Divergence(label, model.kind, dh, dc, a.tokens[:n], b.tokens[:n])


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


__all__ = [
    "MAX_LENGTH",
    "PATTERNS",
    "THRESHOLD",
    "Divergence",
    "EditDelta",
    "GradientCurve",
    "Saturation",
    "UnitRanking",
    "align_edit",
    "as_float64",
    "correlations",
    "decay_per_step",
    "edit_delta",
    "fall_below",
    "fit_length",
    "fresh_model",
    "gate_saturation",
    "gradient_curves",
    "line_start_signal",
    "paren_signal",
    "pattern_signal",
    "quote_signal",
    "rank_units",
    "replace_first",
    "span_signal",
    "state_divergence",
    "with_knobs",
    "word_position_signal",
]
