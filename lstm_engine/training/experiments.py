"""Memory experiments: how far back can an RNN, a GRU and an LSTM carry information?

Two synthetic tasks, both answered by a linear readout of the last hidden state:

* Adding problem (Hochreiter & Schmidhuber 1997). Input at step t is (value_t, marker_t):
  `lag` random values in [0, 1], exactly two of them marked, one among the first tenth of
  the sequence and one in its second half. Target: the sum of the two marked values. So the
  first marked value must be held for at least lag/2 steps. Solved = |error| < 0.04; the
  best constant guess (1.0) is solved for 1 − 0.96² ≈ 7.8% of sequences: that is `chance`.
* Delayed recall. Step 0 shows one of `num_symbols` symbols, then come `lag` distractor
  symbols (drawn at random from a separate set of `num_distractors`), then a "report now"
  marker. Target: the first symbol (classification). Chance = 1 / num_symbols.

Everything is the engine's own: the initialisation (core/init.py), the recurrent layer on a dense
input x_proj = X W_x + b (`sequence.direction_forward`), BPTT and the weight gradients
(`sequence.layer_backward`, `direction_grads`), the optimiser (training/optim.py); only the
linear readout of the last hidden state is added here,
in float32: H=32, batches of 64 fresh sequences per step, Adam (lr 1e-2 for adding, 5e-3 for
recall), global-norm clipping at 1. A run stops at its step budget or as soon as the task is
solved (mean training loss of the last 50 steps below 2e-4 MSE / 0.01 nats), because long
after convergence Adam can throw a solution away. Accuracy is measured on 1000 held-out
sequences.

CLI:  python -m lstm_engine.training.experiments memory --kinds rnn,gru,lstm --lags 5,10,20,50,100 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..core.gates import KINDS
from ..core.init import ModelConfig, init_layer, weight_block
from ..core.sequence import LayerCache, cross_entropy, direction_forward, direction_grads, layer_backward
from .optim import clip_gradients, global_norm, learning_rate, make_optimizer

TASKS = ("adding", "recall")
DEFAULT_LR = {"adding": 1e-2, "recall": 5e-3}  # best of {5e-3, 1e-2} over 3 seeds at lag 100
ADDING_TOLERANCE = 0.04  # an adding answer counts as solved when |error| < this
ADDING_CHANCE = 1.0 - (1.0 - ADDING_TOLERANCE) ** 2  # P(|a + b − 1| < 0.04), a, b ~ U[0, 1]
RESULTS_PATH = Path(__file__).resolve().parents[2] / "assets" / "memory_results.csv"
CSV_FIELDS = ("task", "kind", "lag", "accuracy", "chance", "steps", "seconds", "forget_bias", "seed")


@dataclass
class MemoryConfig:
    """Training setup shared by every memory run."""

    hidden: int = 32  # H, recurrent units
    batch_size: int = 64  # sequences per step
    lr: float | None = None  # Adam learning rate; None = per task: adding 1e-2, recall 5e-3
    clip: float = 1.0  # global-norm gradient clipping
    schedule: str = "constant"  # learning-rate schedule: "constant" or "cosine" (decay to 0)
    init: str = "xavier"  # "xavier" (Glorot uniform, the engine's default) or "torch" (U(±1/√H))
    solved_window: int = 50  # stop early once the mean loss of this many last steps is below:
    solved_loss: dict = field(default_factory=lambda: {"adding": 2e-4, "recall": 0.01})  # per task
    num_symbols: int = 4  # recall: symbols to remember (chance = 1 / num_symbols)
    num_distractors: int = 4  # recall: distinct distractor symbols drawn at random in the gap
    test_size: int = 1000  # held-out sequences the accuracy is measured on
    dtype: str = "float32"  # weights and activations (float32 is ~2x faster than float64 here)


@dataclass
class MemoryResult:
    """One trained run: accuracy on fresh test sequences, chance level, and the loss curve.

    losses: training loss per step (MSE for adding, cross-entropy in nats for recall);
    stopped: the callback ended training early; seconds: wall time of training + testing.
    """

    task: str
    kind: str
    lag: int
    accuracy: float
    chance: float
    steps: int
    seconds: float
    losses: list[float] = field(default_factory=list)
    stopped: bool = False
    forget_bias: float = 1.0
    seed: int = 0

    def row(self) -> dict:
        """The JSON / CSV row: everything but the loss curve."""
        return {k: v for k, v in asdict(self).items() if k not in ("losses", "stopped")}


# ---------------------------------------------------------------- task generators
def adding_problem(n: int, lag: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n adding-problem sequences of length `lag` (>= 2).

    Returns X: (n, lag, 2) with X[..., 0] the values in [0, 1) and X[..., 1] the markers
    (exactly two 1s per sequence: one in the first max(1, lag // 10) steps, one in the second
    half), and y: (n,) the sum of the two marked values.
    """
    if lag < 2:
        raise ValueError("the adding problem needs lag >= 2")
    values = rng.random((n, lag))
    first = rng.integers(0, max(1, lag // 10), size=n)
    second = rng.integers(lag // 2, lag, size=n)
    second = np.where(second == first, first + 1, second)  # only possible for tiny lags
    markers = np.zeros((n, lag))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1)
    return X, values[rows, first] + values[rows, second]


def recall_task(
    n: int, lag: int, num_symbols: int, rng: np.random.Generator, num_distractors: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """n delayed-recall sequences: a symbol, `lag` distractors, then a report marker.

    Token ids: 0..S-1 the symbols, S..S+K-1 the distractors (each distractor drawn uniformly
    from these K), S+K the report marker (S = num_symbols, K = num_distractors, default S).
    Returns X: (n, lag + 2, S + K + 1) one-hot inputs and y: (n,) the first symbol's id, which
    is the answer expected at the last step.
    """
    S = num_symbols
    K = S if num_distractors is None else num_distractors
    if lag < 0 or S < 2 or K < 1:
        raise ValueError("recall needs lag >= 0, at least 2 symbols and at least 1 distractor")
    y = rng.integers(0, S, size=n)
    ids = np.concatenate([y[:, None], rng.integers(S, S + K, size=(n, lag)), np.full((n, 1), S + K)], axis=1)
    return np.eye(S + K + 1)[ids], y


def make_task(task: str, n: int, lag: int, cfg: MemoryConfig, rng: np.random.Generator):
    """(X (n, T, D), y (n,)) for `task`."""
    if task == "adding":
        return adding_problem(n, lag, rng)
    if task == "recall":
        return recall_task(n, lag, cfg.num_symbols, rng, cfg.num_distractors)
    raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")


# ---------------------------------------------------------------- the network
def init_params(
    kind: str, D: int, H: int, out: int, forget_bias: float, rng: np.random.Generator, init: str = "torch"
) -> dict:
    """The engine's own initialisation (core/init.py) of one recurrent layer of H units on a
    D-wide input, plus a linear readout: {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,),
    "Wy": (H, out), "by": (out,)}. init "torch" (U(±1/√H), PyTorch's default for recurrent
    layers) or "xavier" (Glorot uniform); biases zero but the LSTM forget gate's."""
    if init not in ("torch", "xavier"):
        raise ValueError(f"unknown init {init!r}; expected 'torch' or 'xavier'")
    config = ModelConfig(kind=kind, hidden_size=H, init=init, forget_bias=forget_bias)
    p = init_layer(rng, config, D)
    return p | {"Wy": weight_block(rng, H, out, init, H), "by": np.zeros(out)}


def predict(kind: str, p: dict, X: np.ndarray) -> tuple[np.ndarray, LayerCache]:
    """Forward: X (B, T, D) -> (out (B, O) readout of the last hidden state, the layer's cache).

    The recurrent layer is the engine's (`sequence.direction_forward` on a dense input)."""
    B = X.shape[0]
    H = p["Wh"].shape[0]
    x_tm = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=p["Wh"].dtype)  # (T, B, D)
    h0 = np.zeros((B, H), dtype=p["Wh"].dtype)
    lc = direction_forward(kind, p, x_tm, h0, h0.copy() if kind == "lstm" else None, first=False)
    return lc.hs[-1] @ p["Wy"] + p["by"], lc


def loss_and_grad(task: str, kind: str, p: dict, X: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
    """Loss (adding: mean squared error; recall: cross-entropy, nats) and gradients like p.

    Backprop through time and the weight gradients are the engine's (`sequence.layer_backward`,
    `sequence.direction_grads`), as is the recall loss (`sequence.cross_entropy`)."""
    out, lc = predict(kind, p, X)
    if task == "adding":
        err = out[:, 0] - y.astype(out.dtype)
        loss = float(np.mean(err**2))
        dout = (2.0 / X.shape[0]) * err[:, None]
    else:
        loss, dlogits = cross_entropy(out[:, None, :], y[:, None])
        dout = dlogits[:, 0]
    dhs = np.zeros_like(lc.hs)
    dhs[-1] = dout @ p["Wy"].T
    da = layer_backward(kind, dhs, lc.steps, p["Wh"]).da
    grads, _ = direction_grads(kind, p, lc, da, first=False)
    return loss, grads | {"Wy": lc.hs[-1].T @ dout, "by": dout.sum(axis=0)}


def accuracy(task: str, kind: str, p: dict, X: np.ndarray, y: np.ndarray) -> float:
    """Share of sequences answered correctly (adding: |error| < 0.04; recall: argmax = y)."""
    out, _ = predict(kind, p, X)
    if task == "adding":
        return float(np.mean(np.abs(out[:, 0] - y) < ADDING_TOLERANCE))
    return float(np.mean(out.argmax(axis=1) == y))


def chance_level(task: str, cfg: MemoryConfig) -> float:
    """Accuracy of the best answer that ignores the input."""
    return ADDING_CHANCE if task == "adding" else 1.0 / cfg.num_symbols


def solved(losses: list[float], window: int, threshold: float) -> bool:
    """Whether the mean of the last `window` training losses is below `threshold`."""
    return len(losses) >= window and float(np.mean(losses[-window:])) < threshold


def train_memory_task(
    task: str,
    kind: str,
    lag: int,
    steps: int = 600,
    seed: int = 0,
    forget_bias: float = 1.0,
    hidden: int = 32,
    callback: Callable[[int, int, float], bool | None] | None = None,
    config: MemoryConfig | None = None,
) -> MemoryResult:
    """Train a fresh `kind` network on `task` at `lag` for `steps` Adam steps and test it.

    Each step draws a fresh batch (seeded: same arguments ⇒ same result); the accuracy is
    measured on `config.test_size` separate sequences. Training ends early once the task is
    solved (mean loss of the last `solved_window` steps below `solved_loss[task]`);
    result.steps says how many steps ran. `callback(step, steps, loss)` is called after every
    step; returning False stops early (result.stopped = True).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    cfg = config or MemoryConfig()
    cfg = MemoryConfig(**{**asdict(cfg), "hidden": hidden})
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    X_test, y_test = make_task(task, cfg.test_size, lag, cfg, np.random.default_rng([seed, 1]))
    out_dim = 1 if task == "adding" else cfg.num_symbols
    p = init_params(kind, X_test.shape[2], cfg.hidden, out_dim, forget_bias, rng, cfg.init)
    p = {k: v.astype(cfg.dtype) for k, v in p.items()}
    opt = make_optimizer("adam", p)
    lr = cfg.lr if cfg.lr is not None else DEFAULT_LR[task]
    losses: list[float] = []
    stopped = False
    for step in range(1, steps + 1):
        X, y = make_task(task, cfg.batch_size, lag, cfg, rng)
        loss, grads = loss_and_grad(task, kind, p, X, y)
        norm = global_norm(grads)
        if not math.isfinite(loss) or not math.isfinite(norm):
            break  # cannot happen with clipping in practice; keep the last finite weights
        clip_gradients(grads, cfg.clip, "norm", norm)
        opt.step(p, grads, learning_rate(lr, cfg.schedule, step - 1, steps))
        losses.append(loss)
        if callback is not None and callback(step, steps, loss) is False:
            stopped = step < steps
            break
        if solved(losses, cfg.solved_window, cfg.solved_loss[task]):
            break  # long after "solved", Adam can blow a solution up; stop while it holds
    acc = accuracy(task, kind, p, X_test, y_test)
    return MemoryResult(
        task,
        kind,
        lag,
        acc,
        chance_level(task, cfg),
        len(losses),
        round(time.perf_counter() - t0, 2),
        losses,
        stopped,
        forget_bias,
        seed,
    )


# ---------------------------------------------------------------- shipped results
def load_memory_results(path: str | Path | None = None) -> list[dict]:
    """Rows of the shipped results CSV (assets/memory_results.csv by default).

    Keys: task, kind (str); lag, steps, seed (int); accuracy, chance, seconds, forget_bias
    (float). Lines starting with "#" (the commands that produced the file) are skipped.
    """
    path = Path(path) if path is not None else RESULTS_PATH
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    rows = []
    for raw in csv.DictReader(lines):
        rows.append(
            {
                "task": raw["task"],
                "kind": raw["kind"],
                "lag": int(raw["lag"]),
                "accuracy": float(raw["accuracy"]),
                "chance": float(raw["chance"]),
                "steps": int(raw["steps"]),
                "seconds": float(raw["seconds"]),
                "forget_bias": float(raw["forget_bias"]),
                "seed": int(raw["seed"]),
            }
        )
    return rows


def write_results_csv(rows: list[dict], path: str | Path, comments: list[str] = ()) -> None:
    """Write result rows (with `# comment` lines on top, e.g. the command) as CSV."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for line in comments:
            fh.write(f"# {line}\n")
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


# ---------------------------------------------------------------- CLI
def _csv_list(text: str, convert=str) -> list:
    """ "a,b,c" -> [convert("a"), ...]."""
    return [convert(x) for x in text.split(",") if x.strip()]


def _run(spec: tuple) -> dict:
    """One sweep run (a top-level function so worker processes can call it)."""
    task, kind, lag, steps, seed, bias, hidden = spec
    return train_memory_task(task, kind, lag, steps, seed, bias, hidden).row()


def sweep_specs(tasks, kinds, lags, seeds, biases, steps, hidden) -> list[tuple]:
    """Every (task, kind, lag, steps, seed, forget_bias, hidden) run of a sweep. The forget
    bias only exists in the LSTM, so the other kinds run once, recorded with the first bias."""
    specs = []
    for task in tasks:
        for lag in lags:
            for kind in kinds:
                for bias in biases if kind == "lstm" else biases[:1]:
                    for seed in seeds:
                        specs.append((task, kind, lag, steps or DEFAULT_STEPS[task], seed, bias, hidden))
    return specs


def _worker_pool(jobs: int) -> ProcessPoolExecutor:
    """Fresh worker processes with one BLAS thread each.

    Why: these matrices are tiny (64 × 32), and multithreaded BLAS on tiny matrices spins
    threads against each other; measured here under load, one LSTM step at lag 50 took
    156 ms with default threads and 25 ms with one. Spawned workers read the thread count
    from the environment when they import NumPy.
    """
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))


def main(argv: list[str] | None = None) -> int:
    """`memory` sweep: every task × kind × lag (× seed × LSTM forget bias); prints a table,
    or JSON rows with --json; --csv also writes them (with the command line on top)."""
    ap = argparse.ArgumentParser(
        prog="python -m lstm_engine.training.experiments", description=__doc__.split("\n")[0]
    )
    sub = ap.add_subparsers(dest="command", required=True)
    mem = sub.add_parser("memory", help="adding problem and delayed recall over lags")
    mem.add_argument("--kinds", default="rnn,gru,lstm")
    mem.add_argument("--lags", default="5,10,20,50,100")
    mem.add_argument("--tasks", default="adding,recall")
    mem.add_argument("--steps", type=int, default=None, help="max Adam steps per run (default: by task)")
    mem.add_argument("--hidden", type=int, default=32)
    mem.add_argument("--seed", default="0", help="seed, or several: 0,1,2")
    mem.add_argument("--forget-bias", default="1", help="LSTM forget-gate bias at init, or several: 1,5")
    mem.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel processes")
    mem.add_argument("--json", action="store_true", help="print a JSON list of rows")
    mem.add_argument("--csv", help="also write the rows to this CSV file")
    args = ap.parse_args(argv)

    kinds, tasks = _csv_list(args.kinds), _csv_list(args.tasks)
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown kind {k!r}; expected some of {','.join(KINDS)}")
    for t in tasks:
        if t not in TASKS:
            ap.error(f"unknown task {t!r}; expected some of {','.join(TASKS)}")
    try:
        lags, seeds = _csv_list(args.lags, int), _csv_list(args.seed, int)
        biases = _csv_list(args.forget_bias, float)
    except ValueError as exc:
        ap.error(str(exc))
    if any(lag < (2 if "adding" in tasks else 0) for lag in lags) or (
        args.steps is not None and args.steps < 1
    ):
        ap.error("lags must be >= 2 for the adding problem (>= 0 for recall) and --steps >= 1")
    specs = sweep_specs(tasks, kinds, lags, seeds, biases, args.steps, args.hidden)
    t0 = time.perf_counter()
    if args.jobs > 1:
        with _worker_pool(args.jobs) as pool:
            results = pool.map(_run, specs)
            rows = _collect(results, args.json)
    else:
        rows = _collect(map(_run, specs), args.json)
    if not args.json:
        print(f"{len(rows)} runs in {time.perf_counter() - t0:.0f} s", flush=True)
    if args.csv:
        command = "python -m lstm_engine.training.experiments " + " ".join(
            sys.argv[1:] if argv is None else argv
        )
        write_results_csv(rows, args.csv, [command])
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


def _collect(results, quiet: bool) -> list[dict]:
    """Gather rows in order, printing a table line for each unless `quiet`."""
    rows = []
    for r in results:
        rows.append(r)
        if not quiet:
            bias = f"  b_f {r['forget_bias']:g}" if r["kind"] == "lstm" else ""
            print(
                f"{r['task']:7s} {r['kind']:4s} lag {r['lag']:4d}  seed {r['seed']}{bias}  "
                f"accuracy {r['accuracy']:6.1%}  (chance {r['chance']:5.1%})  "
                f"{r['steps']} steps  {r['seconds']:.1f} s",
                flush=True,
            )
    return rows


DEFAULT_STEPS = {"adding": 1500, "recall": 1500}  # CLI default step budgets per task

if __name__ == "__main__":
    raise SystemExit(main())
