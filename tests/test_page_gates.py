"""The "Watch the gates" page via AppTest: what is plotted is exactly what the engine computed."""

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer import charts_gates
from explorer.state import DEFAULT_TEXT, MAX_TEXT, MODELS_DIR
from explorer.visual import char_label
from lstm_engine import load_model
from lstm_engine.analyses import unit_stats

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "gates.py")
pytestmark = pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")


SENT = 0.5 * 10.0**-charts_gates.DIGITS + 1e-9  # the gates figure sends numbers rounded


def bar_heights(path: str) -> list[int]:
    """The heights in pixels of the bars in one row's path (charts_gates.bars_paths: from
    M-1,0, each bar goes V height H its right edge; the last V goes back to 0)."""
    ups = re.findall(r"V(-?[0-9]+)", path)
    assert ups[-1] == "0" and path.endswith("Z")
    return [int(v) for v in ups[:-1]]


def band_scales(fig: dict, bars: list[dict]) -> list[tuple[float, float]]:
    """(pixels per unit, the zero line) of each band of bars, read back from the bands' y axis:
    its ticks are each band's bottom, middle and top, labelled with their values."""
    axis = fig["layout"]["yaxis" + bars[0]["yref"][1:]]
    px, value = axis["tickvals"], [float(v) for v in axis["ticktext"]]
    scales = []
    for r, bar in enumerate(bars):
        bottom, top = 3 * r, 3 * r + 2
        per_unit = (px[top] - px[bottom]) / (value[top] - value[bottom])
        assert px[bottom] <= bar["yanchor"] <= px[top]  # the zero line lies in its own band
        assert bar["yanchor"] == pytest.approx(px[bottom] - value[bottom] * per_unit, abs=0.3)
        scales.append((per_unit, bar["yanchor"]))
    return scales


def decode(value):
    """A Plotly JSON value as a NumPy array (a base64 typed array, as plotly.py sends NumPy
    arrays, or a list)."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return a.reshape([int(n) for n in str(shape).split(",")]) if shape else a
    return np.asarray(value, dtype=object if value and isinstance(value[0], str) else float)


def figures(at) -> list[dict]:
    """Every Plotly figure the app sent, as parsed JSON specs."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def gates_figure(at) -> dict:
    """The gates figure (the one with animation frames)."""
    return next(f for f in figures(at) if f.get("frames"))


def heatmaps_of(fig: dict) -> dict[str, dict]:
    """A gates figure's heatmap traces by name ("input", ..., "hidden"; the surprise strip has none)."""
    return {d["name"]: d for d in fig["data"] if d["type"] == "heatmap" and d.get("name")}


def heatmaps(at) -> dict[str, dict]:
    """The page's gates-figure heatmaps by name (heatmaps_of)."""
    return heatmaps_of(gates_figure(at))


def axis_of(fig: dict, trace: dict) -> dict:
    """The layout of a trace's x axis."""
    return fig["layout"]["xaxis" + trace["xaxis"][1:]]


def labels(at, name: str = "forget") -> list[str]:
    """The character under each column of a heatmap (its x axis's tick texts, in order)."""
    fig = gates_figure(at)
    return axis_of(fig, heatmaps(at)[name])["ticktext"]


def rows(at, name: str = "hidden") -> list[int]:
    """The unit of each row of a heatmap, top to bottom."""
    return [int(u) for u in decode(heatmaps(at)[name]["customdata"])[:, 0]]


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def models():
    return {k: load_model(MODELS_DIR / f"{k.lower()}.npz") for k in ("LSTM", "GRU", "RNN")}


def assert_heatmap_is_trace(at, name: str, values: np.ndarray) -> None:
    """The heatmap's z equals values[:, units].T for the units its rows show."""
    z = decode(heatmaps(at)[name]["z"])
    units = rows(at, name)
    assert z.shape == (len(units), values.shape[0])
    np.testing.assert_allclose(z, values[:, units].T, rtol=0, atol=SENT)


def test_opens_with_a_sentence_and_every_lstm_heatmap_equals_the_trace(models):
    at = open_page()
    assert not at.exception
    assert at.text_input(key="gates:text").value == DEFAULT_TEXT
    trace = models["LSTM"].run(DEFAULT_TEXT)
    assert set(heatmaps(at)) == {"input", "forget", "candidate", "output", "cell", "hidden"}
    for name, values in [*trace.gates.items(), ("cell", trace.c), ("hidden", trace.h)]:
        assert_heatmap_is_trace(at, name, values)
    # interesting first: the unit finder's units head the rows, then the most active ones
    trackers = unit_stats.pattern_units(trace.tokens, trace.h, min_r=0.5)
    assert trackers and rows(at)[: len(trackers)] == [t.unit for t in trackers]
    assert len(rows(at)) == 32
    fig = gates_figure(at)
    strip = next(d for d in fig["data"] if d["type"] == "heatmap" and not d.get("name"))
    bits = decode(strip["z"])[0]
    ids = trace.ids
    np.testing.assert_allclose(bits[:-1], -np.log2(trace.probs[np.arange(len(ids) - 1), ids[1:]]), atol=SENT)
    assert labels(at)[:6] == list("print(")
    assert str(at.query_params["text"]).strip("[]'") == DEFAULT_TEXT


def test_every_frame_moves_the_cursor_bars_and_top5_to_its_step(models):
    at = open_page()
    trace = models["LSTM"].run(DEFAULT_TEXT)
    fig = gates_figure(at)
    T = len(trace.tokens)
    assert [f["name"] for f in fig["frames"]] == [str(t) for t in range(T)]  # one per character
    (slider,) = fig["layout"]["sliders"]
    assert [s["args"][0] for s in slider["steps"]] == [[str(t)] for t in range(T)]
    play, pause = fig["layout"]["updatemenus"][0]["buttons"]
    assert play["method"] == "animate" and play["args"][1]["frame"]["redraw"] is False
    units = rows(at)
    n, shapes = len(units), fig["layout"]["shapes"]
    assert len(shapes) == 8 + 6 + 5 + 1  # the last: the white gaps between bars, never moved
    gaps = shapes[-1]
    assert (gaps["xref"], gaps["yref"]) == (shapes[8]["xref"], shapes[8]["yref"]) and "fillcolor" not in gaps
    outlines = shapes[:8]  # one per row of characters: the summary, six heatmaps, the strip
    assert all(o["type"] == "rect" for o in outlines)
    for hm in heatmaps_of(fig).values():  # each heatmap's outline frames exactly its own rows
        y = decode(hm["y"])
        around = [o for o in outlines if (o["xref"], o["yref"]) == (hm["xaxis"], hm["yaxis"])]
        assert [o for o in around if o["y0"] <= y.min() and y.max() <= o["y1"]] == [
            o for o in around if o["y0"] < y.max() and y.min() < o["y1"]
        ]
        assert len([o for o in around if o["y0"] <= y.min() and y.max() <= o["y1"]]) == 1
    bars = shapes[8:14]  # then one path of bars per vector, in the order of the heatmaps
    assert all(b["type"] == "path" and b["ysizemode"] == "pixel" for b in bars)
    assert len({(b["xref"], b["yref"]) for b in bars}) == 1  # every band in one subplot
    scales = band_scales(fig, bars)
    assert [z for _, z in scales] == sorted((z for _, z in scales), reverse=True)  # top to bottom
    for t in (0, 5, T - 1):
        frame = fig["frames"][t]
        assert set(frame) == {"name", "layout"}  # no trace moves (charts_gates says why)
        moved = frame["layout"]["shapes"]
        assert len(moved) == len(shapes) - 1
        assert all([o["x0"], o["x1"]] == [t - 0.5, t + 0.5] for o in moved[:8])
        heights = np.array([bar_heights(b["path"]) for b in moved[8:14]])
        assert heights.shape == (6, n)
        for r, values in ((0, trace.gates["input"]), (4, trace.c), (5, trace.h)):
            per_unit = scales[r][0]  # whole pixels, and the labels' 3 significant digits
            np.testing.assert_allclose(
                heights[r] / per_unit, values[t, units], rtol=5e-3, atol=0.5 / per_unit
            )
        top = models["LSTM"].top_k(trace.probs[t], 5)
        np.testing.assert_allclose([b["x1"] for b in moved[14:]], [p for _, p in top], atol=SENT)
        reading, *texts = frame["layout"]["annotations"]
        assert reading["text"].startswith(f"t = {t}:")
        assert [x["text"].split()[0] for x in texts] == [char_label(c) for c, _ in top]
    assert not any(k.startswith("xaxis") for f in fig["frames"] for k in f["layout"])  # window stays


def test_a_long_sentence_opens_on_a_window_around_the_linked_step():
    text = ("the cat sat on the mat. " * 10)[:200]
    fig = gates_figure(open_page(text=text, step="150"))
    axis = axis_of(fig, heatmaps_of(fig)["forget"])
    lead = fig["layout"]["xaxis" + axis["matches"][1:]]  # every row of characters matches it
    assert lead["range"] == charts_gates.window(150, 200, 80) == [119.5, 199.5]
    assert not any(k.startswith("xaxis") for f in fig["frames"] for k in f["layout"])  # it stays put


def test_per_step_summaries_are_the_shares_of_all_units(models):
    at = open_page()
    trace = models["LSTM"].run(DEFAULT_TEXT)
    fig = gates_figure(at)
    lines = [
        d for d in fig["data"] if d["type"] == "scatter" and d.get("legendgroup") and d["mode"] == "lines"
    ]
    assert len(lines) == 2
    np.testing.assert_allclose(decode(lines[0]["y"]), (trace.gates["forget"] < 0.1).mean(axis=1), atol=SENT)
    np.testing.assert_allclose(decode(lines[1]["y"]), (trace.gates["input"] > 0.9).mean(axis=1), atol=SENT)
    marks = [d for d in fig["data"] if d.get("mode") == "markers+text"]
    for mark, line in zip(marks, lines, strict=True):
        at_steps = decode(mark["x"]).astype(int)
        assert len(at_steps) and list(at_steps) == list(unit_stats.peaks(decode(line["y"])))
        assert list(mark["text"]) == [trace.tokens[t].replace(" ", "␣") for t in at_steps]


def test_cell_colour_scale_comes_from_the_values_shown_and_the_caption_says_it(models):
    at = open_page()
    trace = models["LSTM"].run(DEFAULT_TEXT)
    cell = heatmaps(at)["cell"]
    shown = np.abs(trace.c[:, rows(at, "cell")])
    top = float(np.quantile(shown, 0.99))
    assert cell["zmin"] == pytest.approx(-top, rel=1e-5) and cell["zmax"] == pytest.approx(top, rel=1e-5)
    notes = " ".join(m.value for m in at.markdown)
    assert f"±{np.median(shown):.1f}" in notes and f"±{top:.0f}" in notes


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
    trace = models["LSTM"].run(text[:MAX_TEXT])
    assert_heatmap_is_trace(at, "forget", trace.gates["forget"])
    if note == "unknown":
        assert any("not in this model's vocabulary" in i.value for i in at.info)
        assert "\ufffd" in labels(at)
    else:
        assert any(f"first {MAX_TEXT} characters" in w.value for w in at.warning)
        assert len(labels(at)) == MAX_TEXT  # every character keeps its label
        assert any("in view at a time" in c.value for c in at.caption)  # and the page says not all fit


@pytest.mark.parametrize("name", ["GRU", "RNN"])
def test_model_switch_draws_that_models_gates(name, models):
    at = open_page()
    at.selectbox(key="gates:model").set_value(name).run()
    assert not at.exception
    trace = models[name].run(DEFAULT_TEXT)
    if name == "GRU":
        assert set(heatmaps(at)) == {"update", "reset", "candidate", "hidden"}
        assert_heatmap_is_trace(at, "update", trace.gates["update"])
        assert_heatmap_is_trace(at, "reset", trace.gates["reset"])
    else:
        assert set(heatmaps(at)) == {"hidden"}
        assert any("no gates" in i.value for i in at.info)
    assert_heatmap_is_trace(at, "hidden", trace.h)
    assert str(at.query_params["model"]).strip("[]'") == name


def test_unit_order_top_n_and_chosen_units_live_in_the_url(models):
    at = open_page()
    at.slider(key="gates:top_n_128").set_value(5).run()  # units shown (the key carries the model's H)
    at.radio(key="gates:order").set_value("index").run()
    assert not at.exception
    shown = rows(at)
    assert len(shown) == 5 and shown == sorted(shown)
    at.radio(key="gates:order").set_value("cluster").run()
    assert sorted(rows(at)) == shown
    assert {k: str(at.query_params[k]).strip("[]'") for k in ("order", "top")} == {
        "order": "cluster",
        "top": "5",
    }
    at.multiselect(key="gates:units").set_value([40, 3, 17]).run()
    assert sorted(rows(at)) == [3, 17, 40] and str(at.query_params["units"]).strip("[]'") == "3,17,40"
    # the same link in a new session opens the same rows
    again = open_page(units="3,17,40", order="index", top="5")
    assert rows(again) == [3, 17, 40] and again.radio(key="gates:order").value == "index"


def test_url_parameters_open_a_shared_view(models):
    at = open_page(text="(a)", model="GRU", step="1", lang="zh")
    assert not at.exception
    assert at.text_input(key="gates:text").value == "(a)"
    assert at.selectbox(key="gates:model").value == "GRU"
    assert gates_figure(at)["layout"]["sliders"][0]["active"] == 1  # the cursor starts at the linked step
    assert_heatmap_is_trace(at, "update", models["GRU"].run("(a)").gates["update"])
    assert str(at.query_params["lang"]).strip("[]'") == "zh"


def test_a_link_to_someone_elses_model_says_so():
    at = open_page(model="my run (2)")
    assert not at.exception
    assert any("my run \\(2\\)" in w.value and "someone else" in w.value for w in at.warning)
    assert at.selectbox(key="gates:model").value == "LSTM"


def test_a_failing_figure_leaves_the_rest_of_the_page(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("exploded")

    monkeypatch.setattr(charts_gates, "gates_figure", boom)
    at = open_page()
    assert not at.exception
    assert any("RuntimeError: exploded" in w.value for w in at.warning)
    assert at.get("download_button") and at.text_input(key="gates:text").value == DEFAULT_TEXT


def test_html_in_the_sentence_is_escaped_in_every_label():
    at = open_page()
    at.text_input(key="gates:text").input('<img src=x onerror="alert(1)">').run()
    assert not at.exception
    fig = gates_figure(at)
    texts = [t for k, ax in fig["layout"].items() if k.startswith("xaxis") for t in ax.get("ticktext", [])]
    texts += [a["text"] for f in [fig, *fig["frames"]] for a in f["layout"]["annotations"]]
    texts += [t for d in fig["data"] for t in (d.get("text") or []) if isinstance(t, str)]
    assert texts and not any("<img" in str(s) or '"alert' in str(s) for s in texts)
    assert "&lt;" in labels(at)


def test_chinese_interface():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "观察门控"
    titles = [a["text"] for a in gates_figure(at)["layout"]["annotations"]]
    assert any("输入门" in t for t in titles)
    play = gates_figure(at)["layout"]["updatemenus"][0]["buttons"][0]["label"]
    assert "播放" in play
