"""Numerics: exploding weights, learning rates and gradients never reach a chart as inf/NaN
or crash a page; the page says what happened.

The models are the shipped ones with every weight multiplied (×10 makes the gradients
through 500 steps overflow float64; ×1e6 saturates every gate and makes the softmax put
probability exactly 0 on most characters), registered for the session the way the train
page registers a user's model."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from pagetest import ROOT, decode, finish_job, open_page, page_job, set_small
from streamlit.testing.v1 import AppTest

from explorer import jobs
from explorer.state import MODELS_DIR, USER_MODELS, job_pool
from lstm_engine import ModelConfig, load_model
from lstm_engine.analyses import memory, unit_stats

pytestmark = pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")
TEXT = 'print("Hello, world!")  # the (quotes) open and close'


def scaled(kind: str, factor: float):
    """A shipped model with every weight (and bias) multiplied by `factor`."""
    model = load_model(MODELS_DIR / f"{kind}.npz").copy()
    for w in model.fused().values():
        w *= factor
    return model


@pytest.fixture(scope="module")
def huge():
    return {k: scaled(k, 1e6) for k in ("lstm", "gru", "rnn")}


def keyed_figures(at) -> dict[str, dict]:
    """key -> the figure JSON (typed arrays decoded) of every plotly chart on the page."""
    return {e.proto.id.split("-", 2)[-1]: decode(json.loads(e.proto.spec)) for e in at.get("plotly_chart")}


def numbers(fig: dict) -> list[np.ndarray]:
    """Every numeric data array of a figure (x, y, z, customdata of every trace)."""
    out = []
    for trace in fig["data"]:
        for name in ("x", "y", "z", "customdata"):
            value = trace.get(name)
            if value is None:
                continue
            arr = np.asarray(value, dtype=object).ravel()
            nums = [v for v in arr if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
            if nums:
                out.append(np.asarray(nums, dtype=float))
    return out


def assert_finite(figs: dict[str, dict], nan_ok: tuple[str, ...] = ()) -> None:
    """No chart carries inf; NaN only in the charts that use it on purpose (`nan_ok`: the
    surprise strip's last column, the text grid's padding), None counting as NaN."""
    assert figs, "no chart drawn"
    for key, fig in figs.items():
        for arr in numbers(fig):
            assert not np.isinf(arr).any(), key
            if key not in nan_ok:
                assert not np.isnan(arr).any(), key


def page_with(name: str, models: dict, **widgets):
    """pages/NAME.py run once with these session models and widget values already set."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=90)
    at.session_state[USER_MODELS] = models
    for key, value in widgets.items():
        at.session_state[key] = value
    return at.run()


# ---------------------------------------------------------------- engine level
def test_surprise_is_finite_when_the_softmax_underflows(huge):
    for model in huge.values():
        trace = model.run(TEXT)
        assert (trace.probs == 0).any()  # the case that used to give −log2(0) = inf
        bits = unit_stats.surprise_bits(trace)
        assert np.isfinite(bits[:-1]).all() and np.isnan(bits[-1])
        assert np.nanmax(bits) <= -np.log2(1e-300) + 1e-9


def test_overflowing_gradients_are_cut_and_reported():
    text = memory.fit_length(TEXT, 501)
    curves = memory.gradient_curves({k: scaled(k, 10.0) for k in ("lstm", "gru", "rnn")}, text)
    assert any(c.overflow is not None for c in curves)
    for c in curves:
        for arr in (c.distance, c.norm, c.relative):
            assert np.isfinite(arr).all()
        n = c.overflow if c.overflow is not None else len(text) - 1
        assert len(c.norm) == len(c.relative) == len(c.distance) == n
        assert c.relative[0] == pytest.approx(1.0)
        if c.overflow is not None:
            assert c.decay is not None and c.decay > 1  # it was growing: exploding


def certain_of_last_character(model, text: str):
    """`model` with an output bias so large for the last character of `text` that it predicts it
    with probability exactly 1: the loss on that character, and its gradient, are exactly 0."""
    model = model.copy()
    model.fused()["out/b_q"][model.encode(text).ids[-1]] += 1e12
    return model


def test_a_zero_gradient_is_flagged_instead_of_drawn(huge):
    text = memory.fit_length(TEXT, 501)
    (c,) = memory.gradient_curves({"GRU": certain_of_last_character(huge["gru"], text)}, text)
    assert c.zero and c.below is None and c.decay is None and not c.relative.any()


# ---------------------------------------------------------------- pages
def test_gates_and_one_step_pages_with_huge_weights(huge):
    for kind, model in huge.items():
        at = page_with("gates", {"huge": model}, **{"gates:model": "huge"})
        assert not at.exception, (kind, [e.value for e in at.exception])
        figs = keyed_figures(at)
        assert "gates_figure" in figs, (kind, list(figs))
        gates = figs.pop("gates_figure")  # one figure: every heatmap, then the surprise strip
        heat = [d for d in gates["data"] if d["type"] == "heatmap"]
        assert [d.get("name") for d in heat][-2:] == ["hidden", None], kind
        assert_finite({"gates": {"data": heat[:-1]}})
        assert_finite({"gates": {"data": [d for d in gates["data"] if d["type"] != "heatmap"]}})
        z = np.asarray(heat[-1]["z"], dtype=float)[0]
        assert np.isfinite(z[:-1]).all() and z[:-1].max() > 100  # the huge model's certainty, capped

    at = page_with("one_step", {"huge": huge["lstm"]}, **{"one_step:model": "huge"})
    assert not at.exception
    assert_finite(keyed_figures(at))


def test_cells_page_with_huge_weights(huge):
    for kind in ("lstm", "gru"):
        at = page_with("cells", {"huge": huge[kind]}, cells_model="huge")
        assert not at.exception, kind
        assert at.selectbox(key="cells_model").value == "huge"
        figs = keyed_figures(at)
        assert_finite(figs, nan_ok=("cells_unit_text",))
        grid = np.asarray(figs["cells_unit_text"]["data"][0]["z"], dtype=float)
        assert not np.isinf(grid).any() and np.isfinite(grid).sum() > 0


def test_memory_page_explains_exploding_and_vanished_gradients(huge):
    exact_gru = certain_of_last_character(huge["gru"], memory.fit_length(TEXT, 500))
    models = {"x10": scaled("lstm", 10.0), "huge GRU": exact_gru}
    at = page_with(
        "memory",
        models,
        mem_source="trained",
        mem_models=["x10", "huge GRU", "RNN"],
        mem_length=500,
        mem_text=TEXT,
    )
    assert not at.exception, [e.value for e in at.exception]
    figs = keyed_figures(at)
    assert_finite({k: v for k, v in figs.items() if k in ("mem_grad", "mem_div")})
    notes = " ".join(m.value for m in at.markdown)
    assert "too large for floating-point numbers (exploding gradients)" in notes
    assert "huge GRU: the gradient at the last step is exactly 0" in notes


def test_memory_page_fresh_weights_at_radius_2_and_500_steps():
    at = page_with("memory", {}, mem_source="fresh", mem_radius=2.0, mem_length=500, mem_forget_bias=3.0)
    assert not at.exception
    figs = keyed_figures(at)
    assert_finite({"mem_grad": figs["mem_grad"], "mem_div": figs["mem_div"]})
    lines = {
        tr["name"]: np.asarray(tr["y"], dtype=float)
        for tr in figs["mem_grad"]["data"]
        if tr["mode"] == "lines"
    }
    assert lines["RNN"].max() > 1e6  # the RNN's gradient explodes at radius 2, and is still drawn
    assert "(exploding)" in " ".join(m.value for m in at.markdown)


def test_training_with_learning_rate_10_stops_with_a_clear_message():
    """The page offers rates up to 0.03; a rate of 10 (forced into the page's config) must
    end the run with the trainer's explanation, a finite chart and no registered model."""
    at = set_small(open_page("train"), steps=20)
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    job["handle"].cancel()
    config = dataclasses.replace(job["config"], lr=10.0)
    spec = jobs.text_spec(ModelConfig(kind="lstm", hidden_size=16), job["text"], config)
    at.session_state["train_job"] = page_job(job_pool().submit("lr-10", spec), job["text"], config)
    finish_job(at, "train_job")
    assert not at.exception
    job = at.session_state["train_job"]
    assert job["status"] == "diverged" and job["name"] is None
    (error,) = [e.value for e in at.error]
    assert error.startswith("Training diverged at step") and "lower learning rate" in error
    assert_finite(keyed_figures(at))
    assert not at.session_state[USER_MODELS] if USER_MODELS in at.session_state else True
