"""The one visual language of every page: colours, labels and numbering, defined once.

Every chart builder (explorer/charts*.py) and page reads these, so pages cannot drift apart
again (tests/test_visual.py checks that no other source names a diverging colour scale).

- Signed values (tanh values, hidden and cell states, differences, weights): one diverging
  scale, red = positive, white = 0, blue = negative (`DIVERGING`; `DIVERGING_LIGHT` is the
  same scale faded so black characters stay readable on it).
- Values in [0, 1] (σ gates): one sequential scale, dark = shut, bright = open (`SEQUENTIAL`).
- Sizes from 0 up: surprise in bits (`SURPRISE`), influence of a character (`INFLUENCE`).
- Units are numbered from 0 everywhere (as in the CSV download and the engine's arrays).
- Characters reach Plotly only through `char_label` (whitespace made visible as ␣ ↵ ⇥,
  invisible characters as their code point, then '&', '<', '>' escaped: Plotly renders a
  few HTML tags in labels), and markdown only through `code_span`.
"""

from __future__ import annotations

from plotly.colors import sample_colorscale

DIVERGING = "RdBu_r"  # signed values: blue = negative, white = 0, red = positive
SEQUENTIAL = "Viridis"  # gates in [0, 1]: dark = shut (0), yellow = wide open (1)
SURPRISE = "OrRd"  # bits of surprise, sequential from 0 (white) to many (dark red)
INFLUENCE = "Purples"  # gradient norms (attribution), sequential from 0 (white) to the most (dark)
FADE = 0.55  # share of white mixed into DIVERGING_LIGHT


def _faded(scale: str, fade: float, stops: int = 5) -> list[list]:
    """`scale` sampled at `stops` evenly spaced points and mixed with white by `fade`."""
    out = []
    for k, colour in enumerate(sample_colorscale(scale, [i / (stops - 1) for i in range(stops)])):
        rgb = [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")]
        r, g, b = (round(v + (255 - v) * fade) for v in rgb)
        out.append([k / (stops - 1), f"rgb({r},{g},{b})"])
    return out


DIVERGING_LIGHT = _faded(DIVERGING, FADE)  # the same convention, light enough for black text

# Whitespace made visible (labels, captions): one glyph per character, on every page.
VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍"}
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MAX_UNKNOWN = 20  # distinct unknown characters a notice lists


def glyph(ch: str) -> str:
    """A character as it should be seen: whitespace as ␣ ↵ ⇥ ␍, any other character that
    prints nothing (controls, zero-width, non-breaking space) as its code point "U+XXXX"."""
    if ch in VISIBLE:
        return VISIBLE[ch]
    if len(ch) == 1 and not ch.isprintable():
        return f"U+{ord(ch):04X}"
    return ch


def escape_html(text: str) -> str:
    """Escape '&', '<' and '>' so Plotly shows the text literally instead of as markup."""
    return "".join(ESCAPES.get(ch, ch) for ch in text)


def char_label(ch: str) -> str:
    """One character as safe, visible Plotly label text: `glyph`, then HTML-escaped."""
    return escape_html(glyph(ch))


def text_label(text: str, limit: int = 60) -> str:
    """A piece of user text as Plotly label text, cut to `limit` characters (with "…"), every
    character as `char_label` shows it except the plain space."""
    cut = text[:limit]
    return "".join(" " if ch == " " else char_label(ch) for ch in cut) + ("…" if len(text) > limit else "")


def code_span(text: str) -> str:
    """Markdown inline code showing `text` literally (no markdown, emoji codes or LaTeX), with
    a fence longer than any run of backticks inside it."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def char_code(ch: str) -> str:
    """One character for markdown: its `glyph` in a code span."""
    return code_span(glyph(ch))


def subscript(name: str, k: int) -> str:
    """A 0-based indexed name with a subscript, e.g. subscript("x", 0) -> "x₀"."""
    return name + str(k).translate(SUBSCRIPTS)


def unknown_notice(unknown: list[tuple[int, str]], dropped: bool) -> tuple[str, dict]:
    """The notice for characters outside a model's vocabulary, the same on every page: the
    text key ("common.dropped_chars" when they were left out of the run, else
    "common.unknown_chars") and its fields {n, chars}; chars lists at most MAX_UNKNOWN distinct
    characters as code spans, in code-point order.

    unknown: (position, character) pairs as in Trace.unknown / Encoding.unknown."""
    distinct = sorted({ch for _, ch in unknown})
    chars = " ".join(char_code(ch) for ch in distinct[:MAX_UNKNOWN])
    if len(distinct) > MAX_UNKNOWN:
        chars += " …"
    return ("common.dropped_chars" if dropped else "common.unknown_chars"), {
        "n": len(unknown),
        "chars": chars,
    }
