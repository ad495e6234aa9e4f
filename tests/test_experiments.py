"""Memory experiments: task generators, training, the CLI's JSON rows, the shipped CSV."""

import json

import numpy as np
import pytest

from lstm_engine.training.experiments import (
    ADDING_CHANCE,
    CSV_FIELDS,
    MemoryConfig,
    adding_problem,
    init_params,
    load_memory_results,
    loss_and_grad,
    main,
    recall_task,
    train_memory_task,
    write_results_csv,
)


@pytest.mark.parametrize("lag", [2, 5, 10, 100])
def test_adding_problem_marks_two_values_and_targets_their_sum(lag):
    X, y = adding_problem(200, lag, np.random.default_rng(0))
    assert X.shape == (200, lag, 2) and y.shape == (200,)
    values, markers = X[..., 0], X[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert np.all(markers.sum(axis=1) == 2)
    assert np.allclose((values * markers).sum(axis=1), y)
    first = markers.argmax(axis=1)
    second = lag - 1 - markers[:, ::-1].argmax(axis=1)
    assert np.all(first < max(1, lag // 10) + (lag == 2))
    if lag >= 4:
        assert np.all(second >= lag // 2)


def test_adding_chance_is_the_best_constant_guess():
    _, y = adding_problem(200_000, 10, np.random.default_rng(1))
    assert np.mean(np.abs(1.0 - y) < 0.04) == pytest.approx(ADDING_CHANCE, abs=0.005)
    assert round(ADDING_CHANCE, 4) == 0.0784


def test_sweep_runs_lstm_per_forget_bias_and_other_kinds_once(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    argv = ["memory", "--kinds", "gru,lstm", "--lags", "4", "--tasks", "recall", "--steps", "3"]
    assert main([*argv, "--seed", "0,1", "--forget-bias", "1,5", "--jobs", "2", "--csv", str(out)]) == 0
    assert "accuracy" in capsys.readouterr().out
    rows = load_memory_results(out)
    keys = sorted((r["kind"], r["forget_bias"], r["seed"]) for r in rows)
    assert keys == [("gru", 1.0, 0), ("gru", 1.0, 1)] + [("lstm", b, s) for b in (1.0, 5.0) for s in (0, 1)]
    assert out.read_text().startswith("# python -m lstm_engine.training.experiments memory --kinds gru,lstm")


def test_recall_distractors_can_be_a_single_blank_symbol():
    X, y = recall_task(50, 5, 3, np.random.default_rng(5), num_distractors=1)
    assert X.shape == (50, 7, 5)
    assert np.all(X.argmax(axis=2)[:, 1:-1] == 3) and np.array_equal(X[:, 0].argmax(axis=1), y)


def test_training_stops_once_the_task_is_solved():
    cfg = MemoryConfig(solved_window=5, solved_loss={"adding": 1.0, "recall": 1.0})
    r = train_memory_task("adding", "gru", 5, steps=200, config=cfg)
    assert r.steps == 5 and not r.stopped


def test_recall_task_reports_the_first_symbol_after_distractors():
    X, y = recall_task(100, 7, 4, np.random.default_rng(2))
    assert X.shape == (100, 9, 9)
    ids = X.argmax(axis=2)
    assert np.all(X.sum(axis=2) == 1)
    assert np.array_equal(ids[:, 0], y) and np.all(y < 4)
    assert np.all((ids[:, 1:-1] >= 4) & (ids[:, 1:-1] < 8))
    assert np.all(ids[:, -1] == 8)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("task", ["adding", "recall"])
def test_memory_network_gradients_match_finite_differences(kind, task):
    rng = np.random.default_rng(3)
    cfg = MemoryConfig(num_symbols=3)
    X, y = adding_problem(3, 6, rng) if task == "adding" else recall_task(3, 4, 3, rng)
    p = init_params(kind, X.shape[2], 4, 1 if task == "adding" else 3, 1.0, rng)
    _, grads = loss_and_grad(task, kind, p, X, y)
    for name in p:
        idx = tuple(rng.integers(0, s) for s in p[name].shape)
        old = p[name][idx]
        p[name][idx] = old + 1e-6
        up = loss_and_grad(task, kind, p, X, y)[0]
        p[name][idx] = old - 1e-6
        down = loss_and_grad(task, kind, p, X, y)[0]
        p[name][idx] = old
        assert grads[name][idx] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8), name
    assert cfg.num_symbols == 3


def test_lstm_learns_short_recall_and_is_deterministic():
    a = train_memory_task("recall", "lstm", 3, steps=150, seed=4)
    b = train_memory_task("recall", "lstm", 3, steps=150, seed=4)
    assert a.accuracy >= 0.9 and a.chance == 0.25
    assert a.losses == b.losses and a.accuracy == b.accuracy
    assert np.mean(a.losses[-10:]) < 0.5 * np.mean(a.losses[:10])


def test_callback_can_stop_a_memory_run():
    seen = []
    r = train_memory_task("adding", "rnn", 5, steps=100, callback=lambda s, n, loss: seen.append(s) or s < 7)
    assert r.stopped and r.steps == 7 and seen == list(range(1, 8)) and len(r.losses) == 7


def test_cli_json_rows_have_the_contract_fields(capsys):
    argv = ["memory", "--kinds", "rnn,lstm", "--lags", "3", "--steps", "5", "--json"]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4
    assert {(r["task"], r["kind"]) for r in rows} == {
        (t, k) for t in ("adding", "recall") for k in ("rnn", "lstm")
    }
    for r in rows:
        assert {"task", "kind", "lag", "accuracy", "chance", "steps", "seconds"} <= set(r)
        assert r["lag"] == 3 and r["steps"] == 5 and 0 <= r["accuracy"] <= 1 and r["seconds"] >= 0


def test_results_csv_round_trip(tmp_path):
    row = dict(
        task="recall",
        kind="lstm",
        lag=100,
        accuracy=1.0,
        chance=0.25,
        steps=9,
        seconds=1.5,
        forget_bias=5.0,
        seed=0,
    )
    path = tmp_path / "r.csv"
    write_results_csv([row], path, ["python -m lstm_engine.training.experiments memory ..."])
    assert path.read_text().startswith("# python -m")
    assert load_memory_results(path) == [row]


def test_shipped_results_load_with_typed_fields():
    rows = load_memory_results()
    assert rows and set(rows[0]) == set(CSV_FIELDS)
    assert {r["task"] for r in rows} == {"adding", "recall"}
    assert {r["kind"] for r in rows} == {"rnn", "gru", "lstm"}
    assert all(isinstance(r["lag"], int) and 0 <= r["accuracy"] <= 1 for r in rows)
