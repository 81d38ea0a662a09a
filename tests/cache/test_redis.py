"""RedisCache: namespaces, processes on a real server, failures, the optional extra."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import musicgen
from musicgen._callback_wait import callback_key
from musicgen._redis import text
from musicgen.cache import CacheUnavailableError, RedisCache
from musicgen.callbacks import load_event, parse_callback, store_event

from .test_disk import finish, run_python


def raw(store: Any) -> Any:
    """The store's redis-py client, untyped: its stubs differ between redis-py 5 and 8."""
    return store.client


def url_of(cache: RedisCache) -> str:
    """The URL of the server ``cache`` talks to, for a child process."""
    kwargs = raw(cache).connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


def child_env() -> dict[str, str]:
    """The environment of a child interpreter that imports this checkout of musicgen."""
    env = dict(os.environ)
    src = str(Path(musicgen.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    return env


@pytest.fixture
def cache(redis_url: str, redis_prefix: str) -> Iterator[RedisCache]:
    with RedisCache(redis_url, prefix=redis_prefix) as store:
        yield store
        store.clear()


def test_keys_are_namespaced_by_the_prefix(cache: RedisCache) -> None:
    cache.set("journal:abc", '{"task_id": "t1"}', ttl=60)

    names = [text(name) for name in raw(cache).keys(cache.prefix + "*")]

    assert names == [f"{cache.prefix}v:journal:abc"]
    assert 0 < raw(cache).pttl(names[0]) <= 60_000


def test_stores_with_other_prefixes_share_nothing(redis_url: str, cache: RedisCache) -> None:
    with RedisCache(redis_url, prefix=cache.prefix + "other:") as other:
        other.set("k", '"other"')
        cache.set("k", '"mine"')

        cache.clear()

        assert other.get("k") == '"other"'
        assert cache.get("k") is None
        other.clear()


def test_clear_leaves_keys_outside_the_prefix_alone(cache: RedisCache) -> None:
    outside = cache.prefix.rstrip(":") + "-elsewhere"
    raw(cache).set(outside, "kept")
    try:
        cache.set("k", "1")
        cache.clear()
        assert raw(cache).get(outside) == b"kept"
    finally:
        raw(cache).delete(outside)


def test_a_prefix_with_glob_characters_clears_only_itself(redis_url: str) -> None:
    with (
        RedisCache(redis_url, prefix="musicgen-test:[a]*:") as globbed,
        RedisCache(redis_url, prefix="musicgen-test:a-other:") as other,
    ):
        globbed.set("k", "1")
        other.set("k", "2")

        globbed.clear()

        assert (globbed.get("k"), other.get("k")) == (None, "2")
        other.clear()


def test_a_client_that_decodes_responses_works_too(redis_url: str, redis_prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with RedisCache(client=client, prefix=redis_prefix) as cache:
        cache.set("k", '"é"', ttl=60)
        value = cache.get_with_ttl("k")
        assert value is not None
        assert value[0] == '"é"'
        assert cache.acquire_lease("flight:fp", "holder", 30)
        cache.clear()
    assert client.ping()  # close() leaves a client it was given open
    client.close()


def test_url_and_client_together_are_refused(redis_url: str) -> None:
    import redis

    with pytest.raises(ValueError, match="url or client"):
        RedisCache(redis_url, client=redis.Redis())


def test_an_empty_prefix_is_refused(redis_url: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        RedisCache(redis_url, prefix="")


def test_the_repr_never_shows_the_url_and_its_password() -> None:
    cache = RedisCache("redis://:s3cret@127.0.0.1:1/0", prefix="app:")

    assert "s3cret" not in repr(cache)
    cache.close()


def test_wait_for_refuses_a_key_no_set_would_wake(redis_url: str, redis_prefix: str) -> None:
    with (
        RedisCache(redis_url, prefix=redis_prefix, watch=["callback:"]) as cache,
        pytest.raises(ValueError, match="watch"),
    ):
        cache.wait_for(["generation:suno:t1"], 0)


# -- an unreachable server ---------------------------------------------------------------------


@pytest.fixture
def unreachable() -> Iterator[RedisCache]:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    with RedisCache("redis://127.0.0.1:1/0") as store:
        yield store


def test_a_read_raises_rather_than_answer_a_miss(unreachable: RedisCache) -> None:
    # A miss on the journal would submit (and pay for) a task another worker started.
    with pytest.raises(CacheUnavailableError, match="read"):
        unreachable.get("journal:abc")
    with pytest.raises(CacheUnavailableError):
        unreachable.acquire_lease("flight:fp", "holder", 30)


def test_a_write_is_logged_and_dropped(
    unreachable: RedisCache, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="musicgen.cache"):
        unreachable.set("generation:suno:t1", "{}")

    assert "Redis cache write dropped" in caplog.text


# -- processes ---------------------------------------------------------------------------------


def test_a_value_written_by_another_process_is_read_here(cache: RedisCache) -> None:
    writer = run_python(
        """
        import sys
        from musicgen.cache import RedisCache
        with RedisCache(sys.argv[1], prefix=sys.argv[2]) as cache:
            cache.set("journal:abc", '{"task_id": "t1"}')
        """,
        url_of(cache),
        cache.prefix,
    )
    finish(writer)

    assert cache.get("journal:abc") == '{"task_id": "t1"}'


def test_processes_racing_for_a_lease_hold_it_one_at_a_time(cache: RedisCache) -> None:
    log = cache.prefix + "log"
    racers = [
        run_python(
            """
            import sys, time, uuid
            from musicgen.cache import RedisCache
            url, prefix, log = sys.argv[1:4]
            with RedisCache(url, prefix=prefix) as cache:
                me = uuid.uuid4().hex
                for _ in range(15):
                    while not cache.acquire_lease("flight:race", me, 30):
                        time.sleep(0.001)
                    cache.client.rpush(log, "in:" + me)
                    time.sleep(0.002)
                    cache.client.rpush(log, "out:" + me)
                    assert cache.release_lease("flight:race", me)
            """,
            url_of(cache),
            cache.prefix,
            log,
        )
        for _ in range(4)
    ]
    for racer in racers:
        finish(racer)

    entries = [text(entry) for entry in raw(cache).lrange(log, 0, -1)]
    raw(cache).delete(log)
    assert len(entries) == 4 * 15 * 2
    # Each holder leaves before the next one enters: in, out, in, out... by the same holder.
    for enter, leave in zip(entries[::2], entries[1::2], strict=True):
        assert enter.startswith("in:")
        assert leave == "out:" + enter[3:]


def test_a_killed_holder_loses_its_lease_after_the_ttl(cache: RedisCache) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from musicgen.cache import RedisCache\n"
            "cache = RedisCache(sys.argv[1], prefix=sys.argv[2])\n"
            "assert cache.acquire_lease('flight:fp', 'dead', 0.5)\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            url_of(cache),
            cache.prefix,
        ],
        env=child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        assert not cache.acquire_lease("flight:fp", "alive", 30)
        holder.kill()
        holder.wait()

        deadline = time.monotonic() + 10
        while not cache.acquire_lease("flight:fp", "alive", 30):
            assert time.monotonic() < deadline, "the dead holder's lease never expired"
            time.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()


def _subscribers(cache: RedisCache, key: str) -> int:
    channel = f"{cache.prefix}wake:{key}"
    counts = dict(raw(cache).pubsub_numsub(channel))
    return int(counts.get(channel.encode(), 0))


def test_a_callback_stored_by_one_process_wakes_a_waiter_in_another(cache: RedisCache) -> None:
    key = callback_key("suno", "task-1")
    waiter = run_python(
        """
        import sys
        from musicgen.cache import RedisCache
        with RedisCache(sys.argv[1], prefix=sys.argv[2]) as cache:
            print(cache.wait_for([sys.argv[3]], 60))
        """,
        url_of(cache),
        cache.prefix,
        key,
    )
    # Stored only once the waiter listens, so it is the wake-up that ends its wait.
    deadline = time.monotonic() + 30
    while _subscribers(cache, key) == 0:
        assert waiter.poll() is None, waiter.communicate()
        assert time.monotonic() < deadline, "the waiter never subscribed"
        time.sleep(0.02)
    body = {
        "code": 200,
        "msg": "ok",
        "data": {"callbackType": "complete", "task_id": "task-1", "data": []},
    }
    event = parse_callback(json.dumps(body), family="music")

    assert store_event(cache, event, ttl=60)

    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, err
    assert out.strip() == key
    stored = load_event(cache, "suno", "task-1")
    assert stored is not None
    assert stored.stage == "complete"


# -- the optional extra ------------------------------------------------------------------------


def test_importing_musicgen_and_its_cache_never_imports_redis() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, musicgen, musicgen.cache, musicgen.limits\nprint('redis' in sys.modules)",
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_without_redis_py_building_a_store_names_the_extra() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "sys.modules['redis'] = None  # as if the extra were not installed\n"
            "from musicgen.cache import RedisCache\n"
            "RedisCache()\n",
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "pip install 'musicgen-sdk[redis]'" in done.stderr.splitlines()[-1]
