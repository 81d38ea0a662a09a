"""Worker threads that let a blocking call stop waiting at its deadline.

A blocking socket read cannot be interrupted from another thread, and httpx bounds only each
read, not a whole exchange: a body trickling in a byte at a time would keep a caller far past
its deadline. A client musicgen builds clamps each socket operation itself (``_deadlines``);
for an ``httpx.Client`` the user passes in, which musicgen does not change, the blocking client
runs each exchange that has a deadline in one of these threads and waits for it at most until
the deadline (``run_until``); the abandoned exchange then stops on its own at its next chunk,
or when its own clamped read timeout expires.

The threads are daemons (an abandoned exchange never delays the interpreter's exit), shared by
every client, reused while busy and gone after a while idle.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._exchange import Abandoned

__all__ = ["run_until"]

T = TypeVar("T")

#: Seconds an idle worker waits for another job before it ends.
IDLE_SECONDS = 30.0


class _Job:
    """One call to run in a worker, and its outcome."""

    __slots__ = ("_args", "_context", "_function", "_lock", "done", "error", "result", "state")

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._function = function
        self._args = args
        self._context = contextvars.copy_context()
        self._lock = threading.Lock()
        self.done = threading.Event()
        self.state = "queued"  # then "running", or "cancelled" if the caller left first
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        """Run the call, unless cancelled; ``done`` is set by the pool right after."""
        with self._lock:
            if self.state == "cancelled":
                return
            self.state = "running"
        try:
            self.result = self._context.run(self._function, *self._args)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller
            self.error = error

    def cancel(self) -> bool:
        """Stop a job that has not started; False if it has."""
        with self._lock:
            if self.state == "queued":
                self.state = "cancelled"
            return self.state == "cancelled"


class _Pool:
    """Daemon threads taking jobs from one queue; one more is started when none is idle."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._idle = 0  # workers not running a job
        self._pending = 0  # jobs queued and not yet taken

    def submit(self, job: _Job) -> None:
        with self._lock:
            self._jobs.put(job)
            self._pending += 1
            if self._idle >= self._pending:
                return  # an idle worker will take it
            thread = threading.Thread(target=self._work, name="musicgen-exchange", daemon=True)
            self._idle += 1  # counted as idle until it takes a job, like the others
        thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > self._pending:  # no job is counting on this worker
                        self._idle -= 1
                        return
                continue
            with self._lock:
                self._pending -= 1
                self._idle -= 1
            try:
                job.run()
            finally:
                with self._lock:
                    self._idle += 1
                # Idle again before the caller hears of it: its next job needs no new thread.
                job.done.set()


_POOL = _Pool()
if hasattr(os, "register_at_fork"):
    # A child process inherits the counts but not the threads: start afresh.
    os.register_at_fork(after_in_child=_POOL._reset)


def run_until(seconds: float, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker thread, in the caller's context; wait ``seconds`` at most.

    Raises:
        Abandoned: ``seconds`` passed first; the job runs on, unobserved, unless it had not
            started. (An interrupt meanwhile is re-raised as it came.)
        BaseException: Whatever ``function`` raised.
    """
    job = _Job(function, args)
    _POOL.submit(job)
    try:
        finished = job.done.wait(seconds)
    finally:
        job.cancel()  # a Ctrl-C meanwhile: a job not yet started never starts
    if not finished:
        raise Abandoned(started=not job.cancel())
    if job.error is not None:
        # Re-raised here, not through a Future: no executor frames in the user's traceback.
        error, job.error = job.error, None
        raise error
    return cast(T, job.result)
