"""Against PyTorch itself, float64: bidirectional nn.LSTM / nn.GRU / nn.RNN (1-3 layers) and any
nn.GRU (PyTorch's form) convert to models whose states, outputs, loss and every gradient equal
torch's (relative error < 1e-10); also the blank-filling head, built in torch by hand."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import rel_error
from test_torch_convert import TEXT, VOCAB, V

from lstm_engine import from_torch_state_dict
from lstm_engine.core.model import Model

torch = pytest.importorskip("torch")
TOL = 1e-10
H = 5
CLASSES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def _net(kind: str, layers: int, bidirectional: bool, seed: int):
    torch.manual_seed(seed)
    rnn = getattr(torch.nn, CLASSES[kind])(
        V, H, num_layers=layers, bidirectional=bidirectional, batch_first=True
    )
    fc = torch.nn.Linear(H * (2 if bidirectional else 1), V)
    rnn, fc = rnn.double(), fc.double()
    with torch.no_grad():  # push the weights off PyTorch's small uniform init so every term matters
        for p in [*rnn.parameters(), *fc.parameters()]:
            p.add_(0.3 * torch.randn_like(p))
    return rnn, fc


def _state(rnn, fc, grads: bool = False) -> dict[str, np.ndarray]:
    """The nets' parameters (or their .grad) as a NumPy state dict with our converter's keys."""

    def value(p):
        return (p.grad if grads else p).detach().numpy().copy()

    state = {f"rnn.{n}": value(p) for n, p in rnn.named_parameters()}
    state.update({f"fc.{n}": value(p) for n, p in fc.named_parameters()})
    return state


def _named_grads(rnn, fc, kind: str) -> dict[str, np.ndarray]:
    """torch's gradients under our parameter names. Our bias is b_ih + b_hh, so its gradient is
    that of either one: zero the b_hh gradients the converter would add a second time (all but
    the GRU candidate's b_hn, which stays apart as our b_hh)."""
    g = _state(rnn, fc, grads=True)
    for key in [k for k in g if "bias_hh" in k]:
        if kind == "gru":
            g[key][: 2 * H] = 0.0
        else:
            g[key][:] = 0.0
    return from_torch_state_dict(g, kind, VOCAB, rnn_prefix="rnn.").params()


def _onehot(ids: np.ndarray):
    return torch.nn.functional.one_hot(torch.as_tensor(ids)[None], V).double()


CASES = [(k, n, True) for k in CLASSES for n in (1, 2, 3)] + [("gru", 1, False), ("gru", 2, False)]


@pytest.mark.parametrize("kind, layers, bidirectional", CASES)
def test_states_outputs_and_every_gradient_equal_torch(kind, layers, bidirectional):
    rnn, fc = _net(kind, layers, bidirectional, seed=layers)
    model = from_torch_state_dict(_state(rnn, fc), kind, VOCAB, rnn_prefix="rnn.")
    assert model.bidirectional == bidirectional and model.num_layers == layers
    assert model.variant == ("torch" if kind == "gru" else "d2l")
    trace = model.run(TEXT)
    out, final = rnn(_onehot(trace.ids))
    h_n, c_n = final if kind == "lstm" else (final, None)
    assert rel_error(trace.h, out[0].detach().numpy()) < TOL
    D = 2 if bidirectional else 1
    for k, layer in enumerate(trace.layers):  # every layer's last state, each direction
        assert rel_error(layer.h[-1, :H], h_n[k * D, 0].detach().numpy()) < TOL
        if bidirectional:
            assert rel_error(layer.h[0, H:], h_n[k * D + 1, 0].detach().numpy()) < TOL
        if kind == "lstm":
            assert rel_error(layer.c[-1, :H], c_n[k * D, 0].detach().numpy()) < TOL
    ids = trace.ids
    logits = fc(rnn(_onehot(ids[:-1]))[0])[0]
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(ids[1:]))
    loss.backward()
    ours, grads = model.loss_and_grads(TEXT)
    assert abs(ours - loss.item()) < TOL * abs(loss.item())
    expected = _named_grads(rnn, fc, kind)
    assert set(grads) == set(expected)
    for name, g in grads.items():
        assert rel_error(g, expected[name]) < TOL, name


@pytest.mark.parametrize("kind", list(CLASSES))
def test_the_blank_head_and_its_gradients_equal_torch(kind):
    """Fill in the blank, in torch by hand: logits_t = fc([h_fwd(t−1) | h_bwd(t+1)]), zeros
    beyond the ends, scored on character t itself."""
    rnn, fc = _net(kind, 1, True, seed=11)
    converted = from_torch_state_dict(_state(rnn, fc), kind, VOCAB, rnn_prefix="rnn.")
    model = Model(
        kind, VOCAB, converted.layers, converted.head, converted.reverse, "blank", converted.variant
    )
    ids = model.encode(TEXT).ids
    out = rnn(_onehot(ids))[0]
    zero = torch.zeros(1, 1, H, dtype=torch.float64)
    z = torch.cat([torch.cat([zero, out[:, :-1, :H]], 1), torch.cat([out[:, 1:, H:], zero], 1)], -1)
    logits = fc(z)[0]
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(ids))
    loss.backward()
    probs = torch.softmax(logits, -1).detach().numpy()
    assert rel_error(model.blank_probs(TEXT).both, probs) < TOL
    ours, grads = model.loss_and_grads(TEXT)
    assert abs(ours - loss.item()) < TOL * abs(loss.item())
    expected = _named_grads(rnn, fc, kind)
    for name, g in grads.items():
        assert rel_error(g, expected[name]) < TOL, name
