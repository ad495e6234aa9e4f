"""Attribution ‖∂ log p_t(y_t) / ∂x_s‖ against finite differences on the one-hot inputs."""

import numpy as np
import pytest
from gradcheck import numerical_gradient, rel_error

from lstm_engine import KINDS, ModelConfig, Vocab, init_model
from lstm_engine.analyses.attribution import Reach, attribution, blank_attribution, reach, scored_targets
from lstm_engine.core.cells import (
    gru_step_forward,
    gru_torch_step_forward,
    lstm_step_forward,
    rnn_step_forward,
)
from lstm_engine.core.sequence import softmax

TOL = 1e-6
TEXT = "abcabdfe"


def _model(kind: str, layers: int, seed: int = 0, **config):
    """A small random model with every array pushed off its init, so every term matters."""
    cfg = ModelConfig(kind=kind, hidden_size=5, num_layers=layers, seed=seed, **config)
    model = init_model(cfg, Vocab(list("abcdef")))
    rng = np.random.default_rng(seed + 10)
    for a in model.fused().values():
        a += rng.normal(scale=0.3, size=a.shape)
    return model


def _direction(model, p: dict, inputs: np.ndarray) -> np.ndarray:
    """(T, H) one direction of one layer over (T, D) dense inputs, step by step through the
    cells (the reference, independent of the fast loops and of any backward code)."""
    x_proj = inputs @ p["Wx"] + p["b"]
    H = p["Wh"].shape[0]
    h, c, hs = np.zeros((1, H)), np.zeros((1, H)), []
    for s in range(len(inputs)):
        x = x_proj[s : s + 1]
        if model.kind == "lstm":
            h, c, _ = lstm_step_forward(x, h, c, p["Wh"])
        elif model.variant == "torch":
            h, _ = gru_torch_step_forward(x, h, p["Wh"], p["bh"])
        else:
            h, _ = (gru_step_forward if model.kind == "gru" else rnn_step_forward)(x, h, p["Wh"])
        hs.append(h[0])
    return np.array(hs)


def dense_log_p(model, X: np.ndarray, t: int, y: int, side: str = "both") -> float:
    """log p_t(y) with the inputs as a dense (T, V) matrix X instead of one-hot ids."""
    inputs = X
    for k in range(model.num_layers):
        outs = [_direction(model, model.layers[k], inputs)]
        if model.bidirectional:
            outs.append(_direction(model, model.reverse[k], inputs[::-1])[::-1])
        inputs = np.concatenate(outs, axis=1)
    z, H = inputs[t].copy(), model.hidden_size
    if model.task == "blank":  # [h_fwd(t−1) | h_bwd(t+1)], the zero state beyond either end
        z[:H] = inputs[t - 1, :H] if t > 0 else 0.0
        z[H:] = inputs[t + 1, H:] if t + 1 < len(X) else 0.0
    if side == "forward":
        z[H:] = 0.0
    elif side == "backward":
        z[:H] = 0.0
    return float(np.log(softmax(z @ model.head["W_hq"] + model.head["b_q"])[y]))


def check_rows(model, got, side: str = "both", rows=None) -> None:
    """Every (chosen) row of `got` equals finite differences of dense_log_p on the inputs."""
    ids = model.encode(TEXT).ids
    X = np.eye(len(model.vocab))[ids]
    for r, t in enumerate(got.steps):
        if rows is not None and t not in rows:
            continue
        y = int(got.targets[r])

        def f(t=t, y=y):
            return np.array(dense_log_p(model, X, t, y, side))

        expected = np.linalg.norm(numerical_gradient(f, X, np.array(1.0)), axis=1)
        live = expected > 1e-9  # what can reach the prediction; the rest is rounding
        if live.any():  # (the left side alone has nothing to read at position 0)
            assert rel_error(got.norms[r, live], expected[live]) < TOL, (t, side)
        assert np.all(got.norms[r, ~live] < 1e-12), (t, side)
        assert got.log_p[r] == pytest.approx(f(), abs=1e-12)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", [*KINDS, "gru_torch"])
def test_every_row_matches_finite_differences(kind, layers):
    extra = {"variant": "torch"} if kind == "gru_torch" else {}
    model = _model(kind.split("_")[0], layers, seed=layers, **extra)
    got = attribution(model, model.encode(TEXT).ids)
    assert got.norms.shape == (len(TEXT), len(TEXT))
    check_rows(model, got)
    assert np.all(np.triu(got.norms, k=1) == 0)  # a left-to-right model cannot see the future
    for t in (0, 5, len(TEXT) - 1):  # one row alone takes the fast loops: the same numbers
        one = attribution(model, model.encode(TEXT).ids, steps=[t])
        np.testing.assert_allclose(one.norms[0], got.norms[t], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", [*KINDS, "gru_torch"])
def test_bidirectional_next_character_rows_match_finite_differences(kind, layers):
    extra = {"variant": "torch"} if kind == "gru_torch" else {}
    model = _model(kind.split("_")[0], layers, seed=layers + 3, bidirectional=True, **extra)
    got = attribution(model, model.encode(TEXT).ids, steps=[0, 3, 7])
    check_rows(model, got)
    assert np.all(got.norms[:, -1] > 0)  # it reads the whole text, the future too


@pytest.mark.parametrize("side", ["both", "forward", "backward"])
@pytest.mark.parametrize("kind", KINDS)
def test_blank_rows_match_finite_differences_for_each_side(kind, side):
    model = _model(kind, 1, seed=5, bidirectional=True, task="blank")
    ids = model.encode(TEXT).ids
    got = attribution(model, ids, steps=[0, 4, 7], side=side)
    assert got.targets.tolist() == ids[[0, 4, 7]].tolist()  # each character is its own blank
    check_rows(model, got, side)
    probs = getattr(model.blank_probs(TEXT), side)
    np.testing.assert_allclose(got.log_p, np.log(probs[[0, 4, 7], ids[[0, 4, 7]]]), rtol=1e-12)
    r = 1  # the blank at 4: never itself; the left side alone only before it, the right only after
    assert got.norms[r, 4] == 0
    if side == "forward":
        assert np.all(got.norms[r, 5:] == 0) and np.all(got.norms[r, :4] > 0)
    if side == "backward":
        assert np.all(got.norms[r, :4] == 0) and np.all(got.norms[r, 5:] > 0)


def test_blank_attribution_of_a_left_to_right_model_is_its_prediction_from_the_step_before():
    model = _model("lstm", 2)
    ids = model.encode(TEXT).ids
    full = attribution(model, ids)
    got = blank_attribution(model, ids, 5)
    assert got.steps.tolist() == [5] and got.targets.tolist() == [ids[5]]
    np.testing.assert_allclose(got.norms[0], full.norms[4], rtol=1e-12)
    first = blank_attribution(model, ids, 0)
    assert not first.norms.any()
    probs = model.blank_probs(TEXT).forward
    np.testing.assert_allclose([first.log_p[0], got.log_p[0]], np.log(probs[[0, 5], ids[[0, 5]]]), rtol=1e-12)
    with pytest.raises(ValueError):
        blank_attribution(model, ids, 5, side="backward")
    with pytest.raises(ValueError):
        attribution(model, ids, side="forward")


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


def test_reach_shares_and_spans():
    norms = np.array([1.0, 0.0, 3.0, 9.0, 4.0, 2.0, 0.0])  # the blank at 3 (its own norm ignored)
    r = reach(norms, 3)
    assert (r.left, r.right) == pytest.approx((0.4, 0.6))
    assert r.left_span == 3  # 0.9 × 4 = 3.6 needs 3, 0 and 1 back
    assert reach(norms, 3, fraction=0.5).left_span == 1  # 3 of 4 within one character
    assert reach(norms, 3).right_span == 2  # 4 + 2 = 6: 90% needs both characters
    edge = reach(norms, 0)
    assert edge.left == 0 and edge.left_span == 0 and edge.right == 1
    assert reach(np.zeros(4), 1) == Reach(0.0, 0.0, 0, 0)
