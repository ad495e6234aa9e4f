"""explorer.charts: figures carry exactly the engine's arrays, fixed colour ranges, and user
characters only as escaped text."""

import numpy as np
import pytest

from explorer import charts as C
from explorer.visual import escape_html
from lstm_engine import UNK, ModelConfig, Vocab, init_model
from lstm_engine.analyses import step, unit_stats

PAYLOAD = "<img src=x onerror=alert(1)>&"
VOCAB = Vocab(sorted(set(PAYLOAD + "ab ()\n")) + [UNK])


@pytest.fixture(scope="module")
def trace():
    return init_model(ModelConfig(kind="lstm", hidden_size=6, seed=2), VOCAB).run("ab " + PAYLOAD)


def test_escape_and_visible_labels():
    assert escape_html("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert [C.char_label(ch) for ch in " \n\t<>&a\x01"] == [
        "␣",
        "↵",
        "⇥",
        "&lt;",
        "&gt;",
        "&amp;",
        "a",
        "U+0001",
    ]


def test_heatmap_z_is_exactly_the_trace_array_for_the_units_shown(trace):
    units = [4, 0, 2]
    fig = C.unit_heatmap(trace.gates["forget"], trace.tokens, units, "F", "gate", step=3)
    hm = fig.data[0]
    assert np.array_equal(np.asarray(hm.z), trace.gates["forget"][:, units].T)
    assert list(hm.y) == ["4", "0", "2"]
    assert (hm.zmin, hm.zmax) == (0.0, 1.0)
    assert len(set(hm.x)) == len(trace.tokens)  # repeated characters stay separate columns
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (2.5, 3.5)


@pytest.mark.parametrize(("scale", "lo", "hi"), [("gate", 0, 1), ("tanh", -1, 1), ("cell", -100, 100)])
def test_colour_ranges_are_fixed_whatever_the_data(scale, lo, hi):
    values = np.random.default_rng(0).normal(size=(5, 3)) * 10
    hm = C.unit_heatmap(values, list("abcde"), [0, 1, 2], "t", scale).data[0]
    assert (hm.zmin, hm.zmax) == (lo, hi)


def test_cell_state_keeps_exact_values_on_a_log_like_colour_scale(trace):
    c = trace.c * 40  # a trained cell's values go far beyond 1
    hm = C.unit_heatmap(c, trace.tokens, [1, 3], "C", "cell").data[0]
    assert np.array_equal(np.asarray(hm.z), c[:, [1, 3]].T)
    stops = np.array([p for p, _ in hm.colorscale])
    assert stops[0] == 0 and stops[-1] == 1 and np.all(np.diff(stops) > 0)
    # half the colour bar's stops sit within |c| < 10: small values get as much colour as big ones
    assert np.mean(np.abs(stops * 200 - 100) < 10) >= 0.45
    assert np.allclose(C.colour_position([-100, 0, 100, 1e6], "cell"), [0, 0.5, 1, 1])
    assert C.colour_position([10], "cell")[0] > 0.5 + 0.5 * 0.55  # asinh: 10 is over half way to 100


def test_every_column_hovers_with_its_step_and_labels_thin_out_past_80_characters():
    tokens = list("ab") * 100
    fig = C.unit_heatmap(np.zeros((200, 2)), tokens, [0, 1], "t")
    assert fig.layout.xaxis.dtick == 3 and C.label_every(80) == 1 and C.label_every(81) == 2
    assert np.array_equal(np.asarray(fig.data[0].customdata)[1], np.arange(200))
    assert "%{customdata}" in fig.data[0].hovertemplate and "%{x}" in fig.data[0].hovertemplate
    assert len(fig.layout.xaxis.labelalias) == 200


def test_user_characters_reach_plotly_only_escaped(trace):
    fig = C.unit_heatmap(trace.h, trace.tokens, range(6), "H", "tanh")
    labels = list(fig.layout.xaxis.labelalias.values())
    texts = [*labels, *fig.layout.xaxis.labelalias, *fig.data[0].x]
    assert not any("<" in s or ">" in s for s in texts)
    assert "&lt;" in labels and "␣" in labels and "&amp;" in labels
    assert "img" not in fig.data[0].hovertemplate  # the template holds only our words
    top = C.top_k_bars([("<", 0.5), ("&", 0.3), (" ", 0.2)], "next")
    assert list(top.layout.yaxis.ticktext) == ["&lt;", "&amp;", "␣"]
    assert list(top.data[0].x) == [0.5, 0.3, 0.2]


def test_surprise_strip_holds_the_bits(trace):
    bits = unit_stats.surprise_bits(trace)
    hm = C.surprise_strip(bits, trace.tokens, "s").data[0]
    assert np.array_equal(np.asarray(hm.z), bits[None, :], equal_nan=True)
    assert (hm.zmin, hm.zmax) == (0.0, C.SURPRISE_MAX)


def test_gate_bars_are_a_slice_at_the_step(trace):
    arrays = unit_stats.trace_arrays(trace)
    units = [5, 1]
    scales = {n: "gate" for n in arrays} | {"candidate": "tanh", "cell": "cell", "hidden": "tanh"}
    fig = C.gate_bars({n: a[4] for n, a in arrays.items()}, scales, units, {n: n for n in arrays})
    assert len(fig.data) == len(arrays)
    for bar, (_name, a) in zip(fig.data, arrays.items(), strict=True):
        assert np.array_equal(np.asarray(bar.y), a[4, units])
        assert list(bar.x) == ["5", "1"] and len(bar.marker.color) == 2
    assert tuple(fig.layout.yaxis.range) == (0, 1)  # the input gate row keeps the fixed gate range


def test_matvec_product_panel_is_v_times_W():
    v, W = np.array([1.0, -2.0]), np.array([[0.5, 1.0, 0.0], [0.25, -1.0, 2.0]])
    fig = C.matvec_figure(v, W, ["a", "b"], ["0", "1", "2"], ("v", "W", "vW"))
    assert np.array_equal(np.asarray(fig.data[0].z), v[:, None])
    assert np.array_equal(np.asarray(fig.data[1].z), W)
    assert np.allclose(np.asarray(fig.data[2].z), (v @ W)[None, :])


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_cell_diagram_labels_every_box_with_its_values(kind):
    bd = step.tiny_random(kind, seed=0).step()
    values = {name: t.act for name, t in bd.terms.items()} | {"h_prev": bd.h_prev, "h": bd.h, "x": bd.x}
    if kind == "lstm":
        values |= {"c_prev": bd.c_prev, "c": bd.c, "tanh_c": bd.tanh_c}
    fig = C.cell_diagram(kind, values, {})
    boxes = C.DIAGRAMS[kind]["boxes"]
    assert sum(s.type == "rect" for s in fig.layout.shapes) == len(boxes)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert C._fmt_vec(bd.h) in notes
    if kind == "lstm":
        assert C._fmt_vec(bd.c) in notes and C._fmt_vec(bd.terms["forget"].act) in notes


def test_retention_lines_are_the_mean_over_units():
    ret = step.memory_retention(step.forget_bias_cell(0.0), steps=5)
    fig = C.retention_figure(ret, "t", "k", "b={bias:g}")
    assert [d.name for d in fig.data] == ["b=0", "b=1"]
    assert np.allclose(fig.data[1].y, ret[1.0].mean(axis=1))
    assert fig.layout.yaxis.type == "log"


def test_gates_figure_window_follows_the_cursor_and_every_column_is_labelled(trace):
    from explorer import charts_gates as G

    T = len(trace.tokens)
    assert G.window(0, T, 100) == [-0.5, T - 0.5]  # everything fits
    assert G.window(0, 200, 80) == [-0.5, 79.5] and G.window(199, 200, 80) == [119.5, 199.5]
    assert G.window(59, 200, 80) == [-0.5, 79.5] and G.window(60, 200, 80) == [39.5, 119.5]  # half a page
    for t in range(200):  # the cursor is always in view, a quarter from the left edge but at the start
        lo, hi = G.window(t, 200, 80)
        assert (
            hi - lo == 80 and lo < t < hi and (t - lo >= 20 or lo == -0.5) and (hi - t >= 20 or hi == 199.5)
        )
    cs = unit_stats.cell_scale(trace.c * 30)
    pos = G.cell_position([-cs.top, -cs.median, 0, cs.median, cs.top, 1e9], cs)
    assert np.allclose(pos, [0, 0.25, 0.5, 0.75, 1, 1], atol=1e-6)
    stops = G.cell_colorscale(cs)
    assert (
        stops[0][0] == 0
        and stops[-1][0] == 1
        and all(a[0] < b[0] for a, b in zip(stops, stops[1:], strict=False))
    )


def test_bars_paths_draw_one_bar_per_value_clipped_to_the_axis():
    from explorer import charts_gates as G

    rows = np.array([[0.5, -2.0, np.nan, 0.123456], [1.004, -0.004, -0.25, 10.0]])
    first, second = G.bars_paths(rows, (-1.0, 1.0), 56)  # 28 pixels per unit
    assert first == "M-1,0V14H1V-28H3V0H5V3H7V0Z"  # bar j over 2j ± 1
    assert second == "M-1,0V28H1V0H3V-7H5V28H7V0Z"
    assert G.bars_paths(np.zeros((2, 0)), (0.0, 1.0), 56) == ["", ""]
