"""Watch the gates in a real browser: typing redraws the figure, typed HTML stays text, every
character label is whole and inside its figure at 1440 and 390 px, and the time cursor plays
and scrubs in the browser without a single websocket message."""

from pathlib import Path

import pytest
from conftest import wait_for_app

GD = '[data-testid="stPlotlyChart"] .js-plotly-plot'  # the gates figure's Plotly element
# The figure's labelled rows of characters (x axes with monospace tick labels), top to bottom,
# as arrays of their tick label <text> elements.
CHAR_ROWS = """gd => [...new Set(Object.keys(gd._fullLayout).filter(k => /^xaxis\\d*$/.test(k))
    .map(k => gd._fullLayout[k])
    .filter(a => a.showticklabels && a.tickfont && a.tickfont.family === 'monospace').map(a => a._id))]
    .sort((a, b) => Number(a.slice(1) || 1) - Number(b.slice(1) || 1))
    .map(id => [...gd.querySelectorAll(`g.${id}tick text`)])"""
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "user_agent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    ),
    "is_mobile": True,
    "has_touch": True,
}
# Counts every websocket message the page sends (installed before any page script runs).
COUNT_SENT = """(() => {
    window.__sent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...args) { window.__sent += 1; return send.apply(this, args); };
})();"""


def wait_for_figure(page, timeout: float = 120_000) -> None:
    """Wait until the gates figure is drawn (its heatmaps and its slider)."""
    page.wait_for_function(
        f"""() => {{
            const gd = document.querySelector('{GD}');
            return gd && gd._fullLayout && gd.querySelector('.slider-container') &&
                   gd.querySelectorAll('.heatmaplayer image').length > 0;
        }}""",
        timeout=timeout,
    )
    wait_for_app(page)


def cursor_x(page) -> float:
    """Where the time cursor is: the left edge of the first column outline (a layout shape)."""
    return page.evaluate(
        f"""() => {{
            const gd = document.querySelector('{GD}');
            return gd.layout.shapes[0].x0;  // the first shape: the top row's column outline
        }}"""
    )


def x_ticks(page, axis: int = 0) -> list[str]:
    """Tick labels the browser shows under the axis-th row of characters (0 = the summaries)."""
    return page.evaluate(
        f"""a => {{
            const gd = document.querySelector('{GD}');
            return ({CHAR_ROWS})(gd)[a].map(t => t.textContent);
        }}""",
        axis,
    )


def type_sentence(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your sentence")
    box.fill(text)
    box.press("Enter")
    first = text[0] if text[0] != " " else "␣"
    page.wait_for_function(
        f"""first => {{
            const gd = document.querySelector('{GD}');
            const t = gd && gd.querySelector('.xaxislayer-above text');
            return t && t.textContent === first;
        }}""",
        arg=first,
        timeout=60_000,
    )
    wait_for_figure(page)


def full_shot(page, shot, name: str, width: int = 1440) -> Path:
    """Screenshot the whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(height + 40, 7000)})
    page.wait_for_timeout(800)
    path = shot(page, name)
    page.set_viewport_size(size)
    return path


def test_typing_a_sentence_redraws_every_row_of_characters(page, app_url, shot):
    page.goto(f"{app_url}/gates")
    wait_for_figure(page)
    assert x_ticks(page)[:6] == list("print(")  # rows of characters: x tick labels (axes x2, x3, ...)
    sentence = "def f(x): return [x]"
    type_sentence(page, sentence)
    expected = [ch if ch != " " else "␣" for ch in sentence]
    n_rows = page.evaluate(f"() => ({CHAR_ROWS})(document.querySelector('{GD}')).length")
    assert n_rows == 3  # labelled: above the heatmaps, in the middle, under them
    for axis in range(3):
        assert x_ticks(page, axis) == expected
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "text=def+f" in page.url  # the view is shareable
    full_shot(page, shot, "gates")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the whole trace (CSV)").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "layer,step,char,unit,quantity,value"
    assert len(lines) == 1 + len(sentence) * 128 * (4 + 4 + 2) + len(sentence)


def test_html_typed_into_the_box_is_shown_as_text_and_never_runs(page, app_url, shot):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{app_url}/gates")
    wait_for_figure(page)
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><b>x</b>'
    type_sentence(page, payload)
    ticks = x_ticks(page)
    assert ticks == [ch if ch != " " else "␣" for ch in payload]  # every character shown as itself
    assert "&lt;" not in ticks  # escaped exactly once
    assert page.locator('[data-testid="stPlotlyChart"] img').count() == 0
    page.reload()  # the payload now sits in ?text=: reopening the link must not run it either
    wait_for_figure(page)
    assert x_ticks(page)[0] == "<"
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []
    assert page.locator('[data-testid="stException"]').count() == 0


def label_boxes(page) -> dict:
    """Every character tick label's box, the figure's box, and the labels per row."""
    return page.evaluate(
        f"""() => {{
            const gd = document.querySelector('{GD}');
            const fig = gd.getBoundingClientRect();
            const rows = ({CHAR_ROWS})(gd);
            return {{
                fig: [fig.left, fig.top, fig.right, fig.bottom],
                rows: rows.map(texts => texts.map(t => {{
                    const b = t.getBoundingClientRect();
                    return [b.left, b.top, b.right, b.bottom, t.textContent];
                }})),
            }};
        }}"""
    )


@pytest.mark.parametrize("device", ["desktop", "phone", "phone_zh"])
def test_every_character_label_is_whole_inside_its_figure_and_apart(browser, app_url, shot, device):
    options = PHONE if device.startswith("phone") else {"viewport": {"width": 1440, "height": 900}}
    context = browser.new_context(**options)
    page = context.new_page()
    sentence = "hungry print(jpg) 'quoted' q\nnext line, y g j p q"
    if device == "phone_zh":  # Chinese characters are twice as wide: 16 in view on a phone
        sentence = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    lang = "&lang=zh" if device == "phone_zh" else ""  # in Chinese: the Chinese model reads it
    page.goto(f"{app_url}/?text={sentence.replace(chr(10), '%0A').replace(chr(9), '%09')}{lang}")
    wait_for_figure(page)
    boxes = label_boxes(page)
    left, top, right, bottom = boxes["fig"]
    view = {"desktop": 80, "phone": 24, "phone_zh": 16}[device]
    assert len(boxes["rows"]) == 3
    for row in boxes["rows"]:
        assert [t for *_, t in row] == [{" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c) for c in sentence][:view]
        for x0, y0, x1, y1, text in row:
            assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, text  # inside, descenders too
            assert y1 - y0 >= 12, text  # the whole glyph box, not a clipped sliver
        for a, b in zip(row, row[1:], strict=False):
            assert a[2] <= b[0] + 0.5, (a[4], b[4])  # neighbours never overlap
    if device != "desktop":  # more characters than fit: the page says so
        assert page.get_by_text("一次显示" if lang else "in view at a time").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    full_shot(page, shot, f"gates_labels_{device}", width=options["viewport"]["width"])
    context.close()


def heatmaps_drawn(page) -> int:
    """How many heatmaps of the figure show a drawn image (its six, and the surprise strip)."""
    return page.evaluate(
        f"() => [...document.querySelector('{GD}').querySelectorAll('.heatmaplayer image')]"
        ".filter(i => (i.getAttribute('href') || '').length > 100).length"
    )


def bar_rows_drawn(page) -> int:
    """How many drawn, filled shapes span most of the figure's width: the six rows of bars at
    the cursor's step (the outlines and the top-5 are narrower, the gaps between bars unfilled)."""
    return page.evaluate(
        f"""() => {{
            const gd = document.querySelector('{GD}');
            const width = gd.getBoundingClientRect().width;
            return [...gd.querySelectorAll('.shapelayer path')]
                .filter(p => p.getBoundingClientRect().width > 0.5 * width && p.getBoundingClientRect().height > 4)
                .filter(p => Number(getComputedStyle(p).fillOpacity) > 0).length;
        }}"""
    )


def test_play_and_scrub_move_the_cursor_without_a_websocket_message(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(COUNT_SENT)
    page = context.new_page()
    long = "the cat sat on the mat, and the dog sat on the log. " * 3  # more than the 80 in view
    page.goto(f"{app_url}/gates?text={long.replace(' ', '%20')}")
    wait_for_figure(page)
    assert heatmaps_drawn(page) == 7
    page.wait_for_timeout(1000)  # let the first run's messages settle
    sent = page.evaluate("() => window.__sent")
    assert cursor_x(page) == -0.5  # step 0
    page.locator(f"{GD} .updatemenu-button").first.click()  # ▶ Play
    page.wait_for_function(
        f"() => document.querySelector('{GD}').layout.shapes[0].x0 >= 2.5",
        timeout=30_000,
    )
    page.locator(f"{GD} .updatemenu-button").nth(1).click()  # ❚❚ Pause
    played = cursor_x(page)
    assert played >= 2.5
    # scrub: click near the slider's right end, the cursor jumps there
    rail = page.locator(f"{GD} .slider-rail-rect").bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.9, rail["y"] + rail["height"] / 2)
    page.wait_for_timeout(500)
    assert cursor_x(page) > played
    # the bars and the top-5 follow the cursor: the reading line names the new step
    reading = page.evaluate(f"() => document.querySelector('{GD}').layout.annotations[0].text")
    assert reading.startswith(f"t = {int(cursor_x(page) + 0.5)}:")
    assert page.evaluate("() => window.__sent") == sent  # not one message to the server
    assert heatmaps_drawn(page) == 7  # moving the cursor never erases a heatmap
    assert bar_rows_drawn(page) == 6  # and the bars at its step are drawn
    context.close()
