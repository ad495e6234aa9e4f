"""Blank-filling scores: the batched windows agree with filling in each window on its own."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_engine import ModelConfig, Vocab, init_model
from lstm_engine.analyses.blank import blank_scores

VOCAB = Vocab(list("abcdef "))
TEXT = "abc def fed cba ace bdf " * 6


def _model(bidirectional: bool):
    config = ModelConfig(
        "gru", 5, 1, seed=2, bidirectional=bidirectional, task="blank" if bidirectional else "next"
    )
    model = init_model(config, VOCAB)
    rng = np.random.default_rng(3)
    for p in model.params().values():
        p += rng.normal(scale=0.4, size=p.shape)
    return model


def _one_by_one(model, side: str, window: int) -> tuple[float, float]:
    """bits/char and accuracy from blank_probs, one window at a time."""
    nats, right, n = 0.0, 0, 0
    for start in range(0, len(TEXT) - window + 1, window):
        bp = model.blank_probs(TEXT[start : start + window])
        p = getattr(bp, side)
        nats -= np.log(p[np.arange(window), bp.ids]).sum()
        right += int((p.argmax(axis=1) == bp.ids).sum())
        n += window
    return nats / n / math.log(2), right / n


@pytest.mark.parametrize(
    "bidirectional, side", [(True, "both"), (True, "forward"), (True, "backward"), (False, "forward")]
)
def test_scores_equal_filling_each_window_alone(bidirectional, side):
    model = _model(bidirectional)
    score = blank_scores(model, TEXT, window=16, side=side, batch=3)
    bits, acc = _one_by_one(model, side, 16)
    assert score.count == (len(TEXT) // 16) * 16
    assert abs(score.bits_per_char - bits) < 1e-12 and score.accuracy == acc


def test_the_default_side_is_the_best_the_model_has_and_bad_requests_are_refused():
    assert blank_scores(_model(True), TEXT, 16) == blank_scores(_model(True), TEXT, 16, side="both")
    assert blank_scores(_model(False), TEXT, 16) == blank_scores(_model(False), TEXT, 16, side="forward")
    with pytest.raises(ValueError, match="no 'both'"):
        blank_scores(_model(False), TEXT, 16, side="both")
    with pytest.raises(ValueError, match="fewer than"):
        blank_scores(_model(True), "abc", 16)


def test_the_trainer_teaches_a_blank_model_to_fill_in_and_is_deterministic():
    from lstm_engine.training.train import TrainConfig, train

    text = "the cat sat on the mat. " * 40
    vocab = Vocab.from_text(text)
    model = init_model(ModelConfig("lstm", 16, 1, seed=0, bidirectional=True, task="blank"), vocab)
    config = TrainConfig(steps=60, batch_size=8, seq_len=24, lr=0.02, eval_every=60, seed=1)
    before = blank_scores(model, text, 24)
    result = train(model, text, config)
    after = blank_scores(result.model, text, 24)
    assert result.model.task == "blank" and after.bits_per_char < before.bits_per_char - 1.0
    again = train(model, text, config).model
    assert all(np.array_equal(a, again.params()[k]) for k, a in result.model.params().items())


def test_the_cli_prints_the_scores_of_every_side(tmp_path, capsys):
    from lstm_engine.analyses.blank import main
    from lstm_engine.training.data import default_corpus, split_corpus

    held_out = split_corpus(default_corpus(), 0.1)[1]
    vocab = Vocab.from_text(held_out)
    path = tmp_path / "b.npz"
    model = init_model(ModelConfig("rnn", 3, 1, seed=1, bidirectional=True, task="blank"), vocab)
    model.save(path)
    assert main([str(path), "--window", "128"]) == 0
    rows = [line.split("|") for line in capsys.readouterr().out.splitlines() if line.startswith(f"| {path}")]
    assert [r[2].strip() for r in rows] == ["both", "forward", "backward"]
    for r in rows:
        expected = blank_scores(model, held_out, 128, r[2].strip())
        assert r[3].strip() == f"{expected.bits_per_char:.3f}" and r[4].strip() == f"{expected.accuracy:.1%}"
