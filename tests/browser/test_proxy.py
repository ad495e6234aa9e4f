"""A class through a real nginx (scripts/serve_class.py): two app processes behind the proxy.

Students open the train page through the proxy, each uploads a model of their own and finds only
that one in the gates page's picker. nginx's access log (sticky cookie, upstream address,
request) then shows that each student's websocket and upload went to the same process, and
that more than one process served the class. Skips where nginx is not installed (.ci/run
installs Debian's nginx where apt is available).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import APP_DIR, stop_server, wait_for_app
from test_isolation import open_page, small_model_file, upload

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PROCESSES = 2
MAX_STUDENTS = 10  # open students until two processes are in use (cookies hash at random)

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install -y nginx)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def class_url(tmp_path):
    """scripts/serve_class.py with two processes; yields (proxy URL, its run directory)."""
    port = free_port()
    cmd = [sys.executable, "scripts/serve_class.py", str(PROCESSES), str(port), "--first-port", str(free_port()),
           "--run-dir", str(tmp_path)]  # fmt: skip
    log = (tmp_path / "serve_class.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=APP_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert proc.poll() is None, (tmp_path / "serve_class.log").read_text()
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield url, tmp_path
    finally:
        stop_server(proc)  # the launcher's whole process group: nginx, the apps, their workers


def served_by(run_dir: Path) -> dict[str, dict[str, set[str]]]:
    """sticky cookie -> {"stream" | "upload": upstream addresses}, from nginx's access log."""
    seen: dict[str, dict[str, set[str]]] = {}
    for line in (run_dir / "access.log").read_text().splitlines():
        cookie, upstream, _status, request = line.split(" ", 3)
        kind = (
            "stream"
            if "/_stcore/stream" in request
            else "upload"
            if "/_stcore/upload_file" in request
            else None
        )
        if kind and cookie != "-":
            seen.setdefault(cookie, {"stream": set(), "upload": set()})[kind].add(upstream)
    return seen


def test_students_through_nginx_each_keep_their_own_process(browser, class_url, tmp_path):
    url, run_dir = class_url
    students = []  # (name, context, page, sticky cookie)
    try:
        while len(students) < MAX_STUDENTS:
            name = f"proxy_probe_{len(students)}"
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"{url}/train")
            page.get_by_role("heading", name="Train your own", exact=True).wait_for(timeout=60_000)
            wait_for_app(page, timeout=60_000)
            upload(page, small_model_file(tmp_path, name, len(students)))
            cookie = next(c["value"] for c in context.cookies() if c["name"] == "lx_sticky")
            students.append((name, context, page, cookie))
            uploads = served_by(run_dir)  # uploads are logged at once, websockets when they close
            if len(students) >= 3 and len({u for c in uploads.values() for u in c["upload"]}) == PROCESSES:
                break
        names = [name for name, *_ in students]
        for name, _context, page, _cookie in students:  # every session lists its own model only
            open_page(page, url, "Train your own")  # a new run, after every upload
            listed = page.get_by_text("Your models in this session:").inner_text()
            assert [n for n in names if n in listed] == [name], listed
            assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        for _name, context, _page, _cookie in students:
            context.close()
    for _ in range(300):  # nginx logs a websocket when it closes
        seen = served_by(run_dir)
        if all(seen.get(cookie, {}).get("stream") for *_, cookie in students):
            break
        time.sleep(0.1)
    for name, _context, _page, cookie in students:
        (stream,) = seen[cookie]["stream"]  # one process held the session ...
        assert seen[cookie]["upload"] == {stream}, name  # ... and got the upload
    assert len({u for *_, cookie in students for u in seen[cookie]["stream"]}) == PROCESSES
