"""Latency of the "Watch the gates" page for a 200-character sentence with the shipped H=128 LSTM.

Rows, printed as a Markdown table (median, min, max over the runs):
- server: seconds per script rerun, measured with Streamlit's AppTest (no browser): a new
  sentence on the gates page (engine run + the figure built and serialised) and the one-step
  page for a new step;
- browser, Enter -> drawn: from pressing Enter in the sentence box until every chart on the
  page has settled: the moment of the last change inside any chart element (a
  MutationObserver over them), once nothing has changed for 0.5 s and Streamlit reports the
  run finished (headless Chromium against `streamlit run`);
- browser CPU per Enter: CPU seconds of all Chromium processes (CDP SystemInfo) over the same
  span: what a student's slower laptop must do, independent of this machine's load;
- browser, cursor step: one step of the time cursor. On the current page that is one Plotly
  animation frame (`Plotly.animate`, redraw off) until two animation frames later; on a page
  whose cursor is a Streamlit slider (before the cursor moved into the figure) it is ArrowRight
  on that slider until the charts settle, as above;
- browser, Play frame: every frame of a whole pass through the sentence, as Play shows them
  (max: a frame that also moves the window of characters in view).
Targets (issue 13): Enter -> drawn median <= 0.5 s, cursor step <= 50 ms.

Run: python benchmarks/latency.py [--runs N] [--no-browser] [--no-server] [--app DIR] [--before DIR]
(--app DIR measures another checkout of the app, e.g. an older commit, with this script;
--before DIR measures that checkout too, right before the app, and prints one before -> after
table of medians: both in the same minutes, so the machine's state is the same for both.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the checkout whose modules the AppTest rows import (measure() sets it for another checkout)
APP = Path(os.environ.get("LATENCY_APP", ROOT))
sys.path[:0] = [str(APP), str(ROOT / "tests" / "browser")]

from lstm_engine.training.data import default_corpus  # noqa: E402

QUIET_MS = 500  # charts count as drawn once nothing inside them changed for this long
GD = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# Records the time of the last DOM change inside any chart (installed once per page load).
WATCH = """() => {
    window.__last = 0;
    new MutationObserver(list => {
        if (list.some(m => (m.target.closest ? m.target : m.target.parentElement)
                ?.closest('[data-testid="stPlotlyChart"]'))) window.__last = performance.now();
    }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
SETTLED = """([since, first, quiet]) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const tick = document.querySelector('[data-testid="stPlotlyChart"] .xaxislayer-above text');
    if (first !== null && !(tick && tick.textContent === first)) return false;
    return window.__last > since && performance.now() - window.__last >= quiet;
}"""
STEP = """async t => {
    const gd = document.querySelector('GD');
    const t0 = performance.now();
    await Plotly.animate(gd, [String(t)], {mode: 'immediate', frame: {duration: 0, redraw: false},
                                           transition: {duration: 0}});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
}""".replace("GD", GD)


def sentences(n: int, length: int = 200) -> list[str]:
    """n distinct 200-character slices of the default corpus, one line each."""
    corpus = default_corpus().replace("\n", " ")
    step = len(corpus) // (n + 1)
    return [corpus[(k + 1) * step : (k + 1) * step + length] for k in range(n)]


def server_times(runs: int, app: Path) -> dict[str, list[float]]:
    """Seconds per AppTest rerun: new sentence on the gates page, one-step page new step."""
    from streamlit.testing.v1 import AppTest

    out = {"server: gates page, new 200-char sentence": [], "server: one-step page, new step": []}
    at = AppTest.from_file(str(app / "pages" / "gates.py"), default_timeout=120).run()  # warm up imports
    for text in sentences(runs):
        t0 = time.perf_counter()
        at.text_input(key="gates:text").input(text).run()
        out["server: gates page, new 200-char sentence"].append(time.perf_counter() - t0)
        assert not at.exception and not at.warning, (at.exception, at.warning)  # a chart failed
    one = AppTest.from_file(str(app / "pages" / "one_step.py"), default_timeout=120)
    one.query_params["text"] = sentences(1)[0]
    one.run()
    for k in range(runs):
        t0 = time.perf_counter()
        one.slider(key="one_step:step").set_value(20 + k).run()
        out["server: one-step page, new step"].append(time.perf_counter() - t0)
        assert not one.exception, one.exception
    return out


def cpu_seconds(cdp) -> float:
    """CPU seconds used so far by every Chromium process."""
    return sum(p["cpuTime"] for p in cdp.send("SystemInfo.getProcessInfo")["processInfo"])


def settle(page, since: float, first: str | None) -> float:
    """Wait until the charts settled after `since` (page clock, ms); seconds from `since` to
    their last change."""
    page.wait_for_function(SETTLED, arg=[since, first, QUIET_MS], timeout=120_000, polling=50)
    return (page.evaluate("() => window.__last") - since) / 1000


def browser_times(runs: int, app: Path) -> dict[str, list[float]]:
    """Enter -> drawn, CPU per Enter, cursor step and Play frame, in headless Chromium."""
    from conftest import CHROMIUM_ARGS, chromium_path, stop_server, wait_for_app
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {
        "browser: Enter -> all charts drawn and settled (s)": [],
        "browser: CPU per Enter, all Chromium processes (s)": [],
        "browser: cursor step (s)": [],
        "browser: Play frame (s)": [],
    }
    proc, url = start_app(app)
    try:
        with sync_playwright() as p:
            path = chromium_path()
            browser = p.chromium.launch(
                headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
            )
            cdp = browser.new_browser_cdp_session()
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/gates")
            wait_for_app(page, timeout=120_000)
            page.evaluate(WATCH)
            box = page.get_by_role("textbox", name="Your sentence")
            texts = sentences(runs + 1)
            for n, text in enumerate(texts):
                text = ("ab"[n % 2] + text)[:200]  # a new first letter: the redraw is detectable
                box.fill(text)
                cpu0, since = cpu_seconds(cdp), page.evaluate("() => performance.now()")
                box.press("Enter")
                drawn = settle(page, since, text[0])
                if n:  # the first Enter loads Plotly and warms caches: not measured
                    out["browser: Enter -> all charts drawn and settled (s)"].append(drawn)
                    out["browser: CPU per Enter, all Chromium processes (s)"].append(cpu_seconds(cdp) - cpu0)
            if page.locator(GD).count() and page.evaluate(
                f"() => (document.querySelector('{GD}')._transitionData?._frames || []).length > 0"
            ):
                T = page.evaluate(f"() => document.querySelector('{GD}')._transitionData._frames.length")
                out["browser: cursor step (s)"] = [page.evaluate(STEP, t) / 1000 for t in range(1, runs + 1)]
                out["browser: Play frame (s)"] = [page.evaluate(STEP, t) / 1000 for t in range(T)]
            else:  # the cursor is a Streamlit slider: every step is a rerun
                slider = page.get_by_role("slider", name="Time cursor: step t")
                slider.focus()
                for _ in range(runs):
                    since = page.evaluate("() => performance.now()")
                    slider.press("ArrowLeft")
                    out["browser: cursor step (s)"].append(settle(page, since, None))
                out.pop("browser: Play frame (s)")
            browser.close()
    finally:
        stop_server(proc)
    return out


def start_app(app: Path):
    """`streamlit run app.py` of the checkout `app` (conftest.start_server, other directory)."""
    import conftest

    saved = conftest.APP_DIR
    conftest.APP_DIR = app
    try:
        return conftest.start_server(Path("/tmp/lstm_explorer_latency_streamlit.log"))
    finally:
        conftest.APP_DIR = saved


def before_after(before: dict[str, list[float]], after: dict[str, list[float]]) -> str:
    """A Markdown table: measure, before median (min-max), after median (min-max)."""

    def cell(xs: list[float] | None) -> str:
        return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})" if xs else "-"

    rows = ["| measure | before: median (min-max) | after: median (min-max) |", "|---|---:|---:|"]
    for name in dict.fromkeys([*before, *after]):
        rows.append(f"| {name} | {cell(before.get(name))} | {cell(after.get(name))} |")
    return "\n".join(rows)


def measure(runs: int, app: Path, server: bool, browser: bool) -> dict[str, list[float]]:
    """Every row asked for, for the checkout `app`. The AppTest rows of another checkout run in
    a child process that imports that checkout's modules (this one's are loaded here)."""
    results = {}
    if server and app == APP:
        results = server_times(runs, app)
    elif server:
        child = [sys.executable, __file__, "--no-browser", "--json", "--runs", str(runs), "--app", str(app)]
        done = subprocess.run(
            child, env={**os.environ, "LATENCY_APP": str(app)}, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"AppTest rows of {app} failed:\n{done.stderr[-2000:]}")
        results = json.loads(done.stdout.splitlines()[-1])
    return results | (browser_times(runs, app) if browser else {})


def table(results: dict[str, list[float]]) -> str:
    """A Markdown table: measure, runs, median, min, max."""
    rows = ["| measure | runs | median | min | max |", "|---|---:|---:|---:|---:|"]
    for name, xs in results.items():
        rows.append(f"| {name} | {len(xs)} | {statistics.median(xs):.3f} | {min(xs):.3f} | {max(xs):.3f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs per row")
    parser.add_argument("--no-browser", action="store_true", help="only the AppTest (server) rows")
    parser.add_argument("--no-server", action="store_true", help="only the browser rows")
    parser.add_argument("--app", type=Path, default=ROOT, help="the app checkout to measure")
    parser.add_argument("--before", type=Path, help="an older checkout to measure first and compare")
    parser.add_argument("--json", action="store_true", help="print the raw times as one JSON line")
    args = parser.parse_args()
    rows = (not args.no_server, not args.no_browser)
    before = measure(args.runs, args.before.resolve(), *rows) if args.before else None
    after = measure(args.runs, args.app.resolve(), *rows)
    if args.json:
        print(json.dumps(after))
    else:
        print(table(after) if before is None else before_after(before, after))


if __name__ == "__main__":
    main()
