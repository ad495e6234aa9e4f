"""The attribution chart and its section on the gates page: what is coloured is exactly the
engine's ‖∂ log p / ∂x_s‖, characters are escaped, and the view's own slider picks the row."""

import json
from pathlib import Path

import numpy as np
import pytest
from pagetest import decode
from streamlit.testing.v1 import AppTest

from explorer.charts_attribution import LINE, influence_text
from explorer.charts_memory import text_grid
from explorer.state import BOTH_WAYS, DEFAULT_TEXT, MODELS_DIR, USER_MODELS
from explorer.texts import t
from explorer.visual import char_code
from lstm_engine import load_model
from lstm_engine.analyses.attribution import attribution

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "gates.py")
WORDS = {"step": "step", "value": "influence"}


def cells(fig_json: dict) -> tuple[np.ndarray, np.ndarray]:
    """(z, text) of an influence_text figure: z of the coloured trace (the last heatmap), and
    each cell's character from whichever of the two traces draws it (never both)."""
    ghost, hm = (np.asarray(t["text"], dtype=object) for t in fig_json["data"][-2:])
    assert not ((ghost != "") & (hm != "")).any()
    return np.asarray(decode(fig_json["data"][-1]["z"]), dtype=float), np.where(hm != "", hm, ghost)


def read_back(z: np.ndarray, tokens: list[str], width: int = LINE) -> np.ndarray:
    """The (T,) values at each character's cell."""
    rows, cols = text_grid(tokens, width)
    return z[rows, cols]


def test_chart_colours_seen_characters_by_their_norm_and_escapes_every_label():
    tokens = list("a<b>\n&c d")
    norms = np.arange(1.0, len(tokens) + 1)
    seen = np.arange(len(tokens)) <= 5
    spec = influence_text(tokens, norms, seen, 5, WORDS, "<b>x</b>", width=4).to_dict()
    z, text = cells(spec)
    got = read_back(z, tokens, 4)
    np.testing.assert_array_equal(got[:6], norms[:6])
    assert np.isnan(got[6:]).all()  # after the step: not coloured
    labels = [text[r, c] for r, c in zip(*text_grid(tokens, 4), strict=True)]
    assert labels == ["a", "&lt;", "b", "&gt;", "↵", "&amp;", "c", " ", "d"]
    assert spec["layout"]["title"]["text"] == "&lt;b&gt;x&lt;/b&gt;"
    assert spec["data"][-1]["zmax"] == norms[5]
    rect = spec["layout"]["shapes"][0]  # the step's cell ("&": row 2, column 0) outlined
    assert (rect["x0"], rect["y0"]) == (-0.5, 1.5)


@pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")
def test_gates_page_section_plots_the_engine_row_and_its_slider_moves_it():
    model = load_model(MODELS_DIR / "lstm.npz")
    trace = model.run(DEFAULT_TEXT)
    T = len(trace.ids)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception

    def plotted(step: int) -> np.ndarray:
        a = attribution(model, trace.ids, steps=[step])
        figs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
        hover = t("attribution.hover", "en")
        (fig,) = [f for f in figs if hover in f["data"][-1].get("hovertemplate", "")]
        char, p = model.vocab.chars[int(a.targets[0])], f"{np.exp(a.log_p[0]):.3f}"
        assert any(char_code(char) in m.value and p in m.value for m in at.markdown)
        got = read_back(cells(fig)[0], trace.tokens)
        np.testing.assert_allclose(got[: step + 1], a.norms[0, : step + 1], rtol=1e-6)
        assert np.isnan(got[step + 1 :]).all()
        return got

    last = plotted(T - 1)  # opens on the last character's prediction
    at.slider(key="gates:attribution_step").set_value(12).run()
    assert not at.exception
    assert not np.allclose(plotted(12)[:13], last[:13])


def scaled(kind: str, factor: float):
    """A shipped model with every weight multiplied by `factor`."""
    model = load_model(MODELS_DIR / f"{kind}.npz").copy()
    for w in model.fused().values():
        w *= factor
    return model


@pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")
@pytest.mark.parametrize(("factor", "key"), [(1e6, "attribution.zero"), (10.0, "attribution.overflow")])
def test_a_zero_or_overflowing_gradient_is_said_instead_of_drawn(factor, key):
    model = scaled("gru", factor)
    text = DEFAULT_TEXT * 7  # ×10 weights overflow float32 within ~370 steps back
    with np.errstate(all="ignore"):
        norms = attribution(model, model.encode(text).ids, steps=[len(text) - 1]).norms[0]
    assert (not norms.any()) if key.endswith("zero") else (not np.isfinite(norms).all())
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[USER_MODELS] = {"big": model}
    at.session_state["gates:model"] = "big"
    at.session_state["gates:text"] = text
    at.run()
    assert not at.exception
    assert t(key, "en") in [m.value for m in at.info]
    hover = t("attribution.hover", "en")
    figs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    assert figs and not [f for f in figs if hover in f["data"][-1].get("hovertemplate", "")]


@pytest.mark.skipif(not (MODELS_DIR / BOTH_WAYS["both"]).exists(), reason="blank model missing")
def test_a_fill_in_the_blank_model_is_explained_from_both_sides_of_the_step():
    model = load_model(MODELS_DIR / BOTH_WAYS["both"])
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[USER_MODELS] = {"blank": model}
    at.session_state["gates:model"] = "blank"
    at.run()
    assert not at.exception
    trace = model.run(DEFAULT_TEXT)
    step = 12
    at.slider(key="gates:attribution_step").set_value(step).run()
    a = attribution(model, trace.ids, steps=[step])
    assert a.targets[0] == trace.ids[step]  # the character itself is what it guesses
    hover = t("attribution.hover", "en")
    figs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    (fig,) = [f for f in figs if hover in f["data"][-1].get("hovertemplate", "")]
    got = read_back(cells(fig)[0], trace.tokens)
    others = np.arange(len(trace.ids)) != step
    np.testing.assert_allclose(got[others], a.norms[0, others], rtol=1e-6)
    assert np.isnan(got[step]) and (got[step + 1 :] > 0).any()  # it reads the right side too
    p = f"{np.exp(a.log_p[0]):.3f}"
    assert any(p in m.value and char_code(trace.tokens[step]) in m.value for m in at.markdown)
