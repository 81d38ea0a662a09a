"""The client's cache: never pay twice for the same track, and reads of finished tasks are free."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from musicgen import Generation, GenerationFailedError
from musicgen.cache import MemoryCache
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator, Fault, emulated_async_client, emulated_client

from .conftest import MakeClient

# Keyword arguments for generate(); Any, since each goes to a differently typed parameter.
SUNO: dict[str, Any] = {"provider": "suno", "prompt": "a calm tune"}
MUREKA: dict[str, Any] = {"provider": "mureka", "lyrics": "[Verse]\nla"}


@pytest.fixture
def cache() -> MemoryCache:
    return MemoryCache()


def test_an_identical_request_reuses_the_finished_result_with_no_request(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    first = client.generate(**SUNO)
    before = len(emulator.requests)
    second = client.generate(**SUNO)
    assert second.task_id == first.task_id
    assert second.tracks == first.tracks
    assert len(emulator.requests) == before
    assert emulator.submissions() == 1


def test_a_reused_result_carries_the_new_calls_correlation_id(
    make_client: MakeClient, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    client.generate(correlation_id="one", **SUNO)
    assert client.generate(correlation_id="two", **SUNO).correlation_id == "two"


def test_a_different_parameter_is_a_different_request(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    client.generate(**SUNO)
    client.generate(**SUNO, negative_tags="drums")
    assert emulator.submissions() == 2


def test_fresh_asks_for_a_new_take(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    first = client.generate(**SUNO)
    second = client.generate(**SUNO, fresh=True)
    assert second.task_id != first.task_id
    assert emulator.submissions() == 2


def test_cache_false_keeps_the_call_away_from_the_cache(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    client.generate(**SUNO, cache=False)
    assert cache.stats().sets == 0
    client.generate(**SUNO)
    assert emulator.submissions() == 2


@pytest.mark.parametrize("call", [SUNO, MUREKA], ids=["suno", "mureka"])
def test_a_submitted_task_is_resumed_by_an_identical_request(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache, call: dict[str, str]
) -> None:
    submitted = make_client(cache=cache).submit(**call)  # then the script "crashes"
    resumed = make_client(cache=cache).generate(**call)
    assert resumed.task_id == submitted.task_id
    assert resumed.status.is_terminal
    assert emulator.submissions() == 1


def test_a_failed_take_is_not_resumed(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    with pytest.raises(GenerationFailedError):
        client.generate(**SUNO)
    assert client.generate(**SUNO).status.is_terminal
    assert emulator.submissions() == 2


def test_a_task_the_provider_forgot_is_submitted_again(
    make_client: MakeClient, cache: MemoryCache
) -> None:
    make_client(Emulator(), cache=cache).submit(**MUREKA)
    other = Emulator()  # knows nothing of the journaled task: it answers 404
    assert make_client(other, cache=cache).generate(**MUREKA).status.is_terminal
    assert other.submissions() == 1


def test_get_of_a_finished_task_costs_no_request(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    task_id = client.generate(**SUNO).task_id
    before = len(emulator.requests)
    assert client.get(task_id, provider="suno").status.is_terminal
    assert client.wait(task_id, provider="suno").task_id == task_id
    assert len(emulator.requests) == before


def test_cache_events_and_stats_reach_the_hooks_and_metrics(
    make_client: MakeClient, cache: MemoryCache
) -> None:
    events: list[Event] = []
    client = make_client(cache=cache, hooks=[events.append])
    client.generate(**SUNO)
    client.generate(**SUNO)
    names = [event.name for event in events]
    assert names.count(EventName.CACHE_MISS) == 1
    assert names.count(EventName.CACHE_HIT) == 1
    snapshot = client.metrics()
    assert snapshot.counter(EventName.CACHE_HIT) == 1
    assert snapshot.cache is not None
    assert snapshot.cache.hits >= 1
    assert "Cache:" in str(snapshot)


def test_a_resume_is_an_event(make_client: MakeClient, cache: MemoryCache) -> None:
    events: list[Event] = []
    make_client(cache=cache).submit(**SUNO)
    make_client(cache=cache, hooks=[events.append]).generate(**SUNO)
    assert EventName.CACHE_RESUME in [event.name for event in events]


def _reads_for_one_generation() -> int:
    alone = Emulator()
    with emulated_client(alone) as client:
        client.generate(**SUNO)
    return sum(1 for r in alone.requests if r.method == "GET")


def _slow_reads(emulator: Emulator) -> None:
    # Slow status reads keep the first caller waiting while the others arrive.
    emulator.inject(Fault("slow", operation="status", delay=0.05, times=1000))


def test_identical_async_requests_at_once_share_one_task() -> None:
    emulator = Emulator()
    _slow_reads(emulator)

    async def main() -> list[Generation]:
        async with emulated_async_client(emulator, cache=MemoryCache()) as client:
            return await asyncio.gather(*(client.generate(**SUNO) for _ in range(5)))

    results = asyncio.run(main())
    assert {g.task_id for g in results} == {results[0].task_id}
    assert emulator.submissions() == 1
    reads = sum(1 for r in emulator.requests if r.method == "GET")
    assert reads == _reads_for_one_generation()  # the followers sent nothing at all


def test_identical_threaded_requests_at_once_share_one_task() -> None:
    emulator = Emulator()
    _slow_reads(emulator)
    results: list[Generation] = []
    with emulated_client(emulator, cache=MemoryCache()) as client:
        threads = [
            threading.Thread(target=lambda: results.append(client.generate(**SUNO)))
            for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 5
    assert {g.task_id for g in results} == {results[0].task_id}
    assert emulator.submissions() == 1
    reads = sum(1 for r in emulator.requests if r.method == "GET")
    assert reads == _reads_for_one_generation()


def test_a_shared_failure_reaches_every_caller() -> None:
    emulator = Emulator()
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    async def main() -> list[BaseException | Generation]:
        async with emulated_async_client(emulator, cache=MemoryCache()) as client:
            return await asyncio.gather(
                *(client.generate(**SUNO) for _ in range(3)), return_exceptions=True
            )

    outcomes = asyncio.run(main())
    assert all(isinstance(o, GenerationFailedError) for o in outcomes)
    assert emulator.submissions() == 1


@pytest.mark.parametrize(
    ("call", "days"), [(SUNO, 15), (MUREKA, 30)], ids=["suno-15-days", "mureka-30-days"]
)
def test_cached_results_expire_with_the_providers_audio_links(
    make_client: MakeClient, emulator: Emulator, call: dict[str, str], days: int
) -> None:
    now = [0.0]
    client = make_client(cache=MemoryCache(timer=lambda: now[0]))
    client.generate(**call)
    now[0] = days * 24 * 3600 - 60
    client.generate(**call)
    assert emulator.submissions() == 1  # still within the retention
    now[0] = days * 24 * 3600 + 60
    client.generate(**call)
    assert emulator.submissions() == 2  # the links are gone: a new take is needed


def test_submitting_an_identical_request_again_returns_the_same_task(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    first = client.submit(**SUNO)
    second = client.submit(**SUNO)
    assert second.task_id == first.task_id
    assert emulator.submissions() == 1


def test_submit_fresh_starts_another_task(
    make_client: MakeClient, emulator: Emulator, cache: MemoryCache
) -> None:
    client = make_client(cache=cache)
    client.submit(**SUNO)
    client.submit(**SUNO, fresh=True)
    assert emulator.submissions() == 2


def test_a_cancelled_leader_hands_the_shared_task_to_a_follower() -> None:
    emulator = Emulator()
    _slow_reads(emulator)

    async def main() -> Generation:
        async with emulated_async_client(emulator, cache=MemoryCache()) as client:
            leader = asyncio.create_task(client.generate(**SUNO))
            await asyncio.sleep(0.02)  # the leader has submitted and is polling
            follower = asyncio.create_task(client.generate(**SUNO))
            await asyncio.sleep(0.02)
            leader.cancel()
            return await follower

    generation = asyncio.run(main())
    assert generation.status.is_terminal
    assert emulator.submissions() == 1  # the follower resumed the leader's task


class _KeysCache(MemoryCache):
    """A MemoryCache that can tell which keys it holds."""

    def __init__(self) -> None:
        super().__init__()
        self._written: set[str] = set()

    def held(self) -> set[str]:
        return {key for key in self._written if self.get(key) is not None}

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self._written.add(key)
        super().set(key, value, ttl=ttl)


def test_a_finished_tasks_journal_entry_leaves_the_pinned_keys(make_client: MakeClient) -> None:
    # journal:<fingerprint> guards a payment and a bounded store never evicts it; once the
    # task finished that guard is done, and the entry becomes an ordinary evictable one.
    cache = _KeysCache()
    client = make_client(cache=cache)
    client.generate(**SUNO)

    assert not any(key.startswith("journal:") for key in cache.held())
    assert any(key.startswith("finished:") for key in cache.held())


def test_a_finished_request_still_resumes_from_its_settled_entry_with_no_request(
    make_client: MakeClient, emulator: Emulator
) -> None:
    cache = MemoryCache()
    first = make_client(cache=cache).generate(**SUNO)
    before = len(emulator.requests)

    again = make_client(cache=cache).generate(**SUNO)

    assert again.task_id == first.task_id
    assert len(emulator.requests) == before
