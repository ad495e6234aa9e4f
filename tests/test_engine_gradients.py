"""Finite-difference checks of every step backward and of full BPTT, all kinds, 1 and 2 layers."""

import numpy as np
import pytest
from gradcheck import numerical_gradient, rel_error

from lstm_engine import KINDS, ModelConfig, Vocab, init_model
from lstm_engine.core.cells import (
    GATES,
    gru_step_backward,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from lstm_engine.core.sequence import cross_entropy

TOL = 1e-6
B, H = 3, 4


def _inputs(G, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(B, G * H)),
        rng.normal(size=(B, H)),
        rng.normal(size=(B, H)),
        rng.normal(size=(H, G * H)) * 0.5,
    )


def test_lstm_step_backward_matches_finite_differences():
    x_proj, h_prev, c_prev, Wh = _inputs(4)
    rng = np.random.default_rng(1)
    dh, dc_next = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    h, c, cache = lstm_step_forward(x_proj, h_prev, c_prev, Wh)
    da, dh_prev, dc_prev, dc = lstm_step_backward(dh, dc_next, cache, Wh)

    def out():  # a scalar-weighted output of both states, so dh and dc_next both matter
        h_, c_, _ = lstm_step_forward(x_proj, h_prev, c_prev, Wh)
        return np.concatenate([h_, c_])

    up = np.concatenate([dh, dc_next])
    assert rel_error(da, numerical_gradient(out, x_proj, up)) < TOL
    assert rel_error(dh_prev, numerical_gradient(out, h_prev, up)) < TOL
    assert rel_error(dc_prev, numerical_gradient(out, c_prev, up)) < TOL
    assert rel_error(h_prev.T @ da, numerical_gradient(out, Wh, up)) < TOL
    # dc is the total ∂L/∂c_t: perturbing c_t directly through h = o * tanh(c) plus dc_next
    o = cache[3][:, 2 * H :]
    assert np.allclose(dc, dc_next + dh * o * (1 - np.tanh(c) ** 2))


@pytest.mark.parametrize(
    "kind, fwd, bwd",
    [("gru", gru_step_forward, gru_step_backward), ("rnn", rnn_step_forward, rnn_step_backward)],
)
def test_gru_and_rnn_step_backward_match_finite_differences(kind, fwd, bwd):
    x_proj, h_prev, _, Wh = _inputs(GATES[kind], seed=2)
    dh = np.random.default_rng(3).normal(size=(B, H))
    _, cache = fwd(x_proj, h_prev, Wh)
    da, dh_prev = bwd(dh, cache, Wh)

    def out():
        return fwd(x_proj, h_prev, Wh)[0]

    assert rel_error(da, numerical_gradient(out, x_proj, dh)) < TOL
    assert rel_error(dh_prev, numerical_gradient(out, h_prev, dh)) < TOL


def _model(kind, layers, seed=0):
    vocab = Vocab(list("abcdef"))
    return init_model(ModelConfig(kind=kind, hidden_size=5, num_layers=layers, seed=seed), vocab)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_full_bptt_matches_finite_differences(kind, layers):
    model = _model(kind, layers, seed=layers)
    # push the biases off zero so every term is exercised
    rng = np.random.default_rng(7)
    for p in model.params().values():
        p += rng.normal(scale=0.5, size=p.shape)
    text = "abcfedace"
    loss, grads = model.loss_and_grads(text)
    assert set(grads) == set(model.params())
    for name, p in model.params().items():
        num = numerical_gradient(lambda: np.array(model.loss_and_grads(text)[0]), p, np.array(1.0))
        assert rel_error(grads[name], num) < TOL, name


@pytest.mark.parametrize("kind", KINDS)
def test_gradient_norms_match_finite_differences_on_states(kind):
    """‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ from BPTT equal finite differences of the last-step loss with
    respect to the state after step t: run text[:t+1], perturb the state, run the rest.
    c_t is perturbed as the graph sees it, so h_t = o_t ⊙ tanh(c_t) moves with it."""
    model = _model(kind, 1, seed=5)
    text = "abcabcabcd"
    norms = model.gradient_norms(text)
    ids = model.encode(text).ids
    assert norms.h.shape == (len(ids) - 1,)
    assert (kind == "lstm") == (norms.c is not None)
    trace = model.run(text[:-1])

    def loss_from(t, h, c):
        if t + 1 < len(ids) - 1:
            logits = model.forward(ids[None, t + 1 : -1], [(h, c)])[0]
        else:  # t is the last step read: the head reads h directly
            logits = (h @ model.head["W_hq"] + model.head["b_q"])[None]
        return np.array(cross_entropy(logits[:, -1:], ids[None, -1:])[0])

    for t in (0, 3, len(ids) - 2):
        _, _, state = model.forward(ids[None, : t + 1])
        h, c = state[0]
        dh = numerical_gradient(lambda t=t, h=h, c=c: loss_from(t, h, c), h, np.array(1.0))
        assert abs(np.linalg.norm(dh) - norms.h[t]) < 1e-9
        if kind == "lstm":
            o = trace.gates["output"][t]
            dc = numerical_gradient(lambda t=t, o=o, c=c: loss_from(t, o * np.tanh(c), c), c, np.array(1.0))
            assert abs(np.linalg.norm(dc) - norms.c[t]) < 1e-9
