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
                              [--trainings 8] [--processes 2]

With --trainings K, K more students start a long training on the train page (LSTM 1×32, the
page's defaults; it runs in the server's training pool, explorer.jobs) before the class starts
typing, and redraw its progress every 0.5 s as the page does; the report adds each job's
training speed in characters per second. With --processes P, P servers run side by side (each
with cores/P training workers) and the students and trainers are spread over them in turn, as
sticky sessions behind nginx would spread them (scripts/serve_class.py).

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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]
from conftest import CHROMIUM_ARGS, chromium_path, start_server, stop_server  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from explorer.jobs import WORKERS_ENV  # noqa: E402

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
  const maps = traces.filter(t => t.type === 'heatmap' && t.z && t.x);  // the maps along the sentence
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


async def send_rerun(ws, page_hash: str = "", box: str = "", text: str = "", page_name: str = "") -> None:
    """Ask the server for a run, as the browser does at Enter: the text box's new value
    (other widgets keep their session state); the first run names the page, as its URL does."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = page_hash
    msg.rerun_script.page_name = page_name
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
        if kind == "navigation":  # the page this run executes
            run.page_hash = msg.navigation.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "text_input":
                run.text_box = element.text_input.id
            elif what == "exception":
                run.exceptions += 1
            elif what == "plotly_chart":
                for trace in json.loads(element.plotly_chart.spec)["data"]:
                    if trace["type"] == "heatmap" and "x" in trace:  # the maps along the sentence
                        z = trace["z"]  # a typed-array spec {"shape": "rows, columns"} or rows
                        run.heatmap_columns.append(
                            int(str(z["shape"]).split(",")[-1]) if isinstance(z, dict) else len(z[0])
                        )
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return run


async def wire_student(url: str, student: Student, start: asyncio.Barrier) -> None:
    """A student whose 'browser' speaks Streamlit's websocket protocol and draws nothing."""
    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as ws:
        await send_rerun(ws, page_name="gates")  # the class link (/ forwards there in the browser)
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


TRAIN_STEPS = 20000  # a training that outlasts the class (stopped when the class ends)
TRAIN_CHARS_PER_STEP = 32 * 64  # the train page's batch: 32 streams of 64 characters
POLL_S = 0.5  # how often a trainer's page redraws its progress (pages/train.py's fragment)


@dataclass
class Trainer:
    """A student training on the train page (default LSTM 1×32) while the class types: the
    steps their job had done when the class started and when it ended."""

    seed: int
    steps: list[tuple[float, int]] = field(default_factory=list)  # (time, steps done)
    errors: list[str] = field(default_factory=list)

    def chars_per_s(self) -> float:
        """Training throughput of this student's job over the class, characters per second."""
        started = [(t, s) for t, s in self.steps if s > 0]  # from the first step (workers start first)
        if len(started) < 2:
            return 0.0  # it waited in the queue the whole time
        (t0, s0), (t1, s1) = started[0], started[-1]
        return (s1 - s0) * TRAIN_CHARS_PER_STEP / (t1 - t0)


async def receive_train_page(ws) -> dict:
    """Read one run of the train page: widget ids by label, the page's hash, the fragment id of
    the job view and the steps its progress bar reports (0 while queued)."""
    seen: dict = {"widgets": {}, "page_hash": "", "fragment": "", "step": None}
    while True:
        msg = ForwardMsg.FromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "navigation":  # the page this run executes
            seen["page_hash"] = msg.navigation.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what in ("button", "number_input"):
                widget = getattr(element, what)
                seen["widgets"][widget.label] = widget.id
            elif what == "progress":
                seen["fragment"] = msg.delta.fragment_id or seen["fragment"]
                words = element.progress.text.split()  # "Step 12 of 20000 · …" or "Waiting …"
                seen["step"] = int(words[1]) if words[0] == "Step" else 0
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return seen


async def trainer_student(url: str, trainer: Trainer, start: asyncio.Barrier, end: asyncio.Event) -> None:
    """Open the train page, start a long training, then poll its progress as the page does."""
    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = "train"
        await ws.send(msg.SerializeToString())
        page = await asyncio.wait_for(receive_train_page(ws), 120)
        msg = BackMsg()
        msg.rerun_script.page_script_hash = page["page_hash"]
        steps = msg.rerun_script.widget_states.widgets.add()
        steps.id, steps.int_value = page["widgets"]["Training steps"], TRAIN_STEPS
        click = msg.rerun_script.widget_states.widgets.add()
        click.id, click.trigger_value = page["widgets"]["Train"], True
        await ws.send(msg.SerializeToString())
        page["fragment"] = (await asyncio.wait_for(receive_train_page(ws), 120))["fragment"]
        await start.wait()
        while True:
            msg = BackMsg()  # a redraw of the job view only, as the fragment's timer sends it
            msg.rerun_script.page_script_hash = page["page_hash"]
            msg.rerun_script.fragment_id = page["fragment"]
            t0 = time.perf_counter()
            await ws.send(msg.SerializeToString())
            try:
                seen = await asyncio.wait_for(receive_train_page(ws), TIMEOUT)
            except TimeoutError:
                trainer.errors.append(f"trainer {trainer.seed}: TimeoutError")
                continue
            if seen["step"] is not None:
                trainer.steps.append((t0, seen["step"]))
            if end.is_set():
                return
            await asyncio.sleep(POLL_S)


async def run(
    sessions: int, browsers: int, seconds: float, pace: float, processes: int = 1, trainings: int = 0
) -> tuple[list[Student], tuple, tuple, list[Trainer]]:
    """Start `processes` servers (students and trainers spread over them in turn, each server
    with cores/processes training workers) and a Chromium, run the class while `trainings`
    students train; return the students (with what they saw), the servers' summed RSS in MB
    (before, after), their usage (CPU s, machine busy fraction, wall s) and the trainers."""
    students = [Student("browser" if s < browsers else "wire", s, seconds, pace) for s in range(sessions)]
    trainers = [Trainer(t) for t in range(trainings)]
    cores = len(os.sched_getaffinity(0))
    os.environ[WORKERS_ENV] = str(max(1, cores // processes))  # inherited by the servers
    with tempfile.TemporaryDirectory() as tmp:
        servers = []
        try:
            for i in range(processes):
                servers.append(start_server(Path(tmp) / f"streamlit-{i}.log"))
            urls = [url for _, url in servers]
            pids = [proc.pid for proc, _ in servers]
            async with async_playwright() as pw:
                path = chromium_path()
                browser = (
                    await pw.chromium.launch(
                        headless=True, args=CHROMIUM_ARGS, **({"executable_path": path} if path else {})
                    )
                    if browsers
                    else None  # a class of wire students only
                )
                start, end = asyncio.Barrier(sessions + trainings + 1), asyncio.Event()
                tasks = [
                    asyncio.create_task(
                        browser_student(browser, urls[i % processes], st, start)
                        if st.kind == "browser"
                        else wire_student(urls[i % processes], st, start)
                    )
                    for i, st in enumerate(students)
                ]
                training = [
                    asyncio.create_task(trainer_student(urls[i % processes], tr, start, end))
                    for i, tr in enumerate(trainers)
                ]
                await start.wait()
                before = sum(rss_mb(pid) for pid in pids)
                cpu0, busy0, wall0 = sum(map(cpu_seconds, pids)), machine_busy_seconds(), time.perf_counter()
                await asyncio.gather(*tasks)
                end.set()
                await asyncio.gather(*training)
                after = sum(rss_mb(pid) for pid in pids)
                wall = time.perf_counter() - wall0
                busy1 = machine_busy_seconds()
                cpu = sum(map(cpu_seconds, pids)) - cpu0
                usage = (cpu, (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]), wall)
                if browser:
                    await browser.close()
        finally:
            for proc, _ in servers:
                stop_server(proc)
    return students, (before, after), usage, trainers


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method), NaN for fewer than two values."""
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) >= 2 else float("nan")


def report(
    students: list[Student],
    seconds: float,
    pace: float,
    rss: tuple,
    usage: tuple,
    trainers: list[Trainer],
    processes: int,
) -> None:
    """Print one row per kind of student, the trainings' throughput, the servers' CPU and memory,
    and the verdict."""
    how = f"typing {pace:g} keys/s" if pace > 0 else "pasting each sentence (no typing time)"
    where = "one server process" if processes == 1 else f"{processes} server processes"
    print(f"\nLoad: {len(students)} students on the gates page, {how}, {seconds:.0f} s, {where}")
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
    if trainers:
        speeds = [t.chars_per_s() for t in trainers]
        ran = [v for v in speeds if v > 0]
        print(
            f"{len(trainers)} trainings (LSTM 1×32, batch 32×64) meanwhile: {len(ran)} ran, the rest queued; "
            f"chars/s per running job min {min(ran, default=0):.0f} / median "
            f"{statistics.median(ran) if ran else 0:.0f} / max {max(ran, default=0):.0f}; total {sum(speeds):.0f}"
        )
        errors = [e for t in trainers for e in t.errors]
        met &= not errors
        for e in errors[:5]:
            print("  error:", e)
    server_cpu, machine_busy, wall = usage
    print(f"server RSS (the Streamlit processes): {rss[0]:.0f} MB before, {rss[1]:.0f} MB after")
    print(
        f"over {wall:.0f} s: server process(es) used {server_cpu:.0f} CPU s ({server_cpu / wall:.0%} of one core); "
        f"the whole {os.cpu_count()}-core machine (server + students) was {machine_busy:.0%} busy"
    )
    print(f"target: p95 <= {TARGET_P95:g} s, zero errors ->", "MET" if met else "NOT MET")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8, help="students in the class")
    ap.add_argument("--browsers", type=int, default=1, help="of them, in a real Chromium (the rest: wire)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--processes", type=int, default=1, help="server processes (students spread over them)")
    ap.add_argument("--trainings", type=int, default=0, help="students training on the train page meanwhile")
    ap.add_argument(
        "--keys-per-second", type=float, default=8, help="typing pace; 0 pastes each sentence at once"
    )
    args = ap.parse_args()
    pace = args.keys_per_second
    students, rss, usage, trainers = asyncio.run(
        run(
            args.sessions,
            min(args.browsers, args.sessions),
            args.seconds,
            pace,
            args.processes,
            args.trainings,
        )
    )
    report(students, args.seconds, pace, rss, usage, trainers, args.processes)


if __name__ == "__main__":
    main()
