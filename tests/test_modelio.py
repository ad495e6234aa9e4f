"""Model files: save/load round trips, and a battery of corrupt and hostile files.

Every bad file must raise ModelFormatError (never a traceback from numpy or zipfile) with a
message that names the problem, because the app shows that message to the user verbatim.
"""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pytest

from lstm_engine import (
    FORMAT,
    KINDS,
    UNK,
    ModelConfig,
    ModelFormatError,
    Vocab,
    init_model,
    load_model,
    model_to_bytes,
    save_model,
)
from lstm_engine.core import modelio

VOCAB = Vocab(list("abc xyz()\n") + [UNK])


def _model(kind="lstm", layers=1, dtype="float64", H=4, vocab=VOCAB):
    return init_model(ModelConfig(kind=kind, hidden_size=H, num_layers=layers, seed=1, dtype=dtype), vocab)


def _arrays(model) -> dict[str, np.ndarray]:
    """The arrays exactly as a saved file holds them, to be mutated by a test."""
    with np.load(io.BytesIO(model_to_bytes(model)), allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _npz(arrays: dict[str, np.ndarray], allow_pickle=False) -> bytes:
    """An .npz file from a dict of arrays, written by numpy itself."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, a in arrays.items():
            with zf.open(k + ".npy", "w") as fh:
                np.lib.format.write_array(fh, np.asanyarray(a), allow_pickle=allow_pickle)
    return buf.getvalue()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    """A zip archive with raw members (names and bytes chosen by the test)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


def _npy_with_header(header: dict, data: bytes = b"") -> bytes:
    """A .npy member whose header says whatever the test wants, followed by `data`."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + data


def _good_members(kind="lstm") -> dict[str, bytes]:
    return {k + ".npy": _npy(a) for k, a in _arrays(_model(kind)).items()}


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("how", ["path", "bytes", "file"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_keeps_every_parameter_and_the_outputs(tmp_path, kind, layers, dtype, how):
    model = _model(kind, layers, dtype)
    if how == "path":
        path = tmp_path / "m.npz"
        save_model(model, path)
        loaded = load_model(path)
    elif how == "bytes":
        loaded = load_model(model_to_bytes(model))
    else:
        buf = io.BytesIO()
        model.save(buf)
        buf.seek(0)
        loaded = load_model(buf)
    assert loaded.kind == kind and loaded.vocab == model.vocab and loaded.num_layers == layers
    assert loaded.dtype == np.dtype(dtype)
    assert set(loaded.params()) == set(model.params())
    for name, a in model.params().items():
        assert loaded.params()[name].dtype == a.dtype
        assert np.array_equal(loaded.params()[name], a), name
    text = "abc (xyz)\nq"
    assert np.array_equal(loaded.run(text).probs, model.run(text).probs)


def test_saved_file_uses_the_documented_keys():
    arrays = _arrays(_model("gru", 2))
    assert str(arrays["meta/format"]) == FORMAT and str(arrays["meta/kind"]) == "gru"
    assert arrays["meta/vocab"].dtype.kind == "U" and list(arrays["meta/vocab"]) == list(VOCAB.chars)
    assert arrays["0/W_xz"].shape == (len(VOCAB), 4) and arrays["1/W_xz"].shape == (4, 4)
    assert arrays["0/W_hh"].shape == (4, 4) and arrays["out/W_hq"].shape == (4, len(VOCAB))


def test_big_endian_and_fortran_ordered_arrays_load_as_the_same_numbers():
    model = _model("lstm")
    arrays = _arrays(model)
    arrays["0/W_hi"] = arrays["0/W_hi"].astype(">f8")
    arrays["0/W_xf"] = np.asfortranarray(arrays["0/W_xf"])
    loaded = load_model(_npz(arrays))
    assert np.array_equal(loaded.params()["0/W_hi"], model.params()["0/W_hi"])
    assert np.array_equal(loaded.params()["0/W_xf"], model.params()["0/W_xf"])


def test_a_vocab_without_the_unknown_symbol_loads_and_reports_dropped_characters():
    model = _model("lstm", vocab=Vocab(list("abc")))
    loaded = load_model(model_to_bytes(model))
    assert not loaded.vocab.has_unk
    trace = loaded.run("a😀b\x00c")
    assert trace.tokens == ["a", "b", "c"]
    assert trace.dropped and trace.unknown == [(1, "😀"), (3, "\x00")]
    assert trace.probs.shape == (3, 3)


def test_nul_never_enters_a_vocab_and_cannot_be_saved():
    assert "\x00" not in Vocab.from_text("a\x00b").chars
    model = _model("rnn", vocab=Vocab(["a", "\x00"]))
    with pytest.raises(ValueError, match="NUL"):
        model_to_bytes(model)


# ---------------------------------------------------------------- hostile files
def _mutated(fn):
    """A file made from a good model's arrays after `fn(arrays)` changed them."""
    arrays = _arrays(_model("lstm"))
    fn(arrays)
    return _npz(arrays)


def _set(key, value):
    return lambda a: a.__setitem__(key, value)


def _drop(key):
    return lambda a: a.pop(key)


def _nan(a):
    a["0/W_hf"] = a["0/W_hf"].copy()
    a["0/W_hf"][1, 2] = np.nan


def _inf(a):
    a["out/b_q"] = a["out/b_q"].copy()
    a["out/b_q"][0] = -np.inf


def _pickled() -> bytes:
    arrays = _arrays(_model("lstm"))
    arrays["0/W_xi"] = np.array([{"evil": "__reduce__"}, None], dtype=object)
    return _npz(arrays, allow_pickle=True)


def _declared_huge_size() -> bytes:
    """A zip whose central directory claims a member unpacks to ~4 GB."""
    data = bytearray(_zip(_good_members()))
    at = data.index(b"PK\x01\x02")  # first central-directory header
    data[at + 24 : at + 28] = struct.pack("<I", 0xFFFFFFF0)  # uncompressed size field
    return bytes(data)


def _flipped_byte() -> bytes:
    """A stored member whose data no longer matches its CRC."""
    members = _good_members()
    npy = bytearray(members["0/W_hi.npy"])
    npy[-3] ^= 0xFF
    members["0/W_hi.npy"] = bytes(npy)
    data = bytearray(_zip(_good_members()))
    good = _good_members()["0/W_hi.npy"]
    at = data.index(good)
    data[at : at + len(good)] = npy  # same length, CRC in the headers is the old one
    return bytes(data)


def _twice() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _good_members().items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning):  # zipfile warns about the duplicate name
            zf.writestr("0/W_hi.npy", _good_members()["0/W_hi.npy"])
    return buf.getvalue()


def _bad_codepoint(a):
    raw = np.array([0x61, 0x110000], dtype="<u4").tobytes()
    a["meta/vocab"] = np.frombuffer(raw, dtype="<U1")


HOSTILE = {
    "pickled object array": (_pickled, "pickled"),
    "structured dtype": (lambda: _mutated(_set("0/b_i", np.zeros(4, dtype=[("x", "<f8")]))), "dtype"),
    "wrong shape": (lambda: _mutated(_set("0/W_hi", np.zeros((4, 5)))), r"0/W_hi has shape \(4, 5\)"),
    "wrong bias shape": (lambda: _mutated(_set("out/b_q", np.zeros(3))), r"out/b_q has shape"),
    "3-D array": (lambda: _mutated(_set("0/W_hi", np.zeros((4, 4, 1)))), "3 dimensions"),
    "NaN weight": (lambda: _mutated(_nan), "0/W_hf contains NaN"),
    "inf weight": (lambda: _mutated(_inf), "out/b_q contains NaN or infinite"),
    "missing weight": (lambda: _mutated(_drop("0/b_f")), "missing key '0/b_f'"),
    "missing head": (lambda: _mutated(_drop("out/W_hq")), "missing key 'out/W_hq'"),
    "missing format": (lambda: _mutated(_drop("meta/format")), "missing key 'meta/format'"),
    "missing kind": (lambda: _mutated(_drop("meta/kind")), "missing key 'meta/kind'"),
    "missing vocab": (lambda: _mutated(_drop("meta/vocab")), "missing key 'meta/vocab'"),
    "missing first recurrent weight": (lambda: _mutated(_drop("0/W_hi")), "0/W_hi"),
    "extra key": (lambda: _mutated(_set("0/W_zz", np.zeros((4, 4)))), "unexpected keys: '0/W_zz'"),
    "path-like key": (lambda: _mutated(_set("../../etc/x", np.zeros(2))), "unexpected keys: '../../etc/x'"),
    "unicode digit key": (lambda: _mutated(_set("²/W_xi", np.zeros(2))), "unexpected keys"),
    "too many layers": (lambda: _mutated(_set("7/W_xi", np.zeros(2))), "8 layers; expected 1 to 3"),
    "wrong format tag": (lambda: _mutated(_set("meta/format", np.array("lstm-explorer/9"))), "format tag"),
    "format tag as bytes": (lambda: _mutated(_set("meta/format", np.array(b"lstm-explorer/1"))), "unicode"),
    "format tag as array": (lambda: _mutated(_set("meta/format", np.array([FORMAT]))), "unicode string"),
    "wrong kind": (lambda: _mutated(_set("meta/kind", np.array("transformer"))), "unknown model kind"),
    "kind of another model": (lambda: _mutated(_set("meta/kind", np.array("gru"))), "0/W_hz"),
    "repeated vocab entries": (
        lambda: _mutated(_set("meta/vocab", np.array(list("abca xyz()\n") + [UNK])[:11])),
        "repeated",
    ),
    "multi-character vocab entry": (
        lambda: _mutated(_set("meta/vocab", np.array(["ab", *list("c xyz()\n"), UNK, "q"]))),
        "single character",
    ),
    "empty vocab entry": (
        lambda: _mutated(_set("meta/vocab", np.array(["", *list("bc xyz()\n"), UNK]))),
        "single character",
    ),
    "byte-string vocab": (
        lambda: _mutated(_set("meta/vocab", np.array([c.encode() for c in "abc xyz()\nq"]))),
        "unicode array",
    ),
    "2-D vocab": (lambda: _mutated(_set("meta/vocab", np.array([list("abc xyz()\n") + [UNK]]))), "1-D"),
    "empty vocab": (lambda: _mutated(_set("meta/vocab", np.array([], dtype="<U1"))), "0 entries"),
    "invalid code point in vocab": (lambda: _mutated(_bad_codepoint), "invalid unicode"),
    "vocab size disagrees with weights": (
        lambda: _mutated(_set("meta/vocab", np.array(list("abcdefghijklmn")))),
        r"0/W_xi has shape",
    ),
    "mixed float32 and float64": (
        lambda: _mutated(lambda a: a.__setitem__("0/W_hi", a["0/W_hi"].astype(np.float32))),
        "mix float32 and float64",
    ),
    "int dtype": (lambda: _mutated(_set("0/b_i", np.zeros(4, dtype=np.int64))), "0/b_i has dtype int64"),
    "float16 dtype": (lambda: _mutated(_set("0/b_o", np.zeros(4, dtype=np.float16))), "float16"),
    "complex dtype": (lambda: _mutated(_set("0/b_o", np.zeros(4, dtype=complex))), "dtype"),
    "bool dtype": (lambda: _mutated(_set("0/b_o", np.zeros(4, dtype=bool))), "dtype bool"),
    "huge hidden size": (
        lambda: _mutated(_set("0/W_hi", np.zeros((1500, 1), np.float32))),
        "hidden size 1500",
    ),
    "header claims a huge shape": (
        lambda: _zip(
            {
                **_good_members(),
                "0/W_hi.npy": _npy_with_header(
                    {"descr": "<f8", "fortran_order": False, "shape": (10**9, 10**9)}, b"\0" * 128
                ),
            }
        ),
        "does not fit",
    ),
    "header claims an overflowing shape": (
        lambda: _zip(
            {
                **_good_members(),
                "0/W_hi.npy": _npy_with_header(
                    {"descr": "<f8", "fortran_order": False, "shape": (2**62, 2**62)}, b"\0" * 16
                ),
            }
        ),
        "does not fit",
    ),
    "truncated array data": (
        lambda: _zip({**_good_members(), "0/W_hi.npy": _good_members()["0/W_hi.npy"][:-8]}),
        "does not fit",
    ),
    "object dtype in a hand-made header": (
        lambda: _zip(
            {
                **_good_members(),
                "0/b_i.npy": _npy_with_header({"descr": "|O", "fortran_order": False, "shape": (1,)}),
            }
        ),
        "pickled",
    ),
    "member that is not .npy data": (
        lambda: _zip({**_good_members(), "0/W_hi.npy": b"hello, I am not an array"}),
        "not a valid .npy",
    ),
    "member that is not a .npy file": (
        lambda: _zip({**_good_members(), "README.txt": b"hi"}),
        "unexpected entry",
    ),
    "member twice": (_twice, "appears twice"),
    "damaged member data": (_flipped_byte, "damaged data"),
    "truncated zip": (lambda: model_to_bytes(_model("lstm"))[:900], "not a .npz"),
    "random bytes": (lambda: np.random.default_rng(0).bytes(4000), "not a .npz"),
    "empty file": (lambda: b"", "not a .npz"),
    "zip with no arrays": (lambda: _zip({}), "empty"),
    "too many entries": (
        lambda: _zip({f"x{i}.npy": b"" for i in range(modelio.MAX_ENTRIES + 1)}),
        f"{modelio.MAX_ENTRIES + 1} entries",
    ),
    "declared huge unpacked size (zip bomb)": (_declared_huge_size, "zip bomb"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_raises_a_clear_model_format_error(name):
    make, message = HOSTILE[name]
    data = make()
    with pytest.raises(ModelFormatError, match=message):
        load_model(data)


def test_a_real_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    """A deflated member of 4 MB of zeros (a few kB on disk) with the unpack cap at 1 MB."""
    monkeypatch.setattr(modelio, "MAX_UNPACKED_BYTES", 2**20)
    bomb = _zip({**_good_members(), "pad.npy": b"\0" * (4 * 2**20)}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 64 * 2**10
    with pytest.raises(ModelFormatError, match="zip bomb"):
        load_model(bomb)


def test_an_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(modelio, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.npz"
    save_model(_model("lstm"), path)
    for source in (path, path.read_bytes(), io.BytesIO(path.read_bytes())):
        with pytest.raises(ModelFormatError, match="larger than"):
            load_model(source)


def test_unreadable_sources_give_a_clear_error(tmp_path):
    with pytest.raises(ModelFormatError, match="cannot read"):
        load_model(tmp_path / "no-such-file.npz")
    with pytest.raises(ModelFormatError, match="cannot read"):
        load_model(tmp_path)  # a directory
    with pytest.raises(ModelFormatError, match="invalid path"):
        load_model(str(tmp_path / "a\x00b.npz"))
    (tmp_path / "m.npz").write_bytes(model_to_bytes(_model("rnn")))
    with (
        open(tmp_path / "m.npz", encoding="latin-1") as text_mode,
        pytest.raises(ModelFormatError, match="binary"),
    ):
        load_model(text_mode)


def test_every_error_is_a_value_error_so_callers_can_catch_one_type():
    assert issubclass(ModelFormatError, ValueError)


def _mutations(data: bytes, rng: np.random.Generator, head_bias: bool) -> bytes:
    """`data` with 1-3 random bytes changed (mostly in the first 128 bytes if head_bias)."""
    d = bytearray(data)
    for _ in range(rng.integers(1, 4)):
        j = rng.integers(min(len(d), 128)) if head_bias and rng.random() < 0.8 else rng.integers(len(d))
        d[j] = rng.integers(256)
    if rng.random() < 0.1:
        d = d[: rng.integers(len(d))]
    return bytes(d)


def test_randomly_damaged_files_only_ever_raise_model_format_error():
    """Fuzzing, seeded: byte flips in the zip structure, and in .npy headers and data re-zipped
    with valid CRCs (so the .npy parser itself sees the garbage). Loading either succeeds or
    raises ModelFormatError; any other exception type would reach the user as a traceback."""
    rng = np.random.default_rng(0)
    good = model_to_bytes(_model("gru", 2, H=3))
    members = _good_members()
    names = list(members)
    outcomes = {"ok": 0, "error": 0}
    for i in range(600):
        if i % 2:
            data = _mutations(good, rng, head_bias=False)
        else:
            name = names[rng.integers(len(names))]
            data = _zip({**members, name: _mutations(members[name], rng, head_bias=True)})
        try:
            load_model(data)
            outcomes["ok"] += 1
        except ModelFormatError:
            outcomes["error"] += 1
    assert outcomes["error"] > 300  # most damage is caught, none escapes as another type
