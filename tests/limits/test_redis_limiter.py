"""RedisLimiter across real processes on a real Redis server."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from musicgen._redis import text
from musicgen.cache import RedisCache
from musicgen.limits import RedisLimiter, account_key

from ..cache.test_disk import finish, run_python
from ..cache.test_redis import child_env


def raw(store: Any) -> Any:
    """The store's redis-py client, untyped: its stubs differ between redis-py 5 and 8."""
    return store.client


@pytest.fixture
def prefix() -> str:
    return f"musicgen-test:{uuid.uuid4().hex[:12]}:limits:"


@pytest.fixture
def limiter(redis_url: str, prefix: str) -> Iterator[RedisLimiter]:
    with RedisLimiter(redis_url, prefix=prefix) as made:
        yield made
        client = made.client
        for name in client.scan_iter(match=prefix + "*"):
            client.delete(name)


def test_processes_never_hold_more_than_the_limit(
    redis_url: str, limiter: RedisLimiter, prefix: str
) -> None:
    inside, seen = prefix + "inside", prefix + "seen"
    workers = [
        run_python(
            """
            import sys, time
            import redis
            from musicgen.limits import RedisLimiter
            url, prefix, inside, seen = sys.argv[1:5]
            counter = redis.Redis.from_url(url)
            with RedisLimiter(url, prefix=prefix) as limiter:
                for _ in range(12):
                    with limiter.acquire("mureka:acct", limit=2, ttl=60, timeout=120):
                        counter.rpush(seen, counter.incr(inside))
                        time.sleep(0.003)
                        counter.decr(inside)
            """,
            redis_url,
            prefix,
            inside,
            seen,
        )
        for _ in range(4)
    ]
    for worker in workers:
        finish(worker)

    counts = [int(text(n)) for n in raw(limiter).lrange(seen, 0, -1)]
    assert len(counts) == 4 * 12
    assert max(counts) <= 2
    assert limiter.running("mureka:acct") == 0


def test_a_killed_holder_loses_its_slot_after_the_ttl(
    redis_url: str, limiter: RedisLimiter, prefix: str
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from musicgen.limits import RedisLimiter\n"
            "limiter = RedisLimiter(sys.argv[1], prefix=sys.argv[2])\n"
            "limiter.acquire('mureka:acct', limit=1, ttl=0.5, timeout=0)\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            redis_url,
            prefix,
        ],
        env=child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        assert limiter.try_acquire("mureka:acct", limit=1, ttl=60) is None
        holder.kill()
        holder.wait()

        # A blocked acquire takes the place once the dead holder's slot expires (generous
        # timeout: this checks that it frees up, not how fast).
        slot = limiter.acquire("mureka:acct", limit=1, ttl=60, timeout=30)
        assert limiter.running("mureka:acct") == 1
        slot.release()
    finally:
        holder.kill()
        holder.wait()


def loose(value: object) -> str:
    """A reply as text; other tests' binary values (arq's pickles) are read, not decoded."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def test_the_api_key_is_stored_nowhere_in_redis(
    redis_url: str, limiter: RedisLimiter, redis_prefix: str
) -> None:
    api_key = "mk-live-" + uuid.uuid4().hex
    account = account_key("mureka", api_key)
    slot = limiter.acquire(account, limit=5, ttl=60, timeout=0)
    limiter.acquire_rate(account_key("suno", api_key), count=20, per=10, timeout=0)
    with RedisCache(redis_url, prefix=redis_prefix) as cache:
        cache.acquire_lease("flight:" + account, uuid.uuid4().hex, 60)

        dump = []
        client = raw(cache)
        for name in client.scan_iter(count=1000):
            dump.append(loose(name))
            kind = loose(client.type(name))
            if kind == "string":
                dump.append(loose(client.get(name)))
            elif kind == "zset":
                dump.extend(loose(m) for m in client.zrange(name, 0, -1))
            elif kind == "list":
                dump.extend(loose(m) for m in client.lrange(name, 0, -1))
        cache.clear()

    assert any(account in entry for entry in dump)  # the limiter did write its state
    assert not any(api_key in entry for entry in dump)
    slot.release()


def test_it_shares_a_client_with_the_cache(redis_url: str, redis_prefix: str) -> None:
    with RedisCache(redis_url, prefix=redis_prefix) as cache:
        limiter = RedisLimiter(client=cache.client, prefix=redis_prefix + "limits:")
        slot = limiter.try_acquire("suno:acct", limit=1, ttl=60)
        assert slot is not None
        limiter.close()  # leaves the cache's client open

        assert raw(cache).ping()
        assert limiter.running("suno:acct") == 1
        slot.release()


def test_an_unreachable_server_is_a_clear_error() -> None:
    from musicgen.cache import CacheUnavailableError

    limiter = RedisLimiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with pytest.raises(CacheUnavailableError, match="Redis limiter"):
        limiter.try_acquire("mureka:acct", limit=1, ttl=60)
    limiter.close()
