"""The gate table: for each model kind, its fused blocks in order. Every other table derives.

A layer stores its gate matrices fused column-wise (W_h = [W_h1 | W_h2 | ...], cells.py);
block j of that order is the gate `GATE_TABLE[kind][j]`, whose d2l parameters are
`W_x{suffix}`, `W_h{suffix}`, `b_{suffix}` and whose activation is σ or tanh. The RNN has a
single block, the new hidden state itself, named "hidden"; it is not a gate (a Trace keeps
it as `h`), so `GATE_NAMES["rnn"]` is empty.

This module also converts between the fused arrays and the d2l names, in both directions,
for a model, a file, or one layer of the tiny cell.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Gate(NamedTuple):
    """One fused block: name (as in a Trace), d2l suffix, activation."""

    name: str  # "input", "forget", ..., "hidden" for the RNN's one block
    suffix: str  # parameters W_x{suffix}, W_h{suffix}, b_{suffix}
    activation: str  # "sigmoid" or "tanh"


GATE_TABLE: dict[str, tuple[Gate, ...]] = {
    "lstm": (
        Gate("input", "i", "sigmoid"),
        Gate("forget", "f", "sigmoid"),
        Gate("output", "o", "sigmoid"),
        Gate("candidate", "c", "tanh"),
    ),
    "gru": (Gate("update", "z", "sigmoid"), Gate("reset", "r", "sigmoid"), Gate("candidate", "h", "tanh")),
    "rnn": (Gate("hidden", "h", "tanh"),),
}
RNN_BLOCK = "hidden"  # the name of the block that is the hidden state, not a gate

KINDS: tuple[str, ...] = tuple(GATE_TABLE)
NUM_BLOCKS = {kind: len(gates) for kind, gates in GATE_TABLE.items()}  # G, blocks per layer
SUFFIXES = {kind: tuple(g.suffix for g in gates) for kind, gates in GATE_TABLE.items()}
GATE_NAMES = {kind: tuple(g.name for g in gates if g.name != RNN_BLOCK) for kind, gates in GATE_TABLE.items()}
BLOCK_NAMES = {kind: tuple(g.name for g in gates) for kind, gates in GATE_TABLE.items()}
# The order information flows through a cell (gates, then candidate, then output), which is
# the order the pages draw a layer's gates in; a permutation of GATE_NAMES (a test checks).
FLOW_ORDER = {
    "lstm": ("input", "forget", "candidate", "output"),
    "gru": ("update", "reset", "candidate"),
    "rnn": (),
}


def block(kind: str, suffix: str, hidden: int) -> slice:
    """The columns of gate `suffix` in a layer's fused (·, G*H) arrays."""
    j = SUFFIXES[kind].index(suffix)
    return slice(j * hidden, (j + 1) * hidden)


def fuse_layer(kind: str, named: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """One layer's fused arrays {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)} from its d2l
    names `{prefix}W_x{s}` (D, H), `{prefix}W_h{s}` (H, H), `{prefix}b_{s}` (H,) (fresh arrays)."""
    sfx = SUFFIXES[kind]
    return {
        "Wx": np.concatenate([named[f"{prefix}W_x{s}"] for s in sfx], axis=1),
        "Wh": np.concatenate([named[f"{prefix}W_h{s}"] for s in sfx], axis=1),
        "b": np.concatenate([named[f"{prefix}b_{s}"] for s in sfx]),
    }


def split_layer(kind: str, fused: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """Inverse of `fuse_layer`, as views: writing into a named array writes the fused one."""
    H = fused["Wh"].shape[0]
    out = {}
    for s in SUFFIXES[kind]:
        cols = block(kind, s, H)
        out[f"{prefix}W_x{s}"] = fused["Wx"][:, cols]
        out[f"{prefix}W_h{s}"] = fused["Wh"][:, cols]
        out[f"{prefix}b_{s}"] = fused["b"][cols]
    return out


def named_views(kind: str, layers: list[dict], head: dict) -> dict[str, np.ndarray]:
    """A model's fused arrays under the file's d2l keys ("0/W_xi", ..., "out/b_q"), as views."""
    out = {}
    for k, p in enumerate(layers):
        out.update(split_layer(kind, p, f"{k}/"))
    out["out/W_hq"], out["out/b_q"] = head["W_hq"], head["b_q"]
    return out


def fuse(kind: str, named: dict[str, np.ndarray], num_layers: int) -> tuple[list[dict], dict]:
    """Inverse of `named_views`: (layers, head) of fresh fused arrays from the d2l keys."""
    layers = [fuse_layer(kind, named, f"{k}/") for k in range(num_layers)]
    return layers, {
        "W_hq": np.ascontiguousarray(named["out/W_hq"]),
        "b_q": np.ascontiguousarray(named["out/b_q"]),
    }
