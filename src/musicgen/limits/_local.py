"""``LocalLimiter``: the limits of one process's threads, behind the ``Limiter`` interface."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ._base import (
    BlockingLimiter,
    Slot,
    Waiter,
    check_account,
    check_rate_args,
    check_seconds,
    new_token,
)

__all__ = ["LocalLimiter"]


class LocalLimiter(BlockingLimiter):
    """Account limits shared by the threads of this process (see :class:`Limiter`).

    The same interface as :class:`RedisLimiter`, so one code path serves a single process and
    a fleet. A blocked :meth:`acquire` wakes as soon as a slot is released, or when the
    soonest held slot expires.

    Args:
        clock: Seconds, monotonic; slots and the rate window run on it (injectable for tests).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._released = threading.Condition(self._lock)
        # account -> token -> expiry on the clock
        self._slots: defaultdict[str, dict[str, float]] = defaultdict(dict)
        # account -> times of the grants still in the window, oldest first
        self._grants: defaultdict[str, deque[float]] = defaultdict(deque)
        # account -> releases so far, so a waiter sees a release it was not waiting for yet
        self._releases: defaultdict[str, int] = defaultdict(int)

    def _live(self, account: str, now: float) -> dict[str, float]:
        """The account's slots, expired ones dropped; call with the lock held."""
        slots = self._slots[account]
        for token in [t for t, expires in slots.items() if expires <= now]:
            del slots[token]
        return slots

    def _try(self, account: str, limit: int, ttl: float) -> tuple[Slot | None, float]:
        with self._lock:
            now = self._clock()
            slots = self._live(account, now)
            if len(slots) >= limit:
                return None, max(0.0, min(slots.values()) - now)
            token = new_token()
            slots[token] = now + ttl
            return Slot(self, account, token, ttl), 0.0

    @contextmanager
    def _listen(self, account: str) -> Iterator[Waiter]:
        with self._lock:
            seen = self._releases[account]

        def wait(seconds: float) -> None:
            nonlocal seen
            deadline = time.monotonic() + seconds
            with self._released:
                while self._releases[account] == seen:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._released.wait(remaining)
                seen = self._releases[account]

        yield wait

    def renew(self, slot: Slot, ttl: float) -> bool:
        """Push ``slot``'s expiry to ``ttl`` seconds from now; False when it was lost."""
        check_seconds("ttl", ttl)
        with self._lock:
            now = self._clock()
            slots = self._live(slot.account, now)
            if slot.token not in slots:
                return False
            slots[slot.token] = now + ttl
            return True

    def release(self, slot: Slot) -> bool:
        """Free ``slot`` and wake the waiters; False when it had expired already."""
        with self._lock:
            slots = self._live(slot.account, self._clock())
            held = slots.pop(slot.token, None) is not None
            self._releases[slot.account] += 1
            self._released.notify_all()
            return held

    def try_acquire_rate(self, account: str, *, count: int, per: float) -> float:
        """Record one grant if fewer than ``count`` were granted in the last ``per`` seconds;
        else the seconds until one leaves the window (see :class:`Limiter`)."""
        check_account(account)
        check_rate_args(count, per)
        with self._lock:
            now = self._clock()
            grants = self._grants[account]
            while grants and grants[0] <= now - per:
                grants.popleft()
            if len(grants) < count:
                grants.append(now)
                return 0.0
            # The window is full: the grant that leaves first opens a place.
            return max(math.ulp(now), grants[-count] + per - now)

    def running(self, account: str) -> int:
        """How many slots of ``account`` are held now."""
        with self._lock:
            return len(self._live(check_account(account), self._clock()))

    def close(self) -> None:
        """Do nothing: the limiter holds no resources."""

    def __repr__(self) -> str:
        return "LocalLimiter()"
