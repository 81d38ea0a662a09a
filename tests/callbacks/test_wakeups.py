"""Callback waits wake on the receiver's ready markers: the store leaves them, one listener per
client waits on them (``wait_for``), and a client sharing a ``RedisCache`` with the receiver
reads the task once, without polling Redis while it waits."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from musicgen import AsyncMusicGenClient, MusicGenClient, SunoProvider, TaskStatus
from musicgen._callback_wait import ready_key, ready_keys
from musicgen._wakeups import Wakeups
from musicgen.cache import DiskCache, MemoryCache, RedisCache
from musicgen.callbacks import (
    CallbackAuth,
    CallbackServer,
    MusicCallback,
    parse_callback,
    store_event,
)
from musicgen.cli._history import history_rows
from musicgen.testing import Emulator, EmulatorServer

from .conftest import SECRET, music_body

PROMPT: dict[str, Any] = {"provider": "suno", "prompt": "a calm lo-fi beat"}
#: Seconds between the emulator's callback stages: a wait lasts about three of them.
STAGE_SECONDS = 0.7


def music(stage: str, task_id: str = "t1") -> MusicCallback:
    event = parse_callback(music_body(task_id, stage), family="music")
    assert isinstance(event, MusicCallback)
    return event


def client_threads() -> int:
    """Threads of this process, less the test servers' (one per connection they serve)."""
    return sum("process_request" not in thread.name for thread in threading.enumerate())


def listener_threads() -> int:
    return sum(thread.name == "musicgen-wakeups" for thread in threading.enumerate())


# -- the markers the store leaves ------------------------------------------------------------------


def test_a_final_callback_leaves_the_done_marker_only() -> None:
    cache = MemoryCache()
    store_event(cache, music("complete"), ttl=60)
    assert cache.get(ready_key("suno", "t1", "done")) is not None
    assert cache.get(ready_key("suno", "t1", "stream")) is None


def test_a_streaming_callback_leaves_the_stream_marker_only() -> None:
    cache = MemoryCache()
    store_event(cache, music("first"), ttl=60)
    assert cache.get(ready_key("suno", "t1", "stream")) is not None
    assert cache.get(ready_key("suno", "t1", "done")) is None


def test_an_early_callback_leaves_no_marker() -> None:
    cache = MemoryCache()
    store_event(cache, music("text"), ttl=60)
    assert cache.stats().size == 1  # the callback alone


def test_a_stream_wait_wakes_on_either_marker_a_done_wait_on_the_final_one() -> None:
    assert ready_keys("suno", "t1") == ["callback:ready:suno:t1:done"]
    assert ready_keys("suno", "t1", until="stream") == [
        "callback:ready:suno:t1:done",
        "callback:ready:suno:t1:stream",
    ]


def test_markers_are_not_listed_as_tasks_in_history(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with DiskCache(path) as cache:
        store_event(cache, music("first"), ttl=60)
        store_event(cache, music("complete"), ttl=60)
    assert history_rows(path, limit=10) == []


# -- the listener ----------------------------------------------------------------------------------


def test_a_blocking_wait_ends_when_another_thread_writes_its_key() -> None:
    cache = MemoryCache()
    wakeups = Wakeups(cache)
    threading.Timer(0.1, cache.set, ["k", "1"]).start()
    started = time.monotonic()
    assert wakeups.wait(["k"], 60)
    assert time.monotonic() - started < 30  # woken, not timed out
    wakeups.close()


def test_a_wait_on_a_key_added_while_the_listener_waits_is_woken_too() -> None:
    cache = MemoryCache()
    wakeups = Wakeups(cache)
    first = threading.Thread(target=wakeups.wait, args=(["a"], 60))
    first.start()
    deadline = time.monotonic() + 30
    while wakeups._watching != frozenset({"a"}) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the listener waits on "a" alone: "b" then needs a poke
    threading.Timer(0.1, cache.set, ["b", "1"]).start()
    started = time.monotonic()
    assert wakeups.wait(["b"], 60)
    assert time.monotonic() - started < 30
    cache.set("a", "1")
    first.join(30)
    assert not first.is_alive()
    wakeups.close()


def test_many_async_waits_share_one_thread_and_leave_the_executor_free() -> None:
    cache = MemoryCache(maxsize=1000)
    wakeups = Wakeups(cache)
    keys = [f"k{n}" for n in range(200)]

    async def main() -> None:
        before = threading.active_count()
        waits = [asyncio.create_task(wakeups.wait_async([key], 60, blocking=False)) for key in keys]
        await asyncio.sleep(0.2)
        assert not any(wait.done() for wait in waits)
        assert listener_threads() == 1
        assert threading.active_count() <= before + 2  # the listener (and one executor thread)
        # The default executor is free while they wait.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: 42), 30) == 42
        for key in keys:
            cache.set(key, "1")
        assert all(await asyncio.wait_for(asyncio.gather(*waits), 30))

    asyncio.run(main())
    wakeups.close()


class _Refusing(MemoryCache):
    def wait_for(self, keys: Sequence[str], timeout: float | None) -> str | None:
        raise ValueError("not watched")


def test_a_store_that_refuses_the_keys_sends_waits_back_to_checking_on_their_own() -> None:
    wakeups = Wakeups(_Refusing())
    assert wakeups.wait(["k"], 60)  # woken when the listener gives up
    assert not wakeups.usable
    assert not wakeups.wait(["k"], 60)  # at once: the caller checks the cache itself


# -- clients on a real Redis -----------------------------------------------------------------------


class CountingRedis:
    """Counts the commands a ``redis.Redis`` client sends (pipelines and pub/sub aside)."""

    def __init__(self, url: str) -> None:
        import redis

        counter = self

        class Counting(redis.Redis):
            def execute_command(self, *args: Any, **options: Any) -> Any:
                counter.commands.append(str(args[0]))
                return super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

        self.commands: list[str] = []
        self.client = Counting.from_url(url)


def reads(counting: CountingRedis) -> int:
    """The reads the worker sent: about 5 (journal and result lookups, the callback before and
    after the wake-up, the listener's EXISTS); checking every 50 ms would add 20 a second."""
    return sum(command in {"GET", "EXISTS", "MGET"} for command in counting.commands)


@pytest.fixture
def fleet(
    redis_url: str, redis_prefix: str
) -> Iterator[tuple[Emulator, EmulatorServer, CallbackServer, CountingRedis]]:
    """The receiver on its own RedisCache (another web node), the emulator posting to it, and a
    counting Redis client for the waiting worker's cache."""
    emulator = Emulator(
        callback_stage_seconds=STAGE_SECONDS, polls_per_stage=1000, suno_credits=100_000
    )
    receiver_cache = RedisCache(redis_url, prefix=redis_prefix)
    counting = CountingRedis(redis_url)
    with (
        receiver_cache,
        CallbackServer(receiver_cache, CallbackAuth(SECRET)) as receiver,
        EmulatorServer(emulator) as server,
    ):
        yield emulator, server, receiver, counting
    counting.client.close()


def suno(server: EmulatorServer, receiver: CallbackServer) -> SunoProvider:
    return SunoProvider(
        api_key="emulator-key",
        base_url=server.url,
        callback_url=receiver.url,
        callback_auth=CallbackAuth(SECRET),
    )


def test_a_blocking_worker_wakes_on_a_callback_another_node_stored_with_few_commands(
    fleet: tuple[Emulator, EmulatorServer, CallbackServer, CountingRedis], redis_prefix: str
) -> None:
    emulator, server, receiver, counting = fleet
    cache = RedisCache(client=counting.client, prefix=redis_prefix)
    with MusicGenClient(providers=[suno(server, receiver)], cache=cache, callbacks=True) as client:
        started = time.monotonic()
        song = client.generate(**PROMPT, timeout=60)
        waited = time.monotonic() - started
    assert song.status is TaskStatus.SUCCEEDED
    assert emulator.tasks[song.task_id].status_reads == 1
    assert waited > 2 * STAGE_SECONDS
    assert reads(counting) <= 8 < 20 * waited, counting.commands


def test_an_async_worker_wakes_on_a_callback_another_node_stored_with_few_commands(
    fleet: tuple[Emulator, EmulatorServer, CallbackServer, CountingRedis], redis_prefix: str
) -> None:
    emulator, server, receiver, counting = fleet
    cache = RedisCache(client=counting.client, prefix=redis_prefix)

    async def main() -> tuple[str, float]:
        async with AsyncMusicGenClient(
            providers=[suno(server, receiver)], cache=cache, callbacks=True
        ) as client:
            started = time.monotonic()
            song = await client.generate(**PROMPT, timeout=60)
            assert song.status is TaskStatus.SUCCEEDED
            return song.task_id, time.monotonic() - started

    task_id, waited = asyncio.run(main())
    assert emulator.tasks[task_id].status_reads == 1
    assert waited > 2 * STAGE_SECONDS
    print(waited, counting.commands)
    assert len(counting.commands) <= 12, counting.commands


def test_many_async_generations_wait_on_one_listener_thread(
    fleet: tuple[Emulator, EmulatorServer, CallbackServer, CountingRedis], redis_prefix: str
) -> None:
    emulator, server, receiver, counting = fleet
    cache = RedisCache(client=counting.client, prefix=redis_prefix)
    count = 100
    seen: list[int] = []

    async def main() -> list[Any]:
        async with AsyncMusicGenClient(
            providers=[suno(server, receiver)], cache=cache, callbacks=True
        ) as client:
            before = client_threads()
            songs = asyncio.gather(
                *(
                    client.generate(provider="suno", prompt=f"song {n}", timeout=120)
                    for n in range(count)
                )
            )

            async def sample() -> None:
                while not songs.done():
                    seen.append(client_threads() - before)
                    assert listener_threads() <= 1
                    await asyncio.sleep(0.1)

            await asyncio.gather(songs, sample())
            return list(songs.result())

    songs = asyncio.run(main())
    assert all(song.status is TaskStatus.SUCCEEDED for song in songs)
    assert sum(emulator.tasks[song.task_id].status_reads for song in songs) == count
    # A few worker threads for the cache calls, the listener; never one per waiting generation.
    assert max(seen) < count // 2
