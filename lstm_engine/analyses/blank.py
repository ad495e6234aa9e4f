"""Fill in the blank: how well a model guesses each character of a text from its neighbours.

The text is cut into windows of `window` characters, each read from a zero state; every
character of every window is a blank, guessed from the rest of its window: by a bidirectional
"blank" model from both sides (or one side alone), by a left-to-right model from the left only
(its prediction at the step before). Same positions, same windows, so the numbers compare.

CLI (the table in docs/experiments.md), on the default corpus's held-out tail:
    python -m lstm_engine.analyses.blank assets/models/blank_bilstm.npz assets/models/blank_left_lstm.npz
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import numpy as np

from ..core.model import Model

SIDES = ("both", "forward", "backward")


@dataclass
class BlankScore:
    """bits_per_char: mean −log₂ p(the hidden character); accuracy: share of blanks whose most
    likely candidate is right; count: blanks scored."""

    bits_per_char: float
    accuracy: float
    count: int


def blank_scores(
    model: Model, text: str, window: int = 64, side: str | None = None, batch: int = 64
) -> BlankScore:
    """Score filling in every character of `text` (windows of `window` characters; a tail
    shorter than a window is left out). side: "both", "forward" or "backward" (None: "both"
    for a model that reads both ways, else "forward"). Raises ValueError for a text shorter
    than one window or a side the model does not have."""
    side = side or ("both" if model.bidirectional else "forward")
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    ids = model.encode(text).ids
    n = len(ids) // window
    if n == 0:
        raise ValueError(f"the text has fewer than {window} known characters")
    windows = ids[: n * window].reshape(n, window)
    nats, correct = 0.0, 0
    for start in range(0, n, batch):
        w = windows[start : start + batch]
        logits = dict(zip(SIDES, model.blank_logits(w), strict=True))[side]
        if logits is None:
            raise ValueError(f"a left-to-right model has no {side!r} guess")
        z = logits.astype(np.float64)
        z -= z.max(axis=-1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        nats -= float(np.take_along_axis(log_p, w[..., None], axis=-1).sum())
        correct += int((z.argmax(axis=-1) == w).sum())
    count = n * window
    return BlankScore(nats / count / math.log(2), correct / count, count)


def main(argv: list[str] | None = None) -> int:
    """Print a Markdown table: every side of every model on held-out text (the trainer's split)."""
    from ..core.modelio import load_model
    from ..training.data import default_corpus, split_corpus

    ap = argparse.ArgumentParser(
        prog="python -m lstm_engine.analyses.blank", description=__doc__.split("\n")[0]
    )
    ap.add_argument("models", nargs="+", help=".npz model files")
    ap.add_argument(
        "--window", type=int, default=64, help="characters per window, each read from a zero state"
    )
    ap.add_argument("--val-fraction", type=float, default=0.1, help="the held-out tail, as in training")
    args = ap.parse_args(argv)
    held_out = split_corpus(default_corpus(), args.val_fraction)[1]
    print(
        f"held-out text: the last {args.val_fraction:.0%} of the default corpus, windows of {args.window}\n"
    )
    print("| model | guesses from | bits/char | accuracy | blanks |\n|---|---|---:|---:|---:|")
    for path in args.models:
        model = load_model(path)
        for side in SIDES if model.bidirectional else ("forward",):
            s = blank_scores(model, held_out, args.window, side)
            print(f"| {path} | {side} | {s.bits_per_char:.3f} | {s.accuracy:.1%} | {s.count} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
