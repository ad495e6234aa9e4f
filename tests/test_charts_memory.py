"""explorer.charts_memory: every figure carries exactly the arrays the engine / analysis gave."""

import numpy as np
import plotly.graph_objects as go
import pytest

from explorer import charts_memory as C
from lstm_engine import KINDS, UNK, ModelConfig, Vocab, init_model
from lstm_engine.analyses import edits, memory, unit_stats

VOCAB = Vocab(list("abcdefghij xX'\"()<>&\n") + [UNK])
TEXT = "ab 'cd' (e[f]g) hij\nx\"a b\" c <b>&"


def tiny(kind):
    return init_model(ModelConfig(kind=kind, hidden_size=6, seed=2), VOCAB)


def lines(fig):
    return [tr for tr in fig.data if tr.mode == "lines"]


def test_char_label_makes_whitespace_visible_and_escapes_markup():
    assert C.char_label(" ") == "␣" and C.char_label("\n") == "↵"
    assert C.char_label("<") == "&lt;" and C.char_label("&") == "&amp;"
    assert C.char_label("\x07") == "U+0007"
    assert C.text_label("<b>hi</b>") == "&lt;b&gt;hi&lt;/b&gt;"
    assert C.text_label("x" * 70, 60).endswith("…")


def test_gradient_chart_traces_are_the_relative_curves():
    curves = memory.gradient_curves({k.upper(): tiny(k) for k in KINDS}, memory.fit_length(TEXT, 80))
    fig = C.gradient_chart(curves)
    assert isinstance(fig, go.Figure)
    assert [t.name for t in lines(fig)] == [c.label for c in curves]
    for tr, c in zip(lines(fig), curves, strict=True):
        assert np.allclose(tr.y, c.relative) and np.allclose(tr.x, c.distance)
        assert np.allclose(tr.customdata, c.norm)
        assert (tr.line.dash == "dash") == (c.path == "c")
    markers = [t for t in fig.data if t.mode == "markers"]
    assert len(markers) == sum(c.below is not None for c in curves)
    for m, c in zip(markers, [c for c in curves if c.below is not None], strict=True):
        assert m.x[0] == c.below and m.y[0] == pytest.approx(c.relative[c.below])
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.shapes[0].y0 == memory.THRESHOLD


def test_gradient_chart_in_chinese():
    curves = memory.gradient_curves({"LSTM": tiny("lstm")}, TEXT)
    fig = C.gradient_chart(curves, "zh")
    assert "末步" in fig.layout.yaxis.title.text
    assert [t.name for t in lines(fig)] == ["LSTM", "LSTM 细胞通路"]


def test_accuracy_chart_averages_seeds_per_kind_and_bias():
    rows = [
        {"task": "recall", "kind": "rnn", "lag": 5, "accuracy": 1.0, "chance": 0.25, "forget_bias": 1.0},
        {"task": "recall", "kind": "rnn", "lag": 5, "accuracy": 0.5, "chance": 0.25, "forget_bias": 1.0},
        {"task": "recall", "kind": "rnn", "lag": 50, "accuracy": 0.25, "chance": 0.25, "forget_bias": 1.0},
        {"task": "recall", "kind": "lstm", "lag": 50, "accuracy": 0.9, "chance": 0.25, "forget_bias": 1.0},
        {"task": "recall", "kind": "lstm", "lag": 50, "accuracy": 1.0, "chance": 0.25, "forget_bias": 5.0},
        {"task": "adding", "kind": "lstm", "lag": 50, "accuracy": 0.1, "chance": 0.08, "forget_bias": 1.0},
    ]
    fig = C.accuracy_chart(rows, "recall")
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"RNN", "LSTM (b_f = 1)", "LSTM (b_f = 5)"}
    assert list(by_name["RNN"].x) == [5, 50] and list(by_name["RNN"].y) == [0.75, 0.25]
    assert list(by_name["RNN"].error_y.array) == [0.25, 0.0] and list(by_name["RNN"].error_y.arrayminus) == [
        0.25,
        0,
    ]
    assert list(by_name["RNN"].customdata) == [2, 1] and by_name["RNN"].error_y.visible
    assert list(by_name["LSTM (b_f = 5)"].y) == [1.0]
    assert fig.layout.shapes[0].y0 == pytest.approx(0.25)
    assert len(C.accuracy_chart(rows, "adding").data) == 1


def test_loss_chart_has_training_and_validation():
    fig = C.loss_chart([1, 2, 3], [3.0, 2.5, 2.0], [3], [2.2], unit="bits")
    assert list(fig.data[0].y) == [3.0, 2.5, 2.0] and list(fig.data[1].x) == [3]
    assert "bits" in fig.layout.yaxis.title.text
    assert len(C.loss_chart([1], [1.0]).data) == 1


def test_divergence_chart_plots_the_state_distance():
    divs = [
        memory.state_divergence(k, tiny(k), TEXT, memory.replace_first(TEXT, VOCAB)) for k in ("rnn", "lstm")
    ]
    fig = C.divergence_chart(divs)
    for tr, d in zip(fig.data, divs, strict=True):
        assert np.allclose(tr.y, d.dh) and tr.name == d.label
        assert tr.customdata[0] == C.char_label(d.original[0])
    assert fig.layout.yaxis.type == "log"


def test_saturation_chart_has_one_scatter_per_gate():
    trace = tiny("lstm").run(TEXT)
    sats = unit_stats.gate_saturation(trace.gates)
    fig = C.saturation_chart(sats)
    assert len(fig.data) == 3
    for tr, s in zip(fig.data, sats, strict=True):
        assert np.allclose(tr.x, s.low) and np.allclose(tr.y, s.high)
        assert np.allclose(tr.x, (trace.gates[s.gate] < 0.1).mean(axis=0))
    assert [a.text for a in fig.layout.annotations] == ["input gate", "forget gate", "output gate"]


def test_top_units_chart_shows_the_ranked_units_and_the_signal():
    trace = tiny("lstm").run(TEXT)
    signal = unit_stats.pattern_signal(trace.tokens, "quotes")
    r = unit_stats.rank_units(trace.h, signal)
    top = list(r.order[:3])
    fig = C.top_units_chart(trace.h, top, r.corr, trace.tokens, signal)
    sig, heat = fig.data
    assert np.allclose(sig.y, signal)
    assert np.allclose(heat.z, trace.h[:, top].T)
    assert heat.y[0] == f"unit {top[0]} (r = {r.corr[top[0]]:+.2f})"
    assert "&lt;" in list(fig.layout.xaxis2.ticktext)  # "<" escaped in the labels


def test_long_texts_get_numeric_ticks():
    tokens = list("ab" * 100)
    fig = C.top_units_chart(np.zeros((200, 2)), [0, 1], np.zeros(2), tokens, np.arange(200.0))
    assert fig.layout.xaxis2.ticktext is None


def test_text_grid_breaks_lines_and_wraps():
    rows, cols = C.text_grid(list("abc\nde"), width=2)
    assert rows.tolist() == [0, 0, 1, 1, 2, 2] and cols.tolist() == [0, 1, 0, 1, 0, 1]


def test_unit_text_chart_colours_each_character_by_its_value():
    tokens = list("ab\n<c")
    values = np.array([0.1, -0.2, 0.3, 0.4, -0.5])
    fig = C.unit_text_chart(tokens, values, "unit <7>")
    z, text = np.array(fig.data[0].z, dtype=float), np.array(fig.data[0].text)
    assert z[0].tolist()[:3] == [0.1, -0.2, 0.3] and z[1].tolist()[:2] == [0.4, -0.5]
    assert text[1][0] == "&lt;" and text[0][2] == "↵"
    assert fig.layout.title.text == "unit &lt;7&gt;"


def test_delta_heatmap_is_the_edit_difference():
    m = tiny("lstm")
    d = edits.edit_delta(m, "ab (cd) e", "ab [cd) e")
    fig = C.delta_heatmap(d.dc, d.edited, d.changed, "Δc")
    assert np.allclose(fig.data[0].z, d.dc.T)
    assert [s.x0 for s in fig.layout.shapes] == [3]
    assert fig.data[0].zmin == -fig.data[0].zmax


def test_edited_runs_group_consecutive_positions():
    changed = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1], dtype=bool)
    assert C.edited_runs(changed) == [(1, 2), (4, 4), (7, 9)]
    assert C.edited_runs(np.zeros(3, dtype=bool)) == []


def test_series_name_names_the_lstm_bias_only_when_asked():
    from explorer.charts_memory import series_name

    assert series_name("lstm", 5.0) == "LSTM (b_f = 5)"
    assert series_name("lstm", 1.0, with_bias=False) == "LSTM" and series_name("rnn", 1.0) == "RNN"


def test_line_charts_grow_their_margins_to_fit_the_axis_titles():
    """The loss chart's axis title was cut off: every line chart of these pages lets Plotly
    grow the margins to fit titles and tick labels."""
    from explorer.charts_memory import accuracy_chart, loss_chart

    rows = [{"task": "recall", "kind": "rnn", "lag": 5, "accuracy": 1.0, "chance": 0.25}]
    for fig in (loss_chart([1, 2], [3.0, 2.0], lang="zh", unit="bits"), accuracy_chart(rows, "recall")):
        assert fig.layout.xaxis.automargin is True and fig.layout.yaxis.automargin is True
