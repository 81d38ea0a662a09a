"""Leases and wake-ups (``SupportsLease``, ``SupportsWait``) in every store that has them:
``MemoryCache`` within a process, ``RedisCache`` across threads and processes."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from musicgen.cache import MemoryCache, SupportsLease, SupportsWait

from .._clock import FakeClock


def token() -> str:
    return uuid.uuid4().hex


def test_implements_both_protocols(coordinating_store: Any) -> None:
    assert isinstance(coordinating_store, SupportsLease)
    assert isinstance(coordinating_store, SupportsWait)


# -- leases ------------------------------------------------------------------------------------


def test_a_held_lease_is_refused_to_another_token(coordinating_store: Any) -> None:
    first, second = token(), token()

    assert coordinating_store.acquire_lease("flight:fp", first, 30)
    assert not coordinating_store.acquire_lease("flight:fp", second, 30)
    assert coordinating_store.acquire_lease("flight:other", second, 30)


def test_the_holder_may_acquire_again(coordinating_store: Any) -> None:
    holder = token()
    assert coordinating_store.acquire_lease("flight:fp", holder, 30)

    assert coordinating_store.acquire_lease("flight:fp", holder, 30)


def test_only_the_holder_renews_or_releases(coordinating_store: Any) -> None:
    holder, other = token(), token()
    coordinating_store.acquire_lease("flight:fp", holder, 30)

    assert not coordinating_store.renew_lease("flight:fp", other, 30)
    assert not coordinating_store.release_lease("flight:fp", other)
    assert coordinating_store.renew_lease("flight:fp", holder, 30)
    assert coordinating_store.release_lease("flight:fp", holder)
    assert coordinating_store.acquire_lease("flight:fp", other, 30)


def test_a_released_lease_cannot_be_renewed(coordinating_store: Any) -> None:
    holder = token()
    coordinating_store.acquire_lease("flight:fp", holder, 30)
    coordinating_store.release_lease("flight:fp", holder)

    assert not coordinating_store.renew_lease("flight:fp", holder, 30)


def test_an_expired_lease_is_taken_by_another_and_lost_to_its_holder(
    coordinating_store: Any,
) -> None:
    dead, alive = token(), token()
    coordinating_store.acquire_lease("flight:fp", dead, 0.05)

    # Polls with a generous bound: checks that the lease expires, not how fast.
    deadline = time.monotonic() + 10
    while not coordinating_store.acquire_lease("flight:fp", alive, 30):
        assert time.monotonic() < deadline, "the expired lease was never freed"
        time.sleep(0.02)

    assert not coordinating_store.renew_lease("flight:fp", dead, 30)
    assert not coordinating_store.release_lease("flight:fp", dead)


def test_clear_keeps_held_leases(coordinating_store: Any) -> None:
    holder = token()
    coordinating_store.acquire_lease("flight:fp", holder, 30)

    coordinating_store.clear()

    assert not coordinating_store.acquire_lease("flight:fp", token(), 30)


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan")])
def test_a_lease_ttl_must_be_finite_and_positive(coordinating_store: Any, ttl: float) -> None:
    with pytest.raises(ValueError, match="lease ttl"):
        coordinating_store.acquire_lease("flight:fp", token(), ttl)


def test_a_lease_token_must_not_be_empty(coordinating_store: Any) -> None:
    with pytest.raises(ValueError, match="token"):
        coordinating_store.acquire_lease("flight:fp", "", 30)


def test_threads_racing_for_a_lease_hold_it_one_at_a_time(coordinating_store: Any) -> None:
    threads, rounds = 6, 20
    holder: str | None = None
    overlaps = 0  # times a thread found the lease "held" by another while it held it
    turns = 0
    check = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        nonlocal holder, overlaps, turns
        mine = token()
        start.wait()
        for _ in range(rounds):
            while not coordinating_store.acquire_lease("flight:race", mine, 30):
                time.sleep(0.001)
            with check:
                overlaps += holder is not None
                holder = mine
            time.sleep(0.001)  # hold it a moment, so an overlap would show
            with check:
                overlaps += holder != mine
                holder = None
                turns += 1
            assert coordinating_store.release_lease("flight:race", mine)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert (turns, overlaps) == (threads * rounds, 0)


def test_memory_leases_expire_on_the_store_timer(clock: FakeClock) -> None:
    cache = MemoryCache(timer=clock)
    cache.acquire_lease("flight:fp", "a", 10)

    clock.advance(9.9)
    assert not cache.acquire_lease("flight:fp", "b", 10)
    clock.advance(0.1)
    assert cache.acquire_lease("flight:fp", "b", 10)


# -- wake-ups ----------------------------------------------------------------------------------


def test_wait_for_returns_at_once_for_a_key_that_holds_a_value(coordinating_store: Any) -> None:
    coordinating_store.set("callback:suno:t1", "{}")

    assert coordinating_store.wait_for(["callback:suno:t0", "callback:suno:t1"], 0) == (
        "callback:suno:t1"
    )


def test_wait_for_gives_none_when_nothing_comes(coordinating_store: Any) -> None:
    assert coordinating_store.wait_for(["callback:suno:never"], 0.05) is None


def test_a_set_from_another_thread_wakes_the_waiter(coordinating_store: Any) -> None:
    woke: list[str | None] = []
    waiter = threading.Thread(
        target=lambda: woke.append(coordinating_store.wait_for(["callback:suno:t1"], 30))
    )
    waiter.start()
    time.sleep(0.1)  # let it start waiting (it returns at once either way: the value is set)

    coordinating_store.set("callback:suno:t1", '{"final": true}')
    waiter.join(30)

    assert woke == ["callback:suno:t1"]


def test_a_lease_release_wakes_the_waiters_on_its_name(coordinating_store: Any) -> None:
    holder = token()
    coordinating_store.acquire_lease("flight:fp", holder, 30)
    started = threading.Event()
    woke: list[str | None] = []

    def wait() -> None:
        started.set()
        woke.append(coordinating_store.wait_for(["flight:fp"], 30))

    waiter = threading.Thread(target=wait)
    waiter.start()
    started.wait()
    # Released until a waiter has seen it: a release before the wait began wakes nobody.
    while not woke and waiter.is_alive():
        coordinating_store.release_lease("flight:fp", holder)
        coordinating_store.acquire_lease("flight:fp", holder, 30)
        time.sleep(0.05)
    waiter.join(30)

    assert woke == ["flight:fp"]


@pytest.mark.parametrize("keys", [[], "callback:suno:t1"])
def test_wait_for_needs_a_list_of_keys(coordinating_store: Any, keys: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="key"):
        coordinating_store.wait_for(keys, 0)
