"""What ``RedisCache`` and ``RedisLimiter`` share: the lazy import of redis-py, how a client is
made from a URL, and a pub/sub subscription that waits for wake-ups.

redis-py is the optional ``redis`` extra: nothing here imports it until a Redis store is built,
so ``import musicgen`` and ``import musicgen.cache`` never do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from ._errors import ConfigurationError, MusicGenError

if TYPE_CHECKING:
    import redis

__all__ = [
    "CacheUnavailableError",
    "Subscription",
    "connect",
    "glob_escape",
    "import_redis",
    "text",
]

#: Seconds a command may take before it counts as failed (then retried, then raised).
SOCKET_TIMEOUT = 5.0
#: Retries of a command that met a connection error or a timeout, with jittered backoff.
RETRIES = 3


class CacheUnavailableError(MusicGenError):
    """A shared store (Redis) could not be reached or answered with an error, after retries.

    Raised instead of answering a miss: in a fleet, a miss on the submission journal would
    make the client submit (and pay for) a task another worker already started. Nothing was
    submitted when a read raises this; retry once the store is back.
    """


CacheUnavailableError.__module__ = "musicgen.cache"  # its public home, in reprs and tracebacks


def import_redis() -> ModuleType:
    """Import redis-py, or say in one line how to install it.

    Raises:
        ConfigurationError: The ``redis`` extra is not installed.
    """
    try:
        import redis
    except ImportError as error:
        msg = "Redis support needs redis-py: pip install 'musicgen-sdk[redis]'"
        raise ConfigurationError(msg) from error
    return redis


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that retries connection errors and timeouts a few times, briefly.

    redis-py's default backoff waits up to 10 s between retries; a cache read that stalls the
    client that long is worse than an error, so the waits here stay under a second.
    """
    lib = import_redis()
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.retry import Retry

    client: redis.Redis = lib.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        retry=Retry(ExponentialWithJitterBackoff(cap=0.5, base=0.02), RETRIES),
        retry_on_error=[lib.ConnectionError, lib.TimeoutError],
        health_check_interval=30,
    )
    return client


def text(value: object) -> str:
    """A reply as ``str``, whether the client decodes responses or not."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def glob_escape(prefix: str) -> str:
    """``prefix`` with the glob characters of ``SCAN MATCH`` escaped."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in prefix)


class Subscription:
    """One pub/sub connection subscribed to some channels, confirmed before it is used.

    Subscribe first, then look at the state, then wait: a wake-up published between the look
    and the wait is then never missed. Use as a context manager (it holds a connection).
    """

    def __init__(self, client: redis.Redis, channels: Iterable[str]) -> None:
        self._channels = list(dict.fromkeys(channels))
        # redis-py leaves pubsub() untyped.
        self._pubsub: Any = cast(Any, client).pubsub(ignore_subscribe_messages=False)
        self._early: list[str] = []

    def __enter__(self) -> Subscription:
        try:
            self._confirm()
        except BaseException:
            self._pubsub.close()  # the with block never runs: give the connection back now
            raise
        return self

    def _confirm(self) -> None:
        self._pubsub.subscribe(*self._channels)
        # Wait for every confirmation: until then the server may not route a publish to us.
        pending = len(self._channels)
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Redis did not confirm the subscription")
            message = self._pubsub.get_message(timeout=left)
            if message is None:
                continue
            if message["type"] == "subscribe":
                pending -= 1
            elif message["type"] == "message":
                self._early.append(text(message["channel"]))

    def __exit__(self, *exc_info: object) -> None:
        self._pubsub.close()

    def wait(self, timeout: float | None) -> str | None:
        """The channel of the next message, or None when ``timeout`` seconds pass first
        (None: wait for ever)."""
        if self._early:
            return self._early.pop(0)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            # Bounded reads: the connection's health check and a dead socket surface in time.
            message = self._pubsub.get_message(timeout=SOCKET_TIMEOUT if left is None else left)
            if message is not None and message["type"] == "message":
                return text(message["channel"])
