"""Server memory while one browser session types many distinct sentences into the gates page.

Every new sentence is a new key for the bounded trace cache (explorer.state._shipped_trace,
max_entries=32), so memory should rise while that cache fills and then level off instead of
growing with every sentence. Starts its own `streamlit run app.py` on a loopback port (the
same start_server/stop_server as the browser tests and benchmarks/load.py), drives N distinct
sentences through one session, and prints the server's resident memory (RSS, from /proc)
before the first sentence and after every `--every` sentences.

    python benchmarks/memory_growth.py [--sentences 200] [--every 50]

Needs Playwright and a Chromium (see scripts/install-test-tools.sh).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from conftest import CHROMIUM_ARGS, chromium_path, start_server, stop_server  # noqa: E402
from load import DRAWN_JS, WORDS, rss_mb  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from explorer.state import DEFAULT_TEXT  # noqa: E402

MAX_CHARS = 400  # the gates page runs at most this many characters (explorer.state.MAX_TEXT)


def sentences(n: int, seed: int = 0) -> list[str]:
    """n distinct sentences of 40-400 characters, each a different length from the one before
    (the page is 'drawn' when every heatmap has as many columns as the sentence has characters)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        target = rng.randint(40, MAX_CHARS)
        words = [f"{rng.choice(WORDS)}{rng.randint(0, 999)}" if rng.random() < 0.2 else rng.choice(WORDS)]
        while len(" ".join(words)) < target:
            words.append(rng.choice(WORDS))
        text = " ".join(words)[:target].strip()
        if text not in seen and (not out or len(text) != len(out[-1])):
            seen.add(text)
            out.append(text)
    return out


def run(n: int, every: int) -> list[tuple[int, float, float]]:
    """Drive n sentences; return (sentences done, RSS MB, mean seconds per sentence) rows."""
    rows: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                path = chromium_path()
                browser = pw.chromium.launch(
                    headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url, timeout=60_000)
                box = page.locator('[data-testid="stTextInput"] input').first
                box.wait_for(timeout=60_000)
                page.wait_for_function(DRAWN_JS, arg=len(DEFAULT_TEXT), timeout=60_000)  # the first view
                time.sleep(1.0)  # let the first run settle before the baseline
                rows.append((0, rss_mb(proc.pid), float("nan")))
                t0 = time.perf_counter()
                for i, text in enumerate(sentences(n), start=1):
                    box.fill(text)
                    box.press("Enter")
                    page.wait_for_function(DRAWN_JS, arg=len(text), timeout=60_000, polling=25)
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"exception on the page after sentence {i}")
                    if i % every == 0 or i == n:
                        rows.append((i, rss_mb(proc.pid), (time.perf_counter() - t0) / i))
                        print(f"{i:>5} sentences  RSS {rows[-1][1]:7.1f} MB", flush=True)
                browser.close()
        finally:
            stop_server(proc)
    return rows


def report(rows: list[tuple[int, float, float]]) -> None:
    """Print the table: RSS after each block of sentences and the growth since the start."""
    base = rows[0][1]
    print("\nServer memory, one browser session typing distinct sentences into the gates page")
    print(f"{'sentences':>10} {'RSS MB':>8} {'growth MB':>10} {'s/sentence':>11}")
    for done, rss, per in rows:
        print(f"{done:>10} {rss:>8.1f} {rss - base:>+10.1f} {per:>11.2f}")
    if len(rows) >= 3:
        late = rows[-1][1] - rows[-2][1]
        print(f"growth over the last block of sentences: {late:+.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--every", type=int, default=50)
    args = ap.parse_args()
    report(run(args.sentences, args.every))


if __name__ == "__main__":
    main()
