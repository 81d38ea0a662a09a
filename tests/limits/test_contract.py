"""The ``Limiter`` contract, kept by ``LocalLimiter`` and ``RedisLimiter`` alike."""

from __future__ import annotations

import threading
import time

import pytest

from musicgen.limits import Limiter, LimiterTimeoutError, account_key

from .._clock import FakeClock

ACCOUNT = account_key("mureka", "mk-test-key")


def test_is_a_limiter(limiter: Limiter) -> None:
    assert isinstance(limiter, Limiter)


# -- concurrency slots -------------------------------------------------------------------------


def test_slots_are_refused_past_the_limit(clocked: Limiter) -> None:
    held = [clocked.try_acquire(ACCOUNT, limit=2, ttl=60) for _ in range(3)]

    assert [slot is not None for slot in held] == [True, True, False]
    assert clocked.running(ACCOUNT) == 2


def test_accounts_have_limits_of_their_own(clocked: Limiter) -> None:
    other = account_key("mureka", "another-key")
    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=60) is not None

    assert clocked.try_acquire(other, limit=1, ttl=60) is not None
    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=60) is None


def test_a_released_slot_is_free_again(clocked: Limiter) -> None:
    slot = clocked.try_acquire(ACCOUNT, limit=1, ttl=60)
    assert slot is not None

    assert slot.release()
    assert not slot.release()  # idempotent
    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=60) is not None


def test_a_slot_left_in_a_with_block_is_released(clocked: Limiter) -> None:
    with clocked.acquire(ACCOUNT, limit=1, ttl=60, timeout=0):
        assert clocked.running(ACCOUNT) == 1

    assert clocked.running(ACCOUNT) == 0


def test_an_unrenewed_slot_expires_after_its_ttl(clocked: Limiter, clock: FakeClock) -> None:
    slot = clocked.try_acquire(ACCOUNT, limit=1, ttl=10)
    assert slot is not None

    clock.advance(9.9)
    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=10) is None
    clock.advance(0.2)
    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=10) is not None
    assert not slot.renew()  # lost: someone else holds the place now


def test_renewing_keeps_a_slot_past_its_first_ttl(clocked: Limiter, clock: FakeClock) -> None:
    slot = clocked.try_acquire(ACCOUNT, limit=1, ttl=10)
    assert slot is not None

    for _ in range(5):
        clock.advance(8)
        assert slot.renew()

    assert clocked.try_acquire(ACCOUNT, limit=1, ttl=10) is None


def test_acquire_gives_up_at_its_timeout(limiter: Limiter) -> None:
    held = limiter.acquire(ACCOUNT, limit=1, ttl=60, timeout=0)

    with pytest.raises(LimiterTimeoutError, match="limit 1"):
        limiter.acquire(ACCOUNT, limit=1, ttl=60, timeout=0.05)
    held.release()


def test_a_release_hands_the_slot_to_a_blocked_acquire(limiter: Limiter) -> None:
    held = limiter.acquire(ACCOUNT, limit=1, ttl=60, timeout=0)
    got: list[object] = []
    waiter = threading.Thread(
        target=lambda: got.append(limiter.acquire(ACCOUNT, limit=1, ttl=60, timeout=30))
    )
    waiter.start()
    time.sleep(0.1)
    assert got == []  # still blocked: the only slot is held

    held.release()
    waiter.join(30)

    assert len(got) == 1
    assert limiter.running(ACCOUNT) == 1


def test_threads_never_hold_more_than_the_limit(limiter: Limiter) -> None:
    threads, rounds, limit = 8, 10, 3
    inside, most, turns = 0, 0, 0
    count = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        nonlocal inside, most, turns
        try:
            for _ in range(rounds):
                with limiter.acquire(ACCOUNT, limit=limit, ttl=60, timeout=60):
                    with count:
                        inside += 1
                        most = max(most, inside)
                    time.sleep(0.002)
                    with count:
                        inside -= 1
                        turns += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert turns == threads * rounds
    assert most <= limit


@pytest.mark.parametrize(
    ("limit", "ttl", "field"), [(0, 60, "limit"), (True, 60, "limit"), (1, 0, "ttl")]
)
def test_bad_slot_arguments_name_the_field(
    limiter: Limiter, limit: int, ttl: float, field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        limiter.try_acquire(ACCOUNT, limit=limit, ttl=ttl)


def test_an_empty_account_is_refused(limiter: Limiter) -> None:
    with pytest.raises(ValueError, match="account_key"):
        limiter.try_acquire("", limit=1, ttl=60)


# -- the rate window ---------------------------------------------------------------------------


def test_the_rate_window_grants_count_per_period(clocked: Limiter, clock: FakeClock) -> None:
    waits = []
    for _ in range(5):
        waits.append(clocked.try_acquire_rate(ACCOUNT, count=3, per=10))
        clock.advance(1)

    assert waits[:3] == [0, 0, 0]
    # The 4th (at t=3) waits for the 1st (t=0) to leave the window at t=10.
    assert waits[3] == pytest.approx(7, abs=0.002)
    assert waits[4] == pytest.approx(6, abs=0.002)


def test_the_window_slides(clocked: Limiter, clock: FakeClock) -> None:
    for _ in range(3):
        assert clocked.try_acquire_rate(ACCOUNT, count=3, per=10) == 0
        clock.advance(2)  # grants at t=0, 2, 4

    clock.advance(4.5)  # t=10.5: the grant of t=0 has left, those of t=2 and t=4 remain

    assert clocked.try_acquire_rate(ACCOUNT, count=3, per=10) == 0
    assert clocked.try_acquire_rate(ACCOUNT, count=3, per=10) > 0


def test_a_refused_rate_try_records_nothing(clocked: Limiter, clock: FakeClock) -> None:
    assert clocked.try_acquire_rate(ACCOUNT, count=1, per=10) == 0
    for _ in range(5):
        assert clocked.try_acquire_rate(ACCOUNT, count=1, per=10) > 0

    clock.advance(10)

    assert clocked.try_acquire_rate(ACCOUNT, count=1, per=10) == 0


def test_acquire_rate_waits_for_room(limiter: Limiter) -> None:
    # 2 per 0.2 s: the 5th of 5 grants cannot come before two windows have passed.
    started = time.monotonic()
    for _ in range(5):
        limiter.acquire_rate(ACCOUNT, count=2, per=0.2, timeout=30)

    assert time.monotonic() - started >= 0.4


def test_acquire_rate_refuses_a_wait_past_its_timeout(limiter: Limiter) -> None:
    limiter.acquire_rate(ACCOUNT, count=1, per=60, timeout=0)

    with pytest.raises(LimiterTimeoutError, match="1 requests per 60"):
        limiter.acquire_rate(ACCOUNT, count=1, per=60, timeout=1)


@pytest.mark.parametrize(("count", "per", "field"), [(0, 10, "count"), (1, -1, "per")])
def test_bad_rate_arguments_name_the_field(
    limiter: Limiter, count: int, per: float, field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        limiter.try_acquire_rate(ACCOUNT, count=count, per=per)


# -- accounts ----------------------------------------------------------------------------------


def test_account_key_is_stable_per_key_and_hides_it() -> None:
    key = "mk-secret-0123456789"

    assert account_key("mureka", key) == account_key("mureka", key)
    assert account_key("mureka", key) != account_key("mureka", key + "x")
    assert account_key("mureka", key).startswith("mureka:")
    assert key not in account_key("mureka", key)
