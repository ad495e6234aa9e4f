"""PyTorch's GRU form (the reset gate after the matmul): its step pair against finite differences."""

import numpy as np
from gradcheck import numerical_gradient, rel_error

from lstm_engine.core.cells import gru_torch_step_backward, gru_torch_step_forward

TOL = 1e-6
B, H = 3, 4


def test_gru_torch_step_backward_matches_finite_differences():
    rng = np.random.default_rng(11)
    x_proj, h_prev = rng.normal(size=(B, 3 * H)), rng.normal(size=(B, H))
    Wh, b_hh = rng.normal(size=(H, 3 * H)) * 0.5, rng.normal(size=H)
    dh = rng.normal(size=(B, H))
    _, cache = gru_torch_step_forward(x_proj, h_prev, Wh, b_hh)
    da, dhn, dh_prev = gru_torch_step_backward(dh, cache, Wh)

    def out():
        return gru_torch_step_forward(x_proj, h_prev, Wh, b_hh)[0]

    assert rel_error(da, numerical_gradient(out, x_proj, dh)) < TOL
    assert rel_error(dh_prev, numerical_gradient(out, h_prev, dh)) < TOL
    assert rel_error(dhn.sum(axis=0), numerical_gradient(out, b_hh, dh)) < TOL
    dWh = np.concatenate([h_prev.T @ da[:, : 2 * H], h_prev.T @ dhn], axis=1)
    assert rel_error(dWh, numerical_gradient(out, Wh, dh)) < TOL


def test_the_torch_form_differs_from_the_d2l_form():
    """Guard against a vacuous variant: with the same weights the two forms disagree."""
    from lstm_engine.core.cells import gru_step_forward

    rng = np.random.default_rng(12)
    x_proj, h_prev, Wh = rng.normal(size=(B, 3 * H)), rng.normal(size=(B, H)), rng.normal(size=(H, 3 * H))
    torch_h = gru_torch_step_forward(x_proj, h_prev, Wh, np.zeros(H))[0]
    assert not np.allclose(torch_h, gru_step_forward(x_proj, h_prev, Wh)[0])
