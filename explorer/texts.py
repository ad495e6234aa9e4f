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
MAX_WHY = 160  # characters of an error message shown to the user
MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"  # characters st.warning's markdown would interpret


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


def plain(text: str, limit: int = MAX_WHY) -> str:
    """`text` on one line, cut to `limit` characters, with markdown characters
    backslash-escaped so an error message (which may quote user input) shows literally."""
    line = " ".join(str(text).split())
    line = line if len(line) <= limit else line[: limit - 1] + "…"
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in line)


def coded_text(code: str, params: dict, lang: str = "en") -> str:
    """An engine error code worded in `lang` from the key "error.<code>", markdown-safe: every
    parameter that is not a number (it may quote a file's contents) is shown literally.
    KeyError for a code with no text (tests/test_error_codes.py prevents it)."""
    shown = {k: v if isinstance(v, (int, float)) else plain(str(v)) for k, v in params.items()}
    text = strings(lang if lang in LANGS else "en")[f"error.{code}"]
    return text.format(**shown)  # not t(): a parameter may be called "key"


def error_text(exc: Exception, lang: str = "en") -> str:
    """`coded_text` of an engine error (lstm_engine's CodedError: `code`, `params`)."""
    return coded_text(exc.code, exc.params, lang)
