"""Train the shipped Chinese character model (assets/models/zh.npz) end to end.

Needs Debian's fortunes-zh (`sudo apt-get install fortunes-zh`). Reads and splits the corpus
(lstm_engine/training/corpus_zh.py), builds the vocabulary (the VOCAB_SIZE - 1 most frequent
characters of the whole cleaned corpus plus the unknown symbol), trains an LSTM with the
project's own trainer keeping the best-validation weights, saves it in float32 and prints the
numbers assets/README.md reports (see `report`).

    OPENBLAS_NUM_THREADS=1 python scripts/train_chinese.py --out assets/models/zh.npz
    python scripts/train_chinese.py --report assets/models/zh.npz   # the numbers only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_engine import ModelConfig, Vocab, init_model, load_model  # noqa: E402
from lstm_engine.training import corpus_zh  # noqa: E402
from lstm_engine.training.train import Progress, TrainConfig, bits, describe, train  # noqa: E402

VOCAB_SIZE = 3000  # characters in the vocabulary, the unknown symbol included
SAMPLE_PREFIXES = ("白日依山尽，", "春眠不觉晓，", "人生")


def build_vocab(corpus: corpus_zh.ZhCorpus) -> Vocab:
    """The most frequent characters of the cleaned corpus (training and validation) + UNK."""
    text, _ = corpus.trainer_text()
    return Vocab.from_text(text, max_size=VOCAB_SIZE)


def run_training(args: argparse.Namespace) -> None:
    """Train from scratch, saving the best checkpoint so far in float32 to args.out after
    every evaluation (so a stopped run still leaves its best model behind)."""
    corpus = corpus_zh.load_corpus()
    text, val_fraction = corpus.trainer_text()
    vocab = build_vocab(corpus)
    model = init_model(ModelConfig("lstm", args.hidden, seed=args.seed), vocab)
    config = TrainConfig(
        steps=args.steps,
        batch_size=args.batch,
        seq_len=args.seq_len,
        lr=args.lr,
        schedule=args.schedule,
        val_fraction=val_fraction,
        eval_every=args.eval_every,
        seed=args.seed,
        dtype="float32",
        keep_best=True,
    )
    print(f"{describe(model)}, vocab {len(vocab)}, {len(text)} characters", flush=True)

    def report(p: Progress) -> None:
        if p.val_loss is not None:
            print(
                f"step {p.step}/{p.steps}: train {bits(p.loss):.3f}, validation {bits(p.val_loss):.3f} "
                f"bits/char | {p.chars_per_s:.0f} chars/s | ETA {p.eta_s / 60:.0f} min",
                flush=True,
            )

    t0, state = time.perf_counter(), None
    while state is None or state.step < config.steps:  # one chunk per evaluation, saved as it goes
        end = (state.step if state else 0) + config.eval_every

        def stop_at_chunk_end(p: Progress, end: int = end) -> bool:
            report(p)
            return p.step < end

        result = train(model, text, config, stop_at_chunk_end, resume=state)
        model, state = result.model, result.state  # resuming is exact: same weights as one run
        result.model.astype(np.float32).save(args.out)
        print(
            f"saved {args.out}: {time.perf_counter() - t0:.0f} s, best step {result.best_step}, "
            f"validation {result.val_bits_per_char:.4f} bits/char",
            flush=True,
        )


def report(path: str) -> None:
    """Print the numbers of assets/README.md for a saved model."""
    model = load_model(path)
    corpus = corpus_zh.load_corpus()
    facts = corpus_zh.evaluate_model(model, corpus)
    size = Path(path).stat().st_size
    print(f"{path}: {describe(model)}, V={len(model.vocab)}, {model.dtype}, {size / 1e6:.2f} MB")
    print(f"records: {len(corpus.train)} training, {len(corpus.validation)} held out")
    for key, value in facts.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    for seed, prefix in enumerate(SAMPLE_PREFIXES):
        print(
            f"sample (seed {seed}, temperature 0.7): {model.sample(prefix, 120, temperature=0.7, seed=seed)!r}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument(
        "--schedule",
        choices=("constant", "cosine"),
        default="constant",
        help="constant: the model after k steps is the same whatever --steps says",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="assets/models/zh.npz")
    ap.add_argument("--report", metavar="MODEL", help="only print the numbers of a saved model")
    args = ap.parse_args(argv)
    try:
        if args.report:
            report(args.report)
        else:
            run_training(args)
            report(args.out)
    except corpus_zh.CorpusMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
