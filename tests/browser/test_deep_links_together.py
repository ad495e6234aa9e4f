"""A class opening shared links at the same moment: eight browsers, four different deep links
with query parameters, all at once on a freshly started server. None may see Streamlit's
"Page not found" dialog or an inert page; every page draws its charts with its parameters."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from conftest import ARTIFACTS, CHROMIUM_ARGS, chromium_path, start_server, stop_server
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from explorer.texts import t

# path -> (query parameters, how many charts the page draws at least; a chart that could not
# be drawn shows the chart_failed notice instead, which the test also looks for)
LINKS = {
    "gates": ({"lang": "zh", "text": 'print("hi") # (a) b', "step": "4"}, 1),
    "one_step": ({"lang": "en", "text": "a (b) c", "step": "2"}, 3),
    "memory": ({"lang": "zh"}, 4),
    "cells": ({"lang": "en"}, 5),
}
BROWSERS_PER_LINK = 2


@pytest.fixture
def fresh_url(tmp_path):
    """A server no browser has visited yet."""
    proc, url = start_server(tmp_path / "streamlit.log")
    yield url
    stop_server(proc)


async def open_link(browser, url: str, path: str, params: dict, charts: int, start: asyncio.Barrier) -> dict:
    """Open one deep link when every browser is ready; return what the student saw."""
    title = t(f"nav.{path}", params["lang"])
    failed = t("common.chart_failed", params["lang"], why="\0").split("\0")[0]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    query = urlencode(params, quote_via=quote)
    await start.wait()
    seen: dict = {"error": None}
    try:
        await page.goto(f"{url}/{path}?{query}", timeout=120_000)
        await page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
        await page.locator(".js-plotly-plot").nth(charts - 1).wait_for(timeout=120_000)
        await page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
        )
        await page.wait_for_timeout(1500)  # a late dialog would arrive with the next messages
        box = page.locator('[data-testid="stTextInput"] input').first
        seen |= {
            "dialogs": await page.get_by_role("dialog").all_inner_texts(),
            "not_found": await page.get_by_text("Page not found").count(),
            "charts": await page.locator(".js-plotly-plot").count(),
            "exceptions": await page.locator('[data-testid="stException"]').count(),
            "charts_failed": await page.get_by_text(failed).count(),
            "language_switch": await page.locator(
                '[data-testid="stSidebar"] [data-testid="stRadio"]'
            ).count(),
            "query": {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()},
            "text_box": await box.input_value() if await box.count() else None,
            "editable": await box.is_editable() if await box.count() else None,
        }
        if seen["editable"]:
            try:  # an inert page (behind a dialog) takes no typing
                await box.fill("typed", timeout=5000)
                seen["typed"] = await box.input_value()
            except PlaywrightError:
                seen["typed"] = None
    except PlaywrightError as exc:  # reported with the page it happened on
        seen["error"] = str(exc).splitlines()[0]
        seen["screenshot"] = await page.screenshot(full_page=True)
    finally:
        await context.close()
    return seen


async def class_opens_links(url: str) -> list[tuple[str, dict]]:
    async with async_playwright() as pw:
        path = chromium_path()
        browser = await pw.chromium.launch(
            headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
        )
        links = [(p, *LINKS[p]) for p in LINKS for _ in range(BROWSERS_PER_LINK)]
        start = asyncio.Barrier(len(links))
        seen = await asyncio.gather(*(open_link(browser, url, *link, start) for link in links))
        await browser.close()
    return [(link[0], s) for link, s in zip(links, seen, strict=True)]


def test_eight_browsers_open_four_deep_links_together_on_a_fresh_server(fresh_url):
    with ThreadPoolExecutor(1) as pool:  # own event loop: the sync Playwright fixtures hold this one
        results = pool.submit(asyncio.run, class_opens_links(fresh_url)).result()
    for i, (path, seen) in enumerate(results):
        params, _ = LINKS[path]
        if seen["error"]:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"deep_link_{i}_{path}.png").write_bytes(seen["screenshot"])
        assert seen["error"] is None, (path, seen["error"])
        assert seen["dialogs"] == [] and seen["not_found"] == 0, (path, seen)
        assert seen["exceptions"] == 0 and seen["charts_failed"] == 0, (path, seen)
        assert seen["charts"] >= LINKS[path][1], (path, seen)
        assert seen["language_switch"] == 1, (path, seen)  # the app shell of app.py, not a lone page
        assert params.items() <= seen["query"].items(), (path, seen)  # no parameter lost
        if "text" in params:
            assert seen["text_box"] == params["text"] and seen["typed"] == "typed", (path, seen)
