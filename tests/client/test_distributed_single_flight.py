"""Distributed single flight: identical paid requests on different clients, processes or
machines start one task, through a lease in the shared cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from musicgen import APITimeoutError, Generation
from musicgen._leases import flight_name
from musicgen.cache import MemoryCache
from musicgen.testing import Emulator, EmulatorServer, Fault

from .conftest import MakeClient

SUNO: dict[str, Any] = {"provider": "suno", "prompt": "a calm tune"}


def test_identical_requests_on_two_clients_sharing_a_cache_pay_once(
    make_client: MakeClient, emulator: Emulator
) -> None:
    # Two clients: their in-process single flight is not shared, only the cache is.
    shared = MemoryCache()
    clients = [make_client(cache=shared), make_client(cache=shared)]
    results: list[Generation] = []
    start = threading.Barrier(len(clients))

    def run(client: Any) -> None:
        start.wait()
        results.append(client.generate(**SUNO))

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert emulator.submissions() == 1
    assert len({r.task_id for r in results}) == 1


class _RecordingCache(MemoryCache):
    """A MemoryCache that remembers the keys written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self.written.append(key)
        super().set(key, value, ttl=ttl)


def _fingerprint_of(make_client: MakeClient, call: dict[str, Any]) -> str:
    """The fingerprint a generate of ``call`` journals under, read back from a cache."""
    spy = _RecordingCache()
    make_client(target=Emulator(), cache=spy).generate(**call)
    [key] = [key for key in spy.written if key.startswith("journal:")]
    return key.removeprefix("journal:")


def test_a_request_held_elsewhere_until_the_deadline_sends_nothing(
    make_client: MakeClient, emulator: Emulator
) -> None:
    shared = MemoryCache()
    assert shared.acquire_lease(flight_name(_fingerprint_of(make_client, SUNO)), "other", 60.0)
    client = make_client(cache=shared)

    with pytest.raises(APITimeoutError, match="identical request in another worker") as caught:
        client.generate(timeout=0.5, **SUNO)

    assert caught.value.request_sent is False
    assert emulator.submissions() == 0


CHILD = textwrap.dedent(
    """
    import json, sys
    from musicgen.cache import RedisCache
    from musicgen.testing import emulated_client

    url, redis_url, prefix = sys.argv[1:4]
    cache = RedisCache(redis_url, prefix=prefix)
    with emulated_client(base_url=url, cache=cache) as client:
        print("ready", flush=True)
        sys.stdin.readline()  # the parent starts every child's request at once
        generation = client.generate(provider="suno", prompt="the same song everywhere")
    print(json.dumps({"task_id": generation.task_id}))
    """
)


def test_identical_requests_in_separate_processes_on_redis_pay_once(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    emulator = Emulator()
    # Slow submissions: without the lease, every child would find the journal empty.
    emulator.inject(Fault("slow", provider="suno", operation="submit", delay=0.5, times=4))
    with EmulatorServer(emulator) as server:
        children = [
            subprocess.Popen(
                [sys.executable, str(script), server.url, redis_url, redis_prefix],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(4)
        ]
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=120) for child in children]
        submissions = server.emulator.submissions("suno")

    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    task_ids = {json.loads(out.strip().splitlines()[-1])["task_id"] for out, _ in outputs}
    assert submissions == 1
    assert len(task_ids) == 1
