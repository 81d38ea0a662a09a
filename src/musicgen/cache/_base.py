"""The ``Cache`` protocol every store implements, and the ``CacheStats`` it reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import attrs

__all__ = [
    "Cache",
    "CacheStats",
    "Counters",
    "SupportsGetWithTTL",
    "SupportsLease",
    "SupportsWait",
]


@runtime_checkable
class Cache(Protocol):
    """A key/value store of JSON text that the client uses so it never pays twice.

    The client keeps finished generations (``generation:<provider>:<task_id>``, with a TTL that
    ends when the provider's audio links expire) and a submission journal
    (``journal:<fingerprint>``) in it. Keys and values are ``str``; values are JSON text, never
    pickles, so a cache file can be read (and trusted) by any process.

    Implementations must be safe to call from several threads at once. The async client calls
    a store from a worker thread, so that disk and lock waits never stall its event loop, unless
    the store has an attribute ``blocking = False`` (only memory, never waits): it is
    then called inline. They should not raise on storage trouble either: a cache that cannot be
    read answers a miss, one that cannot be written drops the write (and logs).
    """

    def get(self, key: str) -> str | None:
        """Return the value stored under ``key``, or None if it is missing or expired."""
        ...

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key``, replacing any previous value.

        Args:
            key: The key.
            value: JSON text.
            ttl: Seconds until the entry expires; None uses the store's default (no expiry
                unless the store was built with a ``ttl``), ``math.inf`` never expires.
        """
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        ...

    def clear(self) -> None:
        """Remove every entry (the counters in ``stats()`` are kept)."""
        ...

    def stats(self) -> CacheStats:
        """Return the counters and the current number of live entries."""
        ...

    def close(self) -> None:
        """Release the store's resources (files, connections)."""
        ...


@runtime_checkable
class SupportsGetWithTTL(Protocol):
    """A store that can tell how long a value has left (used to promote between tiers)."""

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss."""
        ...


@runtime_checkable
class SupportsLease(Protocol):
    """A store that grants leases: named locks with a holder token and an expiry.

    Distributed single flight uses them: the worker that takes the lease on a request's
    fingerprint submits it; the others wait for its result. A holder renews its lease while
    it waits; one that dies stops renewing, its lease expires after ``ttl`` and another worker
    takes it (and resumes the journalled task rather than submitting again).

    Every operation is atomic and checks the token: only the holder renews or releases.
    ``MemoryCache`` grants leases within one process, ``RedisCache`` across machines. Lease
    names live apart from the store's values: ``clear()`` leaves held leases alone.
    """

    def acquire_lease(self, name: str, token: str, ttl: float) -> bool:
        """Take the lease ``name`` for ``token`` for ``ttl`` seconds.

        Returns:
            True when ``token`` now holds it: it was free, its last holder's time ran out, or
            ``token`` held it already (its expiry is then pushed to ``ttl`` from now). False
            when another token holds it.
        """
        ...

    def renew_lease(self, name: str, token: str, ttl: float) -> bool:
        """Push the expiry of a lease ``token`` holds to ``ttl`` seconds from now.

        Returns:
            False when ``token`` no longer holds it (it expired, or another took it over):
            the caller has lost the lease and must not act as its holder.
        """
        ...

    def release_lease(self, name: str, token: str) -> bool:
        """Give up a lease ``token`` holds, and wake the ``wait_for`` calls waiting on ``name``.

        Returns:
            False (and nothing changed) when ``token`` does not hold it.
        """
        ...


@runtime_checkable
class SupportsWait(Protocol):
    """A store whose waiters wake when a key is written, by this process or (for a shared
    store) by any other process on any machine.

    The callback receiver stores a callback under ``callback:<provider>:<task id>``; a worker
    waiting for that task calls ``wait_for([that key], timeout)`` and wakes as soon as it
    lands, instead of polling. Followers of a single flight wait on the holder's result key
    and on the lease name (``release_lease`` wakes that too).

    A wake-up is a hint, not a value: read the key afterwards (it may have expired, or the
    wake came from a released lease). ``wait_for`` blocks its thread; async code calls it from
    a worker thread.
    """

    def wait_for(self, keys: Sequence[str], timeout: float | None) -> str | None:
        """Block until one of ``keys`` holds a value or is woken; return that key.

        Returns at once with a key that already holds a value. A key is woken by a ``set`` of
        it and by a ``release_lease`` of a lease of that name.

        Args:
            keys: The keys (or lease names) to wait on; at least one.
            timeout: Seconds to wait at most; None waits for ever.

        Returns:
            The key that holds a value or was woken, or None when ``timeout`` passed first.
        """
        ...


@attrs.frozen
class CacheStats:
    """A snapshot of a store's counters.

    Attributes:
        hits: Lookups answered with a value.
        misses: Lookups that found nothing (expired entries included).
        sets: Values written.
        evictions: Entries dropped to make room (size-bounded stores only).
        expirations: Entries dropped because their TTL passed.
        size: Live entries now.
    """

    hits: int = 0
    misses: int = 0
    sets: int = 0
    evictions: int = 0
    expirations: int = 0
    size: int = 0

    @property
    def hit_rate(self) -> float | None:
        """Hits per lookup, from 0.0 to 1.0, or None before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None

    def to_dict(self) -> dict[str, int | float | None]:
        """Return the counters and ``hit_rate`` as a plain dict (for logs and metrics)."""
        return {
            "hits": self.hits,
            "misses": self.misses,
            "sets": self.sets,
            "evictions": self.evictions,
            "expirations": self.expirations,
            "size": self.size,
            "hit_rate": self.hit_rate,
        }


class Counters:
    """A store's own lookup and write counters, kept apart from what it stores.

    The store updates them under its own lock and reads them the same way (``stats``).
    """

    __slots__ = ("hits", "misses", "sets")

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self.sets = 0

    def stats(self, *, size: int, evictions: int = 0, expirations: int = 0) -> CacheStats:
        """These counters, with what the store counts itself, as a ``CacheStats``."""
        return CacheStats(
            hits=self.hits,
            misses=self.misses,
            sets=self.sets,
            evictions=evictions,
            expirations=expirations,
            size=size,
        )


def check_ttl(ttl: float | None, *, name: str = "ttl") -> float | None:
    """Return ``ttl`` if it is None or a positive number of seconds.

    Raises:
        ValueError: ``ttl`` is zero, negative or NaN.
    """
    if ttl is not None and not ttl > 0:  # "not >" also rejects NaN
        raise ValueError(f"{name} must be a positive number of seconds (or None), got {ttl!r}")
    return ttl


def check_lease(name: object, token: object, ttl: float | None = 1.0) -> None:
    """Refuse a lease call with a non-text name or token, or a ttl that is not a finite,
    positive number of seconds (a lease that never expires would outlive a dead holder).

    Raises:
        TypeError: ``name`` or ``token`` is not a ``str``.
        ValueError: ``token`` is empty, or ``ttl`` is not finite and positive.
    """
    if not isinstance(name, str) or not isinstance(token, str):
        raise TypeError("lease names and tokens must be str")
    if not token:
        raise ValueError("a lease token must not be empty: use a fresh uuid4().hex per holder")
    if ttl is not None and not (ttl > 0 and math.isfinite(ttl)):
        raise ValueError(f"lease ttl must be a finite, positive number of seconds, got {ttl!r}")


def check_keys(keys: Sequence[str]) -> list[str]:
    """The keys of a ``wait_for`` call, as a list.

    Raises:
        TypeError: ``keys`` is a single ``str`` or holds something else than ``str``.
        ValueError: ``keys`` is empty.
    """
    if isinstance(keys, str):
        raise TypeError("wait_for takes a sequence of keys: pass [key], not key")
    listed = list(keys)
    if not listed:
        raise ValueError("wait_for needs at least one key")
    if not all(isinstance(key, str) for key in listed):
        raise TypeError("wait_for keys must be str")
    return listed


def check_item(key: object, value: object) -> None:
    """Refuse anything but ``str`` keys and values: stores hold JSON text, never objects.

    Raises:
        TypeError: ``key`` or ``value`` is not a ``str``.
    """
    if not isinstance(key, str):
        raise TypeError(f"cache keys must be str, got {type(key).__name__}")
    if not isinstance(value, str):
        raise TypeError(
            f"cache values must be str (JSON text), got {type(value).__name__}; "
            "serialize with json.dumps first"
        )


def expiry(now: float, ttl: float | None) -> float:
    """Return the time at which an entry set at ``now`` with ``ttl`` expires (inf: never)."""
    return math.inf if ttl is None else now + ttl
