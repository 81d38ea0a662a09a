"""A store in Redis, shared by every worker of a fleet, on any machine (``pip install
'musicgen-sdk[redis]'``)."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .._redis import CacheUnavailableError, Subscription, connect, glob_escape, import_redis, text
from ._base import CacheStats, Counters, check_item, check_keys, check_lease, check_ttl

if TYPE_CHECKING:
    import redis

__all__ = ["DEFAULT_URL", "RedisCache"]

logger = logging.getLogger("musicgen.cache")

#: Where ``RedisCache()`` connects when given neither a URL nor a client.
DEFAULT_URL = "redis://localhost:6379/0"

_T = TypeVar("_T")

# Each script checks the holder's token and acts in one step on the server: between a GET and
# a later SET from Python another worker could take an expired lease over.
_ACQUIRE = """
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if held then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
"""


def _milliseconds(seconds: float) -> int:
    # Redis expiries are whole milliseconds; round up so a tiny ttl never becomes "none".
    return max(1, math.ceil(seconds * 1000))


class RedisCache:
    """A store in Redis: one cache, one submission journal, one set of leases for a fleet.

    Every worker that builds a ``RedisCache`` on the same server and ``prefix`` shares the
    finished results and the journal, so an identical request on another machine resumes the
    task instead of paying for it again. Besides the ``Cache`` protocol it grants leases
    (``SupportsLease``, for distributed single flight) and wakes waiters (``SupportsWait``:
    a callback stored by the receiver on one web node wakes the worker waiting for it).

    Layout, under ``prefix`` (default ``musicgen:``):

    - ``<prefix>v:<key>``: a value, as given (JSON text, which never holds an API key), with a
      Redis expiry (``PX``) when it has a ttl;
    - ``<prefix>lease:<name>``: a lease, holding its holder's token, with its expiry;
    - ``<prefix>wake:<key>``: the pub/sub channel a ``set`` of a watched key (and a lease
      release) publishes on.

    ``clear()`` deletes only ``<prefix>v:*`` keys (by ``SCAN``, never ``FLUSHDB``), so other
    prefixes, other apps and held leases are left alone.

    Errors: commands are retried a few times (jittered backoff, under a second each) on
    connection errors and timeouts. After that, reads (``get``, ``get_with_ttl``, leases,
    ``wait_for``) raise ``CacheUnavailableError`` rather than answer a miss: a miss on the
    journal would make the client submit a task another worker already paid for, while an
    error stops the call before anything is submitted. Writes (``set``, ``delete``) log a
    warning and drop, like the other stores: the client's call goes on and returns its result;
    only a crash before the store is back would lose the journal entry of that task.

    Args:
        url: A ``redis://`` or ``rediss://`` URL (database, password and TLS as redis-py reads
            them). Default: ``redis://localhost:6379/0``.
        prefix: The namespace of every key and channel; fleets sharing a server with other
            apps or environments give each its own.
        client: A ``redis.Redis`` client to use instead of a URL (its retries and timeouts are
            then yours). Responses may be decoded or not. ``close()`` leaves it open.
        ttl: Default seconds before a value expires (None: never).
        watch: Key prefixes whose ``set`` publishes a wake-up; None (default) publishes for
            every key (one more command in the same round trip). ``wait_for`` refuses keys
            outside them, which could never wake.

    Raises:
        ConfigurationError: redis-py is not installed.
        ValueError: both ``url`` and ``client`` given, an empty ``prefix``, or a ttl that is
            not positive.
    """

    #: Every call is a network round trip: the async client calls it from a worker thread.
    blocking = True

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = "musicgen:",
        client: redis.Redis | None = None,
        ttl: float | None = None,
        watch: Sequence[str] | None = None,
    ) -> None:
        if url is not None and client is not None:
            raise ValueError("pass either url or client to RedisCache, not both")
        if not prefix:
            raise ValueError("prefix must not be empty: clear() would delete other apps' keys")
        if isinstance(watch, str):
            raise TypeError("watch takes a sequence of key prefixes: pass [prefix]")
        self._lib = import_redis()
        self._owns_client = client is None
        self._url = url or DEFAULT_URL
        self._client: redis.Redis = connect(self._url) if client is None else client
        self._prefix = prefix
        self._ttl = check_ttl(ttl)
        self._watch = None if watch is None else tuple(watch)
        self._acquire = self._client.register_script(_ACQUIRE)
        self._renew = self._client.register_script(_RENEW)
        self._release = self._client.register_script(_RELEASE)
        # Counters are per process (each worker counts its own lookups).
        self._lock = threading.Lock()
        self._counts = Counters()

    @property
    def prefix(self) -> str:
        """The namespace of every key and channel."""
        return self._prefix

    @property
    def ttl(self) -> float | None:
        """The default seconds before a value expires (None: never)."""
        return self._ttl

    @property
    def client(self) -> redis.Redis:
        """The redis-py client (for a limiter on the same server, or for inspection)."""
        return self._client

    # -- the Cache protocol --------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        """Return the value under ``key``, or None if it is missing or expired.

        Raises:
            CacheUnavailableError: Redis cannot be reached (a miss could cost a paid task).
        """
        found = self._call("read", lambda: self._client.get(self._value_key(key)))
        self._count(found is not None)
        return None if found is None else text(found)

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss.

        Raises:
            CacheUnavailableError: Redis cannot be reached.
        """
        name = self._value_key(key)

        def read() -> list[Any]:
            pipe = self._client.pipeline(transaction=True)
            pipe.get(name)
            pipe.pttl(name)
            return list(pipe.execute())

        value, left = self._call("read", read)
        self._count(value is not None)
        if value is None:
            return None
        return text(value), (None if int(left) < 0 else int(left) / 1000)

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key`` and wake its waiters (a watched key).

        A Redis failure is logged and the write dropped (see the class notes).

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
        ttl = self._ttl if ttl is None else ttl
        px = None if ttl is None or math.isinf(ttl) else _milliseconds(ttl)
        name = self._value_key(key)

        def write() -> None:
            if not self._watched(key):
                self._client.set(name, value, px=px)
                return
            # One round trip: the value, then the wake-up of whoever waits on it.
            pipe = self._client.pipeline(transaction=False)
            pipe.set(name, value, px=px)
            pipe.publish(self._channel(key), "set")
            pipe.execute()

        if self._attempt("write", write):
            with self._lock:
                self._counts.sets += 1

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error (a Redis failure is logged)."""
        self._attempt("delete", lambda: self._client.delete(self._value_key(key)))

    def clear(self) -> None:
        """Delete every value under this prefix (SCAN, in batches); leases are kept.

        Raises:
            CacheUnavailableError: Redis cannot be reached.
        """

        def run() -> None:
            batch: list[str] = []
            for name in self._scan():
                batch.append(name)
                if len(batch) >= 500:
                    self._client.delete(*batch)
                    batch.clear()
            if batch:
                self._client.delete(*batch)

        self._call("clear", run)

    def stats(self) -> CacheStats:
        """This process's hits, misses and sets, and the number of values under the prefix
        (counted by SCAN: slow on a very large database). Evictions and expirations happen
        inside Redis and are not counted (0).

        Raises:
            CacheUnavailableError: Redis cannot be reached.
        """
        size = self._call("stats", lambda: sum(1 for _ in self._scan()))
        with self._lock:
            return self._counts.stats(size=size)

    def close(self) -> None:
        """Close the connections (only those of a client this store made from a URL)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> RedisCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # The URL may hold a password: show the namespace only.
        return f"RedisCache(prefix={self._prefix!r}, ttl={self._ttl!r})"

    # -- leases (SupportsLease) ----------------------------------------------------------------

    def acquire_lease(self, name: str, token: str, ttl: float) -> bool:
        """Take the lease ``name`` for ``token`` for ``ttl`` seconds, atomically on the server
        (see ``SupportsLease``).

        Raises:
            TypeError: ``name`` or ``token`` is not a ``str``.
            ValueError: ``token`` is empty or ``ttl`` is not finite and positive.
            CacheUnavailableError: Redis cannot be reached (the caller does not hold it).
        """
        check_lease(name, token, ttl)
        keys, args = [self._lease_key(name)], [token, str(_milliseconds(ttl))]
        return bool(self._call("lease", lambda: self._acquire(keys=keys, args=args)))

    def renew_lease(self, name: str, token: str, ttl: float) -> bool:
        """Push the expiry of a lease ``token`` holds; False when it no longer holds it.

        Raises:
            CacheUnavailableError: Redis cannot be reached.
        """
        check_lease(name, token, ttl)
        keys, args = [self._lease_key(name)], [token, str(_milliseconds(ttl))]
        return bool(self._call("lease", lambda: self._renew(keys=keys, args=args)))

    def release_lease(self, name: str, token: str) -> bool:
        """Give up a lease ``token`` holds and wake the waiters on ``name`` in every process;
        False when it does not hold it.

        Raises:
            CacheUnavailableError: Redis cannot be reached.
        """
        check_lease(name, token, None)
        keys, args = [self._lease_key(name)], [token, self._channel(name)]
        return bool(self._call("lease", lambda: self._release(keys=keys, args=args)))

    # -- wake-ups (SupportsWait) ---------------------------------------------------------------

    def wait_for(self, keys: Sequence[str], timeout: float | None) -> str | None:
        """Block until one of ``keys`` holds a value, is set by any process, or is released as
        a lease; return that key, or None after ``timeout`` seconds (None: for ever).

        Uses one pub/sub connection for the duration of the call. See ``SupportsWait``.

        Raises:
            TypeError: ``keys`` is one ``str``, or holds something else.
            ValueError: ``keys`` is empty, holds a key outside ``watch`` (it would never
                wake), or ``timeout`` is negative.
            CacheUnavailableError: Redis cannot be reached.
        """
        wanted = check_keys(keys)
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
        unwatched = [key for key in wanted if not self._watched(key)]
        if unwatched:
            raise ValueError(
                f"wait_for on {unwatched[0]!r}, which no set wakes: add its prefix to "
                f"RedisCache(watch=...) (now {list(self._watch or ())})"
            )
        by_channel = {self._channel(key): key for key in wanted}

        def run() -> str | None:
            with Subscription(self._client, by_channel) as subscription:
                # Subscribed first, then looked: a set between the two still wakes us.
                present = self._client.exists(*(self._value_key(key) for key in wanted))
                if int(cast(Any, present)):
                    for key in wanted:
                        if self._client.exists(self._value_key(key)):
                            return key
                channel = subscription.wait(timeout)
                return None if channel is None else by_channel[channel]

        return self._call("wait", run)

    # -- internals -----------------------------------------------------------------------------

    def _value_key(self, key: str) -> str:
        return f"{self._prefix}v:{key}"

    def _lease_key(self, name: str) -> str:
        return f"{self._prefix}lease:{name}"

    def _channel(self, key: str) -> str:
        return f"{self._prefix}wake:{key}"

    def _watched(self, key: str) -> bool:
        return self._watch is None or key.startswith(self._watch)

    def _scan(self) -> Iterator[str]:
        pattern = glob_escape(self._prefix) + "v:*"
        for name in self._client.scan_iter(match=pattern, count=500):
            yield text(name)

    def _count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self._counts.hits += 1
            else:
                self._counts.misses += 1

    def _call(self, what: str, action: Callable[[], _T]) -> _T:
        """Run ``action``; a Redis failure (after the client's retries) raises."""
        try:
            return action()
        except (self._lib.RedisError, TimeoutError) as error:
            msg = f"Redis cache {what} failed: {type(error).__name__}: {error}"
            raise CacheUnavailableError(msg) from error

    def _attempt(self, what: str, action: Callable[[], object]) -> bool:
        """Run ``action``; a Redis failure is logged and dropped. True when it ran."""
        try:
            action()
        except (self._lib.RedisError, TimeoutError) as error:
            logger.warning("Redis cache %s dropped: %s: %s", what, type(error).__name__, error)
            return False
        return True
