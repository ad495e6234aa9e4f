"""Screenshots of the gates and one-step pages for a person to look at: 1440×900, 1280×720 and
390×844 (a phone: its user agent too), in English and Chinese, whole pages, into
test-artifacts/screens/.

Run: python scripts/screenshots.py [--pages gates one_step] (starts and stops its own server).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "browser")]

from conftest import ARTIFACTS, CHROMIUM_ARGS, chromium_path, start_server, stop_server, wait_for_app  # noqa: E402
from test_gates import PHONE  # noqa: E402

SIZES = {
    "1440x900": {"viewport": {"width": 1440, "height": 900}},
    "1280x720": {"viewport": {"width": 1280, "height": 720}},
}
SIZES["390x844"] = PHONE
READY = {  # what each page shows once it is drawn
    "gates": "() => document.querySelector('[data-testid=\"stPlotlyChart\"] .slider-container')",
    "one_step": "() => document.querySelectorAll('.katex-display').length >= 6",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(READY), choices=list(READY))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    proc, url = start_server(Path("/tmp/lstm_explorer_screens.log"))
    try:
        with sync_playwright() as p:
            path = chromium_path()
            browser = p.chromium.launch(
                headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
            )
            for size, options in SIZES.items():
                for lang in ("en", "zh"):
                    context = browser.new_context(**options)
                    page = context.new_page()
                    for name in args.pages:
                        page.goto(f"{url}/{name}?lang={lang}")
                        wait_for_app(page, timeout=120_000)
                        page.wait_for_function(READY[name], timeout=120_000)
                        page.wait_for_timeout(1500)
                        width = options["viewport"]["width"]
                        height = page.evaluate(
                            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
                        )
                        page.set_viewport_size({"width": width, "height": min(height + 40, 8000)})
                        page.wait_for_timeout(1000)
                        page.screenshot(path=str(out / f"{name}_{lang}_{size}.png"), full_page=True)
                        page.set_viewport_size(options["viewport"])
                        print(out / f"{name}_{lang}_{size}.png")
                    context.close()
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
