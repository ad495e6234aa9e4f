"""Engine errors carry a code and params; every code has its text in every UI language, and a
page shows an engine error in the UI language only."""

import pickle
import re
import string

import pytest
from error_codes import raised_codes
from pagetest import open_page
from test_page_train import HOSTILE_MODELS, pickled_npz, wrong_shapes_npz, zip_not_npz

from explorer.texts import LANGS, error_text, plain, strings
from lstm_engine import CodedError, ModelConfig, ModelFormatError, TextTooShort, Vocab, init_model, load_model
from lstm_engine.training.data import UploadError, decode_upload
from lstm_engine.training.train import TrainingDiverged

CODES = raised_codes()
# three or more English words in a row: a sentence, not a symbol, a key name or "PyTorch"
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_sources_raise_a_catalogue_of_codes():
    assert len(CODES) > 50  # the model file, safetensors, uploads, training, short texts
    for code, (template, params) in CODES.items():
        assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", code), code
        assert fields(template) == params, code  # the English message names exactly its params


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_code_has_a_text_with_the_same_placeholders(lang):
    table = strings(lang)
    for code, (_, params) in CODES.items():
        assert f"error.{code}" in table, (lang, code)
        assert fields(table[f"error.{code}"]) == params, (lang, code)
    stale = {k for k in table if k.startswith("error.")} - {f"error.{c}" for c in CODES}
    assert stale == set()  # no text for a code the engine no longer raises


def test_chinese_error_texts_hold_no_english_sentence():
    for code in CODES:
        text = strings("zh")[f"error.{code}"]
        assert not ENGLISH.search(text), (code, text)


def _raise(make) -> CodedError:
    with pytest.raises(CodedError) as info:
        make()
    return info.value


def _short() -> None:
    init_model(ModelConfig(hidden_size=2), Vocab(list("ab"))).loss_and_grads("a")


RAISED = {
    "garbage": lambda: load_model(b"garbage" * 10),
    "empty": lambda: load_model(b""),
    "pickled": lambda: load_model(pickled_npz()),
    "wrong-shapes": lambda: load_model(wrong_shapes_npz()),
    "zip": lambda: load_model(zip_not_npz()),
    "latin-1": lambda: decode_upload("caf\xe9".encode("latin-1")),
    "too-large": lambda: decode_upload(b"a" * 11, max_bytes=10),
    "short": _short,
}


def _check_coded(exc: CodedError, english: str) -> None:
    """exc has a catalogued code with exactly its params, str() is `english`, the Chinese text
    is the zh template filled with the (escaped) params, and it pickles."""
    assert exc.code in CODES
    assert set(exc.params) == CODES[exc.code][1]
    assert str(exc) == english
    shown = {k: v if isinstance(v, (int, float)) else plain(str(v)) for k, v in exc.params.items()}
    zh = error_text(exc, "zh")
    assert zh == strings("zh")[f"error.{exc.code}"].format(**shown)
    assert not ENGLISH.search(zh), zh
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), back.code, back.params, str(back)) == (type(exc), exc.code, exc.params, str(exc))


@pytest.mark.parametrize("name", list(RAISED))
def test_raised_errors_have_a_catalogued_code_and_keep_their_english(name):
    exc = _raise(RAISED[name])
    _check_coded(exc, CODES[exc.code][0].format(**exc.params))


def test_a_diverged_run_has_a_code_per_cause():
    for cause in TrainingDiverged.WHAT:
        exc = TrainingDiverged(cause, 7, value=123.456)
        assert exc.code == f"diverged.{cause}" and exc.step == 7
        english = CODES[exc.code][0].format(**exc.params) + TrainingDiverged.ADVICE
        _check_coded(exc, english)


def test_the_error_classes_keep_their_old_bases():
    assert issubclass(ModelFormatError, ValueError) and issubclass(UploadError, ValueError)
    assert issubclass(TextTooShort, ValueError) and issubclass(TrainingDiverged, RuntimeError)


def test_a_user_given_name_in_an_error_is_shown_literally():
    exc = ModelFormatError("model.missing_key", "missing key {key!r}", key="*x*_[y](z)")
    assert r"\*x\*\_\[y\]\(z\)" in error_text(exc, "zh")


@HOSTILE_MODELS
def test_an_uploaded_corrupt_model_is_refused_in_chinese(content):
    at = open_page("train")
    at.file_uploader(key="train_npz").upload("evil.npz", content)
    at.session_state["lang"] = "zh"  # (AppTest reads widget labels in English between runs)
    at.run()
    assert not at.exception
    (error,) = at.error
    exc = _raise(lambda: load_model(content))
    assert error.value == strings("zh")["train.npz_rejected"].format(why=error_text(exc, "zh"))
    assert not ENGLISH.search(error.value), error.value
