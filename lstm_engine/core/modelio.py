"""Model files: the lstm-explorer/1 .npz format of docs/design.md, read defensively.

Keys: "meta/format" = "lstm-explorer/1", "meta/kind" in {lstm, gru, rnn}, "meta/vocab"
(1-D unicode array of distinct single characters), "{k}/{name}" for layer k with the d2l
names ("0/W_xi" (V, H), "0/W_hi" (H, H), "0/b_i" (H,), ...), and the head "out/W_hq" (H, V),
"out/b_q" (V,). Files are read with allow_pickle=False; every key, shape, dtype and value
is checked before use, and any violation raises ModelFormatError naming the problem.
Optional keys (docs/design.md): "meta/bidirectional" (0-d bool) with each layer's backward direction
under "{k}/reverse/{name}", "meta/task" ("next" | "blank"), "meta/variant" ("d2l" | "torch",
GRU only; "torch" adds "{k}/b_hh"). Also converts PyTorch nn.LSTM / nn.GRU / nn.RNN state
dicts (given as NumPy arrays, also bidirectional) to this format.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import CodedError
from .fileformat import FORMAT, META_KEYS
from .gates import KINDS, RECURRENT_BIAS, REVERSE, SUFFIXES, fuse
from .model import TASKS, VARIANTS, Model
from .vocab import Vocab

MAX_FILE_BYTES = 64 * 2**20  # a model file larger than this is refused unread
MAX_UNPACKED_BYTES = 256 * 2**20  # total declared size of the arrays inside (zip-bomb guard)
MAX_VOCAB, MAX_HIDDEN, MAX_LAYERS = 4096, 1024, 3
MAX_ENTRIES = 96  # 6 meta keys + 3 layers x 2 directions x 12 LSTM names + 2 head arrays = 80 at most


class ModelFormatError(CodedError, ValueError):
    """A model file that is not a valid lstm-explorer/1 model: `code` names the problem,
    str() says it in English (see errors.py)."""


def save_model(model: Model, path: str | os.PathLike | BinaryIO) -> None:
    """Write `model` as an uncompressed lstm-explorer/1 .npz file: `Model.save`."""
    model.save(path)


def model_to_bytes(model: Model) -> bytes:
    """The .npz file contents, for downloads."""
    buf = io.BytesIO()
    save_model(model, buf)
    return buf.getvalue()


def load_model(source: str | os.PathLike | bytes | BinaryIO) -> Model:
    """Read and validate a model from a path, bytes, or a binary file object.

    Raises ModelFormatError (a ValueError) with a message naming the problem.
    """
    data = _read_bytes(source)
    arrays = _read_arrays(data)
    return model_from_arrays(arrays)


def _read_bytes(source) -> bytes:
    """The raw file, refusing anything over MAX_FILE_BYTES before reading it all."""
    try:
        if isinstance(source, (bytes, bytearray)):
            data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            if Path(source).stat().st_size > MAX_FILE_BYTES:
                raise _too_large()
            data = Path(source).read_bytes()
        else:
            data = source.read(MAX_FILE_BYTES + 1)
    except ModelFormatError:
        raise
    except FileNotFoundError:
        raise ModelFormatError(
            "model.not_found", "cannot read the model file: No such file or directory"
        ) from None
    except OSError as exc:  # the operating system's own words (permissions, I/O errors, ...)
        raise ModelFormatError(
            "model.unreadable", "cannot read the model file: {why}", why=exc.strerror or str(exc)
        ) from None
    except ValueError:  # e.g. a path with an embedded NUL byte
        raise ModelFormatError("model.bad_path", "cannot read the model file: invalid path") from None
    if not isinstance(data, (bytes, bytearray)):  # e.g. a file opened in text mode
        raise ModelFormatError(
            "model.text_mode", "the model file must be read as bytes (open it in binary mode)"
        )
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    return data


def _too_large() -> ModelFormatError:
    return ModelFormatError(
        "model.too_large", "the model file is larger than {mb} MB", mb=MAX_FILE_BYTES // 2**20
    )


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    """Unpack the .npz safely: zip checks first, then each member with `_read_member`.

    Every member must be a "<key>.npy" file with a distinct name; the declared unpacked sizes
    are summed before anything is decompressed (zip-bomb guard), and zipfile never reads past a
    member's declared size, so a lying archive cannot make us read more.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, RuntimeError):
        # RuntimeError covers NotImplementedError("zip file version ...") from a mangled header
        raise ModelFormatError(
            "model.not_zip", "not a .npz model file (not a readable zip archive)"
        ) from None
    if not infos:
        raise ModelFormatError("model.empty", "the model file is empty (a zip archive with no arrays)")
    if len(infos) > MAX_ENTRIES:
        raise ModelFormatError(
            "model.too_many_entries",
            "the model file has {n} entries; at most {max} are expected",
            n=len(infos),
            max=MAX_ENTRIES,
        )
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ModelFormatError(
            "model.zip_bomb", "the arrays inside the file are too large (possible zip bomb)"
        )
    arrays = {}
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise ModelFormatError(
                "model.unexpected_entry",
                "unexpected entry {entry!r} in the model file",
                entry=info.filename[:60],
            )
        key = info.filename[: -len(".npy")]
        if key in arrays:
            raise ModelFormatError(
                "model.duplicate_entry", "entry {entry!r} appears twice in the model file", entry=key[:60]
            )
        try:
            with zf.open(info) as fh:
                arrays[key] = _read_member(fh, info.file_size, key)
        except ModelFormatError:
            raise
        # ValueError: e.g. "negative seek value" from a mangled member offset
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError, zlib.error) as exc:
            raise ModelFormatError(
                "model.damaged",
                "{key}: damaged data in the model file ({what})",
                key=key[:60],
                what=type(exc).__name__,
            ) from None
    return arrays


def _read_member(fh: BinaryIO, size: int, key: str) -> np.ndarray:
    """One .npy member, parsed by hand rather than with np.lib.format.read_array.

    Why: read_array allocates the array the header declares before reading any data, so a
    header claiming shape (10**9, 10**9) would raise MemoryError (or reserve huge memory)
    instead of a clear error. Here the header is parsed (numpy's safe literal parser, size
    capped), the dtype is checked (no object/pickle, no structured types), and the declared
    byte count must fit inside the member's declared size before anything is allocated.
    """
    name = key[:60]
    try:
        # numpy's header parser can fail in several ways on garbage (ValueError, but also
        # tokenize.TokenError and SyntaxWarnings), so any failure here means "not an array"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy version {version}")
    except (zipfile.BadZipFile, OSError, zlib.error):
        raise  # damaged zip data: reported by the caller
    except Exception as exc:  # untrusted header text, see above
        raise ModelFormatError(
            "model.not_npy", "{key}: not a valid .npy array ({why})", key=name, why=str(exc)[:80]
        ) from None
    if dtype.hasobject:
        raise ModelFormatError(
            "model.pickle", "{key}: contains pickled Python objects, which are never loaded", key=name
        )
    if dtype.kind not in "biufSU" or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFormatError(
            "model.bad_dtype", "{key}: unsupported dtype {dtype}", key=name, dtype=dtype.str
        )
    if len(shape) > 2:
        raise ModelFormatError(
            "model.too_many_dims",
            "{key}: has {ndim} dimensions; model arrays have at most 2",
            key=name,
            ndim=len(shape),
        )
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if nbytes > size - fh.tell():  # what is left of the member after the header
        raise ModelFormatError(
            "model.shape_too_big",
            "{key}: declared shape {shape} does not fit the data in the file",
            key=name,
            shape=shape[:4],
        )
    raw = fh.read(nbytes)
    if len(raw) != nbytes:
        raise ModelFormatError("model.truncated", "{key}: the array data is truncated", key=name)
    a = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")
    # a native-byte-order, writeable, C-ordered copy (frombuffer arrays are read-only)
    a = np.array(a, dtype=dtype.newbyteorder("="), order="C")  # (not ascontiguousarray: 0-d stays 0-d)
    # numpy raises SystemError (not ValueError) when it meets a code point past U+10FFFF
    if (
        dtype.kind == "U"
        and a.size
        and dtype.itemsize
        and int(a.reshape(-1).view(np.uint32).max()) > 0x10FFFF
    ):
        raise ModelFormatError("model.bad_unicode", "{key}: contains invalid unicode code points", key=name)
    return a


def _string(arrays: dict, key: str) -> str:
    """A 0-d unicode metadata entry."""
    if key not in arrays:
        raise _missing(key)
    a = arrays[key]
    if a.dtype.kind != "U" or a.ndim != 0:
        raise ModelFormatError("model.not_string", "{key} must be a unicode string", key=key)
    return str(a)


def _choice(arrays: dict, key: str, allowed: tuple[str, ...]) -> str:
    """An optional 0-d unicode entry, one of `allowed` (the first when absent)."""
    if key not in arrays:
        return allowed[0]
    value = _string(arrays, key)
    if value not in allowed:
        raise ModelFormatError(
            "model.bad_choice",
            "{key} is {value!r}; expected one of {allowed}",
            key=key,
            value=value[:20],
            allowed=", ".join(allowed),
        )
    return value


def _flag(arrays: dict, key: str) -> bool:
    """An optional 0-d boolean entry (False when absent)."""
    if key not in arrays:
        return False
    a = arrays[key]
    if a.dtype.kind != "b" or a.ndim != 0:
        raise ModelFormatError("model.not_flag", "{key} must be a single boolean", key=key)
    return bool(a)


def _vocab(arrays: dict) -> Vocab:
    """The validated vocabulary."""
    if "meta/vocab" not in arrays:
        raise _missing("meta/vocab")
    a = arrays["meta/vocab"]
    if a.dtype.kind != "U" or a.ndim != 1:
        raise ModelFormatError("model.vocab_not_array", "meta/vocab must be a 1-D unicode array")
    if not 1 <= a.size <= MAX_VOCAB:
        raise ModelFormatError(
            "model.vocab_size", "meta/vocab has {n} entries; expected 1 to {max}", n=a.size, max=MAX_VOCAB
        )
    return checked_vocab([str(ch) for ch in a], "meta/vocab")


def checked_vocab(chars: list[str], where: str) -> Vocab:
    """A Vocab from a file's characters, or a ModelFormatError naming `where` (the key)."""
    if not chars:
        raise ModelFormatError("model.vocab_empty", "{where}: the vocabulary is empty", where=where)
    if any(len(ch) != 1 for ch in chars):
        raise ModelFormatError(
            "model.vocab_not_chars", "{where}: every vocabulary entry must be a single character", where=where
        )
    if len(set(chars)) != len(chars):
        raise ModelFormatError(
            "model.vocab_repeats", "{where}: the vocabulary has repeated characters", where=where
        )
    return Vocab(chars)


def _missing(key: str) -> ModelFormatError:
    return ModelFormatError("model.missing_key", "missing key {key!r}", key=key)


def expected_shapes(
    kind: str, V: int, H: int, num_layers: int, bidirectional: bool = False, variant: str = "d2l"
) -> dict[str, tuple[int, ...]]:
    """Every parameter key of a model and its shape."""
    shapes = {}
    D = 2 if bidirectional else 1
    for k in range(num_layers):
        width = V if k == 0 else D * H
        for prefix in [f"{k}/", f"{k}/{REVERSE}"][:D]:
            for s in SUFFIXES[kind]:
                shapes.update(
                    {f"{prefix}W_x{s}": (width, H), f"{prefix}W_h{s}": (H, H), f"{prefix}b_{s}": (H,)}
                )
            if variant == "torch":
                shapes[f"{prefix}{RECURRENT_BIAS}"] = (H,)
    shapes.update({"out/W_hq": (D * H, V), "out/b_q": (V,)})
    return shapes


def model_from_arrays(arrays: dict[str, np.ndarray]) -> Model:
    """Validate a dict of arrays in the file's key layout and build the Model."""
    fmt = _string(arrays, "meta/format")
    if fmt != FORMAT:
        raise ModelFormatError(
            "model.bad_format",
            "unknown format tag {tag!r}; expected {expected!r}",
            tag=fmt[:40],
            expected=FORMAT,
        )
    kind = _string(arrays, "meta/kind")
    if kind not in KINDS:
        raise ModelFormatError(
            "model.bad_kind",
            "unknown model kind {kind!r}; expected one of {kinds}",
            kind=kind[:20],
            kinds=", ".join(KINDS),
        )
    vocab = _vocab(arrays)
    bidirectional = _flag(arrays, "meta/bidirectional")
    task = _choice(arrays, "meta/task", TASKS)
    if task == "blank" and not bidirectional:
        raise ModelFormatError(
            "model.blank_needs_bidirectional",
            "meta/task 'blank' needs a bidirectional model (meta/bidirectional)",
        )
    variant = _choice(arrays, "meta/variant", VARIANTS)
    if variant == "torch" and kind != "gru":
        raise ModelFormatError(
            "model.variant_not_gru", "meta/variant 'torch' is a GRU form; this model is not a GRU"
        )
    first = f"0/W_h{SUFFIXES[kind][0]}"
    if first not in arrays or arrays[first].ndim != 2:
        raise ModelFormatError("model.malformed_key", "missing or malformed key {key!r}", key=first)
    H = arrays[first].shape[0]
    if not 1 <= H <= MAX_HIDDEN:
        raise ModelFormatError(
            "model.hidden_size", "hidden size {hidden} is outside 1..{max}", hidden=H, max=MAX_HIDDEN
        )
    # ASCII digits only: str.isdigit() also accepts "²", which int() rejects
    num_layers = 1 + max(int(m[1]) for k in arrays if (m := re.match(r"([0-9]{1,6})/", k)))
    if not 1 <= num_layers <= MAX_LAYERS:
        raise ModelFormatError(
            "model.num_layers", "{n} layers; expected 1 to {max}", n=num_layers, max=MAX_LAYERS
        )
    if task == "blank" and num_layers != 1:
        raise ModelFormatError(
            "model.blank_layers", "meta/task 'blank' needs a 1-layer model; this one has {n}", n=num_layers
        )
    shapes = expected_shapes(kind, len(vocab), H, num_layers, bidirectional, variant)
    extra = sorted(set(arrays) - set(shapes) - set(META_KEYS))
    if extra:
        raise ModelFormatError(
            "model.unexpected_keys",
            "unexpected keys: {keys}",
            keys=", ".join(repr(k[:40]) for k in extra[:5]),
        )
    dtypes = set()
    for key, shape in shapes.items():
        if key not in arrays:
            raise _missing(key)
        a = arrays[key]
        if a.dtype not in (np.float32, np.float64):
            raise ModelFormatError(
                "model.param_dtype",
                "{key} has dtype {dtype}; expected float32 or float64",
                key=key,
                dtype=str(a.dtype),
            )
        if a.shape != shape:
            raise ModelFormatError(
                "model.param_shape",
                "{key} has shape {shape}; expected {expected}",
                key=key,
                shape=a.shape,
                expected=shape,
            )
        if not np.isfinite(a).all():
            raise ModelFormatError("model.not_finite", "{key} contains NaN or infinite values", key=key)
        dtypes.add(a.dtype)
    if len(dtypes) > 1:
        raise ModelFormatError("model.mixed_dtypes", "parameters mix float32 and float64")
    layers, head, reverse = fuse(kind, {k: arrays[k] for k in shapes}, num_layers, bidirectional)
    return Model(kind, vocab, layers, head, reverse, task, variant)


# ---------------------------------------------------------------- PyTorch conversion
# PyTorch's gate order within weight_ih / weight_hh, mapped onto our suffixes.
TORCH_ORDER = {"lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "h"), "rnn": ("h",)}
TORCH_DIRECTIONS = ("", "_reverse")  # PyTorch's key suffix of each direction


def _torch_tensor(state: dict, key: str, ndim: int, default=None) -> np.ndarray:
    """state[key] as a float64 array of `ndim` dimensions, or a clear error."""
    if key not in state:
        if default is not None:
            return default
        raise ModelFormatError("torch.missing_key", "the state dict has no key {key!r}", key=key)
    try:
        a = np.asarray(state[key], dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ModelFormatError(
            "torch.not_numeric", "{key} is not a numeric array (pass tensors as .numpy())", key=key
        ) from None
    if a.ndim != ndim:
        raise ModelFormatError(
            "torch.ndim",
            "{key} has {ndim} dimensions; expected {expected}",
            key=key,
            ndim=a.ndim,
            expected=ndim,
        )
    return a


def _torch_direction(state: dict, kind: str, key: str, emb: np.ndarray | None, prefix: str) -> dict:
    """One layer direction's d2l arrays under `prefix` from PyTorch's `weight_ih{key}` etc.

    key: e.g. "rnn.*_l0_reverse" with "*" standing for weight_ih, weight_hh, bias_ih, bias_hh.
    PyTorch adds two biases; we keep their sum, except for the GRU candidate, where b_hn sits
    inside the reset gate and becomes b_hh (missing biases, as with bias=False, count as zero).
    """
    w_ih = _torch_tensor(state, key.replace("*", "weight_ih"), 2)
    w_hh = _torch_tensor(state, key.replace("*", "weight_hh"), 2)
    no_bias = np.zeros(w_hh.shape[0])
    b_ih = _torch_tensor(state, key.replace("*", "bias_ih"), 1, no_bias)
    b_hh = _torch_tensor(state, key.replace("*", "bias_hh"), 1, no_bias)
    if emb is not None:
        if emb.shape[1] != w_ih.shape[1]:
            raise ModelFormatError(
                "torch.embedding_width",
                "the embedding has shape {shape}; its width must be {width}",
                shape=emb.shape,
                width=w_ih.shape[1],
            )
        w_ih = w_ih @ emb.T  # (G*H, V): onehot · E · W_ih^T = E W_ih^T
    order = TORCH_ORDER[kind]
    H = w_hh.shape[1]
    G = len(order)
    if w_hh.shape[0] != G * H or w_ih.shape[0] != G * H or not b_ih.shape == b_hh.shape == (G * H,):
        layer = key.rsplit("_l", 1)[1].replace("_reverse", "")
        if key.endswith("_reverse"):
            raise ModelFormatError(
                "torch.layer_shapes_backward",
                "layer {layer}, backward direction: shapes do not match a PyTorch {kind} of {hidden} units",
                layer=layer,
                kind=kind.upper(),
                hidden=H,
            )
        raise ModelFormatError(
            "torch.layer_shapes",
            "layer {layer}: shapes do not match a PyTorch {kind} of {hidden} units",
            layer=layer,
            kind=kind.upper(),
            hidden=H,
        )
    b = b_ih + b_hh
    named = {}
    for j, s in enumerate(order):
        rows = slice(j * H, (j + 1) * H)
        named[f"{prefix}W_x{s}"], named[f"{prefix}W_h{s}"] = w_ih[rows].T, w_hh[rows].T
        named[f"{prefix}b_{s}"] = b_ih[rows] if kind == "gru" and s == "h" else b[rows]
    if kind == "gru":
        named[f"{prefix}{RECURRENT_BIAS}"] = b_hh[2 * H :]
    return named


def from_torch_state_dict(
    state: dict[str, np.ndarray],
    kind: str,
    vocab: Vocab,
    head_prefix: str = "fc",
    embedding_key: str | None = None,
    rnn_prefix: str = "",
) -> Model:
    """Convert a PyTorch char model's state dict (values as NumPy arrays) to a Model.

    Expects nn.LSTM, nn.GRU or nn.RNN(tanh) keys `{rnn_prefix}weight_ih_l{k}`, `weight_hh_l{k}`,
    `bias_ih_l{k}`, `bias_hh_l{k}` (and `..._reverse` for bidirectional=True; batch_first or
    not does not matter), and a linear head `{head_prefix}.weight` (V, D*H),
    `{head_prefix}.bias` (V,) on the RNN's output. Layer 0's input is the one-hot character;
    with an nn.Embedding before the RNN, pass its key as `embedding_key` and it is folded in.
    nn.GRU becomes variant "torch" (its reset gate multiplies W_hn h + b_hn). nn.RNN must use
    the default tanh: a state dict does not say which nonlinearity was used. Raises
    ModelFormatError.
    """
    if kind not in TORCH_ORDER:
        raise ModelFormatError("torch.kind", "only nn.LSTM, nn.GRU and nn.RNN state dicts can be converted")
    if any("weight_hr" in key for key in state):
        raise ModelFormatError("torch.projected", "projected LSTMs (proj_size) cannot be converted")
    if f"{rnn_prefix}weight_ih_l0" not in state:
        raise ModelFormatError(
            "torch.no_layers", "no {key!r} in the state dict", key=f"{rnn_prefix}weight_ih_l0"
        )
    bidirectional = f"{rnn_prefix}weight_ih_l0_reverse" in state
    emb = _torch_tensor(state, embedding_key, 2) if embedding_key is not None else None
    named = {}
    k = 0
    while f"{rnn_prefix}weight_ih_l{k}" in state:
        for d, suffix in enumerate(TORCH_DIRECTIONS[: 2 if bidirectional else 1]):
            key = f"{rnn_prefix}*_l{k}{suffix}"
            prefix = f"{k}/{REVERSE}" if d else f"{k}/"
            named.update(_torch_direction(state, kind, key, emb if k == 0 else None, prefix))
        k += 1
    arrays = {
        "meta/format": np.array(FORMAT),
        "meta/kind": np.array(kind),
        "meta/vocab": np.array(vocab.chars),
    }
    if bidirectional:
        arrays["meta/bidirectional"] = np.array(True)
    if kind == "gru":
        arrays["meta/variant"] = np.array("torch")
    arrays.update({n: np.ascontiguousarray(a) for n, a in named.items()})
    arrays["out/W_hq"] = _torch_tensor(state, f"{head_prefix}.weight", 2).T
    arrays["out/b_q"] = _torch_tensor(state, f"{head_prefix}.bias", 1, np.zeros(arrays["out/W_hq"].shape[1]))
    return model_from_arrays(arrays)
