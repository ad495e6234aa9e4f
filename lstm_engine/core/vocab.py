"""Character vocabulary: token id = index in the vocab, with an explicit unknown symbol.

Characters outside the vocabulary (emoji, Chinese, control characters, ...) never crash a
run: they map to the unknown symbol "\\uFFFD" when the vocab has it, and are left out of the
run otherwise. Either way they are reported, so the UI can tell the user what happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

UNK = "\ufffd"  # the unknown symbol of docs/design.md


@dataclass(frozen=True)
class Encoded:
    """The result of encoding a text.

    ids: (T,) int64 token ids of the characters actually run.
    tokens: the characters actually run (unknown ones shown as UNK).
    unknown: (position in the original text, character) for every out-of-vocab character.
    dropped: True when unknown characters were left out (vocab without UNK).
    """

    ids: np.ndarray
    tokens: list[str]
    unknown: list[tuple[int, str]] = field(default_factory=list)
    dropped: bool = False


class Vocab:
    """An ordered set of distinct single characters."""

    def __init__(self, chars: list[str] | tuple[str, ...]) -> None:
        chars = tuple(chars)
        if not chars:
            raise ValueError("the vocabulary is empty")
        if any(not isinstance(ch, str) or len(ch) != 1 for ch in chars):
            raise ValueError("every vocabulary entry must be a single character")
        if len(set(chars)) != len(chars):
            raise ValueError("the vocabulary has repeated characters")
        self.chars = chars
        self.index = {ch: i for i, ch in enumerate(chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    @property
    def has_unk(self) -> bool:
        """Whether out-of-vocab characters can be mapped rather than dropped."""
        return UNK in self.index

    @classmethod
    def from_text(cls, text: str, min_count: int = 1, max_size: int = 512) -> Vocab:
        """Build a vocab from a corpus: characters seen at least `min_count` times, most
        frequent first up to `max_size` (rare ones fold into UNK), sorted, plus UNK."""
        counts = Counter(text)
        counts.pop(UNK, None)
        # NUL cannot be stored: numpy unicode arrays (the model file's vocab) strip trailing
        # NULs, so "\x00" would come back as "" and the file would not load. It maps to UNK.
        counts.pop("\x00", None)
        common = [ch for ch, n in counts.most_common(max_size - 1) if n >= min_count]
        return cls(sorted(common) + [UNK])

    def encode(self, text: str) -> Encoded:
        """Map text to ids; report (and map or drop) characters outside the vocabulary."""
        unk_id = self.index.get(UNK)
        ids: list[int] = []
        tokens: list[str] = []
        unknown: list[tuple[int, str]] = []
        for pos, ch in enumerate(text):
            i = self.index.get(ch)
            if i is None:
                unknown.append((pos, ch))
                if unk_id is None:
                    continue
                i, ch = unk_id, UNK
            ids.append(i)
            tokens.append(ch)
        return Encoded(np.array(ids, dtype=np.int64), tokens, unknown, unk_id is None and bool(unknown))

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """Map ids back to characters."""
        return "".join(self.chars[int(i)] for i in ids)
