"""``python -m benchmarks._count WORK N``: do ``WORK`` N times, for valgrind to count.

Run by the ``instructions`` scenario under ``valgrind --tool=callgrind``, once with N = 0 and
once with N > 0: the difference of the two instruction counts, divided by N, is what one
``WORK`` costs, imports and set-up excluded. Every run does the same set-up (the recorded
answers, the clients, 20 untimed warm-up generations), so the set-up cancels out.

Works:

- ``sdk-sync`` / ``sdk-async``: ``generate`` on a ``MusicGenClient`` / ``AsyncMusicGenClient``
  with ``metrics=False`` and no deadline, answered by an ``httpx.MockTransport`` replaying one
  recorded generation (a submit and four reads), so no server shares the count. On the pools
  musicgen builds, the deadline is a clamp on each socket operation, which a MockTransport
  never makes; on a client of the user's own, as here, it would be a worker thread per
  exchange (blocking) or a cancellation scope (async), which a default client does not pay.
- ``raw-sync`` / ``raw-async``: the same requests written by hand with httpx.
- ``retry-sync`` / ``retry-async``: the retry loop musicgen runs around every request
  (``stamina.retry_context`` driven by its ``RetryDecider``), with one successful attempt that
  does nothing.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import httpx

from musicgen.testing import emulated_async_client, emulated_client

from ._harness import cache_missing_sniffio
from ._workloads import PROMPT, RawSuno
from .overhead import NO_DEADLINE, recorded_generation, replay

WORKS = ("sdk-sync", "raw-sync", "sdk-async", "raw-async", "retry-sync", "retry-async")
_WARM_UP = 20


def main(work: str, times: int) -> None:
    """Set up ``work``, warm it up, then do it ``times`` times."""
    cache_missing_sniffio()
    if work.startswith("retry-"):
        _retry_loops(work, times)
        return
    answers = recorded_generation()
    if work.endswith("-sync"):
        _sync(work, answers, times)
    else:
        asyncio.run(_async(work, answers, times))


def _sync(work: str, answers: Any, times: int) -> None:
    http = httpx.Client(transport=httpx.MockTransport(replay(answers)))
    raw = RawSuno("http://emulator.musicgen.test") if work.startswith("raw") else None
    with emulated_client(None, http_client=http, metrics=False, poll=NO_DEADLINE) as client:

        def one() -> None:
            if raw is not None:
                raw.generate(http)
            else:
                client.generate(PROMPT, provider="suno")

        for _ in range(_WARM_UP):
            one()
        for _ in range(times):
            one()
    http.close()


async def _async(work: str, answers: Any, times: int) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(replay(answers)))
    raw = RawSuno("http://emulator.musicgen.test") if work.startswith("raw") else None
    async with emulated_async_client(
        None, http_client=http, metrics=False, poll=NO_DEADLINE
    ) as client:

        async def one() -> None:
            if raw is not None:
                await raw.agenerate(http)
            else:
                await client.generate(PROMPT, provider="suno")

        for _ in range(_WARM_UP):
            await one()
        for _ in range(times):
            await one()
    await http.aclose()


def _retry_loops(work: str, times: int) -> None:
    from musicgen._retry import RetryDecider, RetryPolicy, musicgen_retries

    policy = RetryPolicy()

    def decider() -> RetryDecider:
        # As the exchange builds one per request: a deadline and a retry reporter.
        return RetryDecider(
            policy,
            submission=False,
            deadline=time.monotonic() + 600.0,
            on_retry=lambda number, wait, error: None,
        )

    def loop() -> None:
        with musicgen_retries():
            for attempt in decider().attempts():
                with attempt:
                    return

    async def aloop() -> None:
        with musicgen_retries():
            async for attempt in decider().attempts():
                with attempt:
                    return

    if work == "retry-sync":
        for _ in range(_WARM_UP + times):
            loop()
        return

    async def loops() -> None:
        for _ in range(_WARM_UP + times):
            await aloop()

    asyncio.run(loops())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
