"""The app in a real browser: opens on the gates page, then the one-step page renders its
equations, steps with the buttons and shows the tiny cell."""

from conftest import wait_for_app
from test_gates import LSTM_CHARTS, full_shot, wait_for_charts


def no_exception(page) -> bool:
    return page.locator('[data-testid="stException"]').count() == 0


def test_app_opens_on_the_gates_page(page, app_url, shot):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="Watch the gates").wait_for()
    wait_for_charts(page, LSTM_CHARTS)
    assert no_exception(page)
    shot(page, "smoke")


def test_one_step_page_equations_buttons_and_tiny_cell(page, app_url, shot):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("link", name="One step, all the numbers").click()
    page.get_by_role("heading", name="One step, all the numbers").wait_for()
    wait_for_app(page)
    page.wait_for_function("() => document.querySelectorAll('.katex-display').length >= 6", timeout=30_000)
    slider = page.get_by_role("slider", name="Step t")
    last = int(slider.input_value())
    assert last > 0
    page.get_by_role("button", name="◀ Previous step").click()
    page.wait_for_function(
        "v => document.querySelector('input[type=range][aria-label=\\'Step t\\']').value == v",
        arg=str(last - 1),
    )
    wait_for_app(page)
    assert "step=" + str(last - 1) in page.url
    wait_for_charts(page, 3)  # two matrix products and the cell diagram
    assert no_exception(page)
    full_shot(page, shot, "one_step", height=3600)

    page.get_by_text("the tiny hand-editable cell").click()
    wait_for_app(page)
    page.get_by_text("The story: the cell held an old belief").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.katex-display').length >= 6", timeout=30_000)
    assert no_exception(page)
    full_shot(page, shot, "one_step_tiny", height=3400)
