"""An in-process LRU store with per-entry expiry, on cachetools."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

from cachetools import TLRUCache

from ._base import CacheStats, Counters, check_item, check_keys, check_lease, check_ttl, expiry

__all__ = ["MemoryCache"]

# What the inner cache holds per key: the value and its absolute expiry on the store's timer.
_Entry = tuple[str, float]


def _expires_at(_key: str, entry: _Entry, _now: float) -> float:
    return entry[1]


class _CountingTLRU(TLRUCache[str, _Entry, float]):
    """A ``TLRUCache`` that counts what it drops, and why."""

    def __init__(self, maxsize: int, timer: Callable[[], float]) -> None:
        super().__init__(maxsize, _expires_at, timer)
        self.evictions = 0
        self.expirations = 0

    def popitem(self) -> tuple[str, _Entry]:
        # cachetools calls popitem only to make room (we never call it ourselves, and
        # MemoryCache.clear swaps the whole mapping), so every call is an eviction.
        item = super().popitem()
        self.evictions += 1
        return item

    def expire(self, time: float | None = None) -> list[tuple[str, _Entry]]:
        # Every expired entry leaves through here (on set, len, and our own calls before reads).
        expired = super().expire(time)
        self.expirations += len(expired)
        return expired


class MemoryCache:
    """A thread-safe, size-bounded LRU store kept in this process's memory.

    Each entry expires after the ``ttl`` given to ``set``, else after the store's default
    ``ttl``, else never. The least recently used entry is evicted when the store is full.
    Operations never block for long: they take one lock and touch only memory, so the async
    client can call them inline (all but ``wait_for``, which waits by design).

    It also grants leases (``SupportsLease``) and wakes waiters (``SupportsWait``) within this
    process, so a client has one code path for single flight whether its store is in memory
    or in Redis. Leases expire on the store's ``timer``.

    Args:
        maxsize: The most entries kept.
        ttl: Default seconds before an entry expires (None: never).
        timer: A monotonic clock in seconds; injectable for tests.

    Raises:
        ValueError: ``maxsize`` is below 1, or ``ttl`` is not positive.
    """

    #: Only memory and one lock: the async client calls it inline on the event loop.
    blocking = False

    def __init__(
        self,
        maxsize: int = 100,
        ttl: float | None = None,
        *,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize!r}")
        self._maxsize = maxsize
        self._ttl = check_ttl(ttl)
        self._timer = timer
        # cachetools is not thread-safe. One lock serializes every operation; none of them
        # awaits or does I/O, so the lock is also safe to take on an event loop.
        self._lock = threading.Lock()
        # Notified on every set and lease release, for wait_for.
        self._changed = threading.Condition(self._lock)
        self._data = _CountingTLRU(maxsize, timer)
        # Lease name -> (holder token, expiry on the timer); kept apart from the values.
        self._leases: dict[str, tuple[str, float]] = {}
        # Keys someone waits on -> how many waiters, and how many wakes each has seen.
        self._waiters: Counter[str] = Counter()
        self._wakes: Counter[str] = Counter()
        self._counts = Counters()

    @property
    def maxsize(self) -> int:
        """The most entries kept."""
        return self._maxsize

    @property
    def ttl(self) -> float | None:
        """The default seconds before an entry expires (None: never)."""
        return self._ttl

    def get(self, key: str) -> str | None:
        """Return the value under ``key``, or None if it is missing or expired."""
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss."""
        with self._lock:
            now = self._timer()
            # Purge first so an expired entry counts as an expiration (and a miss), not a hit.
            self._data.expire(now)
            entry = self._data.get(key)
            if entry is None:
                self._counts.misses += 1
                return None
            self._counts.hits += 1
            value, expires_at = entry
            return value, (None if math.isinf(expires_at) else expires_at - now)

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key``.

        Args:
            key: The key.
            value: JSON text.
            ttl: Seconds until expiry; None uses the store's default, ``math.inf`` never expires.

        Raises:
            TypeError: ``key`` or ``value`` is not a ``str``.
            ValueError: ``ttl`` is not positive.
        """
        check_item(key, value)
        ttl = check_ttl(ttl)
        with self._lock:
            now = self._timer()
            self._data[key] = (value, expiry(now, self._ttl if ttl is None else ttl))
            self._counts.sets += 1
            self._wake(key)

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        with self._lock:
            self._data.expire()
            self._data.pop(key, None)

    def clear(self) -> None:
        """Remove every entry; the counters are kept."""
        with self._lock:
            old = self._data
            # A fresh mapping: clearing through MutableMapping.clear would call popitem per
            # entry and count each as an eviction.
            self._data = _CountingTLRU(self._maxsize, self._timer)
            self._data.evictions = old.evictions
            self._data.expirations = old.expirations

    def stats(self) -> CacheStats:
        """Return the counters and the number of live entries."""
        with self._lock:
            size = len(self._data)  # purges expired entries first
            return self._counts.stats(
                size=size, evictions=self._data.evictions, expirations=self._data.expirations
            )

    def close(self) -> None:
        """Do nothing: a memory store holds no resources (its entries stay readable)."""

    # -- leases (SupportsLease) ----------------------------------------------------------------

    def acquire_lease(self, name: str, token: str, ttl: float) -> bool:
        """Take the lease ``name`` for ``token`` for ``ttl`` seconds (see ``SupportsLease``).

        Raises:
            TypeError: ``name`` or ``token`` is not a ``str``.
            ValueError: ``token`` is empty or ``ttl`` is not finite and positive.
        """
        check_lease(name, token, ttl)
        with self._lock:
            now = self._timer()
            held = self._leases.get(name)
            if held is not None and held[0] != token and held[1] > now:
                return False
            if len(self._leases) > 1024:  # drop the leases dead holders left behind
                self._leases = {k: v for k, v in self._leases.items() if v[1] > now}
            self._leases[name] = (token, now + ttl)
            return True

    def renew_lease(self, name: str, token: str, ttl: float) -> bool:
        """Push the expiry of a lease ``token`` holds; False when it no longer holds it."""
        check_lease(name, token, ttl)
        with self._lock:
            now = self._timer()
            held = self._leases.get(name)
            if held is None or held[0] != token or held[1] <= now:
                return False
            self._leases[name] = (token, now + ttl)
            return True

    def release_lease(self, name: str, token: str) -> bool:
        """Give up a lease ``token`` holds and wake the waiters on ``name``; False when it
        does not hold it."""
        check_lease(name, token, None)
        with self._lock:
            held = self._leases.get(name)
            if held is None or held[0] != token or held[1] <= self._timer():
                return False
            del self._leases[name]
            self._wake(name)
            return True

    # -- wake-ups (SupportsWait) ---------------------------------------------------------------

    def wait_for(self, keys: Sequence[str], timeout: float | None) -> str | None:
        """Block until one of ``keys`` holds a value or is woken by a ``set`` or a lease
        release in this process; return that key, or None after ``timeout`` seconds (None:
        wait for ever). See ``SupportsWait``.

        Raises:
            TypeError: ``keys`` is one ``str``, or holds something else.
            ValueError: ``keys`` is empty, or ``timeout`` is negative.
        """
        wanted = check_keys(keys)
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            self._waiters.update(wanted)
            try:
                seen = {key: self._wakes[key] for key in wanted}
                while True:
                    now = self._timer()
                    for key in wanted:
                        entry = self._data.get(key)
                        if self._wakes[key] != seen[key] or (entry and entry[1] > now):
                            return key
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return None
                    self._changed.wait(left)
            finally:
                self._waiters.subtract(wanted)
                for key in wanted:
                    if self._waiters[key] <= 0:
                        del self._waiters[key]
                        self._wakes.pop(key, None)

    def _wake(self, key: str) -> None:
        """Count a wake of ``key`` for its waiters; call with the lock held."""
        if key in self._waiters:
            self._wakes[key] += 1
            self._changed.notify_all()

    def __enter__(self) -> MemoryCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MemoryCache(maxsize={self._maxsize!r}, ttl={self._ttl!r})"
