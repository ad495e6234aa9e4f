"""The numbers behind the gates page's summaries, unit finder rows and cell colour scale."""

import numpy as np
import pytest

from lstm_engine import UNK, ModelConfig, Vocab, init_model
from lstm_engine.analyses import unit_stats as us

TEXT = "say 'hi' (to me) and 'bye'\nnext (line)"


@pytest.fixture(scope="module")
def trace():
    model = init_model(ModelConfig(kind="lstm", hidden_size=8, seed=3), Vocab(sorted(set(TEXT)) + [UNK]))
    return model.run(TEXT)


def test_step_summaries_are_shares_of_all_units_past_the_threshold(trace):
    s = us.step_summaries(trace)
    np.testing.assert_array_equal(s["forget_shut"], (trace.gates["forget"] < 0.1).mean(axis=1))
    np.testing.assert_array_equal(s["input_open"], (trace.gates["input"] > 0.9).mean(axis=1))
    assert (
        us.step_summaries(init_model(ModelConfig(kind="rnn", hidden_size=4), Vocab(list("ab"))).run("ab"))
        == {}
    )


def test_peaks_are_the_highest_standing_out_local_maxima():
    s = np.array([0, 0.1, 0.9, 0.1, 0, 0.5, 0.1, 0, 0.95, 0.2, 0.1])
    assert us.peaks(s, k=2).tolist() == [2, 8]
    assert us.peaks(s, k=5).tolist() == [2, 8]  # 0.5 is below mean + sd
    assert us.peaks(np.ones(5)).size == 0 and us.peaks(np.array([1.0])).size == 0


def test_pattern_units_are_the_finders_best_units_above_the_threshold(trace):
    found = us.pattern_units(trace.tokens, trace.h, min_r=0.3)
    for tr in found:
        r = us.correlations(trace.h, us.pattern_signal(trace.tokens, tr.pattern))
        assert tr.r == pytest.approx(r[tr.unit]) and abs(tr.r) >= 0.3
    assert [abs(t.r) for t in found] == sorted((abs(t.r) for t in found), reverse=True)
    assert len({t.unit for t in found}) == len(found)
    assert us.pattern_units(trace.tokens, trace.h, min_r=1.01) == []
    units = us.interesting_first([trace.h], found, 5)
    assert units[: min(len(found), 5)].tolist() == [t.unit for t in found][:5] and len(set(units)) == 5


def test_cell_scale_puts_the_median_half_way_along_each_half():
    c = np.random.default_rng(0).standard_cauchy((200, 16)) * 5  # heavy tails, like trained cells
    cs = us.cell_scale(c)
    a = np.abs(c)
    assert cs.median == pytest.approx(np.median(a)) and cs.top == pytest.approx(np.quantile(a, 0.99))
    assert np.arcsinh(cs.median / cs.bend) / np.arcsinh(cs.top / cs.bend) == pytest.approx(0.5, abs=1e-6)
    flat = us.cell_scale(np.zeros((3, 2)))
    assert flat.top == 1.0 and flat.bend > 100  # nothing to bend: linear on [−1, 1]


def test_top_next_matches_model_top_k(trace):
    ids, p = us.top_next(trace.probs, 3)
    for t in range(len(trace.tokens)):
        order = np.argsort(-trace.probs[t], kind="stable")[:3]
        assert ids[t].tolist() == order.tolist() and np.allclose(p[t], trace.probs[t][order])
