"""A page opened by its own URL on a freshly started server still gets the whole app shell."""

import pytest
from conftest import start_server, stop_server, wait_for_app


@pytest.fixture
def fresh_url(tmp_path):
    """A server no browser has visited yet (the session-wide one may have been)."""
    proc, url = start_server(tmp_path / "streamlit.log")
    yield url
    stop_server(proc)


def test_direct_link_to_a_page_shows_navigation_and_language_switch(page, fresh_url, shot):
    page.goto(f"{fresh_url}/memory?lang=zh")
    wait_for_app(page)
    page.get_by_role("heading", name="RNN 与 LSTM 的记忆").first.wait_for(timeout=60_000)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("观察门控").wait_for(timeout=30_000)  # the translated page titles of app.py
    assert nav.get_by_text("one step", exact=True).count() == 0  # not the legacy file names
    page.locator("[data-testid=stSidebar]").get_by_text("简体中文").wait_for(
        timeout=30_000
    )  # language switch
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "direct_link_memory_zh")
