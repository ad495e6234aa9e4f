"""Bidirectional models and PyTorch's GRU form: exact BPTT (finite differences), what the trace
and the blank-filling head mean, and the model file."""

from __future__ import annotations

import io

import numpy as np
import pytest
from gradcheck import numerical_gradient, rel_error

from lstm_engine import KINDS, ModelConfig, ModelFormatError, Vocab, init_model, load_model, model_to_bytes
from lstm_engine.core.model import Model

TOL = 1e-6
VOCAB = Vocab(list("abcdef"))
# every cell: the three kinds, and PyTorch's GRU form
CELLS = [(kind, "d2l") for kind in KINDS] + [("gru", "torch")]


def _model(kind, layers, bidirectional=True, variant="d2l", seed=0, H=4, task=None):
    """A random model; bidirectional ones fill in blanks when they have one layer."""
    task = task or ("blank" if bidirectional and layers == 1 else "next")
    config = ModelConfig(kind, H, layers, seed=seed, bidirectional=bidirectional, variant=variant, task=task)
    model = init_model(config, VOCAB)
    rng = np.random.default_rng(seed + 7)  # push the biases off zero so every term is exercised
    for p in model.params().values():
        p += rng.normal(scale=0.5, size=p.shape)
    return model


@pytest.mark.parametrize("layers, task", [(1, "blank"), (1, "next"), (2, "next")])
@pytest.mark.parametrize("kind, variant", CELLS)
def test_bidirectional_bptt_matches_finite_differences(kind, variant, layers, task):
    model = _model(kind, layers, variant=variant, seed=layers, task=task)
    text = "abcfedace"
    _, grads = model.loss_and_grads(text)
    assert set(grads) == set(model.params())
    assert any("/reverse/" in k for k in grads)
    for name, p in model.params().items():
        num = numerical_gradient(lambda: np.array(model.loss_and_grads(text)[0]), p, np.array(1.0))
        assert rel_error(grads[name], num) < TOL, name


@pytest.mark.parametrize("layers", [1, 2])
def test_torch_form_gru_bptt_matches_finite_differences(layers):
    model = _model("gru", layers, bidirectional=False, variant="torch", seed=3)
    assert "0/b_hh" in model.params() and model.cell == "gru_torch"
    text = "abcfedace"
    _, grads = model.loss_and_grads(text)
    for name, p in model.params().items():
        num = numerical_gradient(lambda: np.array(model.loss_and_grads(text)[0]), p, np.array(1.0))
        assert rel_error(grads[name], num) < TOL, name


@pytest.mark.parametrize("kind, variant", CELLS)
def test_gradient_norms_of_a_bidirectional_model_match_finite_differences(kind, variant):
    """‖∂L/∂h_t‖ over both directions' units, checked through the stored states: perturbing
    the layer's (T, 2H) output the head reads moves the last-step loss by exactly this much."""
    model = _model(kind, 2, variant=variant, seed=4)
    text = "abcabcad"
    norms = model.gradient_norms(text)
    ids = model.encode(text).ids[None, :-1]
    h = model.run(text[:-1]).h.copy()  # (T, 2H), what the head reads
    W, b = model.head["W_hq"], model.head["b_q"]

    def loss():
        z = h[-1] @ W + b
        return np.array(np.log(np.exp(z - z.max()).sum()) + z.max() - z[model.encode(text).ids[-1]])

    dh = numerical_gradient(loss, h, np.array(1.0))
    assert norms.h.shape == (ids.shape[1],)
    assert abs(np.linalg.norm(dh[-1]) - norms.h[-1]) < 1e-9  # the head's own step
    assert np.all(norms.h > 0)  # the backward direction reaches every step at once


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("kind, variant", CELLS)
def test_trace_halves_are_the_two_directions_read_separately(kind, variant, layers):
    """[forward | backward]: the forward half is a left-to-right model of the forward weights;
    in a 1-layer model the backward half is the backward weights reading the reversed text."""
    model = _model(kind, layers, variant=variant, seed=5)
    text = "fabcdeafc"
    trace = model.run(text)
    H = model.hidden_size
    assert trace.h.shape == (len(text), 2 * H) and len(trace.layers) == layers
    for layer in trace.layers:
        for name, g in layer.gates.items():
            assert g.shape == (len(text), 2 * H), name
        assert (layer.c is not None) == (kind == "lstm")
    bottom = trace.layers[0]
    lone = init_model(ModelConfig(kind, H, 1, variant=variant), VOCAB)  # its head is never read
    fwd = Model(kind, VOCAB, model.layers[:1], lone.head, variant=variant).run(text).layers[0]
    bwd = Model(kind, VOCAB, model.reverse[:1], lone.head, variant=variant).run(text[::-1]).layers[0]
    for mine, theirs in ((bottom.direction("forward"), fwd), (bottom.direction("backward"), bwd)):
        flip = slice(None) if theirs is fwd else slice(None, None, -1)
        assert np.allclose(mine.h, theirs.h[flip], rtol=0, atol=1e-13)
        for name in mine.gates:
            assert np.allclose(mine.gates[name], theirs.gates[name][flip], rtol=0, atol=1e-13)
        if kind == "lstm":
            assert np.allclose(mine.c, theirs.c[flip], rtol=0, atol=1e-13)


@pytest.mark.parametrize("kind, variant", CELLS)
def test_the_blank_is_filled_from_both_sides_and_never_from_itself(kind, variant):
    model = _model(kind, 1, variant=variant, seed=6)
    text = "abcdefedcba"
    bp = model.blank_probs(text)
    T = len(text)
    assert bp.both.shape == bp.forward.shape == bp.backward.shape == (T, len(VOCAB))
    assert np.allclose(model.run(text).probs, bp.both, rtol=0, atol=1e-15)
    for t in (0, 4, T - 1):
        changed = text[:t] + ("a" if text[t] != "a" else "b") + text[t + 1 :]
        assert np.allclose(model.blank_probs(changed).both[t], bp.both[t], rtol=0, atol=1e-15)
        # the left side alone is what the model says when nothing follows the blank ...
        assert np.allclose(bp.forward[t], model.blank_probs(text[: t + 1]).both[t], rtol=0, atol=1e-14)
        # ... and the right side alone what it says when nothing precedes it
        assert np.allclose(bp.backward[t], model.blank_probs(text[t:]).both[0], rtol=0, atol=1e-14)
    # the logits add: both ∝ forward · backward / softmax(b_q)
    prior = np.exp(model.head["b_q"])
    joint = bp.forward * bp.backward / prior
    assert np.allclose(joint / joint.sum(axis=1, keepdims=True), bp.both, rtol=0, atol=1e-13)


def test_a_left_to_right_model_fills_a_blank_from_the_left_only():
    model = _model("lstm", 1, bidirectional=False, seed=8)
    text = "abcdef"
    bp = model.blank_probs(text)
    assert bp.both is None and bp.backward is None
    probs = model.run(text).probs
    assert np.allclose(bp.forward[1:], probs[:-1], rtol=0, atol=1e-15)
    e = np.exp(model.head["b_q"] - model.head["b_q"].max())
    assert np.allclose(bp.forward[0], e / e.sum())


def test_a_blank_filling_model_does_not_generate_and_blanks_need_one_two_way_layer():
    with pytest.raises(ValueError, match="left-to-right"):
        _model("rnn", 1).sample("ab", 3)
    m = _model("rnn", 1, bidirectional=False)
    with pytest.raises(ValueError, match="1-layer bidirectional"):
        Model("rnn", VOCAB, m.layers, m.head, task="blank")
    two = _model("rnn", 2)
    with pytest.raises(ValueError, match="1-layer bidirectional"):
        Model("rnn", VOCAB, two.layers, two.head, two.reverse, task="blank")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("kind, variant", CELLS)
def test_round_trip_keeps_direction_task_variant_and_outputs(kind, variant, layers, dtype):
    model = _model(kind, layers, variant=variant).astype(np.dtype(dtype))
    loaded = load_model(model_to_bytes(model))
    assert (loaded.bidirectional, loaded.task, loaded.variant) == (True, model.task, variant)
    assert loaded.dtype == np.dtype(dtype) and set(loaded.params()) == set(model.params())
    for name, a in model.params().items():
        assert np.array_equal(loaded.params()[name], a), name
    assert np.array_equal(loaded.run("abcfed").probs, model.run("abcfed").probs)


def test_the_file_uses_the_documented_keys():
    with np.load(io.BytesIO(model_to_bytes(_model("gru", 2, variant="torch"))), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    assert arrays["meta/bidirectional"].dtype == bool and bool(arrays["meta/bidirectional"])
    assert "meta/task" not in arrays and str(arrays["meta/variant"]) == "torch"
    assert arrays["0/reverse/W_xz"].shape == (6, 4) and arrays["1/W_xz"].shape == (8, 4)
    assert arrays["1/reverse/W_hh"].shape == (4, 4) and arrays["1/reverse/b_hh"].shape == (4,)
    assert arrays["out/W_hq"].shape == (8, 6)
    blank = np.load(io.BytesIO(model_to_bytes(_model("rnn", 1))))
    assert str(blank["meta/task"]) == "blank"
    plain = np.load(io.BytesIO(model_to_bytes(_model("lstm", 1, bidirectional=False))))
    assert not [k for k in plain.files if k in ("meta/bidirectional", "meta/task", "meta/variant")]


def _file(change, kind="lstm", variant="d2l", layers=2) -> bytes:
    with np.load(io.BytesIO(model_to_bytes(_model(kind, layers, variant=variant))), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _nan(a):
    a["1/reverse/W_hf"] = a["1/reverse/W_hf"].copy()
    a["1/reverse/W_hf"][0, 0] = np.nan


HOSTILE = {
    "missing reverse weight": (lambda a: a.pop("0/reverse/W_xi"), "missing key '0/reverse/W_xi'"),
    "reverse weight of the wrong shape": (
        lambda a: a.__setitem__("1/reverse/W_xo", np.zeros((4, 4))),
        r"1/reverse/W_xo has shape \(4, 4\); expected \(8, 4\)",
    ),
    "head of a one-way model": (lambda a: a.__setitem__("out/W_hq", np.zeros((4, 6))), "out/W_hq has shape"),
    "NaN in the backward direction": (_nan, "1/reverse/W_hf contains NaN"),
    "reverse keys in a one-way model": (lambda a: a.pop("meta/bidirectional"), "unexpected keys: '0/reverse"),
    "blank head on two layers": (lambda a: a.__setitem__("meta/task", np.array("blank")), "1-layer model"),
    "flag as a string": (lambda a: a.__setitem__("meta/bidirectional", np.array("yes")), "single boolean"),
    "flag as an array": (lambda a: a.__setitem__("meta/bidirectional", np.array([True])), "single boolean"),
    "unknown task": (lambda a: a.__setitem__("meta/task", np.array("guess")), "meta/task is 'guess'"),
    "unknown variant": (lambda a: a.__setitem__("meta/variant", np.array("keras")), "meta/variant is"),
    "torch variant of an LSTM": (lambda a: a.__setitem__("meta/variant", np.array("torch")), "not a GRU"),
    "float16 reverse bias": (
        lambda a: a.__setitem__("0/reverse/b_i", np.zeros(4, np.float16)),
        "0/reverse/b_i has dtype float16",
    ),
    "stray reverse key": (lambda a: a.__setitem__("0/reverse/W_zz", np.zeros((4, 4))), "unexpected keys"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bidirectional_file_raises_a_clear_error(name):
    change, message = HOSTILE[name]
    with pytest.raises(ModelFormatError, match=message):
        load_model(_file(change))


def test_a_blank_task_without_a_backward_direction_is_refused():
    def one_way(a):
        for k in [k for k in a if "/reverse/" in k or k == "meta/bidirectional"]:
            a.pop(k)
        a["out/W_hq"] = a["out/W_hq"][:4]

    with pytest.raises(ModelFormatError, match="needs a bidirectional model"):
        load_model(_file(one_way, layers=1))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.pop("1/reverse/b_hh"), "missing key '1/reverse/b_hh'"),
        (lambda a: a.__setitem__("0/b_hh", np.zeros(5)), r"0/b_hh has shape \(5,\)"),
        (lambda a: a.pop("meta/variant"), "unexpected keys: '0/b_hh'"),
    ],
)
def test_hostile_torch_gru_file_raises_a_clear_error(change, message):
    with pytest.raises(ModelFormatError, match=message):
        load_model(_file(change, "gru", "torch"))


@pytest.mark.parametrize("kind, variant", CELLS)
def test_float32_stays_float32_and_close_to_float64(kind, variant):
    m64 = _model(kind, 2, variant=variant, seed=9)
    m32 = m64.astype(np.float32)
    t64, t32 = m64.run("abcfedab"), m32.run("abcfedab")
    assert t32.h.dtype == np.float32 and t32.probs.dtype == np.float32
    assert np.allclose(t32.h, t64.h, atol=1e-5) and np.allclose(t32.probs, t64.probs, atol=1e-5)
    _, g32 = m32.loss_and_grads("abcfedab")
    _, g64 = m64.loss_and_grads("abcfedab")
    for name, g in g32.items():
        assert g.dtype == np.float32 and np.allclose(g, g64[name], atol=1e-4), name


def test_the_step_breakdown_of_a_bidirectional_model_is_its_forward_direction():
    from lstm_engine.analyses.step import model_step

    model = _model("lstm", 2, seed=10)
    text = "abcfed"
    trace = model.run(text)
    H = model.hidden_size
    for layer in (0, 1):
        bd = model_step(model, trace, 3, layer)
        assert np.allclose(bd.h, trace.layers[layer].h[3, :H], rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="PyTorch's GRU form"):
        torch_gru = _model("gru", 1, variant="torch")
        model_step(torch_gru, torch_gru.run(text), 1)


def test_randomly_damaged_bidirectional_files_only_ever_raise_model_format_error():
    """Seeded byte flips in a bidirectional torch-form GRU file: it loads or says why."""
    rng = np.random.default_rng(1)
    good = model_to_bytes(_model("gru", 2, variant="torch", H=3))
    errors = 0
    for _ in range(300):
        d = bytearray(good)
        for _ in range(int(rng.integers(1, 4))):
            d[int(rng.integers(len(d)))] = int(rng.integers(256))
        try:
            load_model(bytes(d))
        except ModelFormatError:
            errors += 1
    assert errors > 100


@pytest.mark.parametrize("variant", ["d2l", "torch"])
def test_the_one_step_page_opens_bidirectional_and_torch_form_models(variant):
    """A converted PyTorch model on the one-step page: the forward direction's step, or (for
    PyTorch's GRU form, whose step is not the d2l equation shown) a message, never a traceback."""
    from pagetest import ROOT
    from streamlit.testing.v1 import AppTest

    from lstm_engine.training.data import default_corpus

    vocab = Vocab.from_text(default_corpus())
    config = ModelConfig("gru", 6, 2, bidirectional=variant == "d2l", variant=variant)
    at = AppTest.from_file(str(ROOT / "pages" / "one_step.py"), default_timeout=120)
    at.session_state["user_models"] = {"converted": init_model(config, vocab)}
    at.query_params["model"] = "converted"
    at.run()
    assert not at.exception
    assert bool(at.info and "PyTorch" in at.info[0].value) == (variant == "torch")
