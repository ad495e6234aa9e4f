"""Train a character model on a text: minibatched truncated BPTT with Adam, SGD or Adagrad.

The training text is cut into `batch_size` contiguous streams; each step reads the next
`seq_len` characters of every stream, and the hidden state at the end of a window is the
initial state of the next one (truncated backprop through time: the state is carried, the
gradient is not). When the streams run out, an epoch ends, the state resets to zero and a
new random offset (from the seeded generator) shifts the windows. A fixed seed therefore
gives identical weights, and `resume=result.state` continues exactly as an uninterrupted
run would.

Progress goes through a callback `callback(progress) -> bool | None` (return False to stop)
that both the CLI progress bar and the Streamlit page use. Losses are in nats per character;
bits per character = nats / ln 2. If the loss or the weights stop being finite (or the loss
explodes far above that of a uniform guess), training stops with TrainingDiverged instead of
drawing NaN charts.

CLI:  python -m lstm_engine.training.train --kind lstm --hidden 128 --layers 1 --steps 4000 --out m.npz
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from ..core import sequence
from ..core.errors import CodedError, TextTooShort, template_fields
from ..core.model import Model
from .optim import (
    CLIP_MODES,
    OPTIMIZERS,
    SCHEDULES,
    clip_gradients,
    global_norm,
    learning_rate,
    make_optimizer,
)

EXPLODED = 10.0  # a loss above EXPLODED × ln(V) (ten times a uniform guess) counts as diverged
SAMPLE_CHARS = 160  # length of the progress samples
WARMUP_STEPS = 5  # steps before the time-left estimate starts (the first ones are slow)


@dataclass
class TrainConfig:
    """Hyperparameters of one training run."""

    steps: int = 1000  # optimiser updates in total (a resumed run continues up to this)
    batch_size: int = 32  # B, parallel text streams per step
    seq_len: int = 64  # T, characters per stream per step (the truncated-BPTT window)
    lr: float = 2e-3  # base learning rate η (try 0.1 for adagrad, 1.0 for sgd)
    optimizer: str = "adam"  # "adam", "sgd" or "adagrad"
    clip: float = 5.0  # clipping threshold; 0 disables clipping
    clip_mode: str = "norm"  # "norm" (rescale the global norm) or "value" (clamp each element)
    schedule: str = "constant"  # "constant" or "cosine" (decay to 0 at the last step)
    val_fraction: float = 0.1  # the last part of the text held out for validation
    eval_every: int = 100  # validation loss every this many steps (and at the last step)
    sample_every: int = 0  # a generated sample every this many steps; 0 = never
    seed: int = 0  # seeds the window offsets: same seed and model ⇒ same weights
    dtype: str = "float32"  # dtype the weights are trained in ("float32" or "float64")
    keep_best: bool = False  # return the weights of the lowest validation loss seen (checked every
    # eval_every steps) instead of the last step's; the CLI turns it on (--no-keep-best: off)

    def validate(self) -> None:
        """Raise ValueError naming the first bad field."""
        if self.steps < 1 or self.batch_size < 1 or self.seq_len < 1:
            raise ValueError("steps, batch_size and seq_len must be at least 1")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError("the learning rate must be a positive number")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}")
        if self.clip_mode not in CLIP_MODES:
            raise ValueError(f"clip_mode must be one of {CLIP_MODES}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError("dtype must be 'float32' or 'float64'")
        if self.eval_every < 1 or self.sample_every < 0:
            raise ValueError("eval_every must be >= 1 and sample_every >= 0")


@dataclass
class Progress:
    """What the callback sees after each step.

    loss: this step's training loss (nats/char); val_loss: validation loss (nats/char) on
    evaluation steps, else None; grad_norm: global gradient norm before clipping;
    chars_per_s: training throughput so far; eta_s: estimated seconds left, from the time per
    step since the first WARMUP_STEPS steps of this call (which pay one-off costs), NaN until
    then; sample: a generated text on sampling steps, else None.
    """

    step: int
    steps: int
    loss: float
    val_loss: float | None
    grad_norm: float
    chars_per_s: float
    eta_s: float
    sample: str | None = None


@dataclass
class TrainState:
    """Everything needed to continue a run exactly: the next step, the window position,
    the generator state, the carried hidden state and the optimiser moments. With keep_best
    the result's model holds the best weights, so the state also keeps the last step's
    weights (`weights`) and the best so far (`best`, `best_val` in nats/char, `best_step`)."""

    step: int
    pos: int
    offset: int
    rng: dict
    hidden: list | None
    optimizer: dict
    config: dict = field(default_factory=dict)
    weights: dict | None = None
    best: dict | None = None
    best_val: float | None = None
    best_step: int | None = None


@dataclass
class TrainResult:
    """model: the trained copy (with keep_best: the best-validation weights); history: one
    Progress per step; state: pass as `resume=` to continue; stopped: the callback asked to
    stop; val_bits_per_char: validation of the returned model; best_step: the step whose
    weights were returned (None without keep_best)."""

    model: Model
    history: list[Progress]
    state: TrainState
    stopped: bool
    val_bits_per_char: float | None
    best_step: int | None = None


class TrainingDiverged(CodedError, RuntimeError):
    """The loss or the weights stopped being finite (or the loss exploded).

    `cause` says which ("loss", "gradients", "exploded" or "weights"; code "diverged.<cause>",
    params step and value), `value` the loss in bits/char when it exploded, `step` the failing
    step and `history` the progress of the steps before it. str() is the English explanation.
    """

    ADVICE = " Try a lower learning rate or turn on gradient clipping."
    WHAT = {
        "loss": ("diverged.loss", "Training diverged at step {step}: the loss became {value}." + ADVICE),
        "gradients": (
            "diverged.gradients",
            "Training diverged at step {step}: the gradients became infinite or NaN." + ADVICE,
        ),
        "exploded": (
            "diverged.exploded",
            "Training diverged at step {step}: the loss exploded to {value:.1f} bits/char, "
            "far worse than guessing uniformly." + ADVICE,
        ),
        "weights": (
            "diverged.weights",
            "Training diverged at step {step}: the weights became infinite or NaN." + ADVICE,
        ),
    }

    def __init__(
        self, cause: str, step: int = 0, history: list[Progress] | None = None, value: float = math.nan
    ) -> None:
        code, template = self.WHAT[cause]
        given = {"step": step, "value": value}
        super().__init__(code, template, **{k: v for k, v in given.items() if k in template_fields(template)})
        self.cause, self.value, self.step, self.history = cause, value, step, history or []


# ---------------------------------------------------------------- batching
def stream_layout(n_ids: int, batch_size: int, seq_len: int) -> tuple[int, int, int]:
    """(B, T, L): streams, window and stream length for a text of n_ids tokens.

    Shrinks B and T for short texts so every stream holds at least one window; raises
    TextTooShort (a ValueError) when there are fewer than two tokens.
    """
    usable = n_ids - 1  # every input needs a next-character target
    if usable < 1:
        raise TextTooShort()
    T = min(seq_len, usable)
    B = max(1, min(batch_size, usable // T))
    return B, T, usable // B


def model_batch(model: Model, ids: np.ndarray, B: int, L: int, start: int, T: int, state):
    """(inputs, targets, state) of one window for `model`: the next characters with the state
    carried, or for a model that fills in blanks every character itself from a zero state."""
    x, y = get_batch(ids, B, L, start, T)
    return (x, x, None) if model.task == "blank" else (x, y, state)


def get_batch(ids: np.ndarray, B: int, L: int, start: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets (B, T): characters [start, start+T) of each of the B streams."""
    rows = (np.arange(B) * L)[:, None] + start + np.arange(T)[None, :]
    return ids[rows], ids[rows + 1]


# ---------------------------------------------------------------- evaluation
def evaluate(model: Model, ids: np.ndarray, batch_size: int = 32, chunk: int = 256) -> float | None:
    """Mean cross-entropy (nats/char) of predicting ids[1:] from ids[:-1].

    The text is cut into up to `batch_size` contiguous streams, each read from a zero state
    in windows of `chunk` characters with the state carried. None if fewer than 2 ids.
    """
    if len(ids) < 2:
        return None
    B, T, L = stream_layout(len(ids), batch_size, chunk)
    total, count, state = 0.0, 0, None
    for start in range(0, L, T):
        width = min(T, L - start)
        x, y, state = model_batch(model, ids, B, L, start, width, state)
        logits, _, state = model.forward(x, state)
        loss, _ = sequence.cross_entropy(logits, y)
        total += loss * x.size
        count += x.size
    return total / count


def bits(nats: float | None) -> float | None:
    """Nats per character to bits per character."""
    return None if nats is None else nats / math.log(2)


def perplexity(nats: float | None) -> float | None:
    """Per-character perplexity exp(nats) = 2^(bits/char): the number of equally likely
    characters the model is as unsure as (what d2l.ai reports)."""
    return None if nats is None else math.exp(nats)


# ---------------------------------------------------------------- training
def _check_finite(loss: float, norm: float, vocab_size: int, step: int, history) -> None:
    """Raise TrainingDiverged when this step's loss or gradients are unusable."""
    if not math.isfinite(loss):
        raise TrainingDiverged("loss", step, history, value=loss)
    if not math.isfinite(norm):
        raise TrainingDiverged("gradients", step, history)
    if loss > EXPLODED * math.log(max(vocab_size, 2)):
        raise TrainingDiverged("exploded", step, history, value=loss / math.log(2))


def _weights_finite(params: dict[str, np.ndarray]) -> bool:
    """Whether every weight is finite (a sum is finite iff no element is inf/NaN, barring overflow)."""
    return all(np.isfinite(np.sum(w)) for w in params.values())


def train(
    model: Model,
    text: str,
    config: TrainConfig | None = None,
    callback: Callable[[Progress], bool | None] | None = None,
    resume: TrainState | None = None,
) -> TrainResult:
    """Train a copy of `model` on `text` (the given model is never modified).

    To continue a stopped run, pass the previous result's model and `resume=result.state`
    with the same text and config: the weights then equal those of an uninterrupted run.
    Raises TrainingDiverged if the loss or the weights stop being finite, ValueError for a
    bad config or a text with fewer than two known characters.
    """
    from .data import split_corpus

    config = config or TrainConfig()
    config.validate()
    work = model.astype(np.dtype(config.dtype))
    params = work.fused()
    train_text, val_text = split_corpus(text, config.val_fraction)
    ids = work.encode(train_text).ids
    val_ids = work.encode(val_text).ids
    B, T, L = stream_layout(len(ids), config.batch_size, config.seq_len)
    windows = max(1, (L - T) // T + 1)  # windows per epoch (after the offset)

    opt = make_optimizer(config.optimizer, params)
    rng = np.random.default_rng(config.seed)
    if resume is None:
        step, pos, offset, hidden = 0, 0, 0, None
        offset = int(rng.integers(0, max(1, L - T * windows + 1)))
    else:
        opt.load_state_dict(resume.optimizer)
        rng.bit_generator.state = copy.deepcopy(resume.rng)
        step, pos, offset = resume.step, resume.pos, resume.offset
        hidden = copy.deepcopy(resume.hidden)
        for name, w in (resume.weights or {}).items():
            params[name][...] = w
    best = copy.deepcopy(resume.best) if resume else None
    best_val = resume.best_val if resume else None
    best_step = resume.best_step if resume else None

    history: list[Progress] = []
    stopped = False
    t0, chars = time.perf_counter(), 0
    warm = (step + WARMUP_STEPS, 0.0)  # (step, elapsed) the time-left estimate counts from
    while step < config.steps:
        if pos >= windows:  # epoch over: fresh state, new offset
            pos, hidden = 0, None
            offset = int(rng.integers(0, max(1, L - T * windows + 1)))
        x, y, hidden = model_batch(work, ids, B, L, offset + pos * T, T, hidden)
        with np.errstate(all="ignore"):  # overflow is detected just below, not warned about
            loss, _, grads, final = work.batch_loss_and_grads(x, y, hidden)
            norm = global_norm(grads)
        _check_finite(loss, norm, len(work.vocab), step + 1, history)
        clip_gradients(grads, config.clip, config.clip_mode, norm)
        with np.errstate(all="ignore"):
            opt.step(params, grads, learning_rate(config.lr, config.schedule, step, config.steps))
        if not _weights_finite(params):
            raise TrainingDiverged("weights", step + 1, history)
        hidden, pos, step = final, pos + 1, step + 1
        chars += x.size
        elapsed = time.perf_counter() - t0
        if step == warm[0]:
            warm = (step, elapsed)
        eta = (elapsed - warm[1]) / (step - warm[0]) * (config.steps - step) if step > warm[0] else math.nan
        progress = _progress(work, config, step, loss, norm, chars / elapsed if elapsed > 0 else 0.0, eta,
                             val_ids, train_text)  # fmt: skip
        history.append(progress)
        if (
            config.keep_best
            and progress.val_loss is not None
            and (best_val is None or progress.val_loss < best_val)
        ):
            best_val, best_step = progress.val_loss, step
            best = {name: w.copy() for name, w in params.items()}
        if callback is not None and callback(progress) is False:
            stopped = step < config.steps
            break

    state = TrainState(
        step,
        pos,
        offset,
        copy.deepcopy(rng.bit_generator.state),
        copy.deepcopy(hidden),
        opt.state_dict(),
        asdict(config),
    )
    if config.keep_best and best is not None:
        state.weights = {name: w.copy() for name, w in params.items()}
        state.best, state.best_val, state.best_step = best, best_val, best_step
        for name, w in params.items():
            w[...] = best[name]
        return TrainResult(work, history, state, stopped, bits(best_val), best_step)
    last_val = history[-1].val_loss if history else None
    if last_val is None:
        last_val = evaluate(work, val_ids)
    return TrainResult(work, history, state, stopped, bits(last_val))


def _progress(work, config, step, loss, norm, speed, eta, val_ids, train_text) -> Progress:
    """The Progress of one finished step (validation and sample when due)."""
    val = None
    if step % config.eval_every == 0 or step == config.steps:
        val = evaluate(work, val_ids)
    sample = None
    if config.sample_every and step % config.sample_every == 0 and not work.bidirectional:
        sample = work.sample(train_text[:1], SAMPLE_CHARS, temperature=0.8, seed=step)
    return Progress(step, config.steps, loss, val, norm, speed, eta, sample)


# ---------------------------------------------------------------- CLI
def _bar(p: Progress, width: int = 24) -> str:
    """One line of progress: bar, step, training and validation bits/char, speed, ETA."""
    done = int(width * p.step / p.steps)
    val = (
        f" | val {bits(p.val_loss):.3f} bpc, ppl {perplexity(p.val_loss):.2f}"
        if p.val_loss is not None
        else ""
    )
    eta = f"{int(p.eta_s // 60)}m{int(p.eta_s % 60):02d}s" if math.isfinite(p.eta_s) else "…"
    return (
        f"[{'#' * done}{'.' * (width - done)}] {p.step}/{p.steps} "
        f"loss {bits(p.loss):.3f} bpc{val} | {p.chars_per_s / 1000:.1f}k chars/s | ETA {eta}"
    )


def describe(model: Model) -> str:
    """The CLI's one-line model summary, e.g. 'LSTM, 1×128 units, 118k parameters'."""
    return f"{model.kind.upper()}, {model.num_layers}×{model.hidden_size} units, {model.num_params / 1000:.0f}k parameters"


def main(argv: list[str] | None = None) -> int:
    """Command-line training on the default corpus (or --text FILE); saves the model to --out."""
    from ..core.init import ModelConfig, init_model
    from ..core.modelio import load_model
    from ..core.vocab import Vocab
    from .data import decode_upload, default_corpus

    ap = argparse.ArgumentParser(
        prog="python -m lstm_engine.training.train", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--kind", choices=("lstm", "gru", "rnn"), default="lstm")
    ap.add_argument("--hidden", type=int, default=128, help="hidden units per layer")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--forget-bias", type=float, default=1.0, help="LSTM forget-gate bias at init")
    ap.add_argument("--init", choices=("xavier", "normal"), default="xavier")
    ap.add_argument("--blank", action="store_true", help="a bidirectional model that fills in blanks")
    ap.add_argument("--init-from", help="start from this model file instead of a fresh one")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--clip-mode", choices=CLIP_MODES, default="norm")
    ap.add_argument("--schedule", choices=SCHEDULES, default="constant")
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--sample-every", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="training dtype")
    ap.add_argument(
        "--keep-best",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="save the weights of the lowest validation loss seen (default), not the last step's",
    )
    ap.add_argument(
        "--stop-after",
        type=int,
        default=0,
        help="stop after this step and save (the schedule still spans --steps); 0 = run all",
    )
    ap.add_argument("--save-dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--text", help="a UTF-8 .txt file to train on (default: the pydoc corpus)")
    ap.add_argument("--out", required=True, help="where to write the .npz model")
    args = ap.parse_args(argv)

    if args.text:
        with open(args.text, "rb") as fh:
            text = decode_upload(fh.read(), max_bytes=2**31)
    else:
        text = default_corpus()
    if args.init_from:
        model = load_model(args.init_from)
    else:
        mc = ModelConfig(args.kind, args.hidden, args.layers, args.init, args.forget_bias, seed=args.seed)
        if args.blank:  # one bidirectional layer that fills in each character from both sides
            mc.bidirectional, mc.task = True, "blank"
        model = init_model(mc, Vocab.from_text(text))
    config = TrainConfig(
        steps=args.steps,
        batch_size=args.batch,
        seq_len=args.seq_len,
        lr=args.lr,
        optimizer=args.optimizer,
        clip=args.clip,
        clip_mode=args.clip_mode,
        schedule=args.schedule,
        val_fraction=args.val_fraction,
        eval_every=args.eval_every,
        sample_every=args.sample_every,
        seed=args.seed,
        dtype=args.dtype,
        keep_best=args.keep_best,
    )
    print(f"{describe(model)}, vocab {len(model.vocab)}, {len(text)} characters", flush=True)
    tty = sys.stderr.isatty()

    def report(p: Progress) -> bool:
        if tty:
            print("\r" + _bar(p), end="", file=sys.stderr, flush=True)
        if p.val_loss is not None or p.step == p.steps:
            print(("\n" if tty else "") + _bar(p), flush=True)
        if p.sample:
            print(f"--- sample at step {p.step}:\n{p.sample}\n---", flush=True)
        return not args.stop_after or p.step < args.stop_after

    t0 = time.perf_counter()
    try:
        result = train(model, text, config, report)
    except TrainingDiverged as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - t0
    result.model.astype(np.dtype(args.save_dtype)).save(args.out)
    best = f" (best checkpoint: step {result.best_step})" if result.best_step is not None else ""
    print(
        f"saved {args.out}: {describe(result.model)}, {result.state.step} steps, {seconds:.0f} s, "
        f"validation {result.val_bits_per_char:.4f} bits/char, perplexity {2**result.val_bits_per_char:.3f}{best}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
