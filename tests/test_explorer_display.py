"""explorer's display layouts of engine numbers: the one-step LaTeX, the step and tiny-cell tables,
and the CSV table of a trace, each checked against the engine's own arrays."""

import numpy as np
import pytest

from explorer import equations, export, step_tables
from lstm_engine import KINDS, SUFFIXES, UNK, ModelConfig, Vocab, init_model
from lstm_engine.analyses import step

VOCAB = Vocab(list("abc (')<>\n") + [UNK])


@pytest.fixture(params=KINDS, scope="module")
def model(request):
    return init_model(ModelConfig(kind=request.param, hidden_size=5, num_layers=2, seed=4), VOCAB)


@pytest.mark.parametrize("kind", KINDS)
def test_tiny_tables_round_trip_and_nan_becomes_zero(kind):
    cell = step.tiny_random(kind, seed=3)
    grids = {s: step_tables.tiny_gate_table(cell, s) for s in SUFFIXES[kind]}
    assert all(t.shape == (6, 2) for t in grids.values())
    back = step_tables.tiny_from_tables(kind, grids, cell.x, cell.h_prev, cell.c_prev)
    assert all(np.array_equal(back.params[k], cell.params[k]) for k in cell.params)
    first = next(iter(grids))
    grids[first] = grids[first].copy()
    grids[first][0, 0] = np.nan
    assert (
        step_tables.tiny_from_tables(kind, grids, cell.x, cell.h_prev, cell.c_prev).params[f"W_x{first}"][
            0, 0
        ]
        == 0
    )


def test_trace_columns_are_a_tidy_long_table(model):
    trace = model.run("ab'")
    cols = export.trace_columns(trace)
    n = {len(v) for v in cols.values()}
    assert len(n) == 1
    per_layer = len(trace.layers[0].gates) + len(trace.layers[0].pre) + (model.kind == "lstm") + 1
    assert n.pop() == 2 * per_layer * 3 * 5 + 3
    pick = (cols["layer"] == 1) & (cols["quantity"] == "hidden") & (cols["step"] == 2) & (cols["unit"] == 4)
    assert cols["value"][pick] == pytest.approx(trace.layers[1].h[2, 4])
    assert set(cols["char"][pick]) == {"'"}
    surprise = cols["quantity"] == "surprise_bits"
    assert surprise.sum() == 3 and set(cols["unit"][surprise]) == {-1}


def test_equations_hold_only_numbers_and_show_this_steps_values():
    bd = step.boss_raise().step()
    eqs = equations.equations_latex(bd, [0, 1])
    assert len(eqs) == 6  # I, F, O, C̃, C, H
    assert r"\begin{bmatrix}0.700 & 0.300\end{bmatrix}" in eqs[4]
    assert equations.latex_vector(bd.h) in eqs[5]
    gru = step.tiny_random("gru").step()
    assert len(equations.equations_latex(gru, [1])) == 4
    assert len(equations.equations_latex(step.tiny_random("rnn").step(), [0])) == 1
    assert (
        equations.latex_number(float("nan")) == r"\text{nan}"
        and equations.latex_number(2.5e-5) == r"2.5\times 10^{-5}"
    )


def test_breakdown_columns_have_one_value_per_unit(model):
    trace = model.run("abc")
    cols = step_tables.breakdown_columns(step.model_step(model, trace, 2, 1))
    assert all(len(v) == 5 for v in cols.values())
    assert np.allclose(cols["h"], trace.layers[1].h[2])
