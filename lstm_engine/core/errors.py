"""Errors a user can trigger (a bad upload, a text too short, a run that diverges).

Each carries a `code` naming the problem and the `params` of its message; `str()` is the
English sentence, for the command line. The UI words the same problem in its own language
from the code (explorer/locales: key "error.<code>", with the same placeholders), so the
engine holds no translated text and the UI never prints the engine's English.

    raise ModelFormatError("model.too_large", "the model file is larger than {mb} MB", mb=64)

The code and the English template are written at the raise, beside the check;
tests/test_error_codes.py reads every raise and checks that each code has its key, with the
same placeholders, in every language.
"""

from __future__ import annotations

import string


class CodedError(Exception):
    """Base of the engine's user-facing errors: code (e.g. "model.too_large"), params (the
    values the message names), str() = the English template filled with params."""

    def __init__(self, code: str, template: str, **params: object) -> None:
        super().__init__(template.format(**params))
        self.code, self.template, self.params = code, template, params

    def __reduce__(self):
        """Pickle by code, template and params (worker processes send errors back)."""
        return _rebuild, (type(self), self.code, self.template, self.params, self.__dict__)


def _rebuild(cls: type, code: str, template: str, params: dict, state: dict) -> CodedError:
    """Inverse of `CodedError.__reduce__`."""
    exc = CodedError.__new__(cls)
    CodedError.__init__(exc, code, template, **params)
    exc.__dict__.update(state)
    return exc


def template_fields(template: str) -> set[str]:
    """The placeholder names of a message template ("{step}" -> {"step"})."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class TextTooShort(CodedError, ValueError):
    """A text with fewer than two characters the model knows: nothing to predict."""

    def __init__(self) -> None:
        super().__init__("text.too_short", "the text needs at least two characters the model knows")
