"""core/reference.py, the readable min-char-rnn-style LSTM, computes what the fast path computes."""

from pathlib import Path

import numpy as np
import pytest

from lstm_engine import UNK, ModelConfig, Vocab, init_model
from lstm_engine.core import reference

VOCAB = Vocab(list("abc (')\n") + [UNK])
TEXT = "a (b) 'c'\nabba (c"


@pytest.fixture(params=[0, 1])
def model(request):
    m = init_model(ModelConfig(kind="lstm", hidden_size=6, seed=request.param, forget_bias=0.7), VOCAB)
    for a in m.params().values():  # nonzero biases too, so every term is exercised
        a += np.random.default_rng(request.param).normal(0, 0.3, a.shape)
    return m


def unprefixed(model) -> dict[str, np.ndarray]:
    """The model's parameters under the reference's names ("0/W_xi" -> "W_xi")."""
    return {k.split("/", 1)[1]: v.copy() for k, v in model.params().items()}


def test_forward_keeps_the_trace_of_the_fast_path(model):
    ids = model.encode(TEXT).ids
    xs, gs, cs, hs, ps = reference.forward(ids, unprefixed(model))
    trace = model.run(TEXT)
    T = len(ids) - 1
    assert sorted(xs) == sorted(ps) == list(range(T)) and sorted(hs) == list(range(-1, T))
    for t in range(T):
        i, f, o, g = gs[t]
        for name, a in (("input", i), ("forget", f), ("output", o), ("candidate", g)):
            np.testing.assert_allclose(a, trace.gates[name][t], rtol=0, atol=1e-12)
        np.testing.assert_allclose(cs[t], trace.c[t], rtol=0, atol=1e-12)
        np.testing.assert_allclose(hs[t], trace.h[t], rtol=0, atol=1e-12)
        np.testing.assert_allclose(ps[t], trace.probs[t], rtol=0, atol=1e-12)


def test_loss_and_every_gradient_equal_the_fast_path(model):
    ids = model.encode(TEXT).ids
    loss, grads = reference.loss_and_grads(ids, unprefixed(model))
    fast_loss, fast = model.loss_and_grads(TEXT)
    assert abs(loss - fast_loss) <= 1e-10 * abs(fast_loss)
    assert set(grads) == {k.split("/", 1)[1] for k in fast}
    for key, g in fast.items():
        np.testing.assert_allclose(grads[key.split("/", 1)[1]], g, rtol=1e-10, atol=1e-12)


def test_the_gradient_of_the_reference_is_the_slope_of_its_loss(model):
    """Independently of the fast path: a central difference along a random direction."""
    p = unprefixed(model)
    ids = model.encode(TEXT).ids
    _, grads = reference.loss_and_grads(ids, p)
    rng = np.random.default_rng(5)
    direction = {k: rng.normal(size=v.shape) for k, v in p.items()}
    eps = 1e-5
    plus = {k: v + eps * direction[k] for k, v in p.items()}
    minus = {k: v - eps * direction[k] for k, v in p.items()}
    slope = (reference.loss_and_grads(ids, plus)[0] - reference.loss_and_grads(ids, minus)[0]) / (2 * eps)
    predicted = sum(float((grads[k] * direction[k]).sum()) for k in p)
    assert abs(slope - predicted) <= 1e-6 * max(1.0, abs(predicted))


def test_the_lesson_code_is_the_step_function():
    src = reference.step_source()
    assert src.startswith("def lstm_step(") and "c = f * c_prev + i * g" in src


def test_the_reference_stays_short():
    assert len(Path(reference.__file__).read_text(encoding="utf-8").splitlines()) <= 110


def test_the_one_step_page_shows_the_lesson_code():
    from pagetest import open_page

    at = open_page("one_step")  # opens on the shipped LSTM
    assert not at.exception
    assert reference.step_source().rstrip() in [c.value.rstrip() for c in at.code]
