"""Property tests of the engine's text handling: any unicode text runs, and is accounted for.

Users paste anything into the app: emoji, Chinese, combining accents, right-to-left scripts,
control characters, NUL, lone surrogates. None of it may crash a run, and every character must
be either run or reported as unknown at its true position.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import KINDS, UNK, ModelConfig, Vocab, init_model, load_model, model_to_bytes

SETTINGS = settings(max_examples=60, deadline=None)

KNOWN = list("abc de(')\n.")
VOCAB = Vocab(KNOWN + [UNK])
VOCAB_NO_UNK = Vocab(KNOWN)
MODELS = {
    kind: init_model(ModelConfig(kind=kind, hidden_size=4, num_layers=2, seed=2), VOCAB) for kind in KINDS
}
MODEL_NO_UNK = init_model(ModelConfig(kind="lstm", hidden_size=4, seed=2), VOCAB_NO_UNK)

# Characters people actually paste, mixed with anything unicode has (surrogates included).
SPECIAL = (
    list("😀👍🏽👨‍👩‍👧🇨🇳")  # emoji, a skin-tone modifier, a ZWJ family, a flag (regional indicators)
    + ["e\u0301", "\u0301", "\u20dd"]  # combining acute accent (alone and after e), enclosing circle
    + list("שלום مرحبا\u200f\u202e")  # Hebrew, Arabic, RLM, right-to-left override
    + list("\x00\x01\x07\x1b\x7f\r\t\u2028\ufeff")  # NUL, controls, line separator, BOM
    + list("中文汉字，。")  # Chinese and full-width punctuation
    + ["\ud800", "\udfff", UNK]  # lone surrogates, and the unknown symbol itself
)
CHARS = st.one_of(
    st.sampled_from(KNOWN),
    st.sampled_from(SPECIAL),
    st.characters(exclude_categories=()),  # every code point, surrogates too
)
TEXTS = st.lists(CHARS, max_size=40).map("".join)


@SETTINGS
@given(TEXTS)
def test_with_unknown_symbol_every_character_is_run_and_unknowns_are_reported(text):
    enc = VOCAB.encode(text)
    assert len(enc.tokens) == len(enc.ids) == len(text) and not enc.dropped
    positions = {pos for pos, _ in enc.unknown}
    for pos, ch in enumerate(text):
        if pos in positions:
            assert ch not in VOCAB.index and enc.tokens[pos] == UNK
        else:
            assert ch in VOCAB.index and enc.tokens[pos] == ch
    assert all(text[pos] == ch for pos, ch in enc.unknown)
    assert [p for p, _ in enc.unknown] == sorted(positions)
    assert VOCAB.decode(enc.ids) == "".join(enc.tokens)


@SETTINGS
@given(TEXTS)
def test_without_unknown_symbol_unknowns_are_dropped_and_counted(text):
    enc = VOCAB_NO_UNK.encode(text)
    assert len(enc.tokens) + len(enc.unknown) == len(text)
    assert enc.tokens == [ch for ch in text if ch in VOCAB_NO_UNK.index]
    assert enc.unknown == [(p, ch) for p, ch in enumerate(text) if ch not in VOCAB_NO_UNK.index]
    assert enc.dropped == bool(enc.unknown)
    assert VOCAB_NO_UNK.decode(enc.ids) == "".join(enc.tokens)


@SETTINGS
@given(TEXTS, st.sampled_from(KINDS))
def test_any_text_runs_and_gives_finite_distributions(text, kind):
    model = MODELS[kind]
    trace = model.run(text)
    T, V = len(text), len(VOCAB)
    assert trace.tokens == VOCAB.encode(text).tokens and trace.ids.shape == (T,)
    assert trace.probs.shape == (T, V) and trace.h.shape == (T, 4)
    assert np.isfinite(trace.probs).all() and (trace.probs >= 0).all()
    assert np.allclose(trace.probs.sum(axis=1), 1.0, atol=1e-12)
    assert np.isfinite(trace.h).all() and (np.abs(trace.h) <= 1).all()
    for layer in trace.layers:
        for a in layer.gates.values():
            assert a.shape == (T, 4) and np.isfinite(a).all()
    assert trace.unknown == VOCAB.encode(text).unknown


@SETTINGS
@given(TEXTS)
def test_a_vocab_without_unknown_runs_only_the_known_characters(text):
    trace = MODEL_NO_UNK.run(text)
    known = [ch for ch in text if ch in VOCAB_NO_UNK.index]
    assert trace.tokens == known and trace.probs.shape == (len(known), len(KNOWN))
    assert np.allclose(trace.probs.sum(axis=1), 1.0, atol=1e-12)
    assert len(trace.tokens) + len(trace.unknown) == len(text) and trace.dropped == bool(trace.unknown)


@settings(max_examples=25, deadline=None)
@given(st.lists(CHARS, min_size=1, max_size=30).map("".join))
def test_a_vocab_built_from_any_text_covers_it_and_survives_a_file_round_trip(text):
    vocab = Vocab.from_text(text)
    enc = vocab.encode(text)
    # only NUL (which a model file cannot store) and UNK itself are left to the unknown symbol
    assert {ch for _, ch in enc.unknown} <= {"\x00"}
    model = init_model(ModelConfig(kind="rnn", hidden_size=2, seed=0), vocab)
    loaded = load_model(model_to_bytes(model))
    assert loaded.vocab == vocab
    assert np.array_equal(loaded.run(text).probs, model.run(text).probs)
