"""Two stores in front of each other: a fast one (memory) before a lasting one (disk)."""

from __future__ import annotations

import threading

from ._base import Cache, CacheStats, Counters, SupportsGetWithTTL, check_item, check_ttl

__all__ = ["TieredCache"]


class TieredCache:
    """Read from ``front``, then ``back``; write and delete through both.

    A value found only in ``back`` is copied into ``front`` (promoted) for the time it has left
    in ``back`` when ``back`` can tell (``MemoryCache`` and ``DiskCache`` can); otherwise for
    ``front``'s default TTL.

    ``stats()`` describes the pair as one store: ``hits`` counts lookups answered by either
    tier (front hits plus back-only hits), ``misses`` lookups neither could answer, ``sets`` the
    values written through this object; ``evictions`` and ``expirations`` add up both tiers;
    ``size`` is ``back``'s (every write reaches it, so it holds everything). Each tier's own
    ``stats()`` stays available on ``front`` and ``back``.

    Args:
        front: The fast store, consulted first (e.g. ``MemoryCache``).
        back: The lasting store, consulted on a front miss (e.g. ``DiskCache``).
    """

    def __init__(self, front: Cache, back: Cache) -> None:
        self.front = front
        self.back = back
        # Checked once: isinstance against a runtime protocol is too slow for every lookup.
        self._back_ttl = back if isinstance(back, SupportsGetWithTTL) else None
        self._front_ttl = front if isinstance(front, SupportsGetWithTTL) else None
        # Serializes the slow path (back lookup + promotion) against writes and deletes, so a
        # value deleted meanwhile is never promoted back into front. Front hits skip it.
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        # Blocks when either store may: the async client then calls it from a worker thread.
        self.blocking: bool = getattr(front, "blocking", True) or getattr(back, "blocking", True)
        self._counts = Counters()

    def get(self, key: str) -> str | None:
        """Return the value from ``front``, else from ``back`` (promoting it), else None."""
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None if unknown or unlimited)``, or None on a miss."""
        found = self._get_front(key)
        if found is None:
            with self._lock:
                found = self._get_front(key)  # another thread may have promoted it meanwhile
                if found is None:
                    found = self._get_back(key)
                    if found is not None:
                        value, remaining = found
                        if remaining is None:
                            self.front.set(key, value)
                        elif remaining > 0:
                            self.front.set(key, value, ttl=remaining)
        with self._count_lock:
            if found is None:
                self._counts.misses += 1
            else:
                self._counts.hits += 1
        return found

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` in ``back``, then in ``front``, each with ``ttl``.

        Raises:
            TypeError: ``key`` or ``value`` is not a ``str``.
            ValueError: ``ttl`` is not positive.
        """
        check_item(key, value)
        check_ttl(ttl)
        with self._lock:
            # Back first: should front fail, the lasting copy is already there.
            self.back.set(key, value, ttl=ttl)
            self.front.set(key, value, ttl=ttl)
        with self._count_lock:
            self._counts.sets += 1

    def delete(self, key: str) -> None:
        """Remove ``key`` from both tiers."""
        with self._lock:
            self.back.delete(key)
            self.front.delete(key)

    def clear(self) -> None:
        """Remove every entry from both tiers; the counters are kept."""
        with self._lock:
            self.back.clear()
            self.front.clear()

    def stats(self) -> CacheStats:
        """Return the pair's counters (see the class docstring for their meaning)."""
        front, back = self.front.stats(), self.back.stats()
        with self._count_lock:
            return self._counts.stats(
                size=back.size,
                evictions=front.evictions + back.evictions,
                expirations=front.expirations + back.expirations,
            )

    def close(self) -> None:
        """Close both tiers."""
        try:
            self.front.close()
        finally:
            self.back.close()

    def __enter__(self) -> TieredCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TieredCache(front={self.front!r}, back={self.back!r})"

    def _get_front(self, key: str) -> tuple[str, float | None] | None:
        if self._front_ttl is not None:
            return self._front_ttl.get_with_ttl(key)
        value = self.front.get(key)
        return None if value is None else (value, None)

    def _get_back(self, key: str) -> tuple[str, float | None] | None:
        if self._back_ttl is not None:
            return self._back_ttl.get_with_ttl(key)
        value = self.back.get(key)
        return None if value is None else (value, None)
