"""The Chinese corpus: Debian's fortunes-zh text, cleaned and split by whole records.

`apt-get install fortunes-zh` installs three fortune files (listed by `dpkg -L fortunes-zh`):
`tang300` (the 300 Tang poems), `song100` (100 Song lyrics) and `chinese` (about a million
characters of modern prose and classical verse). A fortune file is a list of records (a poem,
a quotation) separated by lines holding only "%", coloured with terminal escape codes, which
are stripped here. `chinese` also holds long English tables and shell sessions from Debian's
manuals; only records that are mostly Chinese (MIN_CJK_SHARE of their non-space characters are
CJK characters or CJK punctuation) are kept. Every record goes wholly to training or to validation, chosen by a checksum
of its cleaned text, so the split is the same on every machine and a held-out quatrain is never
seen in part during training.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.model import Model
from ..core.vocab import UNK

FORTUNES_DIR = Path("/usr/share/games/fortunes")  # where Debian's fortune packages put their files
FILES = ("tang300", "song100", "chinese")  # the fortunes-zh data files, in reading order
HOLDOUT_EVERY = 10  # a record is held out for validation when crc32(record) % HOLDOUT_EVERY == 0
MIN_CJK_SHARE = 0.5  # a record is kept when at least this share of its non-space characters is CJK

LINE_MARKS = ("，", "。")  # the marks that end a line of classical verse
_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # ANSI colour codes such as "\x1b[1;32m", "\x1b[m"
_SEPARATOR = re.compile(r"^%$", re.MULTILINE)
# CJK punctuation, CJK extension A + unified ideographs, full-width forms (，：！？ etc.)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class CorpusMissing(FileNotFoundError):
    """fortunes-zh is not installed; str() says how to install it."""

    HINT = (
        "The Chinese corpus comes from Debian's fortunes-zh package, which is not installed "
        "(looked for {missing} in {root}). Install it with `sudo apt-get install fortunes-zh` "
        "(Debian or Ubuntu), then run this again."
    )


@dataclass(frozen=True)
class ZhCorpus:
    """The cleaned records, split: `train` and `validation` are lists of records (strings)."""

    train: list[str]
    validation: list[str]

    def trainer_text(self) -> tuple[str, float]:
        """(text, val_fraction) such that `split_corpus(text, val_fraction)` of training/data.py
        gives back exactly the training records (joined by blank lines) and the held-out ones."""
        head, tail = join(self.train) + "\n\n", join(self.validation)
        return head + tail, len(tail) / (len(head) + len(tail))


def strip_colours(text: str) -> str:
    """The text without terminal escape codes (colours, bold, reset)."""
    return _ESCAPE.sub("", text)


def records(text: str) -> list[str]:
    """The cleaned records of one fortune file's text: colours stripped, no-break spaces made
    plain, trailing spaces and blank edge lines removed, empty records dropped."""
    text = strip_colours(text).replace("\xa0", " ").replace("\r\n", "\n")
    out = []
    for rec in _SEPARATOR.split(text):
        rec = "\n".join(line.rstrip() for line in rec.split("\n")).strip("\n")
        if rec.strip():
            out.append(rec)
    return out


def mostly_chinese(record: str) -> bool:
    """Whether at least MIN_CJK_SHARE of the record's non-space characters are CJK."""
    visible = len(record) - sum(ch.isspace() for ch in record)
    return visible > 0 and len(_CJK.findall(record)) >= MIN_CJK_SHARE * visible


def held_out(record: str) -> bool:
    """Whether a record belongs to validation (a checksum: the same everywhere, order-free)."""
    return zlib.crc32(record.encode("utf-8")) % HOLDOUT_EVERY == 0


def split_records(recs: list[str]) -> ZhCorpus:
    """Split records into training and validation, keeping their order within each."""
    return ZhCorpus([r for r in recs if not held_out(r)], [r for r in recs if held_out(r)])


def join(recs: list[str]) -> str:
    """Records as one text, a blank line between two records."""
    return "\n\n".join(recs)


def find_files(root: Path | str = FORTUNES_DIR, files: tuple[str, ...] = FILES) -> list[Path]:
    """The paths of the fortunes-zh data files; raises CorpusMissing (with the install
    command in its message) when any of them is absent."""
    root = Path(root)
    missing = [name for name in files if not (root / name).is_file()]
    if missing:
        raise CorpusMissing(CorpusMissing.HINT.format(missing=", ".join(missing), root=root))
    return [root / name for name in files]


def load_corpus(root: Path | str = FORTUNES_DIR, files: tuple[str, ...] = FILES) -> ZhCorpus:
    """Read, clean and split the fortunes-zh files (all of them, in FILES order), keeping the
    records that are mostly Chinese."""
    recs = []
    for path in find_files(root, files):
        recs.extend(r for r in records(path.read_text(encoding="utf-8")) if mostly_chinese(r))
    return split_records(recs)


def quatrains(recs: list[str], width: int = 7) -> list[str]:
    """The four-line bodies of the records that are jueju with `width` characters a line:
    lines of the form 7 characters + "，" or "。", alternating "，" and "。" (2 lines of a record
    shown as one "，…。" line are split the same way). Titles and author lines are left out."""
    out = []
    for rec in recs:
        body = "".join(line for line in rec.split("\n") if line.endswith(("，", "。")))
        lines = re.findall(r"[^，。]+[，。]", body)
        pattern = all(len(line) == width + 1 for line in lines) and len(lines) == 4
        if pattern and [line[-1] for line in lines] == ["，", "。", "，", "。"]:
            out.append("".join(lines))
    return out


def line_ends(width: int = 7, lines: int = 4) -> np.ndarray:
    """Positions of the last character of each line in a quatrain string ((lines,) ints):
    every line is `width` characters plus its punctuation mark."""
    return np.arange(lines) * (width + 1) + width - 1


def line_end_mass(model: Model, poems: list[str], width: int = 7) -> np.ndarray:
    """(len(poems), 4) probability the model gives "，" or "。" as the next character right
    after the last character of each line, each poem read from a zero state."""
    ids = [model.vocab.index[ch] for ch in LINE_MARKS]
    return np.array([model.run(poem).probs[line_ends(width)][:, ids].sum(axis=1) for poem in poems])


def unigram_nats(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy (nats/char) on val_ids[1:] of the add-one-smoothed character frequencies
    of train_ids: the baseline a model that ignores context can reach."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0
    return float(-np.log(counts[val_ids[1:]] / counts.sum()).mean())


def evaluate_model(model: Model, corpus: ZhCorpus) -> dict[str, float | int]:
    """The numbers assets/README.md reports for a Chinese model on the held-out records:
    validation and unigram bits/char and perplexity, the share of unknown characters, and the
    mean probability of "，"/"。" at the ends of 7- and 5-character lines of held-out jueju."""
    from .train import evaluate

    train_ids = model.encode(join(corpus.train)).ids
    val_enc = model.encode(join(corpus.validation))
    nats, uni = evaluate(model, val_enc.ids), unigram_nats(train_ids, val_enc.ids, len(model.vocab))
    seven, five = quatrains(corpus.validation, 7), quatrains(corpus.validation, 5)
    return {
        "validation characters": len(val_enc.ids),
        "unknown share": float(np.mean(np.array(val_enc.tokens) == UNK)),
        "validation bits/char": nats / math.log(2),
        "validation perplexity": math.exp(nats),
        "unigram bits/char": uni / math.log(2),
        "unigram perplexity": math.exp(uni),
        "held-out 7-character quatrains": len(seven),
        "，/。 probability at 7-character line ends": float(line_end_mass(model, seven, 7).mean()),
        "held-out 5-character quatrains": len(five),
        "，/。 probability at 5-character line ends": float(line_end_mass(model, five, 5).mean()),
    }
