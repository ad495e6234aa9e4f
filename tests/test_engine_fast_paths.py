"""The sequence loops are written for speed (buffers, out=, precomputed factors); here they
must agree with the readable reference: the cells' step functions, step by step."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine.core.cells import (
    GATES,
    gru_step_forward,
    gru_torch_step_forward,
    lstm_step_forward,
    rnn_step_forward,
)
from lstm_engine.core.sequence import CELL_KIND, Steps, layer_backward, layer_forward

CELLS = tuple(CELL_KIND)  # the model kinds and PyTorch's GRU form

T, B, H = 7, 3, 5


def _setup(kind, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    G = GATES[CELL_KIND[kind]]
    x_proj = rng.normal(size=(T, B, G * H)).astype(dtype)
    Wh = (rng.normal(size=(H, G * H)) * 0.7).astype(dtype)
    h0 = rng.normal(size=(B, H)).astype(dtype)
    c0 = rng.normal(size=(B, H)).astype(dtype) if kind == "lstm" else None
    return x_proj, Wh, h0, c0


B_HH = np.random.default_rng(9).normal(size=H)  # PyTorch's GRU form only


def _b_hh(kind, dtype=np.float64):
    return B_HH.astype(dtype) if kind == "gru_torch" else None


def _reference_forward(kind, x_proj, Wh, h0, c0):
    h, c, hs, cs, caches = h0, c0, [], [], []
    for t in range(len(x_proj)):
        if kind == "lstm":
            h, c, cache = lstm_step_forward(x_proj[t], h, c, Wh)
            cs.append(c)
        elif kind == "gru":
            h, cache = gru_step_forward(x_proj[t], h, Wh)
        elif kind == "gru_torch":
            h, cache = gru_torch_step_forward(x_proj[t], h, Wh, B_HH)
        else:
            h, cache = rnn_step_forward(x_proj[t], h, Wh)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), (np.stack(cs) if cs else None), caches


@pytest.mark.parametrize("kind", CELLS)
def test_fast_forward_equals_the_cells_step_by_step(kind):
    x_proj, Wh, h0, c0 = _setup(kind)
    hs, cs, steps = layer_forward(kind, x_proj, Wh, h0, c0, _b_hh(kind))
    ref_hs, ref_cs, ref_steps = _reference_forward(kind, x_proj, Wh, h0, c0)
    assert isinstance(steps, Steps) and len(steps) == T
    assert np.allclose(hs, ref_hs, rtol=1e-13, atol=1e-14)
    if kind == "lstm":
        assert np.allclose(cs, ref_cs, rtol=1e-13, atol=1e-14)
    for t in range(T):  # every cache entry, same tuple layout as the cells'
        assert len(steps[t]) == len(ref_steps[t])
        for mine, ref in zip(steps[t], ref_steps[t], strict=True):
            assert mine.shape == ref.shape
            assert np.allclose(mine, ref, rtol=1e-13, atol=1e-14)
    assert len(list(steps)) == T and len(steps[1:3]) == 2 and steps[-1][0].shape == (B, H)
    # the inputs are not modified
    assert np.array_equal(x_proj, _setup(kind)[0]) and np.array_equal(h0, _setup(kind)[2])


@pytest.mark.parametrize("kind", CELLS)
def test_fast_backward_equals_the_cells_backward(kind):
    x_proj, Wh, h0, c0 = _setup(kind, seed=1)
    _, _, steps = layer_forward(kind, x_proj, Wh, h0, c0, _b_hh(kind))
    rng = np.random.default_rng(2)
    dhs = rng.normal(size=(T, B, H))
    dh_last = rng.normal(size=(B, H))
    dc_last = rng.normal(size=(B, H)) if kind == "lstm" else None
    kept = (dh_last.copy(), None if dc_last is None else dc_last.copy())
    fast = layer_backward(kind, dhs, steps, Wh, dh_last, dc_last)
    ref = layer_backward(kind, dhs, list(steps), Wh, dh_last, dc_last)  # a plain list: cells path
    for mine, theirs in zip(fast, ref, strict=True):
        if theirs is None:
            assert mine is None
        else:
            assert np.allclose(mine, theirs, rtol=1e-12, atol=1e-13)
    assert np.array_equal(dh_last, kept[0])  # the caller's arrays are not overwritten
    if kind == "lstm":
        assert np.array_equal(dc_last, kept[1])


@pytest.mark.parametrize("kind", CELLS)
def test_float32_stays_float32_and_close_to_float64(kind):
    x64, W64, h64, c64 = _setup(kind, seed=3)
    x32, W32, h32, c32 = _setup(kind, np.float32, seed=3)
    hs32, cs32, steps32 = layer_forward(kind, x32, W32, h32, c32, _b_hh(kind, np.float32))
    hs64, _, _ = layer_forward(kind, x64, W64, h64, c64, _b_hh(kind))
    assert hs32.dtype == np.float32 and steps32.a.dtype == np.float32
    assert np.allclose(hs32, hs64, atol=1e-5)
    da, dh0, *_ = layer_backward(kind, np.ones((T, B, H), np.float32), steps32, W32)
    assert da.dtype == np.float32 and dh0.dtype == np.float32


@pytest.mark.parametrize("kind", CELLS)
def test_zero_length_sequences(kind):
    x_proj, Wh, h0, c0 = _setup(kind)
    hs, cs, steps = layer_forward(kind, x_proj[:0], Wh, h0, c0, _b_hh(kind))
    assert hs.shape == (0, B, H) and len(steps) == 0
    da, dh0, dc0, dh_tot, _ = layer_backward(kind, np.zeros((0, B, H)), steps, Wh)
    assert da.shape[0] == 0 and np.array_equal(dh0, np.zeros((B, H)))
