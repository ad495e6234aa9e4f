"""Optimisers, gradient clipping and learning-rate schedules for the trainer.

Every optimiser updates a dict of arrays *in place* (the model's fused arrays) from a dict
of gradients with the same keys and shapes, and keeps its own moments in `state` so a run
can be paused and resumed exactly.

    SGD      w ← w − η g
    Adagrad  G ← G + g²;                 w ← w − η g / (√G + ε)        (min-char-rnn)
    Adam     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
             w ← w − η m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)   (Kingma & Ba 2015)
"""

from __future__ import annotations

import copy
import math

import numpy as np

OPTIMIZERS = ("adam", "sgd", "adagrad")
SCHEDULES = ("constant", "cosine")
CLIP_MODES = ("norm", "value")


class Optimizer:
    """Base class: `step(params, grads, lr)` updates params in place; `state` is resumable."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.state: dict = {"t": 0}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """A deep copy of the moments and step count."""
        return copy.deepcopy(self.state)

    def load_state_dict(self, state: dict) -> None:
        self.state = copy.deepcopy(state)


class SGD(Optimizer):
    """Plain stochastic gradient descent."""

    def step(self, params, grads, lr):
        self.state["t"] += 1
        for k, w in params.items():
            w -= (lr * grads[k]).astype(w.dtype, copy=False)


class Adagrad(Optimizer):
    """Adagrad: per-weight step sizes shrink with the sum of squared gradients."""

    def __init__(self, params, eps: float = 1e-8) -> None:
        super().__init__(params)
        self.eps = eps
        self.state["G"] = {k: np.zeros_like(w) for k, w in params.items()}

    def step(self, params, grads, lr):
        self.state["t"] += 1
        for k, w in params.items():
            G = self.state["G"][k]
            G += grads[k] * grads[k]
            w -= (lr * grads[k] / (np.sqrt(G) + self.eps)).astype(w.dtype, copy=False)


class Adam(Optimizer):
    """Adam with bias correction."""

    def __init__(self, params, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(params)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.state["m"] = {k: np.zeros_like(w) for k, w in params.items()}
        self.state["v"] = {k: np.zeros_like(w) for k, w in params.items()}

    def step(self, params, grads, lr):
        self.state["t"] += 1
        t, b1, b2 = self.state["t"], self.beta1, self.beta2
        step_size = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        eps_hat = self.eps * math.sqrt(1.0 - b2**t)  # ε applied to √v̂, folded into √v
        for k, w in params.items():
            g, m, v = grads[k], self.state["m"][k], self.state["v"][k]
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            w -= (step_size * m / (np.sqrt(v) + eps_hat)).astype(w.dtype, copy=False)


def make_optimizer(name: str, params: dict[str, np.ndarray]) -> Optimizer:
    """An optimiser by name ("adam", "sgd", "adagrad") with zero moments shaped like params."""
    classes = {"adam": Adam, "sgd": SGD, "adagrad": Adagrad}
    if name not in classes:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {OPTIMIZERS}")
    return classes[name](params)


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """√(Σ g²) over every gradient array, accumulated in float64 (inf/NaN pass through)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def clip_gradients(grads: dict[str, np.ndarray], clip: float, mode: str, norm: float) -> None:
    """Clip in place. mode "norm": rescale all gradients so the global norm is at most
    `clip` (Pascanu et al. 2013); "value": clamp every element to [−clip, clip] (the
    min-char-rnn way). clip <= 0 disables clipping. `norm` is the precomputed global norm."""
    if clip is None or clip <= 0:
        return
    if mode == "norm":
        if norm > clip:
            for g in grads.values():
                g *= clip / norm
    elif mode == "value":
        for g in grads.values():
            np.clip(g, -clip, clip, out=g)
    else:
        raise ValueError(f"unknown clip mode {mode!r}; expected one of {CLIP_MODES}")


def learning_rate(base: float, schedule: str, step: int, steps: int) -> float:
    """The learning rate for 0-based `step` of `steps`: constant, or cosine decay to 0."""
    if schedule == "constant":
        return base
    if schedule == "cosine":
        return base * 0.5 * (1.0 + math.cos(math.pi * step / max(steps, 1)))
    raise ValueError(f"unknown schedule {schedule!r}; expected one of {SCHEDULES}")
