"""Training throughput: characters per second of one full training step.

A step = forward + backward through time + gradient clipping + Adam update, on a batch of
B=32 streams × T=64 characters of the default corpus, for our NumPy trainer in float32 and
float64 and, when PyTorch is installed, the same model (nn.LSTM/GRU/RNN with one-hot input,
a linear head, Adam, global-norm clipping) in the same run, reported as a ratio; "torch emb"
is PyTorch with an nn.Embedding(V, H) input instead of the one-hot one (see torch_chars_per_s).

    python benchmarks/training.py [--kinds lstm,gru,rnn] [--hidden 128] [--steps 30] [--threads 1]
    python benchmarks/training.py --vocab 3000 --kinds lstm --steps 10   # a Chinese-size vocabulary

`--vocab N` trains on the Chinese corpus (fortunes-zh, lstm_engine/training/corpus_zh.py) with its
N most frequent characters, the shipped zh model's vocabulary for N = 3000: there the output
layer (H × V) is the heavy part of a step. Without fortunes-zh it uses random ids over N symbols.

`--threads` (default 1) sets both NumPy's BLAS threads (through threadpoolctl, when it is
installed; otherwise set OPENBLAS_NUM_THREADS before starting) and torch's thread count, so
the two run on equal terms. Times are wall clock, summed over the timed steps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_engine import ModelConfig, Vocab, init_model  # noqa: E402
from lstm_engine.training import corpus_zh  # noqa: E402
from lstm_engine.training.data import default_corpus  # noqa: E402
from lstm_engine.training.optim import clip_gradients, global_norm, make_optimizer  # noqa: E402
from lstm_engine.training.train import get_batch, stream_layout  # noqa: E402

B, T = 32, 64


def numpy_chars_per_s(kind: str, H: int, dtype: str, ids: np.ndarray, vocab: Vocab, steps: int) -> float:
    """Our trainer's inner step (the same calls as lstm_engine.training.train) timed over `steps`."""
    model = init_model(ModelConfig(kind=kind, hidden_size=H, dtype=dtype), vocab)
    params = model.fused()
    opt = make_optimizer("adam", params)
    b, t, L = stream_layout(len(ids), B, T)
    state, elapsed = None, 0.0
    for i in range(steps + 3):  # 3 warm-up steps
        x, y = get_batch(ids, b, L, i * t, t)
        t0 = time.perf_counter()
        _, _, grads, state = model.batch_loss_and_grads(x, y, state)
        clip_gradients(grads, 5.0, "norm", global_norm(grads))
        opt.step(params, grads, 2e-3)
        if i >= 3:
            elapsed += time.perf_counter() - t0
    return steps * B * T / elapsed


def torch_chars_per_s(kind: str, H: int, ids: np.ndarray, V: int, steps: int, embed: bool = False) -> float:
    """The same model and step in PyTorch (float32). embed=True: the input goes through an
    nn.Embedding(V, H) lookup into an H-input recurrent layer instead of a one-hot vector into
    a V-input one (what a PyTorch user writes for a large vocabulary; same head)."""
    import torch

    torch.manual_seed(0)
    rnn_cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    rnn = rnn_cls(H if embed else V, H, batch_first=True)
    head = torch.nn.Linear(H, V)
    lookup = torch.nn.Embedding(V, H) if embed else None
    params = [*rnn.parameters(), *head.parameters(), *(lookup.parameters() if embed else ())]
    opt = torch.optim.Adam(params, lr=2e-3)
    b, t, L = stream_layout(len(ids), B, T)
    state, elapsed = None, 0.0
    for i in range(steps + 3):
        x, y = get_batch(ids, b, L, i * t, t)
        t0 = time.perf_counter()
        xt = (
            lookup(torch.from_numpy(x))
            if embed
            else torch.nn.functional.one_hot(torch.from_numpy(x), V).float()
        )
        out, state = rnn(xt, state)
        loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, V), torch.from_numpy(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        if i >= 3:
            elapsed += time.perf_counter() - t0
    return steps * B * T / elapsed


def corpus_ids(size: int) -> tuple[Vocab, np.ndarray]:
    """(vocab, token ids) of the default corpus (size 0) or of the Chinese corpus with its
    `size` most frequent characters (random ids over `size` symbols without fortunes-zh)."""
    if not size:
        text = default_corpus()
        vocab = Vocab.from_text(text)
        return vocab, vocab.encode(text).ids
    try:
        text, _ = corpus_zh.load_corpus().trainer_text()
    except corpus_zh.CorpusMissing as exc:
        print(f"{exc}\nUsing random ids instead.")
        ids = np.random.default_rng(0).integers(0, size, 400_000)
        return Vocab([chr(0x4E00 + i) for i in range(size)]), ids
    vocab = Vocab.from_text(text, max_size=size)
    return vocab, vocab.encode(text).ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kinds", default="lstm,gru,rnn")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--steps", type=int, default=30, help="timed steps per measurement")
    ap.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    ap.add_argument("--vocab", type=int, default=0, help="V: 0 = the default corpus (V=104)")
    args = ap.parse_args()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
        blas_note = f"NumPy BLAS {args.threads} thread(s)"
    except ImportError:
        blas_note = "NumPy BLAS threads: library default (threadpoolctl not installed)"
    vocab, ids = corpus_ids(args.vocab)
    try:
        import torch

        torch.set_num_threads(args.threads)
        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch = None
        torch_note = "torch not installed"
    print(
        f"B={B}, T={T}, H={args.hidden}, V={len(vocab)}, {args.steps} timed steps; {blas_note}; {torch_note}"
    )
    cols = ("numpy f32", "numpy f64", "torch f32", "ours/torch", "torch emb", "ours/emb")
    print(f"{'kind':5s}" + "".join(f"{c:>12s}" for c in cols))
    for kind in args.kinds.split(","):
        f32 = numpy_chars_per_s(kind, args.hidden, "float32", ids, vocab, args.steps)
        f64 = numpy_chars_per_s(kind, args.hidden, "float64", ids, vocab, args.steps)
        row = f"{kind:5s}{f32:12,.0f}{f64:12,.0f}"
        for embed in (False, True):
            tch = torch_chars_per_s(kind, args.hidden, ids, len(vocab), args.steps, embed) if torch else None
            row += f"{tch:12,.0f}{f32 / tch:11.2f}x" if tch else f"{'n/a':>12s}{'n/a':>12s}"
        print(row + "  chars/s", flush=True)


if __name__ == "__main__":
    main()
