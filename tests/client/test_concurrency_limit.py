"""max_concurrency: requests in flight at once are capped, and waiting for a slot is bounded
by the call's deadline, on both clients."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from musicgen import APITimeoutError, ConfigurationError, SubmissionUncertainError, TaskStatus
from musicgen.testing import Emulator, emulated_async_client, emulated_client

SUNO: dict[str, Any] = {"provider": "suno", "prompt": "a calm tune"}


class InFlight:
    """Counts the requests a transport is answering at once."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


class SlowSync(httpx.BaseTransport):
    def __init__(self, emulator: Emulator, seen: InFlight, delay: float) -> None:
        self.inner, self.seen, self.delay = emulator.transport(), seen, delay

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.enter()
        try:
            time.sleep(self.delay)
            return self.inner.handle_request(request)
        finally:
            self.seen.leave()


class SlowAsync(httpx.AsyncBaseTransport):
    def __init__(self, emulator: Emulator, seen: InFlight, delay: float) -> None:
        self.inner, self.seen, self.delay = emulator.transport(), seen, delay

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.enter()
        try:
            await asyncio.sleep(self.delay)
            return await self.inner.handle_async_request(request)
        finally:
            self.seen.leave()


def test_the_async_client_keeps_requests_in_flight_under_the_limit() -> None:
    emulator, seen = Emulator(suno_credits=10_000), InFlight()

    async def main() -> list[TaskStatus]:
        http = httpx.AsyncClient(transport=SlowAsync(emulator, seen, 0.005))
        async with emulated_async_client(http_client=http, max_concurrency=4) as client:
            songs = await asyncio.gather(*(client.generate(**SUNO) for _ in range(40)))
        await http.aclose()
        return [song.status for song in songs]

    assert set(asyncio.run(main())) == {TaskStatus.SUCCEEDED}
    assert 1 < seen.most <= 4


def test_the_blocking_client_keeps_requests_in_flight_under_the_limit() -> None:
    emulator, seen = Emulator(suno_credits=10_000), InFlight()
    http = httpx.Client(transport=SlowSync(emulator, seen, 0.005))
    with (
        emulated_client(http_client=http, max_concurrency=3) as client,
        ThreadPoolExecutor(max_workers=12) as pool,
    ):
        songs = list(pool.map(lambda _: client.generate(**SUNO), range(24)))
    http.close()
    assert {song.status for song in songs} == {TaskStatus.SUCCEEDED}
    assert 1 < seen.most <= 3


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "8"])
def test_a_bad_limit_is_refused(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        emulated_client(Emulator(), max_concurrency=value)


def test_a_submission_that_waited_past_its_deadline_for_a_slot_was_not_sent() -> None:
    emulator, seen = Emulator(), InFlight()
    http = httpx.Client(transport=SlowSync(emulator, seen, 0.6))
    with emulated_client(http_client=http, max_concurrency=1) as client:
        hog = threading.Thread(target=client.balance, args=("suno",))
        hog.start()
        time.sleep(0.1)  # the balance read holds the only slot
        with pytest.raises(APITimeoutError) as caught:
            client.submit(**SUNO, timeout=0.2)
        hog.join()
    http.close()
    assert not isinstance(caught.value, SubmissionUncertainError)
    assert caught.value.request_sent is False
    assert emulator.submissions() == 0


def test_an_async_submission_that_waited_past_its_deadline_for_a_slot_was_not_sent() -> None:
    emulator, seen = Emulator(), InFlight()

    async def main() -> BaseException:
        http = httpx.AsyncClient(transport=SlowAsync(emulator, seen, 0.6))
        async with emulated_async_client(http_client=http, max_concurrency=1) as client:
            hog = asyncio.create_task(client.balance("suno"))
            await asyncio.sleep(0.1)  # the balance read holds the only slot
            with pytest.raises(APITimeoutError) as caught:
                await client.submit(**SUNO, timeout=0.2)
            await hog
        await http.aclose()
        return caught.value

    error = asyncio.run(main())

    assert not isinstance(error, SubmissionUncertainError)
    assert error.request_sent is False  # type: ignore[attr-defined]
    assert emulator.submissions() == 0
