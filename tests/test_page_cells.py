"""The "Inside the cells" page via AppTest: saturation, unit finder, what-if, hostile text."""

import numpy as np
import plotly.graph_objects as go
import pytest
from pagetest import ROOT, figures, open_page

from explorer.texts import t
from lstm_engine import UNK, ModelConfig, Vocab, init_model, load_model
from lstm_engine.analyses import edits, unit_stats

DEFAULT = t("cells.default_text")


def by_key(at) -> dict[str, go.Figure]:
    figs = figures(at)
    return dict(zip(["sat", "top", "unit", "dc", "dh"], figs, strict=False))


@pytest.fixture(scope="module")
def lstm():
    return load_model(ROOT / "assets" / "models" / "lstm.npz")


@pytest.fixture(scope="module")
def default_page():
    at = open_page("cells")
    assert not at.exception
    return at


def test_defaults_match_the_engine(default_page, lstm):
    at = default_page
    assert at.title[0].value == "Inside the cells"
    figs = by_key(at)
    trace = lstm.run(DEFAULT)
    sats = unit_stats.gate_saturation(trace.gates)
    for tr, s in zip(figs["sat"].data, sats, strict=True):
        assert np.allclose(tr.x, s.low) and np.allclose(tr.y, s.high)
    signal = unit_stats.quote_signal(trace.tokens)
    ranking = unit_stats.rank_units(trace.h, signal)
    top = [int(u) for u in ranking.order[:5]]
    assert np.allclose(figs["top"].data[0].y, signal)
    assert np.allclose(figs["top"].data[1].z, trace.h[:, top].T)
    assert at.selectbox(key="cells_unit").value == top[0]
    unit_z = np.array(figs["unit"].data[0].z, dtype=float)
    assert np.allclose(np.sort(unit_z[~np.isnan(unit_z)]), np.sort(trace.h[:, top[0]]))
    d = edits.edit_delta(lstm, t("cells.original_default"), t("cells.edited_default"))
    assert np.allclose(figs["dc"].data[0].z, d.dc.T) and np.allclose(figs["dh"].data[0].z, d.dh.T)
    assert len(at.caption) >= 5  # one caption per chart (plus the model line)


@pytest.mark.parametrize("pattern", ["parens", "word_position", "line_position", "line_start"])
def test_each_pattern_ranks_units_by_correlation(pattern, lstm):
    at = open_page("cells")
    at.radio(key="cells_pattern").set_value(pattern)
    at.radio(key="cells_path").set_value("c")
    at.slider(key="cells_k").set_value(3).run()
    assert not at.exception
    trace = lstm.run(DEFAULT)
    signal = unit_stats.pattern_signal(trace.tokens, pattern)
    ranking = unit_stats.rank_units(trace.c, signal)
    top = by_key(at)["top"]
    assert np.allclose(top.data[0].y, signal)
    assert np.allclose(top.data[1].z, trace.c[:, ranking.order[:3]].T)
    assert at.selectbox(key="cells_unit").options == [
        t("cells.unit_label", unit=int(u), r=ranking.corr[u]) for u in ranking.order[:3]
    ]


def test_a_marked_span_and_picking_a_unit(lstm):
    at = open_page("cells")
    at.radio(key="cells_pattern").set_value("span").run()
    at.slider(key="cells_span").set_value((4, 13)).run()
    assert not at.exception
    assert any(x.value == "Marked: '\"with\" st'" for x in at.text)
    trace = lstm.run(DEFAULT)
    ranking = unit_stats.rank_units(trace.h, unit_stats.span_signal(len(trace.tokens), 4, 13))
    second = int(ranking.order[1])
    at.selectbox(key="cells_unit").set_value(second).run()
    unit = np.array(by_key(at)["unit"].data[0].z, dtype=float)
    assert np.allclose(np.sort(unit[~np.isnan(unit)]), np.sort(trace.h[:, second]))
    at.slider(key="cells_span").set_value((5, 5)).run()  # an empty span: nothing to follow
    assert at.warning[0].value == t("cells.constant_signal")


def test_rnn_has_no_gates_and_gru_has_two():
    at = open_page("cells")
    at.selectbox(key="cells_model").set_value("RNN").run()
    assert not at.exception
    assert at.info[0].value == t("cells.no_gates")
    assert at.radio(key="cells_path").options == ["hidden h"]
    at.selectbox(key="cells_model").set_value("GRU").run()
    assert [a.text for a in by_key(at)["sat"].layout.annotations] == ["update gate", "reset gate"]


def test_a_session_model_is_offered_and_used():
    at = open_page("cells")
    vocab = Vocab(list('abc "()') + [UNK])
    at.session_state["user_models"] = {"mine": init_model(ModelConfig(kind="lstm", hidden_size=3), vocab)}
    at.run()
    assert "mine" in at.selectbox(key="cells_model").options
    at.selectbox(key="cells_model").set_value("mine").run()
    assert not at.exception
    assert any("LSTM, 1×3 units" in c.value for c in at.caption)
    assert any("vocabulary" in i.value for i in at.info)  # the default text has letters it lacks


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("", "info"),
        ("x", "info"),
        ("no quotes or brackets here", "constant"),
        ("🙂 <script>alert('x')</script> \x00\x1b[31m 中文", "unknown"),
        ("(a) 'b' " * 400, "truncated"),
    ],
    ids=["empty", "one-char", "no-pattern", "hostile", "long"],
)
def test_odd_and_hostile_text(text, expect):
    at = open_page("cells")
    at.text_area(key="cells_text").set_value(text).run()
    assert not at.exception
    if expect == "info":
        assert at.info[0].value == t("common.empty_text")
    elif expect == "constant":
        assert at.warning[0].value == t("cells.constant_signal")
    elif expect == "unknown":
        assert any("vocabulary" in i.value for i in at.info)
    else:
        assert any("cut to the first 2000" in c.value for c in at.caption)


def test_what_if_controls(lstm):
    at = open_page("cells")
    at.text_input(key="cells_edited").set_value(t("cells.original_default")).run()
    assert any(i.value == t("cells.no_change") for i in at.info)
    at.text_input(key="cells_original").set_value("abc (d) e")
    at.text_input(key="cells_edited").set_value("abc (dX) e").run()
    d = edits.edit_delta(lstm, "abc (d) e", "abc (dX) e")
    figs = by_key(at)
    assert np.allclose(figs["dh"].data[0].z, d.dh.T)
    assert [s.x0 for s in figs["dc"].layout.shapes] == [6]
    at.text_input(key="cells_edited").set_value("").run()
    assert any(i.value == t("common.empty_text") for i in at.info)


def test_page_in_chinese():
    at = open_page("cells")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "细胞内部"


def test_pattern_and_text_come_from_and_go_to_the_url():
    from pagetest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "cells.py"), default_timeout=90)
    at.query_params.update(pattern="parens", text="f(a(b)) (c)")
    at.run()
    assert not at.exception
    assert (
        at.radio(key="cells_pattern").value == "parens"
        and at.text_area(key="cells_text").value == "f(a(b)) (c)"
    )
    at.radio(key="cells_pattern").set_value("quotes").run()
    assert str(at.query_params["pattern"]).strip("[]'") == "quotes"
    bad = AppTest.from_file(str(ROOT / "pages" / "cells.py"), default_timeout=90)
    bad.query_params.update(pattern="<script>")
    bad.run()
    assert not bad.exception and bad.radio(key="cells_pattern").value == "quotes"
    assert "text" not in bad.query_params  # the long default text stays out of the URL
