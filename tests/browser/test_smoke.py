"""The app opens in a real browser with no exception element."""

from conftest import wait_for_app


def test_app_opens_on_the_gates_page(page, app_url, shot):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="Watch the gates").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "smoke")
