"""Every UI string, in English and Simplified Chinese, behind one function `t(key, lang)`.

The strings live in one JSON file per language, `explorer/locales/{lang}.json`, as a flat
object of key -> text with sorted keys (so two changes that add keys rarely touch the same
lines). Keys are grouped by page with a prefix ("nav.", "gates.", ...). Both files hold the
same keys (tests/test_texts.py fails otherwise); a missing key raises KeyError so typos fail
in tests, not silently on screen.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGS = {"en": "English", "zh": "简体中文"}
LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def strings(lang: str) -> dict[str, str]:
    """The key -> text table of one language, read once per process."""
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """The string for `key` in `lang` (a key missing from the table raises KeyError), formatted
    with `fmt`."""
    table = strings(lang if lang in LANGS else "en")
    text = table[key]
    return text.format(**fmt) if fmt else text
