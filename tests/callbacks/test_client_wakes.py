"""A callback-enabled client, end to end over real sockets: the emulator posts Suno's callbacks
to the receiver, the receiver stores them in the cache the client shares, and the client's wait
reads the task once, when the final callback is there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from musicgen import AsyncMusicGenClient, MusicGenClient, PollPolicy, SunoProvider, TaskStatus
from musicgen.cache import MemoryCache
from musicgen.callbacks import CallbackAuth, CallbackServer, load_event
from musicgen.testing import Emulator, EmulatorServer

from .conftest import SECRET

PROMPT: dict[str, Any] = {"provider": "suno", "prompt": "a calm lo-fi beat"}


@pytest.fixture
def cache() -> MemoryCache:
    return MemoryCache()


@pytest.fixture
def servers(cache: MemoryCache) -> Iterator[tuple[Emulator, EmulatorServer, CallbackServer]]:
    # Status reads alone would never finish a task: only the clock walks its stages.
    emulator = Emulator(callback_stage_seconds=0.05, polls_per_stage=1000)
    auth = CallbackAuth(SECRET)
    with CallbackServer(cache, auth) as receiver, EmulatorServer(emulator) as server:
        yield emulator, server, receiver


def suno(server: EmulatorServer, receiver: CallbackServer) -> SunoProvider:
    return SunoProvider(
        api_key="emulator-key",
        base_url=server.url,
        callback_url=receiver.url,
        callback_auth=CallbackAuth(SECRET),
    )


def test_a_blocking_wait_reads_once_when_the_final_callback_lands(
    cache: MemoryCache, servers: tuple[Emulator, EmulatorServer, CallbackServer]
) -> None:
    emulator, server, receiver = servers
    with MusicGenClient(
        providers=[suno(server, receiver)], cache=cache, callbacks=True, poll=PollPolicy()
    ) as client:
        song = client.generate(**PROMPT, timeout=20)
    assert song.status is TaskStatus.SUCCEEDED
    assert emulator.tasks[song.task_id].status_reads == 1


def test_an_async_wait_reads_once_when_the_final_callback_lands(
    cache: MemoryCache, servers: tuple[Emulator, EmulatorServer, CallbackServer]
) -> None:
    emulator, server, receiver = servers

    async def main() -> str:
        async with AsyncMusicGenClient(
            providers=[suno(server, receiver)], cache=cache, callbacks=True
        ) as client:
            song = await client.generate(**PROMPT, timeout=20)
            assert song.status is TaskStatus.SUCCEEDED
            return song.task_id

    task_id = asyncio.run(main())
    assert emulator.tasks[task_id].status_reads == 1


def test_the_result_follows_the_callback_closely(
    cache: MemoryCache, servers: tuple[Emulator, EmulatorServer, CallbackServer]
) -> None:
    # A bound only (machines here are shared): the wait checks the cache every 50 ms, and
    # without the callback it would poll 30 s later.
    _, server, receiver = servers
    with MusicGenClient(providers=[suno(server, receiver)], cache=cache, callbacks=True) as client:
        song = client.generate(**PROMPT, timeout=20)
        returned = time.time()
    stored = load_event(cache, "suno", song.task_id)
    assert stored is not None
    assert stored.final
    assert returned - stored.received_at < 5.0


def test_the_minted_callback_urls_keep_identical_requests_one_journal_entry(
    cache: MemoryCache, servers: tuple[Emulator, EmulatorServer, CallbackServer]
) -> None:
    _, server, receiver = servers
    provider = suno(server, receiver)
    first = provider.sounds("rain on a tin roof")
    again = provider.sounds("rain on a tin roof")
    assert first.request.content != again.request.content  # a fresh token each time
    assert first.fingerprint() == again.fingerprint()
