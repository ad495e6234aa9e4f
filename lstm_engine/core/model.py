"""The character-level model: a stack of LSTM, GRU or RNN layers and a softmax head.

`Model.run(text)` keeps every gate and state per step (the Trace the explorer draws);
`Model.loss_and_grads(text)` and `Model.gradient_norms(text)` are exact backprop through time.
Parameters are stored fused per layer (see sequence.py) and exposed under the d2l names of
design.md, e.g. "0/W_xi", as views: writing into a named view writes the fused array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fileformat, sequence
from .cells import sigmoid
from .gates import GATE_NAMES, GATE_TABLE, KINDS, named_views
from .vocab import Encoded, Vocab


@dataclass
class LayerTrace:
    """One layer's history over a text. Every array is (T, H).

    gates: activations by gate name; pre: pre-activations by the same names
    ("hidden" for the RNN); c: cell state (LSTM only); h: hidden state.
    """

    gates: dict[str, np.ndarray]
    pre: dict[str, np.ndarray]
    c: np.ndarray | None
    h: np.ndarray


@dataclass
class Trace:
    """Everything a run computed, step by step, from a zero state.

    tokens: the characters run (unknown ones as "\\uFFFD"); ids: (T,) token ids;
    layers: one LayerTrace per layer, bottom first; probs: (T, V) next-character
    distribution after each character; unknown: (position, character) for every character
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
    {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)}; head: {"W_hq": (H, V), "b_q": (V,)}.
    """

    def __init__(self, kind: str, vocab: Vocab, layers: list[dict], head: dict) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")
        self.kind, self.vocab, self.layers, self.head = kind, vocab, layers, head

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
        """The stored arrays, keyed "{k}/Wx", "{k}/Wh", "{k}/b", "out/W_hq", "out/b_q"."""
        out = {f"{k}/{n}": a for k, p in enumerate(self.layers) for n, a in p.items()}
        out.update({f"out/{n}": a for n, a in self.head.items()})
        return out

    def params(self) -> dict[str, np.ndarray]:
        """Named views in the file-format keys of design.md ("0/W_xi", ..., "out/b_q")."""
        return named_views(self.kind, self.layers, self.head)

    def copy(self) -> Model:
        """A deep copy (training mutates arrays in place)."""
        return Model(
            self.kind,
            self.vocab,
            [{n: a.copy() for n, a in p.items()} for p in self.layers],
            {n: a.copy() for n, a in self.head.items()},
        )

    def astype(self, dtype) -> Model:
        """A copy with every array in `dtype` (float64 or float32)."""
        m = self.copy()
        for p in [*m.layers, m.head]:
            for n in p:
                p[n] = p[n].astype(dtype)
        return m

    def save(self, path) -> None:
        """Write the model as an uncompressed lstm-explorer/1 .npz file (path or binary file).

        Raises ValueError for a vocab holding "\x00", which a numpy unicode array cannot keep.
        """
        fileformat.write(path, self.kind, self.vocab.chars, self.params())

    # ---------------------------------------------------------------- running
    def encode(self, text: str) -> Encoded:
        """Token ids for `text`, with out-of-vocab characters reported."""
        return self.vocab.encode(text)

    def forward(self, ids: np.ndarray, state=None):
        """Batched forward, see sequence.forward. ids: (B, T)."""
        return sequence.forward(self.kind, self.layers, self.head, ids, state)

    def run(self, text: str) -> Trace:
        """Read `text` from a zero state, keeping every gate and state per step."""
        enc = self.encode(text)
        logits, caches, _ = self.forward(enc.ids[None, :])
        layers = [self._layer_trace(lc) for lc in caches]
        probs = sequence.softmax(logits[0])
        return Trace(self.kind, text, enc.tokens, enc.ids, layers, probs, enc.unknown, enc.dropped)

    def _layer_trace(self, lc: sequence.LayerCache) -> LayerTrace:
        """Pull (T, H) gate and state histories for batch row 0 out of a layer's caches."""
        H, T = self.hidden_size, lc.hs.shape[0]
        table = GATE_TABLE[self.kind]
        pre = sequence.step_preactivations(lc.steps)[:, 0] if T else np.zeros((0, len(table) * H))
        pre_d = {g.name: pre[:, j * H : (j + 1) * H] for j, g in enumerate(table)}
        act = {"sigmoid": sigmoid, "tanh": np.tanh}
        gates = {g.name: act[g.activation](pre_d[g.name]) for g in table if g.name in GATE_NAMES[self.kind]}
        c = lc.cs[:, 0] if lc.cs is not None else None
        return LayerTrace(gates, pre_d, c, lc.hs[:, 0])

    def loss_and_grads(self, text: str) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy (nats) of predicting text[1:] from text[:-1], from a zero state.

        Returns (loss, grads) with grads keyed exactly like `params()`.
        """
        ids = self.encode(text).ids
        if len(ids) < 2:
            raise ValueError("need at least two known characters to compute a loss")
        return self.batch_loss_and_grads(ids[None, :-1], ids[None, 1:])[:2]

    def batch_loss_and_grads(self, inputs: np.ndarray, targets: np.ndarray, state=None):
        """Loss and fused gradients on a batch; for the trainer.

        inputs, targets: (B, T) ids. Returns (loss, named_grads, fused_grads, final_state).
        """
        logits, caches, final = self.forward(inputs, state)
        loss, dlogits = sequence.cross_entropy(logits, targets)
        back = sequence.backward(self.kind, self.layers, self.head, dlogits, caches)
        lg, hg = back.layer_grads, back.head_grads
        fused = {f"{k}/{n}": a for k, g in enumerate(lg) for n, a in g.items()}
        fused.update({f"out/{n}": a for n, a in hg.items()})
        return loss, named_views(self.kind, lg, hg), fused, final

    def gradient_norms(self, text: str, layer: int = -1) -> GradientNorms:
        """‖∂L/∂h_t‖ and (LSTM) ‖∂L/∂c_t‖ for every step, where L is the cross-entropy of
        predicting the text's last character after reading the rest.

        This is the vanishing-gradient picture: how much the loss at the end can still
        'reach' step t. `layer` picks which layer's states (default: the top one).
        """
        enc = self.encode(text)
        if len(enc.ids) < 2:
            raise ValueError("need at least two known characters")
        ids, target = enc.ids[None, :-1], enc.ids[None, 1:]
        logits, caches, _ = self.forward(ids)
        mask = np.zeros(ids.shape)
        mask[0, -1] = 1.0
        _, dlogits = sequence.cross_entropy(logits, target, mask)
        back = sequence.backward(self.kind, self.layers, self.head, dlogits, caches)
        dh, dc = back.dh[layer][:, 0], back.dc[layer]
        return GradientNorms(
            np.linalg.norm(dh, axis=1),
            np.linalg.norm(dc[:, 0], axis=1) if dc is not None else None,
            enc.tokens[:-1],
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
