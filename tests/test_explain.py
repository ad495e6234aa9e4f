"""lstm_engine.analyses.step and .unit_stats: every term of a cell update, the tiny cell presets, unit
ordering and surprise, checked against the engine's own trace."""

import subprocess
import sys

import numpy as np
import pytest

from lstm_engine import KINDS, UNK, ModelConfig, Vocab, init_model
from lstm_engine.analyses import step, unit_stats
from lstm_engine.core.cells import sigmoid

VOCAB = Vocab(list("abc (')<>\n") + [UNK])


@pytest.fixture(params=KINDS, scope="module")
def model(request):
    return init_model(ModelConfig(kind=request.param, hidden_size=5, num_layers=2, seed=4), VOCAB)


def test_explain_imports_no_ui_library():
    code = "import sys, lstm_engine.analyses.step, lstm_engine.analyses.unit_stats; print(sorted(m for m in ('streamlit','plotly','pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_model_step_reproduces_the_trace_at_every_step_and_layer(model):
    trace = model.run("ab (c)'a")
    for layer in range(2):
        lt = trace.layers[layer]
        for t in range(len(trace.tokens)):
            bd = step.model_step(model, trace, t, layer)
            assert np.allclose(bd.h, lt.h[t], atol=1e-12)
            if model.kind == "lstm":
                assert np.allclose(bd.c, lt.c[t], atol=1e-12)
                assert np.allclose(bd.tanh_c, np.tanh(lt.c[t]))
            for name, term in bd.terms.items():
                assert np.allclose(term.pre, term.x_term + term.h_term + term.bias, atol=1e-12)
                assert np.allclose(term.pre, lt.pre[name][t], atol=1e-12)
                expected = sigmoid(term.pre) if term.fn == "sigmoid" else np.tanh(term.pre)
                assert np.allclose(term.act, expected)
                if name in lt.gates:
                    assert np.allclose(term.act, lt.gates[name][t], atol=1e-12)


def test_layer0_input_is_the_one_hot_character_and_its_term_is_a_row_of_W_x(model):
    trace = model.run("cab")
    bd = step.model_step(model, trace, 1, 0)
    assert bd.x.sum() == 1 and bd.x[VOCAB.index["a"]] == 1
    s = next(iter(bd.terms.values())).suffix
    assert np.allclose(next(iter(bd.terms.values())).x_term, bd.params[f"W_x{s}"][VOCAB.index["a"]])


def test_model_step_rejects_a_step_outside_the_trace(model):
    with pytest.raises(IndexError):
        step.model_step(model, model.run("ab"), 2)


def test_boss_raise_forgets_the_old_cell_and_writes_one():
    cell = step.boss_raise()
    assert cell.params["W_xi"].shape == (3, 2) and cell.params["W_hi"].shape == (2, 2)
    assert np.allclose(cell.c_prev, [0.7, 0.3]) and np.allclose(cell.h_prev, [1, 1])
    assert np.allclose(cell.x, [1, -1, 1])
    bd = cell.step()
    f = bd.terms["forget"].act
    assert np.all(f * cell.c_prev < 1e-3)  # forget result ≈ [0, 0]
    assert np.all(np.abs(bd.c - 1.0) < 1e-3)  # new C ≈ [1, 1]
    assert np.all(bd.terms["input"].act > 0.999) and np.all(bd.terms["candidate"].act > 0.999)


def test_forget_bias_moves_the_forget_gate_and_keeps_memory_longer():
    f0 = step.forget_bias_cell(0.0).step().terms["forget"].act
    f1 = step.forget_bias_cell(1.0).step().terms["forget"].act
    assert np.all(np.abs(f0 - 0.5) < 0.1) and np.all(np.abs(f1 - sigmoid(1.0)) < 0.1)
    ret = step.memory_retention(step.forget_bias_cell(0.0), steps=12)
    assert set(ret) == {0.0, 1.0} and ret[0.0].shape == (12, 2)
    assert np.all(ret[1.0] > ret[0.0])
    assert np.all(np.diff(ret[0.0], axis=0) < 0)  # a product of numbers in (0, 1) only shrinks
    with pytest.raises(ValueError):
        step.memory_retention(step.tiny_random("gru"))


def test_top_contributions_show_the_biggest_rows_and_account_for_the_rest():
    rng = np.random.default_rng(0)
    v, W = rng.normal(size=20), rng.normal(size=(20, 7))
    v[3] = 0.0
    units = [6, 1, 4]
    rows, rest = step.top_contributions(v, W, units, k=5)
    assert len(rows) == 5 and list(rows) == sorted(rows) and 3 not in rows
    assert np.allclose(v[rows] @ W[rows][:, units] + rest, (v @ W)[units])
    score = np.abs(v[:, None] * W[:, units]).max(axis=1)
    assert score[rows].min() >= np.delete(score, rows).max()
    one_hot = np.zeros(20)
    one_hot[9] = 1
    rows, rest = step.top_contributions(one_hot, W, units)
    assert list(rows) == [9] and np.allclose(rest, 0)


def test_unit_ordering_by_index_activity_and_cluster():
    rng = np.random.default_rng(1)
    T = 40
    a, b = rng.normal(size=T), rng.normal(size=T)
    # units 0, 2, 4 follow pattern a, units 1, 3, 5 pattern b; unit 5 moves most
    values = np.stack([a, b, 0.5 * a, 2 * b, 0.2 * a + 0.01, 3 * b], axis=1)
    act = unit_stats.unit_activity([values])
    assert np.allclose(act, values.std(axis=0) / values.std(axis=0).mean())
    # a second array 100 times larger weighs the same as the first
    both = unit_stats.unit_activity([values, 100 * values[:, ::-1]])
    assert np.allclose(both, (act + act[::-1]) / 2)
    assert list(unit_stats.top_units(act, 2)) == [3, 5]
    units = np.arange(6)
    assert list(unit_stats.order_units([values], units, "index")) == list(range(6))
    assert list(unit_stats.order_units([values], units, "activity")) == list(np.argsort(-values.std(axis=0)))
    order = list(unit_stats.order_units([values], units, "cluster"))
    assert sorted(order) == list(range(6))
    groups = ["a" if u % 2 == 0 else "b" for u in order]
    assert groups in (list("aaabbb"), list("bbbaaa"))  # each pattern's units sit together
    with pytest.raises(ValueError):
        unit_stats.order_units([values], units, "random")


def test_surprise_is_minus_log2_of_the_actual_next_character(model):
    trace = model.run("abca")
    bits = unit_stats.surprise_bits(trace)
    assert bits.shape == (4,) and np.isnan(bits[-1])
    for t in range(3):
        assert np.isclose(bits[t], -np.log2(trace.probs[t, trace.ids[t + 1]]))
    assert np.isnan(unit_stats.surprise_bits(model.run("a"))).all()


def test_trace_arrays_follow_the_page_order():
    for kind, names in {
        "lstm": ["input", "forget", "candidate", "output", "cell", "hidden"],
        "gru": ["update", "reset", "candidate", "hidden"],
        "rnn": ["hidden"],
    }.items():
        m = init_model(ModelConfig(kind=kind, hidden_size=3, seed=0), VOCAB)
        assert list(unit_stats.trace_arrays(m.run("ab"))) == names
