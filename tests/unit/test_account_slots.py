"""The limiter slots a client holds: renewed while their task runs, never for ever."""

from __future__ import annotations

from musicgen._limiting import MAX_HOLD, SLOT_TTL, AccountSlots
from musicgen.limits import LocalLimiter

from .._clock import FakeClock as Clock

ACCOUNT = "mureka:0123456789abcdef0123456789abcdef"


def _held(clock: Clock) -> tuple[LocalLimiter, AccountSlots]:
    limiter = LocalLimiter(clock=clock)
    slots = AccountSlots(limiter, clock)
    slot = limiter.try_acquire(ACCOUNT, limit=1, ttl=SLOT_TTL)
    slots.hold("mureka", "task-1", slot)
    return limiter, slots


def test_a_renewed_slot_outlives_its_ttl() -> None:
    clock = Clock()
    limiter, slots = _held(clock)
    for _ in range(5):
        clock.now += SLOT_TTL / 3
        slots.renew_all()

    assert limiter.running(ACCOUNT) == 1


def test_a_slot_is_not_renewed_past_max_hold_and_then_expires() -> None:
    clock = Clock()
    limiter, slots = _held(clock)
    held_at = clock.now
    while clock.now < held_at + MAX_HOLD:
        clock.now += SLOT_TTL / 3
        slots.renew_all()
    clock.now += SLOT_TTL

    assert not slots.holds("mureka", "task-1")
    assert limiter.running(ACCOUNT) == 0


def test_a_released_slot_frees_its_place_at_once() -> None:
    clock = Clock()
    limiter, slots = _held(clock)

    slots.release("mureka", "task-1")

    assert limiter.running(ACCOUNT) == 0
    assert not slots.holds("mureka", "task-1")
