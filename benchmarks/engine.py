"""Engine speed at batch 1: forward and forward+BPTT for LSTM, GRU, RNN and a bidirectional LSTM, against PyTorch.

    python benchmarks/engine.py              # the full table (about 2-4 minutes on 2 cores)
    python benchmarks/engine.py --quick      # H=128, T=1000 only
    python benchmarks/engine.py --no-torch   # the engine alone

What is timed, batch 1, float64 unless a column says float32:
- forward: `Model.forward(ids)`, the whole character model (one-hot input, the recurrent
  layer, the output logits), what `Model.run` does before assembling its Trace;
- forward+BPTT: `Model.batch_loss_and_grads(inputs, targets)`: forward, cross-entropy and exact
  backprop through time to every parameter gradient.
PyTorch runs the same model: `nn.LSTM` / `nn.GRU` / `nn.RNN` fed one-hot characters, an
`nn.Linear` head and `cross_entropy` (kind "bilstm": `nn.LSTM(bidirectional=True)` and a head
on its (T, 2H) output, against the engine's bidirectional LSTM with the same weights), forward under `torch.no_grad()` and forward+backward with
autograd. For the LSTM and RNN, torch's weights are converted with `from_torch_state_dict` and
the logits checked equal, so both sides compute the same function. (PyTorch's GRU applies the
reset gate after the matmul, not the d2l form, but the work is the same.)

Threads: NumPy's BLAS and torch both get the same number of threads (`--threads`, default 1,
set with threadpoolctl and torch.set_num_threads); a last table compares the engine under
OPENBLAS_NUM_THREADS=1 and =2, each in a fresh process. Every time is the median of `--repeats` runs after a warm-up, by
elapsed time or (`--clock cpu`) by the process's CPU time, which a shared machine disturbs
less; engine and torch runs alternate, so both see the same background load, and each ratio
is the median of the per-repeat ratios. GFLOP/s counts the matmul work (2·G·H² per step for the recurrence,
2·H·V for the head; backward twice that again) against this machine's measured GFLOP/s on a
large matmul with the same thread count.
"""

from __future__ import annotations

import argparse
import os
import platform
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_engine import ModelConfig, Vocab, from_torch_state_dict, init_model  # noqa: E402
from lstm_engine.core.cells import GATES  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pip install threadpoolctl
    sys.exit("benchmarks/engine.py needs threadpoolctl: pip install threadpoolctl")

VOCAB = Vocab.from_text(string.printable)  # 100 printable characters + UNK, like a text corpus
V = len(VOCAB)


def median_ms(times: list[float]) -> float:
    return float(np.median(times)) * 1e3


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]  # set from --clock in main()


def paired(fns: list[Callable[[], object]], repeats: int) -> list[list[float]]:
    """Time each function `repeats` times, interleaved (a, b, a, b, ...), after one warm-up
    each, with the chosen clock. Returns per-function lists of seconds."""
    for fn in fns:
        fn()
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = clock()
            fn()
            out[i].append(clock() - t0)
    return out


def matmul_gflops(dtype, n: int = 1024, repeats: int = 5) -> float:
    """This machine's large-matmul speed: 2n³ flops per (n, n) @ (n, n), median of repeats."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(n, n)).astype(dtype), rng.normal(size=(n, n)).astype(dtype)
    (times,) = paired([lambda: a @ b], repeats)
    return 2 * n**3 / float(np.median(times)) / 1e9


BIDIRECTIONAL = {"bilstm": "lstm"}  # benchmark kinds that read both ways -> their cell kind


def cell_kind(kind: str) -> tuple[str, bool]:
    """(model kind, bidirectional) of a benchmark kind: "lstm", ..., or "bilstm"."""
    return BIDIRECTIONAL.get(kind, kind), kind in BIDIRECTIONAL


def flops(kind: str, H: int, T: int) -> tuple[float, float]:
    """Matmul flops of (forward, forward+BPTT) for one sequence of T steps."""
    base, bi = cell_kind(kind)
    D = 2 if bi else 1
    G = GATES[base]
    fwd = T * (D * 2 * G * H * H + 2 * D * H * V)
    bwd = T * (D * 2 * 2 * G * H * H + 2 * 2 * D * H * V)  # dh_prev and dW_h; dh from the head and dW_hq
    return fwd, fwd + bwd


def engine_fns(kind: str, H: int, T: int, dtype):
    """(model, forward, forward+BPTT) closures for our engine."""
    base, bi = cell_kind(kind)
    config = ModelConfig(kind=base, hidden_size=H, seed=0, bidirectional=bi)
    model = init_model(config, VOCAB).astype(dtype)
    ids = np.random.default_rng(1).integers(0, V, size=(1, T + 1))
    x, y = ids[:, :-1], ids[:, 1:]
    return model, (lambda: model.forward(x)), (lambda: model.batch_loss_and_grads(x, y))


def torch_fns(torch, kind: str, H: int, T: int, dtype):
    """(forward, forward+backward) closures for the same model in PyTorch."""
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    kind, bi = cell_kind(kind)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    rnn = cls(V, H, bidirectional=bi).to(tdtype)
    head = torch.nn.Linear(2 * H if bi else H, V).to(tdtype)
    ids = np.random.default_rng(1).integers(0, V, size=(T + 1,))
    x = torch.nn.functional.one_hot(torch.as_tensor(ids[:-1]), V).to(tdtype)[:, None]  # (T, 1, V)
    y = torch.as_tensor(ids[1:])
    if kind != "gru":  # load our weights and check both compute the same thing
        state = {f"rnn.{k}": v.detach().numpy() for k, v in rnn.state_dict().items()}
        state.update({f"fc.{k}": v.detach().numpy() for k, v in head.state_dict().items()})
        converted = from_torch_state_dict(state, kind, VOCAB, rnn_prefix="rnn.")
        with torch.no_grad():
            logits = head(rnn(x)[0])[:, 0].numpy()
        ours = converted.forward(ids[None, :-1])[0][0]  # converted models are float64
        tol = 1e-9 if dtype == np.float64 else 1e-4
        assert np.allclose(ours, logits, atol=tol), "the converted model disagrees with torch"

    def forward():
        with torch.no_grad():
            return head(rnn(x)[0])

    def forward_backward():
        rnn.zero_grad(set_to_none=True)
        head.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(head(rnn(x)[0])[:, 0], y)
        loss.backward()
        return loss

    return forward, forward_backward


def machine_header(torch, threads: int, peaks: dict) -> list[str]:
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
    lines = [
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
        + (f", torch {torch.__version__}" if torch else ", torch not installed"),
        "BLAS: "
        + "; ".join(
            f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')} kernels)" for b in blas
        ),
        f"environment: {', '.join(f'{k}={v}' for k, v in env.items() if v) or 'no OPENBLAS_* variables set'}",
        f"threads: {threads} for NumPy's BLAS and for torch (torch.set_num_threads({threads}))",
        "large-matmul GFLOP/s (1024×1024, this thread count): "
        + ", ".join(f"{np.dtype(d).name} {g:.1f}" for d, g in peaks.items()),
        f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
    ]
    return lines


def table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed runs per case (median reported)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS / torch threads for the main tables")
    ap.add_argument("--quick", action="store_true", help="only H=128, T=1000")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    ap.add_argument("--kinds", default="lstm,gru,rnn,bilstm", help="bilstm: a bidirectional LSTM")
    ap.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall: elapsed time; cpu: the process's CPU time (steadier on a shared machine, "
        "and the same as elapsed time on an idle one for single-threaded runs)",
    )
    ap.add_argument("--no-threads", action="store_true", help="skip the 1-vs-2 BLAS threads table")
    ap.add_argument("--only-threads", action="store_true", help="only the 1-vs-2 BLAS threads table")
    ap.add_argument("--thread-probe", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    if args.thread_probe:
        return thread_probe(args.thread_probe, args.repeats)

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    sizes, lengths = ([128], [1000]) if args.quick else ([32, 128, 256], [100, 1000])
    kinds = [] if args.only_threads else args.kinds.split(",")

    with threadpool_limits(args.threads, user_api="blas"):
        if torch:
            torch.set_num_threads(args.threads)
        peaks = {np.float64: matmul_gflops(np.float64), np.float32: matmul_gflops(np.float32)}
        print("\n".join(machine_header(torch, args.threads, peaks)))
        print(
            f"timing: {args.clock} clock, median of {args.repeats} runs after a warm-up, "
            f"batch 1, vocabulary V={V}\n"
        )

        main_rows, torch_rows = [], []
        for kind in kinds:
            for H in sizes:
                for T in lengths:
                    row, trow = run_case(torch, kind, H, T, args.repeats, peaks)
                    main_rows.append(row)
                    if trow:
                        torch_rows.append(trow)
                    print(f"  done {kind} H={H} T={T}", file=sys.stderr)

        if main_rows:
            print("Engine, float64:\n")
            print(
                table(
                    main_rows,
                    [
                        "kind",
                        "H",
                        "T",
                        "forward ms",
                        "fwd+BPTT ms",
                        "fwd µs/step",
                        "fwd+BPTT µs/step",
                        "fwd GFLOP/s",
                        "fwd+BPTT GFLOP/s",
                        "% of matmul peak (fwd+BPTT)",
                    ],
                )
            )
        if torch_rows:
            print("\nAgainst PyTorch (ratio = engine time / torch time; below 1 = engine faster):\n")
            print(
                table(
                    torch_rows,
                    [
                        "kind",
                        "H",
                        "T",
                        "torch fwd ms f64",
                        "fwd ratio f64",
                        "torch fwd+bwd ms f64",
                        "fwd+BPTT ratio f64",
                        "fwd ratio f32",
                        "fwd+BPTT ratio f32",
                    ],
                )
            )
    if not args.no_threads:
        print(
            "\nBLAS threads for the engine (LSTM, T=1000, float64, wall clock; "
            "OPENBLAS_NUM_THREADS=1 or 2, each a fresh process, median of 3 alternating rounds):\n"
        )
        print(thread_table(args.repeats, [128] if args.quick else [32, 128, 256]))


def run_case(torch, kind: str, H: int, T: int, repeats: int, peaks: dict):
    """One row of the engine table and (with torch) one row of the comparison table."""
    fl_f, fl_fb = flops(kind, H, T)
    _, fwd, fwdbw = engine_fns(kind, H, T, np.float64)
    if not torch:
        t_f, t_fb = (median_ms(t) for t in paired([fwd, fwdbw], repeats))
        trow = None
    else:
        tf, tfb = torch_fns(torch, kind, H, T, np.float64)
        e_f, x_f, e_fb, x_fb = paired([fwd, tf, fwdbw, tfb], repeats)
        t_f, t_fb = median_ms(e_f), median_ms(e_fb)
        _, fwd32, fwdbw32 = engine_fns(kind, H, T, np.float32)
        tf32, tfb32 = torch_fns(torch, kind, H, T, np.float32)
        e_f32, x_f32, e_fb32, x_fb32 = paired([fwd32, tf32, fwdbw32, tfb32], repeats)

        def ratio(a, b):
            return f"{np.median(np.array(a) / np.array(b)):.2f}"

        trow = [
            kind,
            str(H),
            str(T),
            f"{median_ms(x_f):.1f}",
            ratio(e_f, x_f),
            f"{median_ms(x_fb):.1f}",
            ratio(e_fb, x_fb),
            ratio(e_f32, x_f32),
            ratio(e_fb32, x_fb32),
        ]
    gf_f, gf_fb = fl_f / t_f / 1e6, fl_fb / t_fb / 1e6
    row = [
        kind,
        str(H),
        str(T),
        f"{t_f:.1f}",
        f"{t_fb:.1f}",
        f"{t_f * 1e3 / T:.1f}",
        f"{t_fb * 1e3 / T:.1f}",
        f"{gf_f:.2f}",
        f"{gf_fb:.2f}",
        f"{100 * gf_fb / peaks[np.float64]:.1f}%",
    ]
    return row, trow


def thread_probe(H: int, repeats: int) -> None:
    """Print the engine's LSTM forward and forward+BPTT wall-clock medians (ms), T=1000,
    with whatever BLAS threads the environment gives (run by `thread_table`)."""
    _, fwd, fwdbw = engine_fns("lstm", H, 1000, np.float64)
    f, b = paired([fwd, fwdbw], repeats)
    print(f"{median_ms(f):.3f} {median_ms(b):.3f}")


def thread_table(repeats: int, sizes: list[int], rounds: int = 3) -> str:
    """Engine LSTM times with OPENBLAS_NUM_THREADS=1 and =2, each in a fresh process, in
    alternating rounds; the median over rounds. Separate processes because OpenBLAS worker
    threads keep spinning for a while after a threaded call and would slow the next
    single-thread measurement in the same process. Always elapsed (wall) time: CPU time would
    add up both threads."""
    rows = []
    for H in sizes:
        res = {1: [], 2: []}
        for _ in range(rounds):
            for n in (1, 2):
                env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n))
                cmd = [sys.executable, __file__, "--thread-probe", str(H), "--repeats", str(repeats)]
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
                res[n].append([float(x) for x in out.split()])
        med = {n: np.median(np.array(v), axis=0) for n, v in res.items()}
        rows.append([str(H), f"{med[1][0]:.1f}", f"{med[2][0]:.1f}", f"{med[1][1]:.1f}", f"{med[2][1]:.1f}"])
    return table(
        rows,
        ["H", "fwd ms, 1 thread", "fwd ms, 2 threads", "fwd+BPTT ms, 1 thread", "fwd+BPTT ms, 2 threads"],
    )


if __name__ == "__main__":
    main()
