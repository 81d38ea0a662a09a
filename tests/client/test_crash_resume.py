"""Real processes: a script killed mid-wait is resumed by its next run, with no second payment."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicgen.testing import Emulator, EmulatorServer

SCRIPT = """
import sys
from musicgen import PollPolicy
from musicgen.cache import DiskCache
from musicgen.testing import emulated_client

url, path, interval, prompt = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
poll = PollPolicy(interval=interval, max_interval=interval, timeout=120)
with emulated_client(base_url=url, cache=DiskCache(path), poll=poll) as client:
    print(client.generate(prompt, provider="suno").task_id, flush=True)
"""


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Emulator(polls_per_stage=20)) as running:
        yield running


def _run(server: EmulatorServer, cache: Path, interval: float, prompt: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, server.url, str(cache), str(interval), prompt],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def _wait_until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the first run never got that far"
        time.sleep(0.02)


def test_a_killed_run_is_resumed_without_a_second_submission(
    server: EmulatorServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    emulator = server.emulator
    first = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, server.url, str(cache), "0.05", "a calm tune"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Killed while waiting: submitted, polled a little, far from finished.
        _wait_until(lambda: any(t.status_reads >= 2 for t in emulator.tasks.values()))
    finally:
        first.kill()
        first.wait(timeout=30)
    [task_id] = emulator.tasks
    assert not emulator.tasks[task_id].status.startswith("SUCCESS")

    resumed = _run(server, cache, 0.0, "a calm tune")
    assert resumed == task_id
    assert emulator.submissions("suno") == 1


def test_processes_sharing_a_disk_cache_lose_nothing(
    server: EmulatorServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    prompts = [f"tune number {i}" for i in range(3)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, server.url, str(cache), "0", prompt],
            stdout=subprocess.PIPE,
            text=True,
        )
        for prompt in prompts
    ]
    first_ids = [run.communicate(timeout=120)[0].strip() for run in runs]
    again = [_run(server, cache, 0.0, prompt) for prompt in prompts]
    assert again == first_ids
    assert server.emulator.submissions("suno") == 3
