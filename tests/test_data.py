"""The default corpus, upload decoding and the train/validation split."""

import pytest

from lstm_engine.training.data import decode_upload, default_corpus, split_corpus


def test_default_corpus_is_the_pydoc_topics_text_and_deterministic():
    from pydoc_data.topics import topics

    text = default_corpus()
    assert text == default_corpus()
    assert 400_000 < len(text) < 600_000
    first = sorted(topics)[0]
    assert text.startswith(topics[first].strip("\n"))
    assert "assignment statement" in text.lower()


def test_split_keeps_every_character_and_holds_out_the_end():
    text = "".join(chr(97 + i % 26) for i in range(1000))
    train, val = split_corpus(text, 0.1)
    assert train + val == text
    assert len(val) == 100 and val == text[-100:]
    assert split_corpus(text, 0.0) == (text, "")
    with pytest.raises(ValueError):
        split_corpus(text, 1.0)


def test_upload_decodes_utf8_strips_bom_and_normalises_newlines():
    raw = "\ufeffhello\r\nworld 你好\r".encode()
    assert decode_upload(raw) == "hello\nworld 你好\n"


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "empty"),
        (b"   \n\t ", {}, "whitespace"),
        (b"x" * 101, {"max_bytes": 100}, "too large"),
        ("caf\xe9".encode("latin-1"), {}, "not UTF-8"),
        (b"abc\x00def", {}, "binary"),
        (bytes(range(1, 32)) * 10, {}, "binary"),
    ],
)
def test_bad_uploads_get_a_clear_message(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        decode_upload(data, **kwargs)
