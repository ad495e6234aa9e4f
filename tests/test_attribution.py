"""Attribution ‖∂ log p_t(y_t) / ∂x_s‖ against finite differences on the one-hot inputs."""

import numpy as np
import pytest
from gradcheck import numerical_gradient, rel_error

from lstm_engine import KINDS, ModelConfig, Vocab, init_model
from lstm_engine.analyses.attribution import attribution, scored_targets
from lstm_engine.core.cells import gru_step_forward, lstm_step_forward, rnn_step_forward
from lstm_engine.core.sequence import softmax

TOL = 1e-6
TEXT = "abcabdfe"


def _model(kind: str, layers: int, seed: int = 0):
    model = init_model(
        ModelConfig(kind=kind, hidden_size=5, num_layers=layers, seed=seed), Vocab(list("abcdef"))
    )
    rng = np.random.default_rng(seed + 10)
    for a in model.fused().values():  # biases and weights off their init, so every term matters
        a += rng.normal(scale=0.3, size=a.shape)
    return model


def dense_log_p(model, X: np.ndarray, t: int, y: int) -> float:
    """log p_t(y) with the inputs as a dense (T, V) matrix X instead of one-hot ids: the
    reference forward, step by step through the cells (independent of the fast loops)."""
    inputs = X
    for p in model.layers:
        x_proj = inputs @ p["Wx"] + p["b"]
        H = p["Wh"].shape[0]
        h, c, hs = np.zeros((1, H)), np.zeros((1, H)), []
        for s in range(len(X)):
            if model.kind == "lstm":
                h, c, _ = lstm_step_forward(x_proj[s : s + 1], h, c, p["Wh"])
            else:
                step = gru_step_forward if model.kind == "gru" else rnn_step_forward
                h, _ = step(x_proj[s : s + 1], h, p["Wh"])
            hs.append(h[0])
        inputs = np.array(hs)
    logits = inputs[t] @ model.head["W_hq"] + model.head["b_q"]
    return float(np.log(softmax(logits)[y]))


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_every_row_matches_finite_differences(kind, layers):
    model = _model(kind, layers, seed=layers)
    ids = model.encode(TEXT).ids
    got = attribution(model, ids)
    assert got.norms.shape == (len(ids), len(ids))
    X = np.eye(len(model.vocab))[ids]
    for r, t in enumerate(got.steps):
        y = int(got.targets[r])
        grad = numerical_gradient(lambda t=t, y=y: np.array(dense_log_p(model, X, t, y)), X, np.array(1.0))
        expected = np.linalg.norm(grad, axis=1)
        assert rel_error(got.norms[r, : t + 1], expected[: t + 1]) < TOL, (kind, layers, t)
        assert np.all(expected[t + 1 :] < 1e-9)  # the future: zero up to rounding
        assert got.log_p[r] == pytest.approx(dense_log_p(model, X, t, y), abs=1e-12)


def test_the_future_never_counts_and_a_subset_equals_the_full_rows():
    model = _model("lstm", 2)
    ids = model.encode(TEXT).ids
    full = attribution(model, ids)
    assert np.all(np.triu(full.norms, k=1) == 0)
    assert np.all(np.diag(full.norms) > 0)
    some = attribution(model, ids, steps=[5, 2, 5])
    assert some.steps.tolist() == [2, 5]
    np.testing.assert_allclose(some.norms, full.norms[[2, 5]], rtol=1e-12, atol=0)


def test_targets_are_the_next_characters_and_the_top_choice_at_the_end():
    model = _model("gru", 1)
    ids = model.encode(TEXT).ids
    probs = model.run(TEXT).probs
    y = scored_targets(ids, probs)
    assert y[:-1].tolist() == ids[1:].tolist()
    assert y[-1] == np.argmax(probs[-1])
    assert attribution(model, ids).targets.tolist() == y.tolist()
    chosen = np.zeros_like(ids)  # scoring another character changes the gradient
    other = attribution(model, ids, targets=chosen)
    assert other.targets.tolist() == chosen.tolist()
    assert not np.allclose(other.norms, attribution(model, ids).norms)


def test_empty_and_out_of_range():
    model = _model("rnn", 1)
    empty = attribution(model, np.zeros(0, dtype=int))
    assert empty.norms.shape == (0, 0)
    with pytest.raises(ValueError):
        attribution(model, model.encode("abc").ids, steps=[3])
