"""The character-level model: a stack of LSTM, GRU or RNN layers and a softmax head.

`Model.run(text)` keeps every gate and state per step (the Trace the explorer draws);
`Model.loss_and_grads(text)` and `Model.gradient_norms(text)` are exact backprop through time.
A bidirectional model adds a backward direction to every layer (`Model.reverse`) and, with
task "blank", fills in each character from both sides (`Model.blank_probs`).
Parameters are stored fused per layer (see sequence.py) and exposed under the d2l names of
docs/design.md, e.g. "0/W_xi", as views: writing into a named view writes the fused array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fileformat, sequence
from .cells import sigmoid
from .errors import TextTooShort
from .gates import GATE_NAMES, GATE_TABLE, KINDS, REVERSE, named_views
from .vocab import Encoded, Vocab

# What the head reads: h_t, or [h_fwd(t−1) | h_bwd(t+1)] (sequence.py). "blank" needs one layer:
# above it, layer 2's forward direction would read layer 1's backward states at t−1, which have
# already read the blank at t.
TASKS = ("next", "blank")
VARIANTS = ("d2l", "torch")  # GRU forms: docs/design.md's, or PyTorch's (cells.py)
DIRECTIONS = ("forward", "backward")


@dataclass
class LayerTrace:
    """One layer's history over a text. Every array is (T, H), or (T, 2H) = [forward |
    backward] for a bidirectional layer (row t of the backward half: after reading T−1..t).

    gates: activations by gate name; pre: pre-activations by the same names
    ("hidden" for the RNN); c: cell state (LSTM only); h: hidden state.
    """

    gates: dict[str, np.ndarray]
    pre: dict[str, np.ndarray]
    c: np.ndarray | None
    h: np.ndarray

    def direction(self, name: str) -> LayerTrace:
        """The (T, H) half of one direction, "forward" or "backward" (views)."""
        H = self.h.shape[1] // 2
        cols = slice(0, H) if DIRECTIONS.index(name) == 0 else slice(H, 2 * H)

        def half(d):
            return {n: a[:, cols] for n, a in d.items()}

        return LayerTrace(
            half(self.gates), half(self.pre), None if self.c is None else self.c[:, cols], self.h[:, cols]
        )


@dataclass
class BlankProbs:
    """Fill in the blank at every position t: distributions (T, V) of character t.

    both: from both sides; forward: from the left side alone (the backward half of the head's
    input at its zero initial state: what the model says when nothing follows the blank);
    backward: from the right side alone. For a left-to-right model, forward is its
    next-character prediction from step t−1 (softmax(b_q) at t = 0) and both, backward are None.
    """

    tokens: list[str]
    ids: np.ndarray
    forward: np.ndarray
    backward: np.ndarray | None
    both: np.ndarray | None


@dataclass
class Trace:
    """Everything a run computed, step by step, from a zero state.

    tokens: the characters run (unknown ones as "\\uFFFD"); ids: (T,) token ids;
    layers: one LayerTrace per layer, bottom first; probs: (T, V) what the head says at each
    step (task "next": the next-character distribution after each character; "blank": the
    distribution of character t from all the others); unknown: (position, character) for every character
    outside the vocab; dropped: True when those were left out of the run. `gates`, `c` and
    `h` are the top layer's.
    """

    kind: str
    text: str
    tokens: list[str]
    ids: np.ndarray
    layers: list[LayerTrace]
    probs: np.ndarray
    unknown: list[tuple[int, str]] = field(default_factory=list)
    dropped: bool = False

    @property
    def gates(self) -> dict[str, np.ndarray]:
        return self.layers[-1].gates

    @property
    def c(self) -> np.ndarray | None:
        return self.layers[-1].c

    @property
    def h(self) -> np.ndarray:
        return self.layers[-1].h


@dataclass
class GradientNorms:
    """‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖ for the LSTM) for t = 0..T-1, for the loss at the last step.

    h, c: (T,) for the chosen layer; tokens: the T characters read; target: the character
    whose prediction at step T-1 is the loss.
    """

    h: np.ndarray
    c: np.ndarray | None
    tokens: list[str]
    target: str


class Model:
    """A character-level recurrent language model.

    kind: "lstm" | "gru" | "rnn"; vocab: the characters; layers: fused per-layer arrays
    {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)} (PyTorch's GRU form adds "bh": (H,));
    head: {"W_hq": (D*H, V), "b_q": (V,)}; reverse: the backward direction's layers, same
    shapes (None = left to right; D = 2 directions when given); task: "next" | "blank";
    variant: "d2l" | "torch" (GRU only).
    """

    def __init__(
        self,
        kind: str,
        vocab: Vocab,
        layers: list[dict],
        head: dict,
        reverse: list[dict] | None = None,
        task: str = "next",
        variant: str = "d2l",
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")
        if task not in TASKS or (task == "blank" and (reverse is None or len(layers) != 1)):
            raise ValueError(f"task must be one of {TASKS}; 'blank' needs a 1-layer bidirectional model")
        if variant not in VARIANTS or (variant == "torch" and kind != "gru"):
            raise ValueError(f"variant must be one of {VARIANTS}; 'torch' is a GRU form")
        self.kind, self.vocab, self.layers, self.head = kind, vocab, layers, head
        self.reverse, self.task, self.variant = reverse, task, variant

    @property
    def bidirectional(self) -> bool:
        return self.reverse is not None

    @property
    def cell(self) -> str:
        """The cell the sequence code runs: the kind, or "gru_torch" for PyTorch's GRU form."""
        return "gru_torch" if self.variant == "torch" else self.kind

    # ---------------------------------------------------------------- shape facts
    @property
    def hidden_size(self) -> int:
        return self.layers[0]["Wh"].shape[0]

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def dtype(self) -> np.dtype:
        return self.head["W_hq"].dtype

    @property
    def num_params(self) -> int:
        return sum(a.size for a in self.fused().values())

    # ---------------------------------------------------------------- parameters
    def fused(self) -> dict[str, np.ndarray]:
        """The stored arrays, keyed "{k}/Wx", "{k}/Wh", "{k}/b" (and "{k}/reverse/Wx", ... for
        the backward direction), "out/W_hq", "out/b_q"."""
        return fused_keys(self.layers, self.head, self.reverse)

    def params(self) -> dict[str, np.ndarray]:
        """Named views in the file-format keys of docs/design.md ("0/W_xi", ..., "out/b_q")."""
        return named_views(self.kind, self.layers, self.head, self.reverse)

    def _with(self, fn) -> Model:
        """A model of the same kind with every array replaced by fn(array)."""

        def each(ps):
            return None if ps is None else [{n: fn(a) for n, a in p.items()} for p in ps]

        head = {n: fn(a) for n, a in self.head.items()}
        return Model(
            self.kind, self.vocab, each(self.layers), head, each(self.reverse), self.task, self.variant
        )

    def copy(self) -> Model:
        """A deep copy (training mutates arrays in place)."""
        return self._with(np.copy)

    def astype(self, dtype) -> Model:
        """A copy with every array in `dtype` (float64 or float32)."""
        return self._with(lambda a: a.astype(dtype))

    def meta(self) -> dict[str, object]:
        """The model file's optional meta entries that differ from their defaults (docs/design.md)."""
        out: dict[str, object] = {}
        if self.bidirectional:
            out["meta/bidirectional"] = True
        if self.task != "next":
            out["meta/task"] = self.task
        if self.variant != "d2l":
            out["meta/variant"] = self.variant
        return out

    def save(self, path) -> None:
        """Write the model as an uncompressed lstm-explorer/1 .npz file (path or binary file).

        Raises ValueError for a vocab holding "\x00", which a numpy unicode array cannot keep.
        """
        fileformat.write(path, self.kind, self.vocab.chars, self.params(), self.meta())

    # ---------------------------------------------------------------- running
    def encode(self, text: str) -> Encoded:
        """Token ids for `text`, with out-of-vocab characters reported."""
        return self.vocab.encode(text)

    def forward(self, ids: np.ndarray, state=None):
        """Batched forward, see sequence.forward. ids: (B, T)."""
        return sequence.forward(self.cell, self.layers, self.head, ids, state, self.reverse, self.task)

    def _backward(self, dlogits: np.ndarray, caches) -> sequence.Backward:
        return sequence.backward(
            self.cell, self.layers, self.head, dlogits, caches, None, self.reverse, self.task
        )

    def run(self, text: str) -> Trace:
        """Read `text` from a zero state, keeping every gate and state per step."""
        enc = self.encode(text)
        logits, caches, _ = self.forward(enc.ids[None, :])
        layers = [self._layer_trace(lc) for lc in caches]
        probs = sequence.softmax(logits[0])
        return Trace(self.kind, text, enc.tokens, enc.ids, layers, probs, enc.unknown, enc.dropped)

    def _layer_trace(self, lc: sequence.LayerCache) -> LayerTrace:
        """(T, H) gate and state histories for batch row 0 of a layer's caches; (T, 2H) =
        [forward | backward] in text order for a bidirectional layer."""
        fwd = self._direction_trace(lc)
        if lc.reverse is None:
            return fwd
        bwd = self._direction_trace(lc.reverse)

        def join(a, b):
            return np.concatenate([a, b[::-1]], axis=1)

        return LayerTrace(
            {n: join(a, bwd.gates[n]) for n, a in fwd.gates.items()},
            {n: join(a, bwd.pre[n]) for n, a in fwd.pre.items()},
            None if fwd.c is None else join(fwd.c, bwd.c),
            join(fwd.h, bwd.h),
        )

    def _direction_trace(self, lc: sequence.LayerCache) -> LayerTrace:
        """One direction's (T, H) histories, in that direction's own time order."""
        H, T = self.hidden_size, lc.hs.shape[0]
        table = GATE_TABLE[self.kind]
        pre = sequence.step_preactivations(lc.steps)[:, 0] if T else np.zeros((0, len(table) * H))
        pre_d = {g.name: pre[:, j * H : (j + 1) * H] for j, g in enumerate(table)}
        act = {"sigmoid": sigmoid, "tanh": np.tanh}
        gates = {g.name: act[g.activation](pre_d[g.name]) for g in table if g.name in GATE_NAMES[self.kind]}
        c = lc.cs[:, 0] if lc.cs is not None else None
        return LayerTrace(gates, pre_d, c, lc.hs[:, 0])

    def _pairs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, targets) for scoring ids (B, T): the next character (task "next": both
        (B, T−1)), or every character itself (task "blank": both (B, T))."""
        return (ids[:, :-1], ids[:, 1:]) if self.task == "next" else (ids, ids)

    def blank_probs(self, text: str) -> BlankProbs:
        """Fill in every character of `text` as a blank (see BlankProbs); distributions (T, V)."""
        enc = self.encode(text)
        both, fwd, bwd = self.blank_logits(enc.ids[None, :])
        sm = sequence.softmax
        return BlankProbs(
            enc.tokens,
            enc.ids,
            sm(fwd[0]),
            None if bwd is None else sm(bwd[0]),
            None if both is None else sm(both[0]),
        )

    def blank_logits(self, ids: np.ndarray):
        """(both, forward, backward) logits (B, T, V) of each character of ids (B, T) as a
        blank, from a zero state (BlankProbs says what each is; both, backward None for a
        left-to-right model)."""
        logits, caches, _ = self.forward(ids)
        W, b = self.head["W_hq"], self.head["b_q"]
        if not self.bidirectional:  # x_t was predicted at step t−1; at t = 0 from h = 0
            first = np.broadcast_to(b, (ids.shape[0], 1, b.size))
            return None, np.concatenate([first, logits[:, :-1]], axis=1), None
        if self.task != "blank":
            raise ValueError("a bidirectional model fills in blanks only with task 'blank'")
        H = self.hidden_size
        z = sequence.head_input(caches[-1], self.task).transpose(1, 0, 2)  # (B, T, 2H)
        return logits, z[..., :H] @ W[:H] + b, z[..., H:] @ W[H:] + b

    def loss_and_grads(self, text: str) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy (nats) of predicting text[1:] from text[:-1] (task "blank":
        every character from all the others), from a zero state.

        Returns (loss, grads) with grads keyed exactly like `params()`.
        """
        ids = self.encode(text).ids
        if len(ids) < 2:
            raise TextTooShort()
        return self.batch_loss_and_grads(*self._pairs(ids[None, :]))[:2]

    def batch_loss_and_grads(self, inputs: np.ndarray, targets: np.ndarray, state=None):
        """Loss and fused gradients on a batch; for the trainer.

        inputs, targets: (B, T) ids (task "blank": targets = inputs). Returns (loss,
        named_grads, fused_grads, final_state).
        """
        logits, caches, final = self.forward(inputs, state)
        loss, dlogits = sequence.cross_entropy(logits, targets)
        back = self._backward(dlogits, caches)
        lg, hg, rg = back.layer_grads, back.head_grads, back.reverse_grads
        return loss, named_views(self.kind, lg, hg, rg), fused_keys(lg, hg, rg), final

    def gradient_norms(self, text: str, layer: int = -1) -> GradientNorms:
        """‖∂L/∂h_t‖ and (LSTM) ‖∂L/∂c_t‖ for every step, where L is the cross-entropy of
        predicting the text's last character after reading the rest.

        This is the vanishing-gradient picture: how much the loss at the end can still
        'reach' step t. `layer` picks which layer's states (default: the top one).
        """
        enc = self.encode(text)
        if len(enc.ids) < 2:
            raise TextTooShort()
        ids, target = self._pairs(enc.ids[None, :])
        logits, caches, _ = self.forward(ids)
        mask = np.zeros(ids.shape)
        mask[0, -1] = 1.0
        _, dlogits = sequence.cross_entropy(logits, target, mask)
        back = self._backward(dlogits, caches)
        dh, dc = back.dh[layer][:, 0], back.dc[layer]
        return GradientNorms(
            np.linalg.norm(dh, axis=1),
            np.linalg.norm(dc[:, 0], axis=1) if dc is not None else None,
            enc.tokens[: ids.shape[1]],
            enc.tokens[-1],
        )

    # ---------------------------------------------------------------- predicting
    def top_k(self, probs: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """The k most likely characters of one distribution probs: (V,), most likely first."""
        idx = np.argsort(-probs, kind="stable")[:k]
        return [(self.vocab.chars[i], float(probs[i])) for i in idx]

    def sample(self, prefix: str, length: int, temperature: float = 1.0, seed: int = 0) -> str:
        """Generate `length` characters after `prefix` (temperature > 0; fixed seed ⇒ same text)."""
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        if self.task != "next" or self.bidirectional:
            raise ValueError("only a left-to-right model generates text")
        rng = np.random.default_rng(seed)
        ids = self.encode(prefix).ids
        if len(ids) == 0:
            ids = np.array([rng.integers(len(self.vocab))])
        logits, _, state = self.forward(ids[None, :])
        out = []
        for _ in range(length):
            p = sequence.softmax(logits[0, -1].astype(np.float64) / temperature)
            nxt = int(rng.choice(len(p), p=p))
            out.append(nxt)
            logits, _, state = self.forward(np.array([[nxt]]), state)
        return self.vocab.decode(out)


def fused_keys(layers: list[dict], head: dict, reverse: list[dict] | None = None) -> dict[str, np.ndarray]:
    """Fused arrays (or their gradients) under "{k}/Wx", ..., "{k}/reverse/Wx", ..., "out/W_hq"."""
    out = {f"{k}/{n}": a for k, p in enumerate(layers) for n, a in p.items()}
    for k, p in enumerate(reverse or []):
        out.update({f"{k}/{REVERSE}{n}": a for n, a in p.items()})
    out.update({f"out/{n}": a for n, a in head.items()})
    return out
