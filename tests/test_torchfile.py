"""Safetensors uploads: the reader against the official package, and a battery of hostile files.

Every bad file must raise ModelFormatError with a message naming the problem (the app shows it
to the user), never a traceback from json, struct or numpy.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from test_torch_convert import VOCAB, random_state

from lstm_engine import ModelFormatError, from_torch_state_dict
from lstm_engine.core.torchfile import load_safetensors, read_safetensors

CODES = {np.dtype("<f8"): "F64", np.dtype("<f4"): "F32", np.dtype("<i8"): "I64"}


def _file(tensors: dict[str, np.ndarray], metadata: dict | None = None, header_extra=None) -> bytes:
    """A safetensors file written by hand from the format's definition (tensors in order)."""
    header, chunks, at = {}, [], 0
    for name, a in tensors.items():
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": CODES[a.dtype], "shape": list(a.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    header.update(header_extra or {})
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def _meta(kind="lstm", vocab=VOCAB.chars, **extra) -> dict:
    return {"kind": kind, "vocab": json.dumps(list(vocab)), "rnn_prefix": "rnn.", **extra}


def _good_state() -> dict:
    return random_state("lstm", 3, 1, None, seed=4)


def test_a_hand_written_file_loads_as_the_converted_state_dict():
    state = _good_state()
    model = load_safetensors(_file(state, _meta()))
    ref = from_torch_state_dict(state, "lstm", VOCAB, rnn_prefix="rnn.")
    assert np.array_equal(model.run("abc de").probs, ref.run("abc de").probs)


def test_the_reader_agrees_with_the_official_package():
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"w": np.arange(12.0).reshape(3, 4), "b": np.arange(5, dtype=np.float32), "i": np.arange(3)}
    tensors, meta = read_safetensors(st.save(arrays, metadata={"kind": "rnn"}))
    assert meta == {"kind": "rnn"} and set(tensors) == set(arrays)
    for k, a in arrays.items():
        assert tensors[k].dtype == a.dtype and np.array_equal(tensors[k], a)


def _raw_header(text: bytes, body: bytes = b"") -> bytes:
    return struct.pack("<Q", len(text)) + text + body


def _entry(**info) -> dict:
    base = {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}
    return {k: v for k, v in {**base, **info}.items() if v is not None}


def _one(info: dict, body: bytes = b"\0" * 16, meta=None) -> bytes:
    header = {"x": info} if meta is None else {"x": info, "__metadata__": meta}
    return _raw_header(json.dumps(header).encode(), body)


def _state_with(key, value) -> dict:
    state = _good_state()
    state[key] = value
    return state


def _nan_state() -> dict:
    state = _good_state()
    state["rnn.weight_hh_l0"][1, 1] = np.nan
    return state


HOSTILE = {
    "empty file": (lambda: b"", "shorter than"),
    "huge header size": (lambda: struct.pack("<Q", 2**63) + b"{}", "header claims"),
    "header past the end": (lambda: struct.pack("<Q", 500) + b"{}", "past the end"),
    "header not JSON": (lambda: _raw_header(b"{not json"), "not JSON"),
    "header not UTF-8": (lambda: _raw_header(b'{"\xff": 1}'), "not JSON"),
    "deeply nested header": (
        lambda: _raw_header(b"[" * 100000 + b"]" * 100000),
        "not JSON|not a JSON object",
    ),
    "header a list": (lambda: _raw_header(b"[1, 2]"), "not a JSON object"),
    "name twice": (lambda: _raw_header(b'{"a": {}, "a": {}}'), "twice"),
    "metadata not strings": (lambda: _one(_entry(), meta={"kind": 3}), "__metadata__"),
    "entry not an object": (lambda: _raw_header(b'{"x": 5}'), "exactly dtype, shape and data_offsets"),
    "extra field": (lambda: _one({**_entry(), "pickle": "yes"}), "exactly dtype"),
    "unknown dtype": (lambda: _one(_entry(dtype="BF16")), "unsupported dtype 'BF16'"),
    "object-like dtype": (lambda: _one(_entry(dtype="O")), "unsupported dtype"),
    "negative dimension": (lambda: _one(_entry(shape=[-2])), "non-negative integers"),
    "float dimension": (lambda: _one(_entry(shape=[2.0])), "non-negative integers"),
    "too many dimensions": (lambda: _one(_entry(shape=[1] * 9)), "at most 4"),
    "huge shape": (lambda: _one(_entry(shape=[2**40, 2**40])), "does not match"),
    "offsets past the data": (lambda: _one(_entry(data_offsets=[0, 2**60])), "outside the file"),
    "offsets reversed": (lambda: _one(_entry(data_offsets=[16, 0])), "outside the file"),
    "offsets not integers": (lambda: _one(_entry(data_offsets=["0", "16"])), "two integers"),
    "shape disagrees with bytes": (lambda: _one(_entry(shape=[3])), r"does not match its 16 bytes"),
    "gap before the data": (lambda: _one(_entry(data_offsets=[8, 24]), b"\0" * 24), "overlap or leave gaps"),
    "bytes after the data": (lambda: _one(_entry(), b"\0" * 20), "after its last tensor"),
    "too many tensors": (
        lambda: _raw_header(
            json.dumps({f"t{i}": _entry(data_offsets=[0, 0], shape=[0]) for i in range(300)}).encode()
        ),
        "300 tensors",
    ),
    "missing kind": (lambda: _file(_good_state(), {"vocab": json.dumps(list(VOCAB.chars))}), "no 'kind'"),
    "unknown kind": (lambda: _file(_good_state(), _meta(kind="transformer")), "transformer|only nn"),
    "missing vocab": (lambda: _file(_good_state(), {"kind": "lstm", "rnn_prefix": "rnn."}), "no 'vocab'"),
    "vocab not JSON": (lambda: _file(_good_state(), {**_meta(), "vocab": "abc"}), "'vocab' is not JSON"),
    "vocab not a list": (lambda: _file(_good_state(), {**_meta(), "vocab": '{"a": 1}'}), "JSON list"),
    "vocab of numbers": (lambda: _file(_good_state(), {**_meta(), "vocab": "[1, 2]"}), "JSON list"),
    "vocab with repeats": (lambda: _file(_good_state(), _meta(vocab="aab")), "repeated"),
    "vocab with a long entry": (lambda: _file(_good_state(), {**_meta(), "vocab": '["ab", "c"]'}), "single"),
    "vocab with NUL": (lambda: _file(_good_state(), _meta(vocab="a\x00")), "NUL"),
    "empty vocab": (lambda: _file(_good_state(), {**_meta(), "vocab": "[]"}), "empty"),
    "vocab size disagrees with the weights": (lambda: _file(_good_state(), _meta(vocab="abc")), "shape"),
    "missing weight": (
        lambda: _file({k: v for k, v in _good_state().items() if k != "rnn.weight_hh_l0"}, _meta()),
        "no key 'rnn.weight_hh_l0'",
    ),
    "missing head": (
        lambda: _file({k: v for k, v in _good_state().items() if k != "fc.weight"}, _meta()),
        "no key 'fc.weight'",
    ),
    "wrong shape": (
        lambda: _file(_state_with("rnn.weight_hh_l0", np.zeros((7, 3))), _meta()),
        "shapes do not match",
    ),
    "NaN weight": (lambda: _file(_nan_state(), _meta()), "NaN"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_safetensors_file_raises_a_clear_model_format_error(name):
    make, message = HOSTILE[name]
    with pytest.raises(ModelFormatError, match=message):
        load_safetensors(make())


def test_an_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    from lstm_engine.core import modelio

    monkeypatch.setattr(modelio, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.safetensors"
    path.write_bytes(_file(_good_state(), _meta()))
    with pytest.raises(ModelFormatError, match="larger than"):
        load_safetensors(path)


def test_randomly_damaged_files_only_ever_raise_model_format_error():
    """Seeded fuzzing of a good file's header and data: load or ModelFormatError, nothing else."""
    rng = np.random.default_rng(0)
    good = bytearray(_file(_good_state(), _meta()))
    (n,) = struct.unpack("<Q", good[:8])
    errors = 0
    for _ in range(400):
        d = bytearray(good)
        for _ in range(rng.integers(1, 4)):
            j = int(rng.integers(8 + n)) if rng.random() < 0.8 else int(rng.integers(len(d)))
            d[j] = int(rng.integers(256))
        try:
            load_safetensors(bytes(d))
        except ModelFormatError:
            errors += 1
    assert errors > 200


def test_the_train_page_opens_a_safetensors_upload():
    from pagetest import open_page

    at = open_page("train")
    at.file_uploader(key="train_npz").upload("my_torch_lstm.safetensors", _file(_good_state(), _meta()))
    at.run()
    assert not at.exception
    model = at.session_state["user_models"]["my_torch_lstm"]
    ref = from_torch_state_dict(_good_state(), "lstm", VOCAB, rnn_prefix="rnn.")
    assert np.array_equal(model.run("abc").probs, ref.run("abc").probs)


def test_the_train_page_refuses_a_hostile_safetensors_upload_with_the_reason():
    from pagetest import open_page

    at = open_page("train")
    at.file_uploader(key="train_npz").upload("evil.safetensors", HOSTILE["huge header size"][0]())
    at.run()
    assert not at.exception
    assert at.error and "header claims" in at.error[0].value


def test_a_bidirectional_torch_gru_file_opens_as_the_same_model():
    """nn.GRU(bidirectional=True, num_layers=2) written by hand from its state dict."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    rnn, fc = (
        torch.nn.GRU(len(VOCAB), 3, num_layers=2, bidirectional=True, batch_first=True),
        torch.nn.Linear(6, len(VOCAB)),
    )
    state = {f"rnn.{k}": v.detach().double().numpy() for k, v in rnn.state_dict().items()}
    state.update({f"fc.{k}": v.detach().double().numpy() for k, v in fc.state_dict().items()})
    model = load_safetensors(_file(state, _meta(kind="gru")))
    assert (model.kind, model.variant, model.bidirectional, model.num_layers) == ("gru", "torch", True, 2)
    ids = torch.as_tensor(model.encode("abc (de.)").ids)[None]
    with torch.no_grad():
        h = rnn.double()(torch.nn.functional.one_hot(ids, len(VOCAB)).double())[0][0].numpy()
    assert np.allclose(model.run("abc (de.)").h, h, rtol=0, atol=1e-12)
    del state["rnn.weight_hh_l1_reverse"]
    with pytest.raises(ModelFormatError, match="no key 'rnn.weight_hh_l1_reverse'"):
        load_safetensors(_file(state, _meta(kind="gru")))
