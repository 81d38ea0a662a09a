"""The ``Cache`` protocol every store implements, and the ``CacheStats`` it reports."""

from __future__ import annotations

import math
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["Cache", "CacheStats", "SupportsGetWithTTL"]


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


def check_ttl(ttl: float | None, *, name: str = "ttl") -> float | None:
    """Return ``ttl`` if it is None or a positive number of seconds.

    Raises:
        ValueError: ``ttl`` is zero, negative or NaN.
    """
    if ttl is not None and not ttl > 0:  # "not >" also rejects NaN
        raise ValueError(f"{name} must be a positive number of seconds (or None), got {ttl!r}")
    return ttl


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
