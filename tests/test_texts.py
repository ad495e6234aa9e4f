"""The UI string tables: the same keys in every language, sorted, and placeholders that match."""

import json
import string

import pytest

from explorer.texts import LANGS, LOCALES, strings, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_keys():
    keys = {lang: set(strings(lang)) for lang in LANGS}
    for lang, ks in keys.items():
        assert ks == keys["en"], f"{lang}: missing {keys['en'] - ks}, extra {ks - keys['en']}"


@pytest.mark.parametrize("lang", list(LANGS))
def test_files_are_sorted_and_non_empty(lang):
    raw = (LOCALES / f"{lang}.json").read_text(encoding="utf-8")
    table = json.loads(raw)
    assert list(table) == sorted(table)
    assert all(isinstance(v, str) and v.strip() for v in table.values())


def test_placeholders_match_across_languages():
    en = strings("en")
    for lang in LANGS:
        for key, text in strings(lang).items():
            assert placeholders(text) == placeholders(en[key]), (lang, key)


def test_unknown_key_raises():
    with pytest.raises(KeyError):
        t("no.such.key", "zh")
