"""benchmarks/load.py still drives the app: a short class of one browser and two wire
students (the wire client speaks Streamlit's websocket protocol, which can change between
Streamlit releases) gets every new sentence back without an error."""

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import load  # noqa: E402


def test_a_short_class_gets_every_sentence_back():
    # In a thread of its own: the sync Playwright fixtures of the other browser tests keep an
    # event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        class_run = pool.submit(asyncio.run, load.run(sessions=3, browsers=1, seconds=4, pace=0))
        students, rss, usage, trainers = class_run.result()
    assert trainers == []
    assert [s.kind for s in students] == ["browser", "wire", "wire"]
    for student in students:
        assert student.errors == []
        assert student.latencies and all(0 < x < load.TIMEOUT for x in student.latencies)
    before, after = rss
    assert before > 50 and after > 50  # MB: a running Streamlit server
    server_cpu, machine_busy, wall = usage
    assert server_cpu > 0 and 0 < machine_busy <= 1 and wall >= 4
