"""The "One step, all the numbers" page via AppTest: the equations and charts carry the engine's numbers."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_page_gates import decode, figures

from explorer import equations
from explorer.state import DEFAULT_TEXT, MODELS_DIR
from lstm_engine import load_model
from lstm_engine.analyses import step

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "one_step.py")
pytestmark = pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")


@pytest.fixture(scope="module")
def lstm():
    return load_model(MODELS_DIR / "lstm.npz")


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def latex(at) -> list[str]:
    return [el.value for el in at.latex]


def test_sentence_step_shows_the_engines_numbers_and_buttons_move_it(lstm):
    at = open_page()
    assert not at.exception
    trace = lstm.run(DEFAULT_TEXT)
    T = len(trace.tokens)
    assert at.slider(key="one_step:step").value == T - 1
    units = at.multiselect(key="step_units").value
    assert 1 <= len(units) <= 6

    def check(t: int) -> None:
        eqs = latex(at)
        assert len(eqs) == 6  # I, F, O, C̃, C, H
        bd = step.model_step(lstm, trace, t)
        assert np.allclose(bd.h, trace.h[t], atol=1e-5) and np.allclose(
            bd.c, trace.c[t], atol=1e-4
        )  # float32 model
        assert equations.latex_vector(bd.h[units]) in eqs[5]
        assert equations.latex_vector(bd.c[units]) in eqs[4]
        assert equations.latex_vector(bd.terms["forget"].act[units]) in eqs[1]
        assert np.allclose(bd.terms["forget"].act, trace.gates["forget"][t], atol=1e-6)
        table = at.dataframe[0].value
        np.testing.assert_allclose(table["H"].to_numpy(), trace.h[t], atol=1e-6)
        pre = table["pre-activation of input gate I"].to_numpy()
        np.testing.assert_allclose(pre, trace.layers[0].pre["input"][t], atol=1e-5)

    check(T - 1)
    at.button[0].click().run()  # previous step
    assert at.slider(key="one_step:step").value == T - 2
    check(T - 2)
    at.button[1].click().run()  # next step
    check(T - 1)
    assert str(at.query_params["step"]).strip("[]'") == str(T - 1)


def test_matrix_product_panels_equal_the_terms(lstm):
    at = open_page(step="3")
    trace = lstm.run(DEFAULT_TEXT)
    units = at.multiselect(key="step_units").value
    bd = step.model_step(lstm, trace, 3)
    x_fig, h_fig = [
        f for f in figures(at) if len(f["data"]) == 3 and f["data"][2].get("y", [""])[0].startswith("Σ")
    ]
    np.testing.assert_allclose(decode(x_fig["data"][2]["z"])[0], bd.terms["input"].x_term[units], atol=1e-6)
    rows = [int(r[1:]) for r in h_fig["data"][0]["y"]]
    np.testing.assert_allclose(decode(h_fig["data"][0]["z"])[:, 0], bd.h_prev[rows], atol=1e-6)
    np.testing.assert_allclose(decode(h_fig["data"][1]["z"]), bd.params["W_hi"][rows][:, units], atol=1e-6)


def test_step_zero_has_a_zero_previous_state(lstm):
    at = open_page(step="0")
    assert not at.exception
    table = at.dataframe[0].value
    assert np.all(table["H(t−1)"].to_numpy() == 0) and np.all(table["C(t−1)"].to_numpy() == 0)


@pytest.mark.parametrize(("name", "count"), [("GRU", 4), ("RNN", 1)])
def test_other_cells_have_their_own_equations(name, count):
    at = open_page(model=name)
    assert not at.exception
    assert len(latex(at)) == count
    code = at.code[0].value
    assert f"def {name.lower()}_step_forward" in code


@pytest.mark.parametrize("text", ["", "😀😀", "x" * 1000], ids=["empty", "emoji", "very-long"])
def test_odd_sentences_never_crash(text):
    at = open_page()
    at.text_input(key="one_step:text").input(text).run()
    assert not at.exception
    if not text:
        assert any("at least one character" in i.value for i in at.info)
        assert not at.latex


def test_boss_raise_preset_and_editing_the_tiny_cell():
    at = open_page(source="tiny")
    assert not at.exception
    assert at.radio(key="preset").value == "boss"
    eqs = latex(at)
    bd = step.boss_raise().step()
    assert equations.latex_vector(bd.c) in eqs[4] and r"\begin{bmatrix}1.000 & 1.000\end{bmatrix}" in eqs[4]
    assert equations.latex_vector(bd.terms["forget"].act * bd.c_prev) in eqs[4]
    # set x₀ = 0: the page recomputes with the edited input (units and inputs count from 0)
    x1 = next(n for n in at.number_input if n.label == "x₀")
    x1.set_value(0.0).run()
    cell = step.boss_raise()
    cell.x[0] = 0.0
    assert equations.latex_vector(cell.step().c) in latex(at)[4]


def test_forget_bias_preset_compares_bias_0_and_1():
    at = open_page(source="tiny")
    at.radio(key="preset").set_value("bias").run()
    assert not at.exception
    retention = next(f for f in figures(at) if f["layout"].get("yaxis", {}).get("type") == "log")
    y0, y1 = (decode(d["y"]).astype(float) for d in retention["data"])
    expected = step.memory_retention(step.forget_bias_cell(0.0), steps=20)
    np.testing.assert_allclose(y0, expected[0.0].mean(axis=1))
    assert np.all(y1 > y0)
    assert any("b_f = 0" in m.value for m in at.markdown)


def test_random_tiny_cell_of_each_kind():
    at = open_page(source="tiny")
    at.radio(key="preset").set_value("random").run()
    for kind, count in (("gru", 4), ("rnn", 1), ("lstm", 6)):
        at.selectbox(key="tiny_kind").set_value(kind).run()
        assert not at.exception
        assert len(latex(at)) == count


def test_chinese_interface():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "单步计算，全部数值"
    assert at.button[0].label == "◀ 上一步"


def test_boss_raise_states_the_honest_twist_with_the_engines_bound():
    at = open_page(source="tiny")
    bd = step.boss_raise().step()
    (twist,) = [w.value for w in at.warning if "tanh(C)" in w.value]
    bound = step.output_bound(bd.c)
    assert "[" + ", ".join(f"{v:.3f}" for v in bound) + "]" in twist  # the ceiling, computed
    assert bound.max() < step.BOSS_TARGET_H  # the claim fails, as the twist says
    assert f"{float(step.cell_needed(step.BOSS_TARGET_H)):.3f}" in twist


def test_tiny_cell_counts_units_from_zero_and_headers_are_translated():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["source"] = "tiny"
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    editor = at.dataframe[0].value if at.dataframe else None
    labels = [n.label for n in at.number_input]
    assert labels[:3] == ["x₀", "x₁", "x₂"] and "h₀ (t−1)" in labels and "c₁ (t−1)" in labels
    headers = [c for df in at.dataframe for c in df.value.columns]
    assert "输入门 I的预激活" in headers and "pre_input" not in headers  # the full table, in Chinese
    assert editor is None or list(editor.columns) in (["0", "1"], headers[:2])
    assert str(at.query_params["lang"]).strip("[]'") == "zh"  # the link keeps the language
