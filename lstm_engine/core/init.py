"""Seeded initialisation of fresh models.

Xavier/Glorot uniform per gate block (the d2l and PyTorch-style default) or the small
normal N(0, 0.01²) of min-char-rnn; biases zero except the LSTM forget gate, whose bias
(default 1.0) keeps the cell open at the start of training (Gers et al. 2000; Jozefowicz
et al. 2015). `recurrent_radius` rescales each recurrent block to a chosen spectral radius,
the knob that shows vanishing (< 1) and exploding (> 1) gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gates import KINDS, NUM_BLOCKS, block
from .model import Model
from .vocab import Vocab


@dataclass
class ModelConfig:
    """Architecture and initialisation of a fresh model."""

    kind: str = "lstm"  # "lstm", "gru" or "rnn"
    hidden_size: int = 128  # H, units per layer
    num_layers: int = 1  # stacked layers, 1-3
    init: str = (
        "xavier"  # "xavier" (Glorot uniform), "normal" (N(0, 0.01²), min-char-rnn), "torch" (U(±1/√H))
    )
    forget_bias: float = 1.0  # LSTM forget-gate bias b_f at the start
    recurrent_radius: float | None = None  # rescale each W_h block to this spectral radius
    seed: int = 0  # seeds np.random.Generator: same seed ⇒ same weights
    dtype: str = "float64"  # "float64" or "float32"
    bidirectional: bool = False  # add a backward direction to every layer
    task: str = "next"  # "next" (the head reads h_t) or "blank" (fill in; 1 bidirectional layer)
    variant: str = "d2l"  # GRU only: "d2l" (docs/design.md) or "torch" (PyTorch's nn.GRU form)


INITS = ("xavier", "normal", "torch")


def weight_block(rng: np.random.Generator, fan_in: int, fan_out: int, init: str, hidden: int) -> np.ndarray:
    """One (fan_in, fan_out) weight block of a model with `hidden` units per layer: Glorot
    uniform, N(0, 0.01²), or PyTorch's recurrent-layer default U(±1/√hidden)."""
    if init == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    if init == "normal":
        return rng.normal(0.0, 0.01, size=(fan_in, fan_out))
    if init == "torch":
        limit = 1.0 / np.sqrt(hidden)
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    raise ValueError(f"unknown init {init!r}; expected one of {INITS}")


def spectral_radius(W: np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def set_recurrent_radius(model: Model, radius: float) -> Model:
    """Rescale, in place, every square recurrent block W_h* to spectral radius `radius`."""
    for name, W in model.params().items():
        if "/W_h" in name and W.shape[0] == W.shape[1] and name != "out/W_hq":
            rho = spectral_radius(W)
            if rho > 0:
                W *= radius / rho
    return model


def init_layer(rng: np.random.Generator, config: ModelConfig, D: int) -> dict[str, np.ndarray]:
    """One layer direction's fused arrays for input width D: {"Wx": (D, G*H), "Wh": (H, G*H),
    "b": (G*H,)}, drawn block by block (W_x blocks, then W_h blocks) from `rng`; biases zero
    but the LSTM forget gate's (config.forget_bias)."""
    H, G = config.hidden_size, NUM_BLOCKS[config.kind]
    b = np.zeros(G * H)
    if config.kind == "lstm":
        b[block("lstm", "f", H)] = config.forget_bias
    p = {
        "Wx": np.concatenate([weight_block(rng, D, H, config.init, H) for _ in range(G)], axis=1),
        "Wh": np.concatenate([weight_block(rng, H, H, config.init, H) for _ in range(G)], axis=1),
        "b": b,
    }
    if config.variant == "torch":
        p["bh"] = np.zeros(H)
    return p


def init_model(config: ModelConfig, vocab: Vocab) -> Model:
    """A fresh model for `vocab`, deterministic for `config.seed`."""
    if config.kind not in KINDS:
        raise ValueError(f"unknown kind {config.kind!r}; expected one of {KINDS}")
    if not 1 <= config.num_layers <= 3:
        raise ValueError("num_layers must be 1, 2 or 3")
    if not 1 <= config.hidden_size <= 1024:
        raise ValueError("hidden_size must be between 1 and 1024")
    rng = np.random.default_rng(config.seed)
    H, V = config.hidden_size, len(vocab)
    D = 2 if config.bidirectional else 1
    # draw order: forward layers, head, backward layers (a left-to-right model is unchanged)
    layers = [init_layer(rng, config, V if k == 0 else D * H) for k in range(config.num_layers)]
    head = {"W_hq": weight_block(rng, D * H, V, config.init, H), "b_q": np.zeros(V)}
    reverse = None
    if config.bidirectional:
        reverse = [init_layer(rng, config, V if k == 0 else D * H) for k in range(config.num_layers)]
    model = Model(config.kind, vocab, layers, head, reverse, config.task, config.variant)
    if config.recurrent_radius is not None:
        set_recurrent_radius(model, config.recurrent_radius)
    return model.astype(np.dtype(config.dtype)) if config.dtype != "float64" else model
