"""lstm_engine.analyses (memory, units, edits): gradient curves, divergence, saturation, patterns, unit ranking, edits."""

import numpy as np
import pytest

from lstm_engine import KINDS, UNK, ModelConfig, Vocab, init_model, spectral_radius
from lstm_engine.analyses import edits, memory, unit_stats

VOCAB = Vocab(list("abcdefghij xX#'\"()[]\n") + [UNK])
TEXT = "ab 'cd' (e[f]g) hij\nx\"a b\" c"


def tiny(kind, **kw):
    return init_model(ModelConfig(kind=kind, hidden_size=8, seed=1, **kw), VOCAB)


# ----------------------------------------------------------------------------- knobs
def test_with_knobs_sets_radius_and_forget_bias_on_a_copy():
    m = tiny("lstm")
    before = m.params()["0/b_f"].copy()
    k = memory.with_knobs(m, radius=1.7, forget_bias=3.0)
    assert np.allclose(m.params()["0/b_f"], before)  # original untouched
    assert np.allclose(k.params()["0/b_f"], 3.0)
    for s in "ifoc":
        assert spectral_radius(k.params()[f"0/W_h{s}"]) == pytest.approx(1.7)
    assert memory.with_knobs(tiny("rnn"), forget_bias=3.0).params().keys() == tiny("rnn").params().keys()


def test_fresh_model_applies_radius_and_bias():
    m = memory.fresh_model("lstm", VOCAB, hidden_size=6, radius=0.5, forget_bias=0.0)
    assert spectral_radius(m.params()["0/W_hf"]) == pytest.approx(0.5)
    assert np.all(m.params()["0/b_f"] == 0.0)
    assert memory.fresh_model("rnn", VOCAB, hidden_size=6, radius=2.0).kind == "rnn"


def test_fit_length_repeats_and_cuts():
    assert memory.fit_length("abc", 7) == "abcabca"
    assert memory.fit_length("abcdef", 2) == "ab"
    assert memory.fit_length("", 5) == ""


# ----------------------------------------------------------------------------- gradients
def test_gradient_curves_match_engine_norms_reversed_and_normalised():
    models = {k.upper(): tiny(k) for k in KINDS}
    curves = memory.gradient_curves(models, TEXT)
    assert [c.label for c in curves] == ["LSTM", "LSTM cell", "GRU", "RNN"]
    for c in curves:
        g = models[c.label.split()[0]].gradient_norms(TEXT)
        raw = g.c if c.path == "c" else g.h
        assert np.allclose(c.norm, raw[::-1])
        assert np.allclose(c.relative, raw[::-1] / raw[-1])
        assert c.relative[0] == pytest.approx(1.0)
        assert np.array_equal(c.distance, np.arange(len(TEXT) - 1))


def test_fall_below_is_the_first_distance_under_one_percent():
    rel = np.array([1.0, 0.5, 0.02, 0.009, 0.5, 0.001])
    assert memory.fall_below(rel) == 3
    assert memory.fall_below(np.ones(4)) is None


def test_decay_per_step_recovers_a_geometric_rate():
    rel = 0.9 ** np.arange(60.0)
    rel[::7] *= 3  # wiggles do not change the fitted rate much
    assert memory.decay_per_step(rel) == pytest.approx(0.9, abs=0.01)
    assert memory.decay_per_step(np.ones(5)) is None  # too short to fit
    assert memory.decay_per_step(np.ones(40)) == pytest.approx(1.0)
    assert memory.decay_per_step(np.zeros(40)) is None


def test_small_radius_vanishes_and_large_radius_does_not():
    text = memory.fit_length(TEXT, 120)
    small = memory.gradient_curves({"RNN": memory.fresh_model("rnn", VOCAB, 16, radius=0.5)}, text)[0]
    large = memory.gradient_curves({"RNN": memory.fresh_model("rnn", VOCAB, 16, radius=2.0)}, text)[0]
    assert small.below is not None and small.below < 20
    assert large.below is None
    assert small.decay < 0.8 and large.decay > 1.0


def test_bigger_forget_bias_keeps_the_lstm_cell_path_alive_longer():
    text = memory.fit_length(TEXT, 150)
    far = []
    for fb in (0.0, 3.0):
        m = memory.fresh_model("lstm", VOCAB, 16, radius=1.0, forget_bias=fb)
        cell = memory.gradient_curves({"LSTM": m}, text)[1]
        far.append(cell.below if cell.below is not None else 10**9)
    assert far[0] < far[1]


# ----------------------------------------------------------------------------- divergence
def test_replace_first_picks_a_different_character():
    assert memory.replace_first("xyz", VOCAB) == "Xyz"
    assert memory.replace_first("abc", VOCAB) == "xbc"
    assert memory.replace_first("abc", VOCAB, "#") == "#bc"
    assert memory.replace_first("", VOCAB) == ""


@pytest.mark.parametrize("kind", KINDS)
def test_state_divergence_is_the_norm_of_the_state_difference(kind):
    m = tiny(kind)
    d = memory.state_divergence("M", m, TEXT, memory.replace_first(TEXT, VOCAB))
    a, b = m.run(TEXT), m.run(memory.replace_first(TEXT, VOCAB))
    assert np.allclose(d.dh, np.linalg.norm(a.h - b.h, axis=1))
    assert d.dh[0] > 0
    assert (d.dc is not None) == (kind == "lstm")
    if d.dc is not None:
        assert np.allclose(d.dc, np.linalg.norm(a.c - b.c, axis=1))


def test_identical_texts_do_not_diverge():
    d = memory.state_divergence("M", tiny("lstm"), TEXT, TEXT)
    assert np.all(d.dh == 0)


# ----------------------------------------------------------------------------- saturation
def test_gate_saturation_counts_fractions_per_unit():
    gates = {
        "input": np.array([[0.05, 0.5], [0.95, 0.5], [0.05, 0.99], [0.5, 0.99]]),
        "candidate": np.zeros((4, 2)),
    }
    (s,) = unit_stats.gate_saturation(gates)
    assert s.gate == "input"
    assert np.allclose(s.low, [0.5, 0.0]) and np.allclose(s.high, [0.25, 0.5])


def test_gate_saturation_of_a_real_trace():
    tr = tiny("lstm").run(TEXT)
    sats = unit_stats.gate_saturation(tr.gates)
    assert [s.gate for s in sats] == ["input", "forget", "output"]
    f = tr.gates["forget"]
    assert np.allclose(sats[1].high, (f > 0.9).mean(axis=0))
    assert unit_stats.gate_saturation(tiny("rnn").run(TEXT).gates) == []
    assert [s.gate for s in unit_stats.gate_saturation(tiny("gru").run(TEXT).gates)] == ["update", "reset"]


# ----------------------------------------------------------------------------- patterns
def test_quote_signal_follows_quotes_but_not_apostrophes():
    toks = list("a 'bc' don't \"x\"")
    s = unit_stats.quote_signal(toks)
    assert "".join(ch for ch, v in zip(toks, s, strict=True) if v) == "'bc\"x"
    assert unit_stats.quote_signal(list("'open")).tolist() == [1, 1, 1, 1, 1]


def test_paren_signal_is_the_depth():
    assert unit_stats.paren_signal(list("a(b[c])d)")).tolist() == [0, 1, 1, 2, 2, 1, 0, 0, 0]


def test_word_position_and_line_start():
    assert unit_stats.word_position_signal(list("ab c_1 .")).tolist() == [1, 2, 0, 1, 2, 3, 0, 0]
    assert unit_stats.line_start_signal(list("ab\ncd\n")).tolist() == [1, 0, 0, 1, 0, 0]


def test_line_position_counts_characters_since_the_last_punctuation():
    verse = list("白日依山尽，黄河入海流。\n欲穷")
    expected = [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 0, 1, 2]
    assert unit_stats.line_position_signal(verse).tolist() == expected
    assert unit_stats.pattern_signal(verse, "line_position").tolist() == expected
    assert unit_stats.line_position_signal(list("ab, c.d")).tolist() == [1, 2, 0, 1, 2, 0, 1]


def test_span_signal_clips():
    assert unit_stats.span_signal(5, 1, 3).tolist() == [0, 1, 1, 0, 0]
    assert unit_stats.span_signal(3, -2, 10).tolist() == [1, 1, 1]
    assert unit_stats.span_signal(3, 2, 1).sum() == 0
    with pytest.raises(ValueError):
        unit_stats.pattern_signal(list("ab"), "nonsense")


def test_rank_units_finds_the_planted_unit():
    rng = np.random.default_rng(0)
    signal = unit_stats.paren_signal(list("a(b(c)d)e(f)g" * 3))
    states = rng.normal(size=(signal.size, 5)) * 0.1
    states[:, 3] += signal
    states[:, 1] -= 0.5 * signal
    states[:, 4] = 0.7  # a constant unit
    r = unit_stats.rank_units(states, signal)
    assert r.order[0] == 3 and r.order[1] == 1
    assert r.corr[1] < 0 and r.corr[4] == 0 and not r.constant
    assert r.corr[3] == pytest.approx(np.corrcoef(states[:, 3], signal)[0, 1])


def test_rank_units_with_a_constant_signal():
    r = unit_stats.rank_units(np.random.default_rng(1).normal(size=(6, 3)), np.zeros(6))
    assert r.constant and np.all(r.corr == 0)


# ----------------------------------------------------------------------------- what if
def test_edit_delta_is_zero_before_the_edit_and_not_after():
    m = tiny("lstm")
    d = edits.edit_delta(m, "abc (d) e", "abc [d) e")
    assert np.all(d.dh[:4] == 0) and np.all(d.dc[:4] == 0)
    assert np.abs(d.dc[4]).sum() > 0
    assert d.changed.tolist() == [i == 4 for i in range(9)]
    b, a = m.run("abc [d) e"), m.run("abc (d) e")
    assert np.allclose(d.dh, b.h - a.h) and np.allclose(d.dc, b.c - a.c)


def test_align_edit_matches_around_insertions_and_deletions():
    match, changed = edits.align_edit(list("abcd"), list("abXcd"))
    assert match.tolist() == [0, 1, 1, 2, 3] and changed.tolist() == [0, 0, 1, 0, 0]
    match, changed = edits.align_edit(list("abXcd"), list("abcd"))
    assert match.tolist() == [0, 1, 3, 4] and changed.tolist() == [0, 0, 1, 0]
    match, changed = edits.align_edit(list("abc"), list("abc"))
    assert match.tolist() == [0, 1, 2] and not changed.any()
    match, _ = edits.align_edit([], list("ab"))
    assert match.tolist() == [-1, -1]


def test_edit_delta_after_an_insertion_compares_matching_characters():
    m = tiny("gru")
    d = edits.edit_delta(m, "abcdef", "abXcdef")
    a, b = m.run("abcdef"), m.run("abXcdef")
    assert d.dh.shape == (7, 8) and d.dc is None and d.edited == list("abXcdef")
    assert np.allclose(d.dh[2], b.h[2] - a.h[1])  # X against the state before the edit
    assert np.allclose(d.dh[6], b.h[6] - a.h[5])  # the last f against the original last f
    assert np.all(d.dh[:2] == 0)


# ----------------------------------------------------------------------------- trends and lessons
def curve(relative, below=None, decay=None, overflow=None, path="h", label="X"):
    rel = np.asarray(relative, dtype=float)
    return memory.GradientCurve(label, "rnn", path, np.arange(rel.size), rel, rel, below, decay, overflow)


def test_trend_thresholds_are_what_the_horizon_implies():
    assert pytest.approx(memory.THRESHOLD) == memory.VANISHING_RATE**memory.HORIZON
    assert pytest.approx(1 / memory.THRESHOLD) == memory.EXPLODING_RATE**memory.HORIZON
    ones = np.ones(10)
    assert memory.trend(curve(ones, decay=0.9)) == "vanishing"
    assert memory.trend(curve(ones, decay=1.033)) == "steady"  # slow growth is not exploding
    assert memory.trend(curve(ones, decay=0.96)) == "steady"
    assert memory.trend(curve(ones, decay=1.09)) == "exploding"
    assert memory.trend(curve(ones, decay=None, overflow=5)) == "exploding"
    assert memory.trend(curve(ones)) is None


def test_rate_lesson_finds_the_curve_that_crosses_first_but_decays_slower():
    d = np.arange(200)
    early = curve(0.5 * 0.95**d, below=10, decay=0.95, label="LSTM")  # drops at once, then slowly
    late = curve(0.9**d, below=40, decay=0.9, label="RNN")
    lesson = memory.rate_lesson([late, early])
    assert lesson.early is early and lesson.late is late
    assert lesson.ratio == pytest.approx(early.relative[-1] / late.relative[-1])
    honest = curve(0.8**d, below=20, decay=0.8)  # crosses first and decays fastest: no twist
    assert memory.rate_lesson([honest, late]) is None
    assert memory.rate_lesson([curve(0.5 * 0.95**d, below=10, decay=0.95, path="c"), late]) is None


def test_mean_gate_is_the_trace_mean():
    m = tiny("gru")
    assert memory.mean_gate(m, TEXT, "update") == pytest.approx(m.run(TEXT).gates["update"].mean())


def test_seed_summaries_count_solved_seeds_per_kind_and_bias():
    rows = [
        {"task": "recall", "kind": "rnn", "lag": 100, "accuracy": a, "chance": 0.25, "forget_bias": 1.0}
        for a in (0.26, 1.0, 0.22)
    ] + [
        {"task": "recall", "kind": "lstm", "lag": 100, "accuracy": 1.0, "chance": 0.25, "forget_bias": 5.0},
        {"task": "recall", "kind": "lstm", "lag": 50, "accuracy": 0.2, "chance": 0.25, "forget_bias": 5.0},
        {"task": "adding", "kind": "rnn", "lag": 100, "accuracy": 0.9, "chance": 0.08, "forget_bias": 1.0},
    ]
    lstm, rnn = memory.seed_summaries(rows, "recall", 100)
    assert (rnn.kind, rnn.solved, rnn.runs, rnn.best) == ("rnn", 1, 3, 1.0)
    assert rnn.mean == pytest.approx(np.mean([0.26, 1.0, 0.22])) and rnn.chance == 0.25
    assert (lstm.kind, lstm.forget_bias, lstm.solved, lstm.runs) == ("lstm", 5.0, 1, 1)
    assert memory.is_solved(0.63, 0.25) and not memory.is_solved(0.62, 0.25)
