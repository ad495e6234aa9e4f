"""The training pool (explorer.jobs): exact results, Stop, one job per owner, ended owners,
dead workers, and no worker process outliving its server."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from explorer import jobs
from lstm_engine import ModelConfig, Vocab, init_model
from lstm_engine.training.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
TEXT = "hello world, (quoted) text\n" * 40
MODEL = ModelConfig(kind="lstm", hidden_size=8)
ENDLESS = jobs.text_spec(MODEL, TEXT, TrainConfig(steps=10**6, batch_size=4, seq_len=16))


@pytest.fixture
def pool():
    p = jobs.Pool(1)
    yield p
    p.shutdown()


def wait_for_steps(job: jobs.Job, n: int) -> None:
    """Block until the job has reported n steps or ended."""
    while len(job.progress) < n and not job.wait(0.05):
        pass


def gone(pid: int) -> bool:
    """The process has exited (no such process, or a zombie nobody reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_text_job_equals_the_in_thread_trainer_bit_for_bit(pool):
    config = TrainConfig(steps=15, batch_size=4, seq_len=16, eval_every=5, sample_every=5, dtype="float64")
    job = pool.submit("a", jobs.text_spec(MODEL, TEXT, config))
    assert job.wait(120) and job.status == "done"
    ref = train(init_model(MODEL, Vocab.from_text(TEXT)), TEXT, config)
    for k, a in ref.model.fused().items():
        assert np.array_equal(job.result.fused()[k], a) and job.result.fused()[k].dtype == a.dtype
    assert [(p.step, p.loss, p.val_loss, p.sample) for p in job.progress] == [
        (p.step, p.loss, p.val_loss, p.sample) for p in ref.history
    ]


def test_cancel_stops_the_job_and_the_worker_takes_the_next(pool):
    job = pool.submit("a", ENDLESS)
    wait_for_steps(job, 2)
    job.cancel()
    assert job.wait(60) and job.status == "stopped"
    assert job.result is not None and len(job.progress) >= 2
    pid = pool.worker_pids()
    nxt = pool.submit("b", jobs.memory_spec("adding", "rnn", 5, 4, 0.0))
    assert nxt.wait(60) and nxt.status == "done" and len(nxt.progress) == 4
    assert pool.worker_pids() == pid  # the same worker, not a replacement


def test_one_job_per_owner_a_new_one_stops_the_old(pool):
    first = pool.submit("a", ENDLESS)
    wait_for_steps(first, 1)
    second = pool.submit("a", jobs.memory_spec("adding", "rnn", 5, 3, 0.0))
    assert first.wait(60) and first.status == "stopped"
    assert second.wait(60) and second.status == "done"


def test_the_queue_position_counts_the_jobs_waiting_before(pool):
    running = pool.submit("a", ENDLESS)
    wait_for_steps(running, 1)
    waiting = [pool.submit(owner, ENDLESS) for owner in "bcd"]
    assert [pool.ahead(j) for j in waiting] == [0, 1, 2]
    assert all(j.status == "queued" for j in waiting)
    waiting[0].cancel()  # a stopped job no longer counts
    assert [pool.ahead(j) for j in waiting[1:]] == [0, 1]
    for job in [running, *waiting]:
        job.cancel()
    assert all(job.wait(60) for job in waiting) and waiting[0].status == "stopped"
    assert not waiting[0].progress  # it never started


def test_a_job_whose_owner_ended_is_stopped():
    ended: set[str] = set()
    pool = jobs.Pool(1, alive=lambda owner: owner not in ended)
    try:
        job = pool.submit("a", ENDLESS)
        wait_for_steps(job, 1)
        ended.add("a")
        assert job.wait(60) and job.status == "stopped"
    finally:
        pool.shutdown()


def test_a_worker_that_dies_fails_its_job_and_is_replaced(pool):
    job = pool.submit("a", ENDLESS)
    wait_for_steps(job, 1)
    (pid,) = pool.worker_pids()
    pool._procs[0].kill()
    assert job.wait(60) and job.status == "failed" and job.end["lost"]
    nxt = pool.submit("b", jobs.memory_spec("adding", "rnn", 5, 3, 0.0))
    assert nxt.wait(60) and nxt.status == "done"
    assert pool.worker_pids() != [pid]


def test_shutdown_ends_every_worker():
    pool = jobs.Pool(2)
    job = pool.submit("a", ENDLESS)
    wait_for_steps(job, 1)
    pids = pool.worker_pids()
    assert len(pids) == 2
    pool.shutdown()
    assert job.status == "stopped" and all(gone(pid) for pid in pids)


def test_no_worker_outlives_a_killed_server():
    """A server killed with SIGKILL runs no clean-up; its workers see their socket close and exit."""
    server = textwrap.dedent(
        f"""
        import sys
        from explorer import jobs
        from lstm_engine import ModelConfig
        from lstm_engine.training.train import TrainConfig
        pool = jobs.Pool(2)
        job = pool.submit("a", jobs.text_spec(ModelConfig("lstm", 8), {TEXT!r}, TrainConfig(steps=10**6, batch_size=4)))
        while not job.progress:
            job.wait(0.05)
        print(*pool.worker_pids(), flush=True)
        sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", server], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2 and not any(gone(pid) for pid in pids)
    proc.kill()
    proc.wait()
    for pid in pids:  # a worker notices at its next step; give up (fail) after a minute
        for _ in range(1200):
            if gone(pid):
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert gone(pid), f"worker {pid} outlived its server"
