"""One overall deadline, whatever the retries do: over a real socket, on both clients.

Each attempt's timeout is what is left of the call's deadline, recomputed for every retry, so
a slow retry cannot carry the call past it. These are behaviour checks with a generous margin
(0.2 s), not speed measurements.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from musicgen import MusicGenError, RetryPolicy, SubmissionUncertainError
from musicgen.testing import EmulatorServer, Fault
from musicgen.testing._clients import emulated_async_client, emulated_client

DEADLINE = 1.5
MARGIN = 0.2
SUNO = {"provider": "suno", "prompt": "a calm tune"}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def generate_sync(base_url: str, **call: Any) -> tuple[float, MusicGenError | None]:
    """How long ``generate(**call)`` took on a blocking client, and what it raised."""
    with emulated_client(base_url=base_url, retry=RetryPolicy()) as client:
        return timed(lambda: client.generate(**call))


def generate_async(base_url: str, **call: Any) -> tuple[float, MusicGenError | None]:
    """The same on an async client (the call alone: not the event loop's start or end)."""

    async def main() -> tuple[float, MusicGenError | None]:
        async with emulated_async_client(base_url=base_url, retry=RetryPolicy()) as client:
            started = time.monotonic()
            try:
                await client.generate(**call)
            except MusicGenError as error:
                return time.monotonic() - started, error
            return time.monotonic() - started, None

    return asyncio.run(main())


#: A client's generate, timed: seconds, and the error it raised (None if it returned).
Generate = Callable[..., tuple[float, MusicGenError | None]]

CLIENTS = pytest.mark.parametrize(
    "generate", [generate_sync, generate_async], ids=["sync", "async"]
)


def timed(run: Callable[[], object]) -> tuple[float, MusicGenError | None]:
    started = time.monotonic()
    try:
        run()
    except MusicGenError as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


@CLIENTS
@pytest.mark.parametrize("retry_after", ["0.5", None], ids=["retry-after", "backoff"])
def test_a_slow_retry_of_a_rate_limited_submission_ends_by_the_deadline(
    server: EmulatorServer, generate: Generate, retry_after: str | None
) -> None:
    server.emulator.inject(Fault("rate_limit", operation="submit", retry_after=retry_after))
    server.emulator.inject(Fault("slow", operation="submit", delay=5.0))

    elapsed, error = generate(server.url, timeout=DEADLINE, **SUNO)

    assert elapsed < DEADLINE + MARGIN
    # The slow retry was sent and timed out: it may have started a task, so it is not resent.
    assert isinstance(error, SubmissionUncertainError)


@CLIENTS
def test_slow_status_reads_end_by_the_deadline(server: EmulatorServer, generate: Generate) -> None:
    server.emulator.inject(Fault("slow", operation="status", delay=5.0, times=10))

    elapsed, error = generate(server.url, timeout=DEADLINE, **SUNO)

    assert elapsed < DEADLINE + MARGIN
    assert error is not None
    assert error.task_id is not None  # the paid task can be resumed
