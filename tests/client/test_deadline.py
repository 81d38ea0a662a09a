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


def generate_sync(base_url: str, **call: Any) -> None:
    with emulated_client(base_url=base_url, retry=RetryPolicy()) as client:
        client.generate(**call)


def generate_async(base_url: str, **call: Any) -> None:
    async def main() -> None:
        async with emulated_async_client(base_url=base_url, retry=RetryPolicy()) as client:
            await client.generate(**call)

    asyncio.run(main())


CLIENTS = pytest.mark.parametrize(
    "generate", [generate_sync, generate_async], ids=["sync", "async"]
)


def timed(run: Callable[[], None]) -> tuple[float, MusicGenError | None]:
    started = time.monotonic()
    try:
        run()
    except MusicGenError as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


@CLIENTS
@pytest.mark.parametrize("retry_after", ["0.5", None], ids=["retry-after", "backoff"])
def test_a_slow_retry_of_a_rate_limited_submission_ends_by_the_deadline(
    server: EmulatorServer, generate: Callable[..., None], retry_after: str | None
) -> None:
    server.emulator.inject(Fault("rate_limit", operation="submit", retry_after=retry_after))
    server.emulator.inject(Fault("slow", operation="submit", delay=5.0))

    elapsed, error = timed(lambda: generate(server.url, timeout=DEADLINE, **SUNO))

    assert elapsed < DEADLINE + MARGIN
    # The slow retry was sent and timed out: it may have started a task, so it is not resent.
    assert isinstance(error, SubmissionUncertainError)


@CLIENTS
def test_slow_status_reads_end_by_the_deadline(
    server: EmulatorServer, generate: Callable[..., None]
) -> None:
    server.emulator.inject(Fault("slow", operation="status", delay=5.0, times=10))

    elapsed, error = timed(lambda: generate(server.url, timeout=DEADLINE, **SUNO))

    assert elapsed < DEADLINE + MARGIN
    assert error is not None
    assert error.task_id is not None  # the paid task can be resumed
