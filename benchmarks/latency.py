"""Latency of the "Watch the gates" page for a 200-character sentence with the shipped H=128 LSTM.

Two numbers, printed as a table:
- server: seconds per script rerun, measured with Streamlit's AppTest (no browser): a new
  sentence (engine run + every figure built and serialised), moving the time cursor, and the
  "One step" page for a new step;
- browser: seconds from pressing Enter in the sentence box until every heatmap shows the new
  sentence and Streamlit reports the run finished (headless Chromium against `streamlit run`).
Target: browser median <= 1.0 s.

Run: python benchmarks/latency.py [--runs N] [--no-browser]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]

from lstm_engine.training.data import default_corpus  # noqa: E402

HEATMAPS = 7  # LSTM: input, forget, candidate, output, cell, hidden, surprise strip


def sentences(n: int, length: int = 200) -> list[str]:
    """n distinct 200-character slices of the default corpus, one line each."""
    corpus = default_corpus().replace("\n", " ")
    step = len(corpus) // (n + 1)
    return [corpus[(k + 1) * step : (k + 1) * step + length] for k in range(n)]


def server_times(runs: int) -> dict[str, list[float]]:
    """Seconds per AppTest rerun: new sentence, cursor move, one-step page new step."""
    from streamlit.testing.v1 import AppTest

    out = {
        "server: new 200-char sentence": [],
        "server: move the time cursor": [],
        "server: one-step page, new step": [],
    }
    at = AppTest.from_file(str(ROOT / "pages" / "gates.py"), default_timeout=120).run()  # warm up imports
    for k, text in enumerate(sentences(runs)):
        t0 = time.perf_counter()
        at.text_input(key="gates:text").input(text).run()
        out["server: new 200-char sentence"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        at.slider(key="gates:step").set_value(10 + k).run()
        out["server: move the time cursor"].append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    one = AppTest.from_file(str(ROOT / "pages" / "one_step.py"), default_timeout=120)
    one.query_params["text"] = sentences(1)[0]
    one.run()
    for k in range(runs):
        t0 = time.perf_counter()
        one.slider(key="one_step:step").set_value(20 + k).run()
        out["server: one-step page, new step"].append(time.perf_counter() - t0)
        assert not one.exception, one.exception
    return out


def browser_times(runs: int) -> dict[str, list[float]]:
    """Seconds from Enter to every heatmap redrawn with the new sentence, in headless Chromium."""
    from conftest import CHROMIUM_ARGS, chromium_path, start_server, stop_server, wait_for_app
    from playwright.sync_api import sync_playwright

    check = """first => {
        if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
        const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].slice(0, N);
        return charts.length === N && charts.every(c => {
            const t = c.querySelector('.xtick text');
            return t && t.textContent === first;
        });
    }""".replace("N", str(HEATMAPS))
    out = {
        "browser: Enter -> all heatmaps drawn (new sentence)": [],
        "browser: same, sentence seen before": [],
    }
    proc, url = start_server(Path("/tmp/lstm_explorer_latency_streamlit.log"))
    try:
        with sync_playwright() as p:
            path = chromium_path()
            browser = p.chromium.launch(
                headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            wait_for_app(page)
            box = page.get_by_role("textbox", name="Your sentence")
            texts = sentences(runs + 1)
            n = 0

            def enter(text: str) -> float:
                """Type a sentence (first letter alternating a/b, so the redraw is detectable)
                and return the seconds from Enter to every heatmap drawn with it."""
                nonlocal n
                text = ("ab"[n % 2] + text)[:200]
                n += 1
                box.fill(text)
                t0 = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(check, arg=text[0], timeout=60_000, polling="raf")
                return time.perf_counter() - t0

            enter(texts[-1])  # warm-up: the first Plotly load is not measured
            for label in out:  # new sentences, then the same ones again (trace cache hit)
                out[label] = [enter(text) for text in texts[:runs]]
            browser.close()
    finally:
        stop_server(proc)
    return out


def table(results: dict[str, list[float]]) -> str:
    """A Markdown table: measure, runs, median, min, max (seconds)."""
    rows = ["| measure | runs | median s | min s | max s |", "|---|---:|---:|---:|---:|"]
    for name, xs in results.items():
        rows.append(f"| {name} | {len(xs)} | {statistics.median(xs):.3f} | {min(xs):.3f} | {max(xs):.3f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs per row")
    parser.add_argument("--no-browser", action="store_true", help="only the AppTest (server) rows")
    args = parser.parse_args()
    results = server_times(args.runs)
    if not args.no_browser:
        results |= browser_times(args.runs)
    print(table(results))


if __name__ == "__main__":
    main()
