"""Classroom load: N students typing into the gates page of ONE server at once.

Every student opens a Streamlit session of their own, types a new sentence key by key,
presses Enter and waits for the charts; then types the next one at once (no time spent
reading the charts), until the time is up. Two kinds of student:

- browser: a real browser session (its own context in one headless Chromium: own cookies,
  renderer process and Streamlit session). Latency is Enter until every heatmap on the page
  shows the new sentence: what a student sees.
- wire: a websocket client that does to the server what a browser does (opens a session,
  sends the text box's new value at Enter, receives every element of the new page) but
  draws nothing. Latency is Enter until the server has sent the whole new page, every
  heatmap checked to hold the new sentence.

Why both: in a classroom every browser draws on its student's own machine. On one small
machine the simulated Chromiums cost more CPU than the server (about 27 ms per keystroke
and 1 CPU-second per redraw each), so eight of them measure the machine, not the server.
The default is one real browser among seven wire students; `--browsers 8` runs eight.

The default pace, 8 keys/s (about 96 words a minute), is faster than nearly every student
types, so the load is heavier than a real class's. `--keys-per-second 0` pastes each
sentence at once: a stress test with no typing time at all.

    python benchmarks/load.py [--sessions 8] [--browsers 1] [--seconds 60] [--keys-per-second 8]

Prints p50/p95 latency per kind of student, errors, the server's CPU and resident memory
before and after. Needs Playwright and a Chromium (see scripts/install-test-tools.sh);
traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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
TARGET_P95 = 3.0  # seconds, Enter to chart
TIMEOUT = 30.0  # seconds; a longer wait counts as an error
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
    """A random sentence of 40-200 characters whose length differs from the previous one
    (so the charts' new width tells the new page from the old)."""
    while True:
        picked: list[str] = []
        target = rng.randint(40, 200)
        while len(" ".join(picked)) < target:
            picked.append(rng.choice(WORDS))
        text = " ".join(picked)[:target].strip()
        if len(text) != previous:
            return text


@dataclass
class Student:
    """One simulated student: how long and how fast they type, and what they saw."""

    kind: str  # "browser" or "wire"
    seed: int
    seconds: float
    pace: float  # keys per second; 0 pastes
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def sentences(self):
        """The student's sentences, one per Enter, until their time is up."""
        rng, end, n = random.Random(self.seed), time.perf_counter() + self.seconds, 0
        while time.perf_counter() < end:
            text = sentence(rng, n)
            n = len(text)
            yield text

    def fail(self, why: str) -> None:
        self.errors.append(f"{self.kind} {self.seed}: {why}")


async def browser_student(browser, url: str, student: Student, start: asyncio.Barrier) -> None:
    """A student in a browser session of their own: open the app, wait for the class, then
    type-Enter-wait until time is up."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/gates", timeout=120_000)
        box = page.locator('[data-testid="stTextInput"] input').first
        await box.wait_for(timeout=120_000)
        await start.wait()  # everyone starts typing at once
        for text in student.sentences():
            if student.pace > 0:
                await box.fill("")
                await box.press_sequentially(text, delay=1000 / student.pace, timeout=0)
            else:
                await box.fill(text)
            t0 = time.perf_counter()
            await box.press("Enter")
            try:
                await page.wait_for_function(DRAWN_JS, arg=len(text), timeout=TIMEOUT * 1000, polling=25)
                student.latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # a timeout or a page error is an error, not a crash
                student.fail(type(exc).__name__)
            if await page.locator('[data-testid="stException"]').count():
                student.fail("exception element on the page")
    finally:
        await context.close()


@dataclass
class PageRun:
    """What one script run sent to a wire student: the page's hash, the text box's widget
    id, the column count of every heatmap, and the number of exception elements."""

    page_hash: str = ""
    text_box: str = ""
    heatmap_columns: list[int] = field(default_factory=list)
    exceptions: int = 0


async def send_rerun(ws, page_hash: str = "", box: str = "", text: str = "") -> None:
    """Ask the server for a run, as the browser does at Enter: the text box's new value
    (other widgets keep their session state)."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = page_hash
    if box:
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id, widget.string_value = box, text
    await ws.send(msg.SerializeToString())


async def receive_run(ws) -> PageRun:
    """Read messages until the script run has finished (a rerun it asked for is followed)."""
    run = PageRun()
    while True:
        msg = ForwardMsg.FromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            run.page_hash = msg.new_session.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "text_input":
                run.text_box = element.text_input.id
            elif what == "exception":
                run.exceptions += 1
            elif what == "plotly_chart":
                for trace in json.loads(element.plotly_chart.spec)["data"]:
                    if trace["type"] == "heatmap":  # the six gate and state maps, the surprise strip
                        run.heatmap_columns.append(len(trace["x"]))
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return run


async def wire_student(url: str, student: Student, start: asyncio.Barrier) -> None:
    """A student whose 'browser' speaks Streamlit's websocket protocol and draws nothing."""
    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as ws:
        await send_rerun(ws)
        first = await asyncio.wait_for(receive_run(ws), 120)
        await start.wait()
        for text in student.sentences():
            if student.pace > 0:
                await asyncio.sleep(len(text) / student.pace)
            t0 = time.perf_counter()
            await send_rerun(ws, first.page_hash, first.text_box, text)
            try:
                run = await asyncio.wait_for(receive_run(ws), TIMEOUT)
            except TimeoutError:
                student.fail("TimeoutError")
                continue
            if run.exceptions or not run.heatmap_columns or set(run.heatmap_columns) != {len(text)}:
                student.fail(f"page without the new sentence ({run.exceptions} exceptions)")
            else:
                student.latencies.append(time.perf_counter() - t0)


async def run(
    sessions: int, browsers: int, seconds: float, pace: float
) -> tuple[list[Student], tuple, tuple]:
    """Start a server and a Chromium, run the class; return the students (with what they saw),
    the server's RSS in MB (before, after) and its usage (CPU s, machine busy fraction, wall s)."""
    students = [Student("browser" if s < browsers else "wire", s, seconds, pace) for s in range(sessions)]
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "streamlit.log")
        try:
            async with async_playwright() as pw:
                path = chromium_path()
                browser = (
                    await pw.chromium.launch(
                        headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
                    )
                    if browsers
                    else None  # a class of wire students only
                )
                start = asyncio.Barrier(sessions + 1)
                tasks = [
                    asyncio.create_task(
                        browser_student(browser, url, st, start)
                        if st.kind == "browser"
                        else wire_student(url, st, start)
                    )
                    for st in students
                ]
                await start.wait()
                before = rss_mb(proc.pid)
                cpu0, busy0, wall0 = cpu_seconds(proc.pid), machine_busy_seconds(), time.perf_counter()
                await asyncio.gather(*tasks)
                after = rss_mb(proc.pid)
                wall = time.perf_counter() - wall0
                busy1 = machine_busy_seconds()
                usage = (cpu_seconds(proc.pid) - cpu0, (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]), wall)
                if browser:
                    await browser.close()
        finally:
            stop_server(proc)
    return students, (before, after), usage


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method), NaN for fewer than two values."""
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) >= 2 else float("nan")


def report(students: list[Student], seconds: float, pace: float, rss: tuple, usage: tuple) -> None:
    """Print one row per kind of student, the server's CPU and memory, and the verdict."""
    how = f"typing {pace:g} keys/s" if pace > 0 else "pasting each sentence (no typing time)"
    print(f"\nLoad: {len(students)} students on the gates page, {how}, {seconds:.0f} s, one server process")
    print(f"{'students':>10} {'kind':>8} {'Enters':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'errors':>7}")
    met = True
    for kind in ("browser", "wire"):
        group = [s for s in students if s.kind == kind]
        if not group:
            continue
        lat = [x for s in group for x in s.latencies]
        errors = [e for s in group for e in s.errors]
        p50 = statistics.median(lat) if lat else float("nan")
        mx = max(lat, default=float("nan"))
        print(
            f"{len(group):>10} {kind:>8} {len(lat):>7} {p50:>7.2f} {p95(lat):>7.2f} {mx:>7.2f} {len(errors):>7}"
        )
        for e in errors[:5]:
            print("  error:", e)
        met &= bool(lat) and p95(lat) <= TARGET_P95 and not errors
    server_cpu, machine_busy, wall = usage
    print(f"server RSS: {rss[0]:.0f} MB before, {rss[1]:.0f} MB after")
    print(
        f"over {wall:.0f} s: server process used {server_cpu:.0f} CPU s ({server_cpu / wall:.0%} of one core); "
        f"the whole {os.cpu_count()}-core machine (server + students) was {machine_busy:.0%} busy"
    )
    print(f"target: p95 <= {TARGET_P95:g} s, zero errors ->", "MET" if met else "NOT MET")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8, help="students in the class")
    ap.add_argument("--browsers", type=int, default=1, help="of them, in a real Chromium (the rest: wire)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument(
        "--keys-per-second", type=float, default=8, help="typing pace; 0 pastes each sentence at once"
    )
    args = ap.parse_args()
    pace = args.keys_per_second
    students, rss, usage = asyncio.run(
        run(args.sessions, min(args.browsers, args.sessions), args.seconds, pace)
    )
    report(students, args.seconds, pace, rss, usage)


if __name__ == "__main__":
    main()
