"""Serve a classroom: N app processes behind nginx, sticky sessions and websockets.

    python scripts/serve_class.py N PORT [--upstream HOST:PORT ...] [--sticky cookie|ip]
    scripts/serve_class.sh N PORT ...            (the same)

Starts N app processes (scripts/serve.py) on 127.0.0.1:FIRST_PORT.. (default PORT+1..), each
with one BLAS thread and a training pool of cores/N workers (explorer.jobs), then Debian's nginx
on 0.0.0.0:PORT in front of them, with the config written to a run directory (printed). Each
--upstream adds an app process on another machine (started there with
`python scripts/serve.py --server.address 0.0.0.0 --server.port P`); N may be 0 then.

Sticky sessions: Streamlit keeps a session in the process that holds its websocket, and file
uploads are separate HTTP requests that must reach that process. `--sticky cookie` (default)
gives every browser a random cookie on its first request and hashes it; `--sticky ip` is
nginx's ip_hash (every client address, or every /24 of IPv4, always reaches the same process:
a school behind one NAT address would all land on one process). Ctrl-C or SIGTERM stops
nginx and every process it started.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_UPLOAD_MB = 8  # .streamlit/config.toml server.maxUploadSize: nginx must pass that much
STICKY_COOKIE = "lx_sticky"


def nginx_config(listen: int, upstreams: list[str], run_dir: Path, sticky: str = "cookie") -> str:
    """nginx.conf text: listen on 0.0.0.0:`listen`, proxy to `upstreams` ("host:port", local or
    on other machines) with websocket upgrade and sticky sessions ("cookie" or "ip")."""
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    if sticky not in ("cookie", "ip"):
        raise ValueError("sticky must be 'cookie' or 'ip'")
    balance = "ip_hash;" if sticky == "ip" else "hash $lx_sticky consistent;"
    servers = "\n".join(f"        server {u} max_fails=0;" for u in upstreams)
    tmp = run_dir / "tmp"
    return f"""# written by scripts/serve_class.py
worker_processes auto;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format sticky '$cookie_{STICKY_COOKIE} $upstream_addr $status "$request"';
    access_log {run_dir}/access.log sticky;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # the browser's sticky cookie, or a fresh random one on its very first request
    map $cookie_{STICKY_COOKIE} $lx_sticky {{ "" $request_id; default $cookie_{STICKY_COOKIE}; }}
    map $cookie_{STICKY_COOKIE} $lx_set_cookie {{
        "" "{STICKY_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    upstream lstm_explorer {{
        {balance}
{servers}
    }}
    server {{
        listen {listen};
        client_max_body_size {MAX_UPLOAD_MB + 1}m;
        location / {{
            proxy_pass http://lstm_explorer;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie $lx_set_cookie always;
        }}
    }}
}}
"""


def wait_healthy(url: str, procs: list[subprocess.Popen], timeout: float = 120) -> None:
    """Wait until url/_stcore/health answers 200; raise if a process died or time ran out."""
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{proc.args[1] if len(proc.args) > 1 else proc.args} exited rc={proc.returncode}"
                )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not become healthy")
        time.sleep(0.2)


def start_app(port: int, workers: int, log: Path) -> subprocess.Popen:
    """One app process on 127.0.0.1:port with `workers` training workers and one BLAS thread."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "LSTM_EXPLORER_WORKERS": str(workers)}
    cmd = [
        sys.executable, str(ROOT / "scripts" / "serve.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM every process, then SIGKILL what lingers."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("processes", type=int, help="app processes to start on this machine")
    ap.add_argument("port", type=int, help="the port nginx listens on (the class's URL)")
    ap.add_argument("--first-port", type=int, help="port of the first local process (default PORT+1)")
    ap.add_argument("--upstream", action="append", default=[], help="HOST:PORT of a process elsewhere")
    ap.add_argument("--sticky", choices=("cookie", "ip"), default="cookie")
    ap.add_argument("--workers", type=int, help="training workers per process (default cores/N)")
    ap.add_argument("--run-dir", type=Path, help="where the config and logs go (default: a temp dir)")
    args = ap.parse_args(argv)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx not found: apt-get install -y nginx", file=sys.stderr)
        return 2
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = args.workers or max(1, cores // max(args.processes, 1))
    first = args.first_port or args.port + 1
    local = [first + i for i in range(args.processes)]
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="lstm-class-"))
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
        (run_dir / sub).chmod(0o777)  # nginx's workers run as an unprivileged user
    run_dir.chmod(0o755)
    (run_dir / "tmp").chmod(0o755)
    conf = run_dir / "nginx.conf"
    conf.write_text(
        nginx_config(args.port, [f"127.0.0.1:{p}" for p in local] + args.upstream, run_dir, args.sticky)
    )

    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally below
    try:
        procs += [start_app(p, workers, run_dir / f"app-{p}.log") for p in local]
        for p in local:
            wait_healthy(f"http://127.0.0.1:{p}", procs)
        cmd = [
            nginx,
            "-p",
            str(run_dir),
            "-e",
            str(run_dir / "error.log"),
            "-c",
            str(conf),
            "-g",
            "daemon off;",
        ]
        procs.append(subprocess.Popen(cmd))
        wait_healthy(f"http://127.0.0.1:{args.port}", procs)
        print(f"class URL: http://<this machine>:{args.port}  ({len(local)} local processes on ports "
              f"{local[0] if local else '-'}..{local[-1] if local else '-'}, {workers} training workers each; "
              f"{len(args.upstream)} remote; sticky by {args.sticky}; config and logs in {run_dir})", flush=True)  # fmt: skip
        while all(proc.poll() is None for proc in procs):
            time.sleep(1)
        return 1  # a process died
    except KeyboardInterrupt:
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    raise SystemExit(main())
