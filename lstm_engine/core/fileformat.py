"""Writing the lstm-explorer/1 model file (.npz); reading and validating it is modelio.py.

The writer lives apart from the reader so that `Model.save` needs nothing that imports
`Model` (no import cycle between model.py and modelio.py).
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np

FORMAT = "lstm-explorer/1"
OPTIONAL_META = ("meta/bidirectional", "meta/task", "meta/variant")  # written when not default
META_KEYS = ("meta/format", "meta/kind", "meta/vocab", *OPTIONAL_META)


def write(
    target: str | os.PathLike | BinaryIO, kind: str, chars, params: dict[str, np.ndarray], meta=None
) -> None:
    """Write an uncompressed .npz file: the meta keys, then `params` under their file keys
    ("0/W_xi", ..., "out/b_q"). chars: the vocabulary, one character each; meta: the optional
    meta entries (OPTIONAL_META) a model has, e.g. {"meta/bidirectional": True}.

    Raises ValueError for a vocab holding "\\x00", which a numpy unicode array cannot keep.
    """
    if "\x00" in chars:
        raise ValueError("a vocabulary containing the NUL character cannot be saved")
    arrays = {
        "meta/format": np.array(FORMAT),
        "meta/kind": np.array(kind),
        "meta/vocab": np.array(chars, dtype="<U1"),
    }
    arrays.update({k: np.array(v) for k, v in (meta or {}).items()})
    arrays.update({k: np.ascontiguousarray(v) for k, v in params.items()})
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as fh:
            np.savez(fh, **arrays)
    else:
        np.savez(target, **arrays)
