"""run_until: an exchange in a worker thread, waited for until a deadline at most."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest

from musicgen._exchange import Abandoned
from musicgen._workers import _Job, run_until

WHO: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


def test_the_result_comes_back_from_a_daemon_thread() -> None:
    seen: list[threading.Thread] = []

    def work(x: int) -> int:
        seen.append(threading.current_thread())
        return x * 2

    assert run_until(5, work, 21) == 42
    assert seen[0] is not threading.current_thread()
    assert seen[0].daemon  # an abandoned job never delays the interpreter's exit


def test_the_job_runs_in_the_callers_context() -> None:
    token = WHO.set("caller")
    try:
        assert run_until(5, WHO.get) == "caller"
    finally:
        WHO.reset(token)


def test_an_exception_is_re_raised_as_it_came() -> None:
    def fail() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom") as caught:
        run_until(5, fail)
    frames = [str(entry.path) for entry in caught.traceback]
    assert not [name for name in frames if "concurrent" in name]


def test_a_job_still_running_at_the_deadline_is_abandoned() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(Abandoned) as caught:
        run_until(0.1, release.wait, 5)
    assert time.monotonic() - started < 2
    assert caught.value.started
    release.set()


def test_a_job_cancelled_before_it_starts_never_runs() -> None:
    ran: list[bool] = []
    job = _Job(lambda: ran.append(True), ())
    assert job.cancel()
    job.run()
    assert not ran


def test_a_started_job_cannot_be_cancelled() -> None:
    job = _Job(lambda: None, ())
    job.run()
    assert not job.cancel()


def workers() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "musicgen-exchange")


def test_idle_workers_are_reused() -> None:
    run_until(5, lambda: None)
    before = workers()
    for _ in range(50):
        run_until(5, lambda: None)
    assert workers() <= before  # one job after another: no new thread for each
