"""Engine maths the lessons need (lstm_engine.analyses): the output bound of an LSTM cell and
how fast a retention curve falls, checked against the engine's own step."""

import numpy as np
import pytest

from lstm_engine.analyses import memory, step


def test_output_never_exceeds_the_bound_on_random_cells():
    """H = O·tanh(C) < tanh(|C|) for every unit of many random cells (the engine's step)."""
    for seed in range(20):
        bd = step.tiny_random("lstm", seed=seed, scale=2.0).step()
        assert np.all(np.abs(bd.h) < step.output_bound(bd.c))
        assert np.all(np.abs(bd.h) > 0)


def test_bound_and_cell_needed_are_inverse():
    c = np.array([0.0, 0.3, 1.0, 2.5])
    np.testing.assert_allclose(step.cell_needed(step.output_bound(c)), c, atol=1e-12)
    np.testing.assert_allclose(step.output_bound(-c), step.output_bound(c))
    assert step.cell_needed(1.0) == np.inf and step.cell_needed(-1.5) == np.inf


def test_boss_raise_cannot_output_the_storys_value():
    bd = step.boss_raise().step()
    assert np.all(step.output_bound(bd.c) < 0.9)  # the popular story's h ≈ 0.9
    assert np.all(step.cell_needed(0.9) > np.abs(bd.c))


def test_first_below_counts_steps_read():
    curve = np.array([0.9, 0.6, 0.4, 0.2])
    assert step.first_below(curve, 0.5) == 3
    assert step.first_below(curve, 0.1) is None
    kept = step.memory_retention(step.forget_bias_cell(0.0), steps=30)
    k0, k1 = (step.first_below(kept[b].mean(axis=1), 0.5) for b in (0.0, 1.0))
    assert k0 is not None and k1 is not None and k0 < k1
    with pytest.raises(ValueError):
        step.memory_retention(step.tiny_random("gru"), steps=3)


# ---------------------------------------------------------------- radius and clipping (analyses/memory.py)
def small_text_and_vocab():
    from lstm_engine import Vocab

    text = memory.fit_length("the cat sat on the mat. ", 41)
    return text, Vocab.from_text(text)


def test_decay_by_radius_is_each_fresh_models_fitted_factor():
    text, vocab = small_text_and_vocab()
    radii = (0.5, 1.0, 3.0)
    factors = memory.decay_by_radius("rnn", vocab, text, radii, hidden_size=16)
    for r, f in zip(radii, factors, strict=True):
        curve = memory.gradient_curves({"rnn": memory.fresh_model("rnn", vocab, 16, r)}, text)[0]
        assert f == pytest.approx(curve.decay)
    assert factors[0] < 1 < factors[-1]  # small radius fades, large radius explodes
    assert memory.first_growing(radii, factors) == radii[int(np.flatnonzero(factors > 1)[0])]
    assert memory.first_growing(radii, np.array([0.5, 0.9, 0.99])) is None


def test_clip_factor_scales_the_gradient_to_the_threshold():
    text, vocab = small_text_and_vocab()
    model = memory.fresh_model("rnn", vocab, 16, 3.0)
    norm, factor = memory.clip_factor(model, text, 1.0)
    _, grads = model.loss_and_grads(text)
    assert norm == pytest.approx(np.sqrt(sum(float((g**2).sum()) for g in grads.values())))
    assert norm > 1 and factor == pytest.approx(1.0 / norm)
    _, unclipped = memory.clip_factor(model, text, 10 * norm)
    assert unclipped == 1.0
