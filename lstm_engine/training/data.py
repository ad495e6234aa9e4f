"""Training text: the default corpus, user uploads, and the train/validation split.

The default corpus is the English language-reference text in the standard library's
`pydoc_data.topics` (present in every Python install, ~465 kB): prose full of quotes,
brackets and indentation, which is what interpretable cells learn to track. Uploaded .txt
files are decoded defensively: anything that is not small, non-empty UTF-8 text gets an
UploadError whose code the UI words in its language (str() is the English for the CLI).
"""

from __future__ import annotations

from ..core.errors import CodedError

MAX_UPLOAD_BYTES = 2_000_000  # default cap on uploaded text files
MAX_CONTROL_SHARE = 0.05  # more control characters than this (besides \t \n \r) = binary


class UploadError(CodedError, ValueError):
    """An uploaded text file that cannot be used: `code` names why (see core/errors.py)."""


def default_corpus() -> str:
    """The text of `pydoc_data.topics`, topics joined in sorted-key order (deterministic)."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key].strip("\n") for key in sorted(topics)) + "\n"


def decode_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """UTF-8 text from an uploaded file's bytes.

    Raises UploadError (a ValueError) when the file is empty, larger than `max_bytes`,
    not valid UTF-8, or looks binary (NUL bytes or many control characters). A UTF-8 byte
    order mark is removed and Windows line endings become "\\n".
    """
    if len(data) == 0:
        raise UploadError("upload.empty", "The file is empty: upload a .txt file with some text in it.")
    if len(data) > max_bytes:
        raise UploadError(
            "upload.too_large",
            "The file is too large ({mb:.1f} MB); the limit is {limit:.1f} MB.",
            mb=len(data) / 1e6,
            limit=max_bytes / 1e6,
        )
    if b"\x00" in data:
        raise UploadError(
            "upload.nul", "This looks like a binary file (it contains NUL bytes), not plain text."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(
            "upload.not_utf8",
            "The file is not UTF-8 text (undecodable byte at position {pos}). Save it as UTF-8 and upload it again.",
            pos=exc.start,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UploadError(
            "upload.blank", "The file has only whitespace: upload a .txt file with some text in it."
        )
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n")
    if control > MAX_CONTROL_SHARE * len(text):
        raise UploadError(
            "upload.binary", "This looks like a binary file (many control characters), not plain text."
        )
    return text


def split_corpus(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """(train, validation): validation is the last `val_fraction` of the text (0 <= f < 1)."""
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError("val_fraction must be in [0, 1)")
    cut = len(text) - int(round(len(text) * val_fraction))
    return text[:cut], text[cut:]
