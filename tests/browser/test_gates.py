"""Watch the gates in a real browser: typing updates the heatmaps, and typed HTML stays text."""

from pathlib import Path

from conftest import wait_for_app

LSTM_CHARTS = 9  # 6 heatmaps + surprise strip + gate bars + top-5


def wait_for_charts(page, n: int, timeout: float = 60_000) -> None:
    """Wait until at least n Plotly charts are on the page and every one has drawn its SVG."""
    page.wait_for_function(
        """n => {
            const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
            return charts.length >= n && charts.every(c => c.querySelector('.main-svg'));
        }""",
        arg=n,
        timeout=timeout,
    )


def x_ticks(page, chart: int = 0) -> list[str]:
    """The x tick labels of the chart-th Plotly chart, as the browser shows them."""
    return page.locator('[data-testid="stPlotlyChart"]').nth(chart).locator(".xtick text").all_text_contents()


def type_sentence(page, text: str) -> None:
    """Type into the sentence box and press Enter, then wait for the first heatmap's new ticks."""
    box = page.get_by_role("textbox", name="Your sentence")
    box.fill(text)
    box.press("Enter")
    first = text[0] if text[0] != " " else "␣"
    page.wait_for_function(
        """first => {
            const t = document.querySelector('[data-testid="stPlotlyChart"] .xtick text');
            return t && t.textContent === first;
        }""",
        arg=first,
        timeout=30_000,
    )
    wait_for_app(page)
    wait_for_charts(page, LSTM_CHARTS)


def full_shot(page, shot, name: str, height: int = 3900) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(800)
    shot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_typing_a_sentence_and_enter_redraws_every_heatmap(page, app_url, shot):
    page.goto(app_url)
    wait_for_app(page)
    wait_for_charts(page, LSTM_CHARTS)
    assert x_ticks(page)[:6] == list("print(")
    sentence = "def f(x): return [x]"
    type_sentence(page, sentence)
    expected = [ch if ch != " " else "␣" for ch in sentence]
    for chart in range(7):  # every heatmap and the surprise strip now read the new sentence
        assert x_ticks(page, chart) == expected
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "text=def+f" in page.url  # the view is shareable
    full_shot(page, shot, "gates")
    # hovering a cell names its step, character, unit and value
    area = page.locator('[data-testid="stPlotlyChart"]').first.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] * (4.5 / len(sentence)), area["y"] + area["height"] * 0.5)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
    hover = page.locator(".hoverlayer").first.text_content()
    assert "step · char: 4 · f" in hover and "unit: " in hover and "value: " in hover
    # the CSV download is the whole trace in tidy long format
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the whole trace (CSV)").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "layer,step,char,unit,quantity,value"
    assert len(lines) == 1 + len(sentence) * 128 * (4 + 4 + 2) + len(sentence)


def test_html_typed_into_the_box_is_shown_as_text_and_never_runs(page, app_url, shot):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    wait_for_app(page)
    wait_for_charts(page, LSTM_CHARTS)
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><b>x</b>'
    type_sentence(page, payload)
    ticks = x_ticks(page)
    assert ticks == [ch if ch != " " else "␣" for ch in payload]  # every character shown as itself
    assert "&lt;" not in ticks  # escaped exactly once
    assert page.locator('[data-testid="stPlotlyChart"] img').count() == 0
    # reopening the shared URL (the payload now sits in ?text=) must not run it either
    page.reload()
    wait_for_app(page)
    wait_for_charts(page, LSTM_CHARTS)
    assert x_ticks(page)[0] == "<"
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "gates_html_payload")
