"""The trainer: learning, determinism, exact resume, divergence, optimisers, CLI."""

import math
import types

import numpy as np
import pytest

from lstm_engine import ModelConfig, Vocab, init_model, load_model
from lstm_engine.training import train as trainer
from lstm_engine.training.optim import clip_gradients, global_norm, learning_rate
from lstm_engine.training.train import (
    TrainConfig,
    TrainingDiverged,
    bits,
    evaluate,
    get_batch,
    main,
    perplexity,
    stream_layout,
    train,
)

TEXT = "the cat sat on the mat. the dog sat on the log. " * 30
VOCAB = Vocab.from_text(TEXT)


def fresh(kind="lstm", H=16, seed=1):
    return init_model(ModelConfig(kind=kind, hidden_size=H, seed=seed), VOCAB)


def small(**kw):
    base = dict(steps=30, batch_size=4, seq_len=16, lr=1e-2, eval_every=10)
    return TrainConfig(**{**base, **kw})


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.fused().values(), b.fused().values(), strict=True))


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_loss_falls_on_a_tiny_corpus(kind):
    result = train(fresh(kind), TEXT, small(steps=200, lr=1e-2, eval_every=200))
    losses = [p.loss for p in result.history]
    assert len(losses) == 200
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    assert result.val_bits_per_char is not None
    assert result.val_bits_per_char < 0.6 * math.log2(len(VOCAB))


def test_the_given_model_is_not_modified_and_the_dtype_is_the_training_dtype():
    model = fresh()
    before = model.copy()
    result = train(model, TEXT, small(steps=5, dtype="float64"))
    assert same_weights(model, before)
    assert result.model.dtype == np.float64
    assert not same_weights(result.model, before)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "adagrad"])
def test_same_seed_gives_identical_weights(optimizer):
    cfg = small(steps=15, optimizer=optimizer, lr=0.05 if optimizer != "adam" else 1e-2)
    a = train(fresh(), TEXT, cfg)
    b = train(fresh(), TEXT, cfg)
    assert same_weights(a.model, b.model)
    assert [p.loss for p in a.history] == [p.loss for p in b.history]


def test_a_different_seed_moves_the_windows():
    # A text whose stream length is not a multiple of the window, so offsets can differ.
    text = TEXT[:-7]
    seeds = [train(fresh(), text, small(steps=3, seed=s)).history[0].loss for s in range(6)]
    assert len(set(seeds)) > 1


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_resume_equals_an_uninterrupted_run(schedule):
    cfg = small(steps=40, schedule=schedule)
    whole = train(fresh(), TEXT, cfg)
    first = train(fresh(), TEXT, cfg, callback=lambda p: p.step != 17)
    assert first.stopped and first.state.step == 17 and len(first.history) == 17
    rest = train(first.model, TEXT, cfg, resume=first.state)
    assert not rest.stopped and rest.state.step == 40
    assert same_weights(whole.model, rest.model)
    assert [p.loss for p in first.history + rest.history] == [p.loss for p in whole.history]


# The validation slice (the last 10%) swaps the nouns, so a fast learner overfits it before the end.
OVERFIT_TEXT = TEXT + "the mat sat on the dog. the log sat on the cat. " * 3


def overfit_config(**kw):
    return small(steps=60, lr=3e-2, eval_every=5, **kw)


def test_keep_best_returns_the_weights_of_the_best_validation_step():
    result = train(fresh(), OVERFIT_TEXT, overfit_config(keep_best=True))
    evals = {p.step: p.val_loss for p in result.history if p.val_loss is not None}
    best_step = min(evals, key=evals.get)
    assert result.best_step == best_step < 60  # the last step is not the best here
    # The same run stopped at the best step has exactly the returned weights.
    upto = train(fresh(), OVERFIT_TEXT, overfit_config(), callback=lambda p: p.step != best_step)
    assert same_weights(result.model, upto.model)
    assert result.val_bits_per_char == pytest.approx(evals[best_step] / math.log(2))
    last = train(fresh(), OVERFIT_TEXT, overfit_config())
    assert last.best_step is None and not same_weights(last.model, result.model)


def test_perplexity_is_two_to_the_bits():
    assert perplexity(1.3) == pytest.approx(2 ** bits(1.3)) and perplexity(None) is None


def test_keep_best_resume_equals_an_uninterrupted_run():
    cfg = overfit_config(keep_best=True)
    whole = train(fresh(), OVERFIT_TEXT, cfg)
    first = train(fresh(), OVERFIT_TEXT, cfg, callback=lambda p: p.step != 53)  # after the best
    rest = train(first.model, OVERFIT_TEXT, cfg, resume=first.state)
    assert same_weights(whole.model, rest.model) and rest.best_step == whole.best_step
    assert [p.loss for p in first.history + rest.history] == [p.loss for p in whole.history]


def test_time_left_counts_from_after_the_warm_up(monkeypatch):
    """The first steps pay one-off costs (here the first takes 50 s of a fake clock, every
    later one 1 s): the estimate starts after WARMUP_STEPS and is then the time per step since,
    so it is exact from its first value on (the old one, total time / chars, said 3x too much)."""
    ticks = iter([0.0] + [50.0 + k for k in range(1000)])  # t0, then the end of each step
    clock = types.SimpleNamespace(perf_counter=lambda: next(ticks))  # this module's clock only
    monkeypatch.setattr(trainer, "time", clock)
    seen = []
    train(fresh(), TEXT, small(steps=30, eval_every=100), callback=seen.append)
    w = trainer.WARMUP_STEPS
    assert all(math.isnan(p.eta_s) for p in seen[:w])
    assert [p.eta_s for p in seen[w:]] == [pytest.approx(30 - p.step) for p in seen[w:]]


def test_progress_reports_validation_on_schedule_and_samples():
    seen = []
    cfg = small(steps=25, eval_every=10, sample_every=20)
    result = train(fresh(), TEXT, cfg, callback=seen.append)
    assert [p.step for p in seen] == list(range(1, 26))
    assert [p.step for p in seen if p.val_loss is not None] == [10, 20, 25]
    assert [p.step for p in seen if p.sample] == [20]
    assert all(p.grad_norm > 0 and p.chars_per_s > 0 for p in seen)
    assert all(math.isnan(p.eta_s) == (p.step <= trainer.WARMUP_STEPS) for p in seen)
    assert all(p.eta_s >= 0 for p in seen[trainer.WARMUP_STEPS :]) and seen[-1].eta_s == 0
    assert result.val_bits_per_char == pytest.approx(seen[-1].val_loss / math.log(2))
    assert not result.stopped


def test_huge_learning_rate_is_caught_as_divergence_without_nan():
    seen = []
    cfg = small(steps=50, optimizer="sgd", lr=1e6, clip=0)
    with pytest.raises(TrainingDiverged, match="lower learning rate") as info:
        train(fresh("rnn"), TEXT, cfg, callback=seen.append)
    assert info.value.step >= 1
    assert all(math.isfinite(p.loss) and math.isfinite(p.grad_norm) for p in seen)
    assert [p.step for p in info.value.history] == [p.step for p in seen]


def test_huge_adam_learning_rate_is_caught_too():
    with pytest.raises(TrainingDiverged):
        train(fresh(), TEXT, small(steps=50, lr=1e3, clip=0))


def test_batches_are_contiguous_streams_with_next_character_targets():
    ids = np.arange(101)
    B, T, L = stream_layout(len(ids), 4, 10)
    assert (B, T, L) == (4, 10, 25)
    x, y = get_batch(ids, B, L, 10, T)
    assert x.shape == (4, 10)
    assert np.array_equal(x[2], np.arange(60, 70)) and np.array_equal(y, x + 1)
    assert stream_layout(5, 32, 64) == (1, 4, 4)  # a short text shrinks the window
    with pytest.raises(ValueError):
        stream_layout(1, 32, 64)


def test_evaluate_matches_the_models_own_loss():
    model = fresh("gru")
    text = TEXT[:200]
    ids = model.encode(text).ids
    loss, _ = model.loss_and_grads(text)
    assert evaluate(model, ids, batch_size=1, chunk=37) == pytest.approx(loss, rel=1e-9)
    assert evaluate(model, ids[:1]) is None


def test_clipping_by_norm_and_by_value():
    g = {"a": np.array([3.0, 4.0]), "b": np.array([[12.0]])}
    n = global_norm(g)
    assert n == pytest.approx(13.0)
    clip_gradients(g, 1.3, "norm", n)
    assert global_norm(g) == pytest.approx(1.3)
    v = {"a": np.array([-9.0, 0.5, 9.0])}
    clip_gradients(v, 1.0, "value", global_norm(v))
    assert v["a"].tolist() == [-1.0, 0.5, 1.0]
    assert learning_rate(2.0, "cosine", 0, 10) == 2.0
    assert learning_rate(2.0, "cosine", 5, 10) == pytest.approx(1.0)


def test_bad_config_and_text_are_value_errors():
    with pytest.raises(ValueError, match="optimizer"):
        train(fresh(), TEXT, TrainConfig(optimizer="rmsprop"))
    with pytest.raises(ValueError, match="two characters"):
        train(fresh(), "a", small(val_fraction=0.0))


def test_cli_trains_and_saves_a_loadable_model(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "m.npz"
    argv = ["--kind", "gru", "--hidden", "8", "--steps", "12", "--batch", "4", "--seq-len", "16"]
    assert main([*argv, "--eval-every", "6", "--text", str(corpus), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "val " in printed and "bits/char" in printed and "best checkpoint: step" in printed
    assert "ppl " in printed and "perplexity " in printed
    model = load_model(out)
    assert model.kind == "gru" and model.hidden_size == 8 and model.dtype == np.float32
    assert (
        main([*argv, "--eval-every", "3", "--stop-after", "6", "--text", str(corpus), "--out", str(out)]) == 0
    )
    assert ", 6 steps, " in capsys.readouterr().out
