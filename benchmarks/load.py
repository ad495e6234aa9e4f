"""Classroom load: N concurrent browser sessions typing into the gates page of ONE server.

Each session (its own Chromium, so its own Streamlit session, as in a classroom) types a new sentence,
presses Enter and waits until every heatmap on the page shows that many characters; it
repeats until the time is up. Prints p50/p95 Enter-to-chart latency, error count, and the
server's resident memory before and after.

    python benchmarks/load.py [--sessions 8] [--seconds 60]

Needs Playwright and a Chromium (see scripts/install-test-tools.sh). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, chromium_path, start_server, stop_server  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

WORDS = [
    "the",
    "cell",
    "keeps",
    "what",
    "matters",
    "and",
    "the",
    "forget",
    "gate",
    "lets",
    "the",
    "rest",
    "go",
    "while",
    "quotes",
    "and",
    "brackets",
    "open",
]
# Every heatmap trace shows the new sentence: its z rows have one column per character.
DRAWN_JS = """(n) => {
  const cols = (z) => Array.isArray(z) ? (z[0] || []).length
                    : Number(String((z && z.shape) || '').split(',').pop());  // typed-array spec
  const traces = [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => p.data || []);
  const maps = traces.filter(t => t.type === 'heatmap' && t.z);
  return !document.querySelector('[data-testid="stStatusWidget"]')
      && maps.length > 0 && maps.every(t => cols(t.z) === n);
}"""


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (clock ticks / 100)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def sentence(rng: random.Random, previous: int) -> str:
    """A random sentence of 40-200 characters whose length differs from the previous one."""
    while True:
        words = []
        target = rng.randint(40, 200)
        while len(" ".join(words)) < target:
            words.append(rng.choice(WORDS))
        text = " ".join(words)[:target].strip()
        if len(text) != previous:
            return text


async def session(pw, url: str, seconds: float, seed: int, latencies: list, errors: list) -> None:
    """One student with a browser of their own: open the app, then type-Enter-wait until time is up."""
    rng = random.Random(seed)
    path = chromium_path()
    browser = await pw.chromium.launch(
        headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
    )
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(url, timeout=60_000)
        box = page.locator('[data-testid="stTextInput"] input').first
        await box.wait_for(timeout=60_000)
        end, n = time.perf_counter() + seconds, 0
        while time.perf_counter() < end:
            text = sentence(rng, n)
            n = len(text)
            await box.fill(text)
            t0 = time.perf_counter()
            await box.press("Enter")
            try:
                await page.wait_for_function(DRAWN_JS, arg=n, timeout=30_000, polling=25)
                latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # a timeout or a page error is an error, not a crash
                errors.append(f"session {seed}: {type(exc).__name__}")
            if await page.locator('[data-testid="stException"]').count():
                errors.append(f"session {seed}: exception element on the page")
    finally:
        await browser.close()


async def run(sessions: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "streamlit.log")
        try:
            async with async_playwright() as pw:
                before = rss_mb(proc.pid)
                cpu0, busy0, wall0 = cpu_seconds(proc.pid), machine_busy_seconds(), time.perf_counter()
                latencies: list[float] = []
                errors: list[str] = []
                await asyncio.gather(
                    *(session(pw, url, seconds, s, latencies, errors) for s in range(sessions))
                )
                after = rss_mb(proc.pid)
                wall = time.perf_counter() - wall0
                busy1 = machine_busy_seconds()
                cpu = (cpu_seconds(proc.pid) - cpu0, (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]), wall)
        finally:
            stop_server(proc)
    report(sessions, seconds, latencies, errors, before, after, cpu)


def report(sessions, seconds, latencies, errors, before, after, cpu) -> None:
    """Print the results table."""
    q = (
        statistics.quantiles(latencies, n=20, method="inclusive")
        if len(latencies) >= 2
        else [float("nan")] * 19
    )
    print(
        f"\nLoad: {sessions} concurrent browser sessions on the gates page, {seconds:.0f} s, one server process"
    )
    print(
        f"{'interactions':>14} {'p50 s':>8} {'p95 s':>8} {'max s':>8} {'errors':>7} {'RSS before MB':>14} {'RSS after MB':>13}"
    )
    p50 = statistics.median(latencies) if latencies else float("nan")
    mx = max(latencies) if latencies else float("nan")
    print(
        f"{len(latencies):>14} {p50:>8.2f} {q[18]:>8.2f} {mx:>8.2f} {len(errors):>7} {before:>14.0f} {after:>13.0f}"
    )
    server_cpu, machine_busy, wall = cpu
    print(
        f"over {wall:.0f} s: server process used {server_cpu:.0f} CPU s ({server_cpu / wall:.0%} of one core); "
        f"the whole {os.cpu_count()}-core machine (server + all browsers) was {machine_busy:.0%} busy"
    )
    for e in errors[:10]:
        print("  error:", e)
    print(
        "target: p95 <= 3 s, zero errors ->", "MET" if latencies and q[18] <= 3 and not errors else "NOT MET"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    asyncio.run(run(args.sessions, args.seconds))


if __name__ == "__main__":
    main()
