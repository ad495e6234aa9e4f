"""The app in a real browser: the gates page draws its figure; the one-step page renders its equations,
steps with the buttons and shows the tiny cell; and on a phone (390 px) no page is wider than
the screen, long equations scroll inside their own box."""

import pytest
from conftest import wait_for_app
from test_gates import PHONE, full_shot, wait_for_figure

PAGES = ["gates", "one_step", "memory", "train", "cells", "lessons"]


def no_exception(page) -> bool:
    return page.locator('[data-testid="stException"]').count() == 0


def test_app_opens_on_the_gates_page(page, app_url, shot):
    page.goto(f"{app_url}/gates")
    wait_for_app(page)
    page.get_by_role("heading", name="Watch the gates").wait_for()
    wait_for_figure(page)
    assert no_exception(page)
    shot(page, "smoke")


def test_one_step_page_equations_buttons_and_tiny_cell(page, app_url, shot):
    page.goto(f"{app_url}/gates")
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
    assert no_exception(page)
    full_shot(page, shot, "one_step", width=1400)

    page.get_by_text("the tiny hand-editable cell").click()
    wait_for_app(page)
    page.get_by_text("The story: the cell held an old belief").wait_for()
    page.get_by_text("The twist:").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.katex-display').length >= 6", timeout=30_000)
    assert no_exception(page)
    full_shot(page, shot, "one_step_tiny", width=1400)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_is_wider_than_a_phone(browser, app_url, name):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{app_url}/{name}")
    wait_for_app(page, timeout=120_000)
    page.wait_for_timeout(1500)  # charts and equations lay themselves out
    assert no_exception(page)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    # a long equation scrolls inside its own box instead of widening the page
    for box in page.evaluate(
        """() => [...document.querySelectorAll('.katex-display')].map(k => {
            const s = getComputedStyle(k.parentElement);
            return [k.scrollWidth, k.parentElement.clientWidth, s.overflowX, getComputedStyle(k).overflowX];
        })"""
    ):
        wide, room, *overflow = box
        assert wide <= room or "auto" in overflow or "scroll" in overflow, box
    context.close()
