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


RECURRENT_BIAS = "b_hh"  # PyTorch's GRU form only: the candidate's recurrent bias, fused key "bh"


def fuse_layer(kind: str, named: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """One layer's fused arrays {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)} from its d2l
    names `{prefix}W_x{s}` (D, H), `{prefix}W_h{s}` (H, H), `{prefix}b_{s}` (H,) (fresh arrays);
    plus "bh" (H,) from `{prefix}b_hh` when present (PyTorch's GRU form)."""
    sfx = SUFFIXES[kind]
    out = {
        "Wx": np.concatenate([named[f"{prefix}W_x{s}"] for s in sfx], axis=1),
        "Wh": np.concatenate([named[f"{prefix}W_h{s}"] for s in sfx], axis=1),
        "b": np.concatenate([named[f"{prefix}b_{s}"] for s in sfx]),
    }
    if f"{prefix}{RECURRENT_BIAS}" in named:
        out["bh"] = np.array(named[f"{prefix}{RECURRENT_BIAS}"])
    return out


def split_layer(kind: str, fused: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """Inverse of `fuse_layer`, as views: writing into a named array writes the fused one."""
    H = fused["Wh"].shape[0]
    out = {}
    for s in SUFFIXES[kind]:
        cols = block(kind, s, H)
        out[f"{prefix}W_x{s}"] = fused["Wx"][:, cols]
        out[f"{prefix}W_h{s}"] = fused["Wh"][:, cols]
        out[f"{prefix}b_{s}"] = fused["b"][cols]
    if "bh" in fused:
        out[f"{prefix}{RECURRENT_BIAS}"] = fused["bh"]
    return out


REVERSE = "reverse/"  # key infix of a layer's backward direction: "0/reverse/W_xi"


def named_views(kind: str, layers: list[dict], head: dict, reverse: list[dict] | None = None) -> dict:
    """A model's fused arrays under the file's d2l keys ("0/W_xi", ..., "out/b_q"; the backward
    direction's as "0/reverse/W_xi", ...), as views."""
    out = {}
    for k, p in enumerate(layers):
        out.update(split_layer(kind, p, f"{k}/"))
        if reverse is not None:
            out.update(split_layer(kind, reverse[k], f"{k}/{REVERSE}"))
    out["out/W_hq"], out["out/b_q"] = head["W_hq"], head["b_q"]
    return out


def fuse(kind: str, named: dict[str, np.ndarray], num_layers: int, bidirectional: bool = False):
    """Inverse of `named_views`: (layers, head, reverse) of fresh fused arrays from the d2l
    keys (reverse None unless bidirectional)."""
    layers = [fuse_layer(kind, named, f"{k}/") for k in range(num_layers)]
    reverse = (
        [fuse_layer(kind, named, f"{k}/{REVERSE}") for k in range(num_layers)] if bidirectional else None
    )
    head = {"W_hq": np.ascontiguousarray(named["out/W_hq"]), "b_q": np.ascontiguousarray(named["out/b_q"])}
    return layers, head, reverse
