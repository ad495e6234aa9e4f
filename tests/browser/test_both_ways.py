"""Read both ways in a real browser: a shared link opens the same blank in either language,
every chart draws, typed HTML stays text and goes into the URL, and
screenshots at three screen sizes for a person to look at."""

from urllib.parse import quote

import pytest
from conftest import wait_for_app

from explorer.state import BOTH_WAYS, MODELS_DIR
from explorer.texts import t

pytestmark = pytest.mark.skipif(
    not all((MODELS_DIR / f).exists() for f in BOTH_WAYS.values()), reason="both-ways models missing"
)
CHARTS = 8  # four guesses, two influence sentences, two direction heatmaps
SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720), "390x844": (390, 844)}
TITLES = {"en": "Read both ways", "zh": "双向阅读"}


def wait_for_charts(page, n: int = CHARTS, timeout: float = 120_000) -> None:
    """Wait until n Plotly figures are drawn and the run is over."""
    page.wait_for_function(
        """n => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
                .filter(gd => gd._fullLayout).length >= n""",
        arg=n,
        timeout=timeout,
    )
    wait_for_app(page)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shared_link_opens_the_blank_and_draws_every_chart(page, app_url, shot, lang):
    text = 'print("Hello, world!")'
    page.goto(f"{app_url}/both_ways?text={quote(text)}&blank=20&lang={lang}")
    page.get_by_role("heading", name=TITLES[lang]).first.wait_for(timeout=60_000)
    wait_for_charts(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("slider", name=t("both.blank", lang)).input_value() == "20"
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(800)  # Plotly relayouts on resize
        main = page.locator('[data-testid="stMain"]')
        tall = main.evaluate("m => m.scrollHeight")
        for k, top in enumerate(range(0, tall, h)):  # the page scrolls inside stMain: one shot per screen
            main.evaluate("(m, y) => m.scrollTo(0, y)", top)
            page.wait_for_timeout(300)
            shot(page, f"both_ways_{lang}_{name}_{k}")


def test_typed_html_stays_text_and_goes_into_the_url(page, app_url):
    page.goto(f"{app_url}/both_ways")
    wait_for_charts(page)
    box = page.get_by_role("textbox").first
    box.fill("<b>x</b> & (y)")
    box.press("Enter")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot text')].some(t => t.textContent === '<')""",
        timeout=60_000,
    )
    wait_for_charts(page)
    assert page.locator(".js-plotly-plot b").count() == 0  # "<b>" was drawn as characters
    assert page.locator('[data-testid="stMarkdown"] b').count() == 0
    page.wait_for_function(  # the typed sentence is in the URL, to share the view
        "want => new URLSearchParams(location.search).get('text') === want",
        arg="<b>x</b> & (y)",
        timeout=60_000,
    )
