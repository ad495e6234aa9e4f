"""The "Watch the gates" page via AppTest: what is plotted is exactly what the engine computed."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.state import DEFAULT_TEXT, MAX_TEXT, MODELS_DIR
from lstm_engine import load_model

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "gates.py")
pytestmark = pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")


def decode(value):
    """A Plotly JSON value as a NumPy array (plotly.py sends arrays as base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return a.reshape([int(n) for n in str(shape).split(",")]) if shape else a
    return np.asarray(value, dtype=object if value and isinstance(value[0], str) else float)


def figures(at) -> list[dict]:
    """Every Plotly figure the app sent, as parsed JSON specs."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def heatmaps(at) -> dict[str, dict]:
    """Heatmap figures by title (first word, lower-case), e.g. "input", "forget", "surprise:"."""
    out = {}
    for fig in figures(at):
        data = fig["data"][0]
        if data["type"] == "heatmap" and "title" in fig["layout"]:
            out[fig["layout"]["title"]["text"].split()[0].lower()] = fig
    return out


def labels(fig: dict) -> list[str]:
    """The character shown under each column of a heatmap (its x-axis label aliases, in order)."""
    return list(fig["layout"]["xaxis"]["labelalias"].values())


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def models():
    return {k: load_model(MODELS_DIR / f"{k.lower()}.npz") for k in ("LSTM", "GRU", "RNN")}


def assert_heatmap_is_trace(fig: dict, values: np.ndarray) -> None:
    """The heatmap's z equals values[:, units].T for the units its rows are labelled with."""
    data = fig["data"][0]
    units = [int(u) for u in data["y"]]
    z = decode(data["z"])
    assert z.shape == (len(units), values.shape[0])
    np.testing.assert_allclose(z, values[:, units].T, rtol=0, atol=1e-6)


def test_opens_with_a_sentence_and_every_lstm_heatmap_equals_the_trace(models):
    at = open_page()
    assert not at.exception
    assert at.text_input(key="gates:text").value == DEFAULT_TEXT
    trace = models["LSTM"].run(DEFAULT_TEXT)
    maps = heatmaps(at)
    assert set(maps) == {"input", "forget", "candidate", "output", "cell", "hidden", "surprise:"}
    for name, values in [*trace.gates.items(), ("cell", trace.c), ("hidden", trace.h)]:
        assert_heatmap_is_trace(maps[name], values)
    # the default rows are the 32 units that move most while reading, across every drawn array
    arrays = [*trace.gates.values(), trace.c, trace.h]
    activity = np.mean([a.std(axis=0) / a.std(axis=0).mean() for a in arrays], axis=0)
    shown = {int(u) for u in maps["input"]["data"][0]["y"]}
    assert shown == set(np.argsort(-activity)[:32].tolist())
    bits = decode(maps["surprise:"]["data"][0]["z"])[0]
    ids = trace.ids
    np.testing.assert_allclose(bits[:-1], -np.log2(trace.probs[np.arange(len(ids) - 1), ids[1:]]), atol=1e-5)
    ticks = labels(maps["input"])
    assert ticks[:6] == list("print(")
    assert at.query_params["text"] == [DEFAULT_TEXT] or at.query_params["text"] == DEFAULT_TEXT


def test_time_cursor_bars_and_top5_follow_the_step(models):
    at = open_page()
    at.slider(key="gates:step").set_value(5).run()
    assert not at.exception
    trace = models["LSTM"].run(DEFAULT_TEXT)
    figs = figures(at)
    bars = next(f for f in figs if f["data"][0]["type"] == "bar" and len(f["data"]) > 1)
    units = [int(u) for u in bars["data"][0]["x"]]
    np.testing.assert_allclose(decode(bars["data"][0]["y"]), trace.gates["input"][5, units], atol=1e-6)
    top = next(f for f in figs if f["data"][0]["type"] == "bar" and f["data"][0].get("orientation") == "h")
    expected = models["LSTM"].top_k(trace.probs[5], 5)
    np.testing.assert_allclose(decode(top["data"][0]["x"]), [p for _, p in expected], atol=1e-6)
    cursor = heatmaps(at)["forget"]["layout"]["shapes"][0]
    assert (cursor["x0"], cursor["x1"]) == (4.5, 5.5)
    assert str(at.query_params["step"]).strip("[]'") == "5"


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("", "info"),  # empty: a hint, no charts
        ("hi 😀 there", "unknown"),  # emoji: read as the unknown symbol, with a note
        ("你好 world", "unknown"),  # Chinese likewise
        ("x" * (MAX_TEXT + 50), "cut"),  # very long: cut to MAX_TEXT with a visible note
    ],
    ids=["empty", "emoji", "chinese", "very-long"],
)
def test_typed_text_edge_cases(text, note, models):
    at = open_page()
    at.text_input(key="gates:text").input(text).run()
    assert not at.exception
    if note == "info":
        assert any("at least one character" in i.value for i in at.info)
        assert not at.get("plotly_chart")
        return
    maps = heatmaps(at)
    trace = models["LSTM"].run(text[:MAX_TEXT])
    assert_heatmap_is_trace(maps["forget"], trace.gates["forget"])
    if note == "unknown":
        assert any("not in this model's vocabulary" in i.value for i in at.info)
        assert "\ufffd" in labels(maps["forget"])
    else:
        assert any(f"first {MAX_TEXT} characters" in w.value for w in at.warning)
        assert len(labels(maps["forget"])) == MAX_TEXT


@pytest.mark.parametrize("name", ["GRU", "RNN"])
def test_model_switch_draws_that_models_gates(name, models):
    at = open_page()
    at.selectbox(key="gates:model").set_value(name).run()
    assert not at.exception
    trace = models[name].run(DEFAULT_TEXT)
    maps = heatmaps(at)
    if name == "GRU":
        assert set(maps) == {"update", "reset", "candidate", "hidden", "surprise:"}
        assert_heatmap_is_trace(maps["update"], trace.gates["update"])
        assert_heatmap_is_trace(maps["reset"], trace.gates["reset"])
    else:
        assert set(maps) == {"hidden", "surprise:"}
        assert any("no gates" in i.value for i in at.info)
    assert_heatmap_is_trace(maps["hidden"], trace.h)
    assert str(at.query_params["model"]).strip("[]'") == name


def test_unit_order_and_top_n(models):
    at = open_page()
    at.slider(key="top_n_128").set_value(5).run()  # units shown (the key carries the model's H)
    at.radio(key="gates:order").set_value("index").run()
    assert not at.exception
    rows = [int(u) for u in heatmaps(at)["hidden"]["data"][0]["y"]]
    assert len(rows) == 5 and rows == sorted(rows)
    at.radio(key="gates:order").set_value("cluster").run()
    clustered = [int(u) for u in heatmaps(at)["hidden"]["data"][0]["y"]]
    assert sorted(clustered) == rows


def test_url_parameters_open_a_shared_view(models):
    at = open_page(text="(a)", model="GRU", step="1")
    assert not at.exception
    assert at.text_input(key="gates:text").value == "(a)"
    assert at.selectbox(key="gates:model").value == "GRU"
    assert at.slider(key="gates:step").value == 1
    assert_heatmap_is_trace(heatmaps(at)["update"], models["GRU"].run("(a)").gates["update"])


def test_html_in_the_sentence_is_escaped_in_every_label():
    at = open_page()
    at.text_input(key="gates:text").input('<img src=x onerror="alert(1)">').run()
    assert not at.exception
    for fig in figures(at):
        texts = [
            *fig["layout"].get("xaxis", {}).get("ticktext", []),
            *fig["layout"].get("xaxis", {}).get("labelalias", {}).values(),
            *fig["layout"].get("yaxis", {}).get("ticktext", []),
        ]
        if fig["data"][0]["type"] == "heatmap" and isinstance(fig["data"][0].get("x"), list):
            texts += fig["data"][0]["x"]
        assert not any("<" in str(s) for s in texts)
    assert "&lt;" in labels(heatmaps(at)["input"])


def test_chinese_interface():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "观察门控"
    assert "输入门" in heatmaps(at)["输入门"]["layout"]["title"]["text"]
