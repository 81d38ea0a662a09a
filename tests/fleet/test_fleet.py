"""Four arq worker processes share one account through Redis: 1,000 jobs, one SIGKILL.

The fleet issue's acceptance test, with a task queue users already run (arq, this Redis as its
broker) and the emulator on a real socket. Jobs cover both providers, repeat requests (so
identical requests meet on different workers) and include refused ones; the emulator injects
faults; Mureka tasks take a fixed wall-clock time, so the concurrency limit is what bounds
throughput. One worker is SIGKILLed once a tenth of the jobs are done.

How arq recovers the killed worker's jobs: a job stays in arq's queue until a worker records
its result; taking it sets an "in progress" key that expires ``job_timeout + 10`` seconds
later. When that key expires without a result, any worker takes the job again (``job_try``
2). No producer-side re-enqueueing is needed; the journal in the shared cache makes the re-run
resume the task the dead worker paid for.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from musicgen.testing import Emulator, EmulatorServer, Fault

arq = pytest.importorskip("arq", reason="the fleet test needs arq: pip install arq")

pytestmark = pytest.mark.fleet

ROOT = Path(__file__).parents[2]
WORKERS = 4
JOBS = 1000
SUNO_REQUESTS = 60  # Suno takes 20 submissions per 10 s: each one costs the fleet 0.5 s
MUREKA_REQUESTS = 400
BAD_REQUESTS = 5  # refused before submission: their result is a failure value
LIMIT = 20  # Mureka's concurrent_request_limit, as the billing endpoint reports it
# How long every emulated task runs. Long against what following a task costs (a status read
# every 0.25 s, a try for a free slot every 0.25 s at most), so that the limit, not those
# costs or this 2-core machine's CPU, is what bounds throughput: 400 tasks take about 80 s, in
# 20 rounds of LIMIT (a round delayed by the SIGKILL costs 5%).
TASK_SECONDS = 4.0
KILL_AFTER = JOBS // 10


def distinct_requests() -> list[dict[str, Any]]:
    """Every distinct request of the run, as ``generate`` keyword arguments."""
    suno = [
        {"provider": "suno", "lyrics": f"[Verse]\nSuno line {i}", "style": "folk", "title": f"S{i}"}
        for i in range(SUNO_REQUESTS)
    ]
    mureka = [
        {"provider": "mureka", "lyrics": f"[Verse]\nMureka line {i}", "style": "pop"}
        for i in range(MUREKA_REQUESTS)
    ]
    bad = [{"provider": "mureka", "lyrics": "x" * (3001 + i)} for i in range(BAD_REQUESTS)]
    return suno + mureka + bad


def job_list() -> list[dict[str, Any]]:
    """JOBS jobs: every distinct request once, the rest repeats, shuffled (seeded)."""
    distinct = distinct_requests()
    rng = random.Random(13)
    jobs = distinct + [rng.choice(distinct) for _ in range(JOBS - len(distinct))]
    rng.shuffle(jobs)
    return jobs


class SubmissionClock:
    """Samples the emulator's Mureka submissions, to time the sustained submission rate."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self.times: list[float] = []  # the time each submission count was first seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            seen = self._emulator.submissions("mureka")
            now = time.monotonic()
            self.times.extend([now] * (seen - len(self.times)))

    def __enter__(self) -> SubmissionClock:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def sustained_rate(self) -> float:
        """Submissions per second after the first full wave of LIMIT, to the last one."""
        return (len(self.times) - LIMIT) / (self.times[-1] - self.times[LIMIT - 1])


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """One real worker process, started the way users start arq."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "arq", "tests.fleet.worker.WorkerSettings"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def emulator() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(
        mureka_concurrent_request_limit=LIMIT,
        task_seconds=TASK_SECONDS,
        suno_credits=10**6,
        mureka_balance_cents=10**7,
    )
    for provider in ("suno", "mureka"):
        emulator.inject(Fault("rate_limit", provider=provider, operation="submit", times=3))
        emulator.inject(Fault("server_error", provider=provider, operation="status", times=10))
        emulator.inject(Fault("slow", provider=provider, operation="status", delay=0.3, times=10))
    emulator.inject(Fault("overloaded", provider="mureka", operation="submit", times=3))
    emulator.inject(Fault("maintenance", provider="suno", operation="submit", times=3))
    with EmulatorServer(emulator) as server:
        yield emulator, server.url


async def run_jobs(
    redis_url: str, queue: str, jobs: list[dict[str, Any]], kill: Any
) -> list[dict[str, Any]]:
    """Enqueue the jobs, call ``kill`` once KILL_AFTER results are in, return every result."""
    from arq.connections import RedisSettings, create_pool

    pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=queue)
    try:
        handles = [
            await pool.enqueue_job("generate", request, _job_id=f"job-{i}")
            for i, request in enumerate(jobs)
        ]
        done = 0
        readers = asyncio.Semaphore(20)  # the pool's connections, not one per waiting job

        async def result(handle: Any) -> dict[str, Any]:
            nonlocal done
            async with readers:
                value: dict[str, Any] = await handle.result(timeout=150, poll_delay=0.2)
            done += 1
            if done == KILL_AFTER:
                kill()
            return value

        return await asyncio.gather(*(result(handle) for handle in handles if handle))
    finally:
        await pool.aclose()


def test_a_fleet_pays_each_request_once_under_the_limit_through_a_sigkill(
    redis_url: str, redis_prefix: str, emulator: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulated, url = emulator
    jobs = job_list()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "FLEET_REDIS_URL": redis_url,
        "FLEET_EMULATOR_URL": url,
        "FLEET_PREFIX": redis_prefix,
    }
    workers = [start_worker(env, tmp_path / f"worker-{n}.log") for n in range(WORKERS)]
    killed = workers[0]
    try:
        with SubmissionClock(emulated) as clock:
            results = asyncio.run(
                run_jobs(
                    redis_url,
                    redis_prefix + "queue",
                    jobs,
                    lambda: killed.send_signal(signal.SIGKILL),
                )
            )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    logs = {log.name: log.read_text(errors="replace")[-2000:] for log in tmp_path.glob("*.log")}

    assert killed.returncode == -signal.SIGKILL
    assert len(results) == JOBS
    refused = [r for r in results if "error" in r]
    assert {r["error"] for r in refused} == {"ValidationError"}, (refused[:3], logs)
    assert all(r["status"] == "succeeded" and r["tracks"] > 0 for r in results if "error" not in r)
    by_request: dict[str, set[str | None]] = {}
    for request, result in zip(jobs, results, strict=True):
        by_request.setdefault(repr(sorted(request.items())), set()).add(result.get("task_id"))
    assert all(len(ids) == 1 for ids in by_request.values())  # duplicates share one task
    assert emulated.submissions("suno") == SUNO_REQUESTS
    assert emulated.submissions("mureka") == MUREKA_REQUESTS  # 0 paid twice, SIGKILL included
    assert emulated.max_concurrent("mureka") <= LIMIT
    allowed = LIMIT / TASK_SECONDS
    print(f"mureka: {clock.sustained_rate():.2f} tasks/s sustained, limit allows {allowed:.2f}")
    assert clock.sustained_rate() >= 0.9 * allowed
