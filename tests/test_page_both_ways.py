"""The "Read both ways" page via AppTest: every plotted number is the engine's, the URL keeps
the view, and bad input gets a clear message instead of a traceback."""

import json

import numpy as np
import pytest
from pagetest import ROOT, decode
from streamlit.testing.v1 import AppTest

from explorer.charts_attribution import LINE
from explorer.charts_memory import text_grid
from explorer.state import BOTH_WAYS, MAX_TEXT, MODELS_DIR
from explorer.texts import t as text_of
from lstm_engine import load_model
from lstm_engine.analyses import unit_stats
from lstm_engine.analyses.attribution import blank_attribution

PAGE = str(ROOT / "pages" / "both_ways.py")
pytestmark = pytest.mark.skipif(
    not all((MODELS_DIR / f).exists() for f in BOTH_WAYS.values()), reason="both-ways models missing"
)
DEFAULT = "The function returns None if the list is empty."


@pytest.fixture(scope="module")
def models():
    return {role: load_model(MODELS_DIR / f) for role, f in BOTH_WAYS.items()}


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def keyed(at) -> dict[str, dict]:
    """key -> figure JSON (typed arrays decoded) of every chart on the page."""
    return {e.proto.id.split("-", 2)[-1]: decode(json.loads(e.proto.spec)) for e in at.get("plotly_chart")}


def param(at, name: str) -> str:
    return str(at.query_params[name]).strip("[]'")


def check_everything_plotted(at, models, text: str, t: int, show: str = "hidden") -> None:
    """Bars, influence and heatmaps on the page equal the engine's arrays for blank t."""
    both, left = models["both"], models["left"]
    figs = keyed(at)
    probs = both.blank_probs(text)
    guesses = {s: getattr(probs, s)[t] for s in ("forward", "backward", "both")}
    guesses["left_only"] = left.blank_probs(text).forward[t]
    for name, p in guesses.items():
        model = left if name == "left_only" else both
        bars = figs[f"both_ways_top_{name}"]["data"][0]
        np.testing.assert_allclose(np.asarray(bars["x"], float), [q for _, q in model.top_k(p, 5)], rtol=1e-6)
    rows, cols = text_grid(probs.tokens, LINE)
    for name, model in (("both", both), ("left_only", left)):
        norms = blank_attribution(model, model.encode(text).ids, t).norms[0]
        if name == "left_only" and t == 0:  # nothing to its left: said, not drawn
            assert f"both_ways_reach_{name}" not in figs
            assert text_of("both.nothing_left", "zh") in [m.value for m in at.info]
            continue
        z = np.asarray(figs[f"both_ways_reach_{name}"]["data"][-1]["z"], dtype=float)[rows, cols]
        seen = np.arange(len(norms)) != t if name == "both" else np.arange(len(norms)) < t
        np.testing.assert_allclose(z[seen], norms[seen], rtol=1e-6)
        assert np.isnan(z[~seen]).all()
    layer = both.run(text).layers[0]
    for d, cursor in (("forward", t - 1), ("backward", t + 1)):
        arrays = unit_stats.layer_arrays(layer.direction(d), both.kind)
        fig = figs[f"both_ways_heat_{d}"]
        units = [int(u) for u in fig["data"][0]["y"]]
        expected = unit_stats.top_units(unit_stats.unit_activity(arrays.values()), min(24, both.hidden_size))
        assert units == list(expected)
        np.testing.assert_allclose(
            np.asarray(fig["data"][0]["z"], float), arrays[show][:, units].T, atol=1e-6
        )
        shapes = fig["layout"].get("shapes", [])
        if 0 <= cursor < len(probs.tokens):
            assert (shapes[0]["x0"], shapes[0]["x1"]) == (cursor - 0.5, cursor + 0.5)
        else:
            assert not shapes


def test_opens_on_the_default_blank_and_plots_the_engine_numbers(models):
    at = open_page()
    assert not at.exception
    t = DEFAULT.index("f")
    assert at.slider(key="both_ways:blank").value == t
    check_everything_plotted(at, models, DEFAULT, t)
    assert param(at, "text") == DEFAULT and param(at, "blank") == str(t)
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("p(` f `)") == 4  # the hidden character's probability under every guess


def test_url_state_opens_the_same_view_and_widgets_write_it_back(models):
    text = "a (b) c"
    at = open_page(text=text, blank="0", show="cell", lang="zh")
    assert not at.exception
    assert at.slider(key="both_ways:blank").value == 0
    check_everything_plotted(at, models, text, 0, show="cell")  # no forward state before the blank
    assert at.title[0].value == text_of("nav.both_ways", "zh")
    at.slider(key="both_ways:blank").set_value(len(text) - 1).run()
    assert not at.exception
    check_everything_plotted(at, models, text, len(text) - 1, show="cell")
    assert param(at, "blank") == str(len(text) - 1) and param(at, "show") == "cell"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "common.empty_text"),
        ("x", "both.too_short"),
        ("hi 😀 there", "unknown"),
        ("你好，世界", "unknown"),
        ("tab\there\x07 bell\x00", "unknown"),
        ("y" * (MAX_TEXT + 30), "common.truncated"),
    ],
    ids=["empty", "one-char", "emoji", "chinese", "control", "huge"],
)
def test_bad_input_gets_a_clear_message(text, message, models):
    at = open_page()
    at.text_input(key="both_ways:text").input(text).run()
    assert not at.exception
    said = " ".join(m.value for m in [*at.info, *at.warning])
    if message == "unknown":
        assert "outside" in said or "vocabulary" in said, said
        clipped = text[:MAX_TEXT]
        check_everything_plotted(at, models, clipped, at.slider(key="both_ways:blank").value)
    else:
        assert text_of(message, "en", n=MAX_TEXT) in said
    if message == "common.truncated":
        check_everything_plotted(at, models, text[:MAX_TEXT], at.slider(key="both_ways:blank").value)


def test_a_missing_model_file_is_said_not_raised(monkeypatch):
    monkeypatch.setitem(BOTH_WAYS, "left", "no_such_model.npz")
    at = open_page()
    assert not at.exception
    assert any(text_of("both.model_left", "en") in e.value for e in at.error)
    figs = keyed(at)
    assert "both_ways_top_both" in figs and "both_ways_top_left_only" not in figs  # the rest still works
    monkeypatch.setitem(BOTH_WAYS, "both", "no_such_model.npz")
    at = open_page()
    assert not at.exception and at.error and not at.get("plotly_chart")
