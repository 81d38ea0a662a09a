"""``RedisLimiter``: account limits shared by every worker of a fleet, on any machine."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from .._redis import CacheUnavailableError, Subscription, connect, import_redis
from ._base import (
    BlockingLimiter,
    Slot,
    Waiter,
    check_account,
    check_rate_args,
    check_seconds,
    new_token,
)

if TYPE_CHECKING:
    import redis

__all__ = ["RedisLimiter"]

_T = TypeVar("_T")

# Every script reads the time once, purges what expired and decides in one atomic step: two
# workers can never both see "4 of 5 held" and both take the fifth slot. ARGV[1] is the time
# in ms, or "" for the server's clock (the one clock every machine of the fleet agrees on).
_NOW = """
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
"""
# A sorted set per account: member = holder token, score = expiry in ms.
# ARGV: now, limit, ttl ms, token. Returns {1, 0} when taken, {0, ms until the soonest expiry}.
_ACQUIRE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit, ttl, token = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + ttl, token)
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(first[2]) - now)}
"""
)
# ARGV: now, ttl ms, token. Returns 1 when renewed, 0 when the slot was lost.
_RENEW = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
return 1
"""
)
# ARGV: now, token, channel. Removes the slot (if still held) and wakes the waiters.
_RELEASE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'released')
return held
"""
)
# ARGV: now. The live slots.
_RUNNING = (
    _NOW
    + """
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""
)
# A sorted set per account of the grants in the window: member = unique id, score = time.
# ARGV: now, count, per ms, id. Returns 0 when granted, else ms until room.
_RATE = (
    _NOW
    + """
local count, per = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
local held = redis.call('ZCARD', KEYS[1])
if held < count then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], per)
  return 0
end
local leaving = redis.call('ZRANGE', KEYS[1], held - count, held - count, 'WITHSCORES')
return math.max(1, tonumber(leaving[2]) + per - now)
"""
)


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisLimiter(BlockingLimiter):
    """Account limits shared by every worker on the same Redis (see :class:`Limiter`).

    Per account, under ``prefix`` (default ``musicgen:limits:``):

    - ``<prefix>slots:<account>``: a sorted set of the held slots (holder token, scored by
      expiry); an ``acquire`` purges expired slots, counts and adds in one Lua script;
    - ``<prefix>rate:<account>``: a sorted set of the grants in the rate window;
    - ``<prefix>released:<account>``: the channel a release publishes on, which wakes the
      workers blocked in ``acquire`` at once (they also retry when the soonest slot expires).

    Nothing else is stored: the account is a digest (:func:`account_key`), never an API key.
    Times come from the Redis server's clock, which every machine shares.

    Args:
        url: A ``redis://`` or ``rediss://`` URL. Default: ``redis://localhost:6379/0``.
        client: A ``redis.Redis`` client to use instead (e.g. ``RedisCache(...).client``);
            ``close()`` leaves it open.
        prefix: The namespace of the limiter's keys and channels.
        clock: Seconds, for tests only: replaces the server's clock.

    Raises:
        ConfigurationError: redis-py is not installed.
        ValueError: both ``url`` and ``client`` given, or an empty ``prefix``.
        CacheUnavailableError: (from any method) Redis could not be reached after retries;
            no slot is held then.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        prefix: str = "musicgen:limits:",
        clock: Callable[[], float] | None = None,
    ) -> None:
        if url is not None and client is not None:
            raise ValueError("pass either url or client to RedisLimiter, not both")
        if not prefix:
            raise ValueError("prefix must not be empty")
        self._lib = import_redis()
        self._owns_client = client is None
        self._client: redis.Redis = (
            connect(url or "redis://localhost:6379/0") if client is None else client
        )
        self._prefix = prefix
        self._clock = clock
        self._acquire = self._client.register_script(_ACQUIRE)
        self._renew = self._client.register_script(_RENEW)
        self._release = self._client.register_script(_RELEASE)
        self._running = self._client.register_script(_RUNNING)
        self._rate = self._client.register_script(_RATE)

    @property
    def prefix(self) -> str:
        """The namespace of the limiter's keys and channels."""
        return self._prefix

    @property
    def client(self) -> redis.Redis:
        """The redis-py client (shared with a ``RedisCache``, or for inspection)."""
        return self._client

    def _now(self) -> str:
        return "" if self._clock is None else str(round(self._clock() * 1000))

    def _slots(self, account: str) -> str:
        return f"{self._prefix}slots:{account}"

    def _channel(self, account: str) -> str:
        return f"{self._prefix}released:{account}"

    def _run(self, script: Callable[..., object], key: str, *args: str | int) -> object:
        return self._call(lambda: script(keys=[key], args=[self._now(), *map(str, args)]))

    def _call(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except (self._lib.RedisError, TimeoutError) as error:
            msg = f"Redis limiter failed: {type(error).__name__}: {error}"
            raise CacheUnavailableError(msg) from error

    def _try(self, account: str, limit: int, ttl: float) -> tuple[Slot | None, float]:
        token = new_token()
        reply = self._run(self._acquire, self._slots(account), limit, _ms(ttl), token)
        taken, wait_ms = _pair(reply)
        if taken:
            return Slot(self, account, token, ttl), 0.0
        return None, wait_ms / 1000

    @contextmanager
    def _listen(self, account: str) -> Iterator[Waiter]:
        subscription = self._call(
            lambda: Subscription(self._client, [self._channel(account)]).__enter__()
        )
        try:

            def wait(seconds: float) -> None:
                self._call(lambda: subscription.wait(seconds))

            yield wait
        finally:
            subscription.__exit__(None, None, None)

    def renew(self, slot: Slot, ttl: float) -> bool:
        """Push ``slot``'s expiry to ``ttl`` seconds from now; False when it was lost."""
        check_seconds("ttl", ttl)
        return bool(self._run(self._renew, self._slots(slot.account), _ms(ttl), slot.token))

    def release(self, slot: Slot) -> bool:
        """Free ``slot`` and wake the waiters in every process; False when it had expired."""
        key, channel = self._slots(slot.account), self._channel(slot.account)
        return bool(self._run(self._release, key, slot.token, channel))

    def try_acquire_rate(self, account: str, *, count: int, per: float) -> float:
        """Record one grant if fewer than ``count`` were granted in the last ``per`` seconds;
        else the seconds until one leaves the window (see :class:`Limiter`)."""
        check_account(account)
        check_rate_args(count, per)
        key = f"{self._prefix}rate:{account}"
        wait_ms = self._run(self._rate, key, count, _ms(per), new_token())
        return int(str(wait_ms)) / 1000

    def running(self, account: str) -> int:
        """How many slots of ``account`` are held now, across the fleet."""
        return int(str(self._run(self._running, self._slots(check_account(account)))))

    def close(self) -> None:
        """Close the connections (only those of a client made from a URL)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> RedisLimiter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RedisLimiter(prefix={self._prefix!r})"


def _pair(reply: object) -> tuple[int, int]:
    if not isinstance(reply, Sequence) or len(reply) != 2:
        raise CacheUnavailableError(f"Redis limiter: unexpected script reply {reply!r}")
    return int(str(reply[0])), int(str(reply[1]))
