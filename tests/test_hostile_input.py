"""Hostile text in every text box of every page: a clear message at most, never an exception,
never HTML. Widgets are found generically, so a text box added later is covered too."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.state import MAX_TEXT

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/gates.py", "pages/one_step.py", "pages/memory.py", "pages/train.py", "pages/cells.py"]
HTML = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
PAYLOADS = {
    "empty": "",
    "whitespace": "  \t \n ",
    "one": "a",
    "huge": "(quote) " * 12_500,  # 100,000 characters
    "emoji": "😀🎉👍🏽👨‍👩‍👧",
    "chinese": "长短期记忆网络会记住引号",
    "rtl_combining": "مرحبا e\u0301\u0302 \u202eabc",
    "control_nul": "\x00\x01\x1b[31m\x7f\u200b\ufeff",
    "quotes_backslashes": '\'"\\"\\n\\\\ `$x` {0} %s',
    "html": HTML,
    "markdown": "**bold** [link](javascript:alert(1)) ![img](http://127.0.0.1/x.png) $x^2$",
}


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _boxes(at: AppTest) -> list:
    return [*at.text_input, *at.text_area]


def _rendered_html(at: AppTest) -> list[str]:
    """Markdown elements allowed to render raw HTML that contain a user's tag."""
    return [
        m.value for m in at.markdown if m.proto.allow_html and ("<img" in m.value or "<script" in m.value)
    ]


# The train page has no free-text box (its uploads are tested in test_page_train.py).
@pytest.mark.parametrize("page", [p for p in PAGES if p != "pages/train.py"])
def test_every_text_box_survives_every_payload(page):
    labels = [box.label for box in _boxes(_open(page))]
    assert labels, f"{page} lost its text box"
    for label in labels:
        at = _open(page)
        for name, payload in PAYLOADS.items():
            box = next((b for b in _boxes(at) if b.label == label), None)
            if box is None:  # an earlier payload emptied a box this one depends on: start afresh
                at = _open(page)
                box = next(b for b in _boxes(at) if b.label == label)
            box.set_value(payload).run()
            assert not at.exception, (page, label, name, [e.value for e in at.exception])
            assert not _rendered_html(at), (page, label, name)


def test_long_text_is_cut_with_a_visible_note():
    at = _open(PAGES[0])
    at.text_input[0].set_value(PAYLOADS["huge"]).run()
    assert not at.exception
    notes = [w.value for w in at.warning]
    assert any(str(MAX_TEXT) in n for n in notes), notes
