"""Faults: a missing or corrupt shipped model, and a chart builder that raises.

A broken model file must give a clear message on the pages that need that model while the
rest of the app keeps working; one failing chart must leave the rest of its page standing
(explorer.render.show_chart)."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from pagetest import figures, finish_job, open_page, set_small

import explorer.charts as charts
import explorer.charts_memory as charts_memory
import explorer.state as state
from explorer.texts import t

SHIPPED_DIR = state.MODELS_DIR
MODEL_PAGES = ("gates", "one_step", "cells")  # pages that open on a shipped model
FAILED = t("common.chart_failed", "en", why="").split("(")[0]  # "This chart could not be drawn "
pytestmark = pytest.mark.skipif(not (SHIPPED_DIR / "lstm.npz").exists(), reason="shipped models missing")


def clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """A copy of the shipped models the test can break; the caches are cleared on both sides
    so no model loaded from the real directory (or a broken one) outlives the test."""
    for f in SHIPPED_DIR.glob("*.npz"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(state, "MODELS_DIR", tmp_path)
    clear_caches()
    yield tmp_path
    clear_caches()


def break_model(folder, filename: str, how: str) -> None:
    path = folder / filename
    if how == "missing":
        path.unlink()
    else:  # corrupt: the first bytes of a real file, then garbage (a truncated download)
        path.write_bytes(path.read_bytes()[:300] + b"\x00garbage" * 20)


def messages(at) -> list[str]:
    return [e.value for e in (*at.error, *at.warning)]


def model_message(at, name: str) -> list[str]:
    start = t("common.model_missing", "en", name=name, why="").split("(")[0]
    return [m for m in messages(at) if m.startswith(start)]


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_a_broken_lstm_file_is_reported_and_the_other_models_still_work(models_dir, how):
    break_model(models_dir, "lstm.npz", how)
    expected = "No such file" if how == "missing" else "not a .npz model file"

    at = open_page("gates")  # opens on the LSTM: a message, no charts, no traceback
    assert not at.exception
    (msg,) = model_message(at, "LSTM")
    assert expected in msg and "The other pages still work" in msg
    assert not figures(at)
    at.selectbox(key="gates:model").set_value("GRU").run()  # the other models still draw
    assert not at.exception and not model_message(at, "LSTM")
    gates = next(f for f in figures(at) if any(d.type == "heatmap" and d.name == "hidden" for d in f.data))
    assert len([d for d in gates.data if d.type == "heatmap"]) == 5  # 3 gates, h, surprise

    at = open_page("one_step")  # sentence mode needs the model; the tiny cell does not
    assert not at.exception and model_message(at, "LSTM")
    at.radio(key="one_step:step_source").set_value("tiny").run()
    assert not at.exception and figures(at)

    at = open_page("memory")  # fresh weights need no file; trained: the LSTM is left out with a warning
    assert not at.exception and figures(at)
    at.radio(key="mem_source").set_value("trained").run()
    assert not at.exception and model_message(at, "LSTM")
    grad = figures(at)[0]
    assert [tr.name for tr in grad.data if tr.mode == "lines"] == ["RNN", "GRU"]

    at = open_page("cells")
    assert not at.exception and model_message(at, "LSTM")
    at.selectbox(key="cells_model").set_value("RNN").run()
    assert not at.exception and not model_message(at, "LSTM") and figures(at)

    at = open_page("train")  # needs no shipped model at all
    assert not at.exception and not messages(at)


def test_every_page_survives_with_no_shipped_model_at_all(models_dir):
    for f in list(models_dir.glob("*.npz")):
        f.unlink()
    for page in MODEL_PAGES:
        at = open_page(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert model_message(at, "LSTM"), (page, messages(at))
    at = open_page("memory")  # fresh weights (its first view) need no file: the lesson still works
    assert not at.exception
    assert [tr.name for tr in figures(at)[0].data if tr.mode == "lines"][:3] == ["RNN", "GRU", "LSTM"]
    at.radio(key="mem_source").set_value("trained").run()
    assert not at.exception and model_message(at, "LSTM")
    at = open_page("train")
    assert not at.exception and not messages(at)


def test_a_fixed_file_is_picked_up_without_a_restart(models_dir):
    """Failures are not cached: once the file is back, the page works on the next run."""
    good = (models_dir / "lstm.npz").read_bytes()
    break_model(models_dir, "lstm.npz", "corrupt")
    at = open_page("gates")
    assert model_message(at, "LSTM")
    (models_dir / "lstm.npz").write_bytes(good)
    at.run()
    assert not at.exception and not model_message(at, "LSTM") and figures(at)


def boom(*args, **kwargs):
    raise RuntimeError("builder exploded <b>here</b>")


@pytest.mark.parametrize(
    "page, module, builder, n_failed",
    [
        ("one_step", charts, "cell_diagram", 1),  # the matrix-product charts stay
        ("memory", charts_memory, "gradient_chart", 1),  # divergence + accuracy charts stay
        ("memory", charts_memory, "accuracy_chart", 2),
        ("cells", charts_memory, "saturation_chart", 1),  # finder + what-if stay
        ("cells", charts_memory, "delta_heatmap", 2),
    ],
)
def test_one_failing_chart_leaves_the_rest_of_the_page(monkeypatch, page, module, builder, n_failed):
    clear_caches()
    before = open_page(page)
    n_before, captions_before = len(figures(before)), len(before.caption)
    monkeypatch.setattr(module, builder, boom)
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    failed = [w.value for w in at.warning if w.value.startswith(FAILED)]
    assert len(failed) == n_failed, messages(at)
    assert all("RuntimeError: builder exploded" in w for w in failed)
    assert all("<b>" not in w for w in failed)  # the reason is shown literally, never as markup
    assert 0 < len(figures(at)) == n_before - n_failed  # every other chart is still drawn
    assert len(at.caption) == captions_before - n_failed  # a failed chart has no caption
    assert [m.value for m in at.markdown] == [m.value for m in before.markdown]  # all the text too


def test_a_failing_loss_chart_does_not_lose_the_training_run(monkeypatch):
    monkeypatch.setattr(charts_memory, "loss_chart", boom)
    at = set_small(open_page("train"), steps=3)
    finish_job(at.button(key="train_start").click().run(), "train_job")
    assert not at.exception
    assert any(w.value.startswith(FAILED) for w in at.warning)
    job = at.session_state["train_job"]
    assert job["status"] == "done" and job["name"] in at.session_state["user_models"]
    assert any(job["name"] in s.value for s in at.success)
