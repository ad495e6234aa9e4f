"""The PyTorch converter: nn.LSTM / nn.RNN state dicts become models that compute the same thing.

Two independent checks of the gate mapping:
- always: against a NumPy re-implementation of PyTorch's own equations (gate order i, f, g, o;
  two biases b_ih + b_hh; weights stored (G*H, D) and applied as W x), so the mapping is
  tested even where torch is not installed;
- with torch installed: against torch itself, in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import UNK, ModelFormatError, Vocab, from_torch_state_dict

VOCAB = Vocab(list("abcde (.)\n") + [UNK])
V = len(VOCAB)
TEXT = "abc (de.)\nedcba😀 aa"  # the emoji maps to UNK, which is a vocab entry like any other


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def torch_reference(state: dict, kind: str, ids: np.ndarray, layers: int, emb_key=None, prefix="rnn."):
    """PyTorch's equations written out (docs of nn.LSTM / nn.RNN), column-vector convention.

    LSTM: i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)   (rows in that order)
          c = σ(f) c + σ(i) tanh(g);  h = σ(o) tanh(c)
    RNN:  h = tanh(W_ih x + b_ih + W_hh h + b_hh)
    Input x: the embedding row (emb_key given) or the one-hot character. Returns logits (T, V).
    """
    T = len(ids)
    xs = state[emb_key][ids] if emb_key else np.eye(V)[ids]
    for k in range(layers):
        W_ih, W_hh = state[f"{prefix}weight_ih_l{k}"], state[f"{prefix}weight_hh_l{k}"]
        b = state[f"{prefix}bias_ih_l{k}"] + state[f"{prefix}bias_hh_l{k}"]
        H = W_hh.shape[1]
        h, c, out = np.zeros(H), np.zeros(H), np.zeros((T, H))
        for t in range(T):
            a = W_ih @ xs[t] + W_hh @ h + b
            if kind == "lstm":
                i, f, g, o = a[:H], a[H : 2 * H], a[2 * H : 3 * H], a[3 * H :]
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
            else:
                h = np.tanh(a)
            out[t] = h
        xs = out
    return xs @ state["fc.weight"].T + state["fc.bias"]


def random_state(kind: str, H: int, layers: int, emb_dim: int | None, seed: int) -> dict:
    """A state dict with PyTorch's key names and shapes, filled with random numbers."""
    rng = np.random.default_rng(seed)
    G = 4 if kind == "lstm" else 1
    state = {}
    D = V
    if emb_dim:
        state["emb.weight"] = rng.normal(size=(V, emb_dim))
        D = emb_dim
    for k in range(layers):
        d = D if k == 0 else H
        state[f"rnn.weight_ih_l{k}"] = rng.normal(scale=0.6, size=(G * H, d))
        state[f"rnn.weight_hh_l{k}"] = rng.normal(scale=0.6, size=(G * H, H))
        state[f"rnn.bias_ih_l{k}"] = rng.normal(scale=0.5, size=G * H)
        state[f"rnn.bias_hh_l{k}"] = rng.normal(scale=0.5, size=G * H)
    state["fc.weight"] = rng.normal(size=(V, H))
    state["fc.bias"] = rng.normal(size=V)
    return state


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


CASES = [(kind, layers, emb) for kind in ("lstm", "rnn") for layers in (1, 2) for emb in (None, 3)]


@pytest.mark.parametrize("kind, layers, emb", CASES)
def test_converted_model_matches_pytorchs_equations_in_numpy(kind, layers, emb):
    H = 5
    state = random_state(kind, H, layers, emb, seed=layers * 10 + (emb or 0))
    model = from_torch_state_dict(
        state, kind, VOCAB, head_prefix="fc", embedding_key="emb.weight" if emb else None, rnn_prefix="rnn."
    )
    assert model.kind == kind and model.num_layers == layers and model.hidden_size == H
    trace = model.run(TEXT)
    ref = torch_reference(state, kind, trace.ids, layers, "emb.weight" if emb else None)
    assert np.allclose(trace.probs, _softmax(ref), rtol=0, atol=1e-12)
    # the gate mapping is visible in the named parameters too: PyTorch's rows 2H:3H are g (C̃)
    if kind == "lstm" and not emb:
        assert np.array_equal(model.params()["0/W_hc"], state["rnn.weight_hh_l0"][2 * H : 3 * H].T)
        assert np.array_equal(model.params()["0/W_xo"], state["rnn.weight_ih_l0"][3 * H :].T)
        b = state["rnn.bias_ih_l0"] + state["rnn.bias_hh_l0"]
        assert np.array_equal(model.params()["0/b_f"], b[H : 2 * H])


def test_the_reference_itself_is_sensitive_to_gate_order():
    """Guard against a vacuous pass: swapping PyTorch's g and o blocks changes the output."""
    H = 4
    state = random_state("lstm", H, 1, None, seed=1)
    ids = VOCAB.encode("abcabc").ids
    swapped = dict(state)
    for key in ("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0"):
        a = state[key]
        swapped[key] = np.concatenate([a[: 2 * H], a[3 * H :], a[2 * H : 3 * H]])
    assert not np.allclose(torch_reference(state, "lstm", ids, 1), torch_reference(swapped, "lstm", ids, 1))


def test_converted_model_saves_and_loads(tmp_path):
    from lstm_engine import load_model

    model = from_torch_state_dict(
        random_state("lstm", 4, 2, 3, 0), "lstm", VOCAB, embedding_key="emb.weight", rnn_prefix="rnn."
    )
    model.save(tmp_path / "converted.npz")
    assert np.array_equal(load_model(tmp_path / "converted.npz").run(TEXT).probs, model.run(TEXT).probs)


def test_lstm_without_biases_converts_with_zero_biases():
    state = {k: v for k, v in random_state("lstm", 3, 1, None, 2).items() if "bias_" not in k}
    model = from_torch_state_dict(state, "lstm", VOCAB, rnn_prefix="rnn.")
    assert not model.layers[0]["b"].any()
    full = dict(state, **{"rnn.bias_ih_l0": np.zeros(12), "rnn.bias_hh_l0": np.zeros(12)})
    assert np.allclose(model.run(TEXT).probs, _softmax(torch_reference(full, "lstm", model.run(TEXT).ids, 1)))


@pytest.mark.parametrize(
    "change, kind, message",
    [
        (lambda s: s, "transformer", "only nn.LSTM, nn.GRU and nn.RNN"),
        (
            lambda s: s.__setitem__("rnn.weight_ih_l0_reverse", np.zeros((8, V))),
            "lstm",
            "no key 'rnn.weight_hh_l0_reverse'",
        ),
        (lambda s: s.pop("rnn.weight_ih_l0"), "lstm", "no 'rnn.weight_ih_l0'"),
        (lambda s: s.pop("rnn.weight_hh_l0"), "lstm", "no key 'rnn.weight_hh_l0'"),
        (lambda s: s.pop("fc.weight"), "lstm", "no key 'fc.weight'"),
        (lambda s: s.__setitem__("rnn.weight_hr_l0", np.zeros((1, 2))), "lstm", "proj_size"),
        (lambda s: s.__setitem__("rnn.weight_hh_l0", np.zeros((7, 2))), "lstm", "shapes do not match"),
        (lambda s: s.__setitem__("rnn.bias_ih_l0", np.zeros((8, 1))), "lstm", "2 dimensions"),
        (lambda s: s.__setitem__("fc.weight", np.zeros((V + 1, 2))), "lstm", "out/b_q has shape|out/W_hq"),
        (lambda s: s.__setitem__("fc.bias", np.array(["x"] * V)), "lstm", "not a numeric array"),
        (lambda s: s.__setitem__("rnn.weight_hh_l0", np.full((8, 2), np.nan)), "lstm", "NaN"),
        (lambda s: s.__setitem__("rnn.weight_ih_l0", np.zeros((8, V + 2))), "lstm", r"0/W_xi has shape"),
    ],
)
def test_bad_state_dicts_raise_model_format_error(change, kind, message):
    state = random_state("lstm", 2, 1, None, 3)
    change(state)
    with pytest.raises(ModelFormatError, match=message):
        from_torch_state_dict(state, kind, VOCAB, rnn_prefix="rnn.")


# ---------------------------------------------------------------- against torch itself
@pytest.mark.parametrize("kind, layers, emb", CASES)
def test_converted_model_matches_torch_in_float64(kind, layers, emb):
    torch = pytest.importorskip("torch")
    torch.manual_seed(layers + 2 * (emb or 0))
    H = 6

    class CharModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            if emb:
                self.emb = torch.nn.Embedding(V, emb)
            cls = torch.nn.LSTM if kind == "lstm" else torch.nn.RNN
            self.rnn = cls(emb or V, H, num_layers=layers, batch_first=True)
            self.fc = torch.nn.Linear(H, V)

        def forward(self, ids):
            x = self.emb(ids) if emb else torch.nn.functional.one_hot(ids, V).double()
            return self.fc(self.rnn(x)[0])

    net = CharModel().double()
    with torch.no_grad():  # push biases off PyTorch's small uniform init so every term matters
        for p in net.parameters():
            p.add_(0.3 * torch.randn_like(p))
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    model = from_torch_state_dict(
        state, kind, VOCAB, embedding_key="emb.weight" if emb else None, rnn_prefix="rnn."
    )
    trace = model.run(TEXT)
    with torch.no_grad():
        logits = net(torch.as_tensor(trace.ids)[None])[0]
    expected = torch.softmax(logits, dim=-1).numpy()
    assert np.allclose(trace.probs, expected, rtol=0, atol=1e-12)
    # and the hidden states of the top layer, not just the outputs
    with torch.no_grad():
        x = (
            net.emb(torch.as_tensor(trace.ids)[None])
            if emb
            else torch.nn.functional.one_hot(torch.as_tensor(trace.ids)[None], V).double()
        )
        h_torch = net.rnn(x)[0][0].numpy()
    assert np.allclose(trace.h, h_torch, rtol=0, atol=1e-12)
