"""The engine's public contract: shapes, vocabulary handling, purity, determinism."""

import subprocess
import sys

import numpy as np
import pytest

from lstm_engine import KINDS, UNK, ModelConfig, Vocab, init_model

VOCAB = Vocab(list("abc (')\n") + [UNK])


@pytest.fixture(params=KINDS)
def model(request):
    return init_model(ModelConfig(kind=request.param, hidden_size=6, num_layers=2, seed=3), VOCAB)


def test_importing_the_engine_pulls_in_no_ui_libraries():
    code = "import sys, lstm_engine; print(sorted(m for m in ('streamlit','plotly','pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_trace_shapes_and_gate_names(model):
    trace = model.run("a (b)")
    T, H, V = 5, 6, len(VOCAB)
    assert trace.tokens == list("a (b)")
    assert trace.h.shape == (T, H) and trace.probs.shape == (T, V)
    assert np.allclose(trace.probs.sum(axis=1), 1.0)
    expected = {"lstm": {"input", "forget", "output", "candidate"}, "gru": {"update", "reset", "candidate"}}
    assert set(trace.gates) == expected.get(model.kind, set())
    assert (trace.c is not None) == (model.kind == "lstm")
    assert len(trace.layers) == 2
    for g, a in trace.gates.items():
        assert a.shape == (T, H)
        lo, hi = (-1, 1) if g == "candidate" else (0, 1)
        assert a.min() >= lo and a.max() <= hi


def test_lstm_trace_obeys_the_cell_equations():
    m = init_model(ModelConfig(kind="lstm", hidden_size=4, seed=1), VOCAB)
    tr = m.run("abc(")
    g = tr.gates
    c_prev = np.vstack([np.zeros(4), tr.c[:-1]])
    assert np.allclose(tr.c, g["forget"] * c_prev + g["input"] * g["candidate"])
    assert np.allclose(tr.h, g["output"] * np.tanh(tr.c))
    # the input gate of step 0 from the named parameters, by hand
    p = m.params()
    x = np.zeros(len(VOCAB))
    x[VOCAB.index["a"]] = 1
    i0 = 1 / (1 + np.exp(-(x @ p["0/W_xi"] + p["0/b_i"])))
    assert np.allclose(g["input"][0], i0)


def test_gru_and_rnn_traces_obey_their_equations():
    gru = init_model(ModelConfig(kind="gru", hidden_size=4, seed=2), VOCAB)
    tr = gru.run("ab'c")
    h_prev = np.vstack([np.zeros(4), tr.h[:-1]])
    z, h_tilde = tr.gates["update"], tr.gates["candidate"]
    assert np.allclose(tr.h, z * h_prev + (1 - z) * h_tilde)
    rnn = init_model(ModelConfig(kind="rnn", hidden_size=4, seed=2), VOCAB)
    tr = rnn.run("ab'c")
    p = rnn.params()
    h_prev = np.vstack([np.zeros(4), tr.h[:-1]])
    x = np.eye(len(VOCAB))[tr.ids]
    assert np.allclose(tr.h, np.tanh(x @ p["0/W_xh"] + h_prev @ p["0/W_hh"] + p["0/b_h"]))


def test_out_of_vocab_characters_map_to_unknown_and_are_reported(model):
    text = "a😀b中\x00c"
    trace = model.run(text)
    assert trace.tokens == ["a", UNK, "b", UNK, UNK, "c"]
    assert trace.unknown == [(1, "😀"), (3, "中"), (4, "\x00")]
    assert not trace.dropped


def test_vocab_without_unknown_drops_and_reports():
    m = init_model(ModelConfig(kind="lstm", hidden_size=3), Vocab(list("ab")))
    trace = m.run("a?b")
    assert trace.tokens == ["a", "b"] and trace.dropped and trace.unknown == [(1, "?")]


def test_empty_text_gives_an_empty_trace(model):
    trace = model.run("")
    assert trace.h.shape == (0, 6) and trace.probs.shape == (0, len(VOCAB))


def test_named_parameters_are_views_of_the_fused_arrays(model):
    params = model.params()
    before = model.run("abc").h.copy()
    params["0/W_xh" if model.kind != "lstm" else "0/W_xi"][:] = 0.0
    assert not np.allclose(model.run("abc").h, before)


def test_float32_models_run_in_float32():
    m = init_model(ModelConfig(kind="lstm", hidden_size=4, dtype="float32"), VOCAB)
    assert m.run("abc").h.dtype == np.float32


def test_same_seed_same_weights_and_samples():
    a = init_model(ModelConfig(kind="gru", hidden_size=5, seed=9), VOCAB)
    b = init_model(ModelConfig(kind="gru", hidden_size=5, seed=9), VOCAB)
    assert all(np.array_equal(a.params()[k], b.params()[k]) for k in a.params())
    assert a.sample("ab", 30, temperature=0.8, seed=4) == b.sample("ab", 30, temperature=0.8, seed=4)
    assert len(a.sample("", 10, seed=1)) == 10


def test_top_k_is_sorted_and_sums_below_one(model):
    probs = model.run("ab").probs[-1]
    top = model.top_k(probs, 5)
    ps = [p for _, p in top]
    assert ps == sorted(ps, reverse=True) and sum(ps) <= 1.0 + 1e-12
    assert top[0][1] == pytest.approx(probs.max())


def test_forget_bias_and_recurrent_radius_knobs():
    from lstm_engine import spectral_radius

    m = init_model(ModelConfig(kind="lstm", hidden_size=8, forget_bias=3.0, recurrent_radius=1.5), VOCAB)
    assert np.all(m.params()["0/b_f"] == 3.0) and np.all(m.params()["0/b_i"] == 0.0)
    assert spectral_radius(m.params()["0/W_hf"]) == pytest.approx(1.5)


def test_batch_forward_equals_single_runs():
    m = init_model(ModelConfig(kind="lstm", hidden_size=5, num_layers=2, seed=4), VOCAB)
    texts = ["abc(", "c)ab"]
    ids = np.stack([m.encode(s).ids for s in texts])
    logits, _, _ = m.forward(ids)
    for b, s in enumerate(texts):
        single = m.run(s).probs
        assert np.allclose(np.exp(logits[b]) / np.exp(logits[b]).sum(-1, keepdims=True), single)
