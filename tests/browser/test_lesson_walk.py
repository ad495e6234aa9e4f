"""Real browser: a student walks a whole lesson (predict, check, see the chart, next, summary);
a step opened with present=1 is the presenter's view; screenshots of both at 1440×900,
1280×720 and 390×844 in English and Chinese (test-artifacts/lessons_*.png)."""

import pytest
from conftest import wait_for_app

from explorer.lessons import LESSONS, boss
from explorer.texts import t

BOSS = 1 + [les.id for les in LESSONS].index("boss")
SIZES = ((1440, 900), (1280, 720), (390, 844))


def charts(page) -> int:
    return page.locator(".js-plotly-plot").count()


def check(page, lang: str = "en") -> None:
    page.get_by_role("button", name=t("lessons.check", lang)).click()
    wait_for_app(page)
    page.locator('[data-testid="stAlert"]').first.wait_for(timeout=60_000)


def next_step(page, lang: str = "en") -> None:
    page.get_by_role("button", name=t("lessons.next", lang)).click()
    wait_for_app(page)


def slide_to_end(page, key: str) -> None:
    """Move a Streamlit slider to its largest value with the keyboard, as a student could."""
    page.get_by_role("slider").first.focus()
    page.keyboard.press(key)
    wait_for_app(page)


def no_exception(page) -> bool:
    return page.locator('[data-testid="stException"]').count() == 0


def test_a_student_completes_the_boss_raise_lesson(page, app_url, shot):
    page.goto(app_url)  # the root opens the lessons' start screen
    wait_for_app(page, 60_000)
    page.get_by_role("heading", name=t("lessons.title", "en")).wait_for(timeout=60_000)
    page.locator(f".st-key-start_{BOSS} button").click()
    wait_for_app(page, 60_000)
    page.get_by_role("heading", name=t("lesson.boss.forget.title", "en")).wait_for(timeout=60_000)
    assert f"lesson={BOSS}" in page.url and "step=1" in page.url

    # 1. forget gate: slide to fully closed, check: the gates chart appears only now
    assert charts(page) == 0
    slide_to_end(page, "Home")
    check(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 1  # F is all but closed
    next_step(page)
    # 2. the new cell state: slide to the top, check
    page.get_by_role("heading", name=t("lesson.boss.cell.title", "en")).wait_for(timeout=60_000)
    assert charts(page) == 0
    slide_to_end(page, "End")
    check(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    next_step(page)
    # 3. the twist: pick "yes", check: the bound chart and a warning that explains the gap
    page.get_by_role("heading", name=t("lesson.boss.twist.title", "en")).wait_for(timeout=60_000)
    page.get_by_text(t("lesson.boss.twist.opt.yes", "en"), exact=True).click()
    wait_for_app(page)
    check(page)
    page.locator('[data-testid="stAlertContentWarning"]').wait_for(timeout=60_000)
    assert charts(page) == 1
    next_step(page)
    # summary: every prediction beside the engine's number
    page.get_by_role("heading", name=t("lessons.summary", "en")).wait_for(timeout=60_000)
    table = page.locator('[data-testid="stMarkdownContainer"] table').inner_text()
    f = boss.facts()
    assert f"{f['F']:.2f}" in table and f"{f['C']:.2f}" in table and "✓" in table and "✗" in table
    assert no_exception(page)
    shot(page, "lessons_summary_en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screens_at_every_size(page, app_url, shot, lang):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{app_url}/lessons?lang={lang}")
        wait_for_app(page, 60_000)
        page.get_by_role("heading", name=t("lessons.title", lang)).wait_for(timeout=60_000)
        shot(page, f"lessons_start_{lang}_{width}x{height}")
        page.goto(f"{app_url}/lessons?lesson={BOSS}&step=3&lang={lang}")
        wait_for_app(page, 60_000)
        page.get_by_text(t("lesson.boss.twist.opt.no", lang), exact=True).click()
        wait_for_app(page)
        check(page, lang)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        assert no_exception(page)
        shot(page, f"lessons_step_{lang}_{width}x{height}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode(page, app_url, shot, lang):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{app_url}/lessons?lesson=1&step=2&lang={lang}&present=1")
        wait_for_app(page, 60_000)
        page.get_by_role("heading", name=t("lesson.quotes.guess.title", lang)).wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=30_000)
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
        assert size >= 40  # large type for the back of the room
        page.locator('[data-testid="stImage"] img').wait_for(timeout=60_000)  # the QR code of this step
        assert page.get_by_role("combobox").count() == 0  # no lesson picker: presenter controls only
        check(page, lang)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        assert no_exception(page)
        shot(page, f"lessons_present_{lang}_{width}x{height}")
