"""PyTorch models saved with safetensors, read with NumPy and the standard library only.

A .safetensors file is: 8 bytes (little-endian u64) N, then N bytes of a UTF-8 JSON header,
then the tensor data. The header maps each tensor name to {"dtype", "shape", "data_offsets":
[begin, end]} (offsets into the data part) and may hold "__metadata__", a str -> str dict.
Nothing here ever unpickles: the file is parsed by hand, every size is checked against the
bytes actually present before anything is allocated, and any violation raises
ModelFormatError naming the problem.

The project's upload recipe (docs/pytorch.md) puts into the metadata what a state dict cannot
say: "kind" (lstm | gru | rnn), "vocab" (a JSON list of single characters, token id = index),
and optionally "rnn_prefix", "head_prefix" and "embedding_key" for `from_torch_state_dict`.
"""

from __future__ import annotations

import json
import math
import os
import struct
from typing import BinaryIO

import numpy as np

from .modelio import ModelFormatError, _read_bytes, checked_vocab, from_torch_state_dict
from .vocab import Vocab

MAX_HEADER_BYTES = 2**20  # a header larger than this is refused (ours are a few kB)
MAX_TENSORS = 256
# safetensors dtype names that NumPy can hold (BF16 has no NumPy type: refused)
DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}
OPTIONS = ("rnn_prefix", "head_prefix", "embedding_key")  # metadata passed on to the converter


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    """json object hook: a name given twice is an error, not 'the last one wins'."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise ModelFormatError(
                "safetensors.duplicate", "the safetensors header names {name!r} twice", name=k[:40]
            )
        out[k] = v
    return out


def _header(data: bytes) -> tuple[dict, int]:
    """(header dict, offset of the data part), with the header's framing validated."""
    if len(data) < 8:
        raise ModelFormatError(
            "safetensors.too_short", "not a safetensors file (shorter than its 8-byte header size)"
        )
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        raise ModelFormatError(
            "safetensors.header_size",
            "the safetensors header claims {n} bytes; at most {max} allowed",
            n=n,
            max=MAX_HEADER_BYTES,
        )
    if 8 + n > len(data):
        raise ModelFormatError(
            "safetensors.header_past_end", "the safetensors header runs past the end of the file"
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except ModelFormatError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFormatError(
            "safetensors.not_json", "not a safetensors file (its header is not JSON)"
        ) from None
    if not isinstance(header, dict):
        raise ModelFormatError("safetensors.not_object", "the safetensors header is not a JSON object")
    return header, 8 + n


def _metadata(header: dict) -> dict[str, str]:
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ModelFormatError(
            "safetensors.bad_metadata", "the safetensors __metadata__ must map names to strings"
        )
    return meta


def _tensor(name: str, info: object, body: memoryview) -> np.ndarray:
    """One tensor's array (a native-order copy), its entry checked against the data."""
    label = name[:60]
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise ModelFormatError(
            "safetensors.bad_entry",
            "{key}: a tensor entry needs exactly dtype, shape and data_offsets",
            key=label,
        )
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if dtype not in DTYPES:
        raise ModelFormatError(
            "safetensors.bad_dtype",
            "{key}: unsupported dtype {dtype!r} (save float32 or float64)",
            key=label,
            dtype=str(dtype)[:10],
        )
    if not (isinstance(shape, list) and len(shape) <= 4) or not all(type(d) is int and d >= 0 for d in shape):
        raise ModelFormatError(
            "safetensors.bad_shape",
            "{key}: the shape must be a list of at most 4 non-negative integers",
            key=label,
        )
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)):
        raise ModelFormatError(
            "safetensors.bad_offsets", "{key}: data_offsets must be two integers", key=label
        )
    begin, end = offsets
    dt = np.dtype(DTYPES[dtype])
    if not 0 <= begin <= end <= len(body):
        raise ModelFormatError("safetensors.outside", "{key}: its data lies outside the file", key=label)
    if end - begin != math.prod(shape) * dt.itemsize:
        raise ModelFormatError(
            "safetensors.size_mismatch",
            "{key}: shape {shape} does not match its {n} bytes of data",
            key=label,
            shape=shape[:4],
            n=end - begin,
        )
    a = np.frombuffer(body[begin:end], dtype=dt).reshape(shape)
    return a.astype(dt.newbyteorder("="))  # a writeable copy in native byte order


def read_safetensors(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(tensors, metadata) of a safetensors file's bytes. Tensors as NumPy arrays.

    Like the reference implementation, the tensors must tile the data part exactly: no
    overlaps, no gaps, nothing after the last one. Raises ModelFormatError.
    """
    header, start = _header(data)
    meta = _metadata(header)
    if len(header) > MAX_TENSORS:
        raise ModelFormatError(
            "safetensors.too_many",
            "the file has {n} tensors; at most {max} are expected",
            n=len(header),
            max=MAX_TENSORS,
        )
    body = memoryview(data)[start:]
    tensors = {name: _tensor(name, info, body) for name, info in header.items()}
    spans = sorted(tuple(info["data_offsets"]) for info in header.values())
    covered = 0
    for begin, end in spans:
        if begin != covered:
            raise ModelFormatError(
                "safetensors.gaps", "the tensors' data overlap or leave gaps (a damaged safetensors file)"
            )
        covered = end
    if covered != len(body):
        raise ModelFormatError(
            "safetensors.trailing", "the file has bytes after its last tensor (a damaged safetensors file)"
        )
    return tensors, meta


def _vocab(meta: dict[str, str]) -> Vocab:
    if "vocab" not in meta:
        raise ModelFormatError(
            "safetensors.no_vocab", "the file's metadata has no 'vocab' (a JSON list of its characters)"
        )
    try:
        chars = json.loads(meta["vocab"])
    except ValueError:
        raise ModelFormatError("safetensors.vocab_not_json", "the metadata 'vocab' is not JSON") from None
    if not isinstance(chars, list) or not all(isinstance(c, str) for c in chars):
        raise ModelFormatError(
            "safetensors.vocab_not_list", "the metadata 'vocab' must be a JSON list of single characters"
        )
    if "\x00" in chars:
        raise ModelFormatError(
            "safetensors.vocab_nul", "the metadata 'vocab' holds the NUL character, which a model cannot keep"
        )
    return checked_vocab(chars, "__metadata__.vocab")


def load_safetensors(source: str | os.PathLike | bytes | BinaryIO):
    """A Model from a PyTorch char model saved with safetensors (path, bytes or binary file).

    The metadata must hold "kind" and "vocab" (docs/pytorch.md); the tensors are the model's
    state dict, converted by `from_torch_state_dict`. Raises ModelFormatError.
    """
    tensors, meta = read_safetensors(_read_bytes(source))
    kind = meta.get("kind")
    if kind is None:
        raise ModelFormatError("safetensors.no_kind", "the file's metadata has no 'kind' (lstm, gru or rnn)")
    options = {k: meta[k] for k in OPTIONS if k in meta}
    return from_torch_state_dict(tensors, kind, _vocab(meta), **options)
