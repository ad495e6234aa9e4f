"""Why an RNN forgets: gradient through time and state divergence. Pure NumPy.

Notation: T steps read, H units, d = T-1-t the distance of step t from the end.

- Gradient through time: g_h(d) = ‖∂L/∂h_{T-1-d}‖ (and g_c(d) = ‖∂L/∂c_{T-1-d}‖ for the LSTM's
  cell path) for the loss L of predicting the last character. Each curve is shown relative to
  its own last-step value, g(d) / g(0), so kinds with different output scales compare fairly;
  `fall_below` finds the first distance where a curve drops under 1% of g(0).
- State divergence: ‖Δh_t‖ = ‖h_t(text) − h_t(text with the first character changed)‖: how
  long the first character still moves the state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.init import ModelConfig, init_model, set_recurrent_radius
from ..core.model import Model
from ..core.vocab import Vocab
from ..training.optim import clip_gradients, global_norm

MAX_LENGTH = 500  # longest sequence the gradient view runs
THRESHOLD = 0.01  # "vanished": below 1% of the last-step value
HORIZON = 100  # steps over which a per-step factor is judged (see TRENDS)
# A per-step factor r is "vanishing" when it would take a signal below THRESHOLD within HORIZON
# steps (r < 0.01^(1/100) ≈ 0.955), "exploding" when it would grow it 1/THRESHOLD-fold within
# HORIZON steps (r > 100^(1/100) ≈ 1.047), and "steady" in between.
VANISHING_RATE = THRESHOLD ** (1.0 / HORIZON)
EXPLODING_RATE = (1.0 / THRESHOLD) ** (1.0 / HORIZON)
TRENDS = ("vanishing", "steady", "exploding")
DEFAULT_RADIUS = 0.9  # fresh weights: just under 1, where a plain RNN is stable and still forgets


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


def trend(c: GradientCurve) -> str | None:
    """ "vanishing", "steady" or "exploding" for a curve by its per-step factor against
    VANISHING_RATE / EXPLODING_RATE (a curve that overflowed is exploding); None when there is
    no factor (too short, or a zero gradient)."""
    if c.overflow is not None:
        return "exploding"
    if c.decay is None:
        return None
    if c.decay < VANISHING_RATE:
        return "vanishing"
    return "exploding" if c.decay > EXPLODING_RATE else "steady"


@dataclass
class RateLesson:
    """Two h-path curves whose first steps and per-step rates disagree: `early` falls below 1%
    first (`early.below` < `late.below`, or `late` never does) yet shrinks more slowly per step
    far from the end (`early.decay` > `late.decay`). `ratio`: early.relative[-1] /
    late.relative[-1], how many times more of its signal `early` keeps at the far end."""

    early: GradientCurve
    late: GradientCurve
    ratio: float


def rate_lesson(curves: list[GradientCurve]) -> RateLesson | None:
    """The first pair of h-path curves (in order) where crossing 1% first and vanishing
    fastest per step are different curves, or None when the first steps tell the truth."""
    hs = [c for c in curves if c.path == "h" and c.below is not None and c.decay is not None]
    for a in hs:
        for b in hs:
            if a.below < b.below and a.decay > b.decay and a.relative[-1] > b.relative[-1] > 0:
                return RateLesson(a, b, float(a.relative[-1] / b.relative[-1]))
    return None


def mean_gate(model: Model, text: str, gate: str) -> float:
    """The mean of one gate (e.g. the GRU's "update") over every unit and step of `text`."""
    return float(np.mean(model.run(text).gates[gate]))


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


# ----------------------------------------------------------------------------- memory tasks
def is_solved(accuracy: float, chance: float) -> bool:
    """A memory-task run counts as solved above halfway from chance to perfect."""
    return accuracy > chance + 0.5 * (1.0 - chance)


@dataclass
class SeedSummary:
    """The runs of one (task, kind, forget-gate bias) at one lag: how many seeds solved it,
    the mean and the best accuracy, and the chance level."""

    kind: str
    forget_bias: float
    solved: int
    runs: int
    mean: float
    best: float
    chance: float


def seed_summaries(rows: list[dict], task: str, lag: int) -> list[SeedSummary]:
    """One SeedSummary per (kind, forget_bias) of the result rows (assets/memory_results.csv
    rows: task, kind, lag, accuracy, chance, forget_bias) of `task` at `lag`, sorted by kind
    then bias."""
    groups: dict[tuple[str, float], list[tuple[float, float]]] = {}
    for r in rows:
        if r["task"] == task and int(r["lag"]) == lag:
            key = (r["kind"], float(r.get("forget_bias", 1.0)))
            groups.setdefault(key, []).append((float(r["accuracy"]), float(r["chance"])))
    out = []
    for (kind, fb), runs in sorted(groups.items()):
        acc = [a for a, _ in runs]
        chance = float(np.mean([c for _, c in runs]))
        solved = sum(is_solved(a, c) for a, c in runs)
        out.append(SeedSummary(kind, fb, solved, len(runs), float(np.mean(acc)), max(acc), chance))
    return out


# ----------------------------------------------------------------------------- radius and clipping
def decay_by_radius(
    kind: str,
    vocab: Vocab,
    text: str,
    radii,
    hidden_size: int = 128,
    forget_bias: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """The per-step factor of the h-path gradient curve (see `decay_per_step`) of a fresh
    `kind` model at each recurrent spectral radius: (len(radii),), < 1 where the gradient
    fades going back in time, > 1 where it grows (explodes); NaN where it cannot be fitted.
    Same seed for every radius, so only the radius changes."""
    out = []
    for r in radii:
        model = fresh_model(kind, vocab, hidden_size, float(r), forget_bias, seed)
        curve = gradient_curves({kind: model}, text)[0]
        out.append(np.nan if curve.decay is None else curve.decay)
    return np.array(out)


def first_growing(radii, factors: np.ndarray) -> float | None:
    """The smallest radius whose per-step factor is above 1 (the gradient explodes), None if none."""
    hits = np.flatnonzero(np.asarray(factors) > 1.0)
    return float(np.asarray(radii)[hits[0]]) if hits.size else None


def clip_factor(model: Model, text: str, max_norm: float) -> tuple[float, float]:
    """What global-norm clipping at `max_norm` does to the training gradient of `model` on
    `text`: (the gradient's global norm, the factor every gradient array is multiplied by,
    min(1, max_norm / norm)), measured by running the trainer's own clip_gradients on it."""
    _, grads = as_float64(model).loss_and_grads(text)
    norm = global_norm(grads)
    clipped = {k: g.copy() for k, g in grads.items()}
    clip_gradients(clipped, max_norm, "norm", norm)
    return norm, (global_norm(clipped) / norm if norm > 0 else 1.0)
