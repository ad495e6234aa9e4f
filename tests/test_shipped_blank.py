"""The shipped blank-filling pair (assets/README.md): what each file is, and that reading both
ways fills in held-out blanks better than reading only the left, on the same positions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lstm_engine import load_model
from lstm_engine.analyses.blank import blank_scores
from lstm_engine.training.data import default_corpus, split_corpus

MODELS = Path(__file__).resolve().parents[1] / "assets" / "models"


def test_the_pair_is_small_float32_and_shares_the_vocabulary():
    both, left = load_model(MODELS / "blank_bilstm.npz"), load_model(MODELS / "blank_left_lstm.npz")
    assert (both.bidirectional, both.task, both.num_layers) == (True, "blank", 1)
    assert (left.bidirectional, left.task) == (False, "next")
    assert both.kind == left.kind == "lstm" and both.hidden_size == left.hidden_size
    assert both.vocab == left.vocab and both.dtype == left.dtype == np.float32


def test_both_sides_beat_the_left_alone_on_held_out_text():
    held_out = split_corpus(default_corpus(), 0.1)[1][:4096]
    both, left = load_model(MODELS / "blank_bilstm.npz"), load_model(MODELS / "blank_left_lstm.npz")
    two_ways, one_way = blank_scores(both, held_out, 64), blank_scores(left, held_out, 64)
    assert two_ways.count == one_way.count
    assert two_ways.bits_per_char < one_way.bits_per_char and two_ways.accuracy > one_way.accuracy
