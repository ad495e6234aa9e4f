"""Training jobs in a pool of worker processes, shared by every session of one server process.

A page submits a job (a character-model training run or a memory-task run) and polls it; the
job runs in one of `workers()` long-lived worker processes, not in the session's script thread,
so trainings use every core and never hold the server's interpreter lock. Jobs wait in one
first-in-first-out queue per server process; `Pool.ahead(job)` is the number of jobs waiting
before it. Each owner (a Streamlit session) has at most one job queued or running: a new
submission stops the owner's previous one. A job whose owner is gone (`alive(owner)` false,
e.g. the session ended) is stopped too.

Between the server and a worker only JSON and the project's own .npz model bytes travel (each
message framed by `Connection.send_bytes`; nothing is unpickled): the server sends the job's
spec, the worker answers with one message per step and an end message. A Stop is the message
b"stop", which the worker reads between steps; a worker that does not stop within STOP_GRACE
seconds is killed and replaced. Workers are ended when the server exits, and
exit by themselves when the server's end of their socket closes, so none outlives the server.

This module imports no Streamlit: the worker processes import it, the engine and NumPy only.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from lstm_engine import CodedError, ModelConfig, Vocab, init_model, load_model, model_to_bytes
from lstm_engine.training.experiments import MemoryResult, train_memory_task
from lstm_engine.training.train import Progress, TrainConfig, TrainingDiverged, train

POLL_S = 0.2  # how often a dispatcher thread checks for a Stop or a gone owner while a job runs
STOP_GRACE = 30.0  # seconds a worker gets to finish its current step after a Stop
WORKERS_ENV = "LSTM_EXPLORER_WORKERS"  # overrides the pool size (e.g. several servers per machine)
STOP = b"stop"
ROOT = Path(__file__).resolve().parent.parent  # the project, importable from a worker
ACTIVE = ("queued", "running")
PROGRESS_FIELDS = tuple(f.name for f in fields(Progress))


def workers() -> int:
    """The pool size: $LSTM_EXPLORER_WORKERS, else the number of cores this process may use."""
    wanted = os.environ.get(WORKERS_ENV, "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------- job specs (server side)
def text_spec(model: ModelConfig, text: str, config: TrainConfig) -> dict:
    """The spec of a character-model training run: `train(init_model(model, Vocab.from_text(text)),
    text, config)`, exactly as an in-thread run would do it."""
    return {"task": "text", "model": asdict(model), "text": text, "config": asdict(config)}


def memory_spec(task: str, kind: str, lag: int, steps: int, forget_bias: float) -> dict:
    """The spec of a memory-task run: `train_memory_task(task, kind, lag, steps, forget_bias=...)`."""
    return {"task": "memory", "args": {"task": task, "kind": kind, "lag": lag, "steps": steps,
                                       "forget_bias": forget_bias}}  # fmt: skip


# ---------------------------------------------------------------- worker side
def _run_text(spec: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]):
    """Train a character model; one step message per Progress, the model as .npz bytes."""
    text = spec["text"]
    model = init_model(ModelConfig(**spec["model"]), Vocab.from_text(text))

    def on_step(p: Progress) -> bool:
        report({"type": "step", **asdict(p)})
        return not should_stop()

    result = train(model, text, TrainConfig(**spec["config"]), on_step)
    return {"status": "stopped" if result.stopped else "done"}, model_to_bytes(result.model)


def _run_memory(spec: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]):
    """Train a memory task; one step message per step, the MemoryResult's fields at the end."""

    def on_step(step: int, steps: int, loss: float) -> bool:
        report({"type": "step", "step": step, "steps": steps, "loss": loss})
        return not should_stop()

    result = train_memory_task(**spec["args"], callback=on_step)
    return {"status": "stopped" if result.stopped else "done", "result": asdict(result)}, None


RUNNERS = {"text": _run_text, "memory": _run_memory}


def _serve_one(spec: dict, conn) -> None:
    """Run one job in this worker, streaming its messages to the server."""

    def report(msg: dict) -> None:
        conn.send_bytes(json.dumps(msg, default=float).encode())

    def should_stop() -> bool:
        stop = False
        while conn.poll():  # EOFError when the server is gone: the worker exits
            stop |= conn.recv_bytes() == STOP
        return stop

    blob = None
    try:
        end, blob = RUNNERS[spec["task"]](spec, report, should_stop)
    except TrainingDiverged as exc:
        end = {"status": "diverged", "cause": exc.cause, "step": exc.step, "value": exc.value}
        end |= {"code": exc.code, "params": exc.params}
    except (ValueError, RuntimeError) as exc:
        end = {"status": "failed", "error": str(exc)}
        if isinstance(exc, CodedError):  # the page words it in the user's language
            end |= {"code": exc.code, "params": exc.params}
    report({"type": "end", **end, "blob": blob is not None})
    if blob is not None:
        conn.send_bytes(blob)


def worker_fd(fd: int) -> None:
    """Entry point of a worker process started by Pool._spawn, on the socket with this fd."""
    worker_main(Connection(fd))


def worker_main(conn: Connection) -> None:
    """A worker process: run the jobs the server sends until its end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C ends the server, which ends us
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")  # one core per worker
    except ImportError:
        pass
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if raw != STOP:  # a Stop that arrived after its job had ended
            try:
                _serve_one(json.loads(raw), conn)
            except (EOFError, OSError, BrokenPipeError):
                return


# ---------------------------------------------------------------- server side
@dataclass(eq=False)
class Job:
    """One submitted run, updated by the pool's dispatcher thread and read by the page.

    status: queued | running | done | stopped | diverged | failed. progress: one entry per
    finished step (a train.Progress for text jobs, (step, steps, loss) for memory jobs).
    result: the trained Model / MemoryResult once ended (None if the worker had to be killed).
    end: the worker's end message (cause, step and value of a divergence; error of a failure;
    lost: true when the worker process died or had to be killed).
    """

    id: int
    owner: str
    spec: dict = field(repr=False)
    status: str = "queued"
    progress: list = field(default_factory=list)
    result: Any = None
    end: dict = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ACTIVE

    def cancel(self) -> None:
        """Ask the job to stop (a queued job never starts; a running one stops after its step)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended; True if it has."""
        return self._ended.wait(timeout)

    def _step(self, msg: dict) -> None:
        if self.spec["task"] == "text":
            self.progress.append(Progress(**{k: msg[k] for k in PROGRESS_FIELDS}))
        else:
            self.progress.append((msg["step"], msg["steps"], msg["loss"]))

    def _finish(self, end: dict, blob: bytes | None) -> None:
        if blob is not None:
            self.result = load_model(blob)
        elif "result" in end:
            self.result = MemoryResult(**end["result"])
        self.end = end
        self.status = end["status"]
        self._ended.set()


class Pool:
    """Worker processes, one dispatcher thread each, and the queue of waiting jobs."""

    def __init__(self, size: int, alive: Callable[[str], bool] = lambda owner: True) -> None:
        self.size = size
        self._alive = alive
        self._queue: deque[Job] = deque()
        self._by_owner: dict[str, Job] = {}
        self._cv = threading.Condition()
        self._ids = itertools.count(1)
        self._threads: list[threading.Thread] = []
        self._procs: dict[int, subprocess.Popen] = {}  # slot -> its worker process
        self._closed = False

    def submit(self, owner: str, spec: dict) -> Job:
        """Queue a job for `owner`, stopping the owner's previous one if it is still active."""
        with self._cv:
            if self._closed:
                raise RuntimeError("the training pool has shut down")
            previous = self._by_owner.get(owner)
            if previous is not None:
                previous.cancel()
            job = Job(next(self._ids), owner, spec)
            self._by_owner[owner] = job
            self._queue.append(job)
            if not self._threads:
                self._start()
            self._cv.notify()
            return job

    def ahead(self, job: Job) -> int:
        """How many waiting jobs are before this one in the queue (0 when it is next or running)."""
        with self._cv:
            waiting = [j for j in self._queue if not j._stop.is_set()]
            return waiting.index(job) if job in waiting else 0

    def running(self) -> int:
        """How many jobs are running now."""
        with self._cv:
            return sum(j.status == "running" for j in self._by_owner.values())

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers."""
        return [p.pid for p in self._procs.values() if p.poll() is None]

    def shutdown(self) -> None:
        """Stop every job, end the workers and the dispatcher threads."""
        with self._cv:
            self._closed = True
            for job in [*self._queue, *self._by_owner.values()]:
                job.cancel()
            self._cv.notify_all()
        for thread in self._threads:
            thread.join(timeout=STOP_GRACE + 5)
        for proc in self._procs.values():
            _end(proc)

    # ------------------------------------------------------------ dispatcher
    def _start(self) -> None:
        for slot in range(self.size):
            thread = threading.Thread(
                target=self._serve, args=(slot,), name=f"train-pool-{slot}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _next(self) -> Job | None:
        """The next job to run (skipping stopped and orphaned ones), or None at shutdown."""
        with self._cv:
            while True:
                while self._queue:
                    job = self._queue.popleft()
                    if job._stop.is_set() or not self._owner_alive(job):
                        self._release(job, {"status": "stopped"})
                        continue
                    job.status = "running"
                    return job
                if self._closed:
                    return None
                self._cv.wait()

    def _owner_alive(self, job: Job) -> bool:
        """`alive(owner)`; an alive check that fails counts as alive (a job is never lost to it)."""
        try:
            return bool(self._alive(job.owner))
        except Exception:  # noqa: BLE001 - the check is the caller's code; the dispatcher must go on
            return True

    def _release(self, job: Job, end: dict, blob: bytes | None = None) -> None:
        job._finish(end, blob)
        with self._cv:
            if self._by_owner.get(job.owner) is job:
                del self._by_owner[job.owner]

    def _spawn(self, slot: int) -> tuple[subprocess.Popen, Connection]:
        """Start a worker: a fresh interpreter (no fork of a threaded server) that imports this
        module, the engine and NumPy only, talking over a socket pair passed as fd."""
        ours, theirs = socket.socketpair()
        code = f"from explorer.jobs import worker_fd; worker_fd({theirs.fileno()})"
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, pass_fds=[theirs.fileno()])
        theirs.close()
        self._procs[slot] = proc
        return proc, Connection(ours.detach())

    def _serve(self, slot: int) -> None:
        proc, conn = self._spawn(slot)
        while (job := self._next()) is not None:
            if proc.poll() is not None:
                proc, conn = self._spawn(slot)
            try:
                self._run(job, conn)
            except (EOFError, OSError, TimeoutError):  # the worker died or would not stop
                _end(proc)
                conn.close()
                self._release(job, {"status": "stopped" if job._stop.is_set() else "failed", "lost": True})
                proc, conn = self._spawn(slot)
        conn.close()  # the worker reads EOF and exits
        _end(proc)

    def _run(self, job: Job, conn) -> None:
        """Send the job to a worker and relay its messages until it ends."""
        conn.send_bytes(json.dumps(job.spec).encode())
        stop_by = None
        while True:
            if stop_by is None and (job._stop.is_set() or not self._owner_alive(job)):
                job.cancel()
                conn.send_bytes(STOP)
                stop_by = time.monotonic() + STOP_GRACE
            if stop_by is not None and time.monotonic() > stop_by:
                raise TimeoutError
            if not conn.poll(POLL_S):
                continue
            msg = json.loads(conn.recv_bytes())
            if msg["type"] == "step":
                job._step(msg)
                continue
            blob = conn.recv_bytes() if msg.pop("blob") else None
            self._release(job, msg, blob)
            return


def _end(proc: subprocess.Popen) -> None:
    """Make sure a worker process has ended and is reaped."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def pool(alive: Callable[[str], bool] = lambda owner: True) -> Pool:
    """This process's pool (created on first use with `workers()` workers and `alive`)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Pool(workers(), alive)
            atexit.register(_POOL.shutdown)
        return _POOL
