"""Ctrl-C or a cancelled task while waiting: the paid task is not lost.

The interrupt is re-raised as it came, with a note (PEP 678) naming the provider and the task
and the ``client.wait(...)`` line that resumes it; with a cache, the journal keeps it too.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicgen import PollPolicy
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator, EmulatorServer, emulated_async_client

# A script that generates, and reports how an interrupt ended it.
SCRIPT = """
import sys
from musicgen import PollPolicy
from musicgen.cache import DiskCache
from musicgen.testing import emulated_client

url, path, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
poll = PollPolicy(interval=interval, max_interval=interval, timeout=120)
with emulated_client(base_url=url, cache=DiskCache(path), poll=poll) as client:
    try:
        print(client.generate("a calm tune", provider="suno").task_id, flush=True)
    except KeyboardInterrupt as interrupt:
        print("\\n".join(getattr(interrupt, "__notes__", [])), flush=True)
        sys.exit(130)
"""


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Emulator(polls_per_stage=20)) as running:
        yield running


def _wait_until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the run never got that far"
        time.sleep(0.02)


def _interrupted_run(server: EmulatorServer, cache: Path) -> tuple[int, str]:
    """A real process interrupted with SIGINT (Ctrl-C) while it waits: exit code, output."""
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, server.url, str(cache), "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(lambda: any(t.status_reads >= 2 for t in server.emulator.tasks.values()))
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=30)
    finally:
        run.kill()
    return run.returncode, out


def test_ctrl_c_while_waiting_names_the_task_and_how_to_resume_it(
    server: EmulatorServer, tmp_path: Path
) -> None:
    code, note = _interrupted_run(server, tmp_path / "cache.sqlite3")
    [task_id] = server.emulator.tasks
    assert code == 130
    assert f"suno task {task_id}" in note
    assert f"client.wait({task_id!r}, provider='suno')" in note


def test_after_ctrl_c_the_journal_resumes_the_task_without_paying_again(
    server: EmulatorServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    _interrupted_run(server, cache)
    [task_id] = server.emulator.tasks

    again = subprocess.run(
        [sys.executable, "-c", SCRIPT, server.url, str(cache), "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert again.stdout.strip() == task_id
    assert server.emulator.submissions("suno") == 1


def test_a_cancelled_asyncio_task_is_noted_with_the_task_to_resume() -> None:
    emulator = Emulator(polls_per_stage=1000)

    async def main() -> tuple[asyncio.CancelledError, str]:
        submitted = asyncio.Event()

        def hook(event: Event) -> None:
            if event.name == EventName.GENERATION_SUBMITTED:
                submitted.set()

        poll = PollPolicy(interval=0.01, max_interval=0.01)
        async with emulated_async_client(emulator, hooks=[hook], poll=poll) as client:
            running = asyncio.create_task(client.generate("a calm tune", provider="suno"))
            await submitted.wait()
            running.cancel()
            try:
                await running
            except asyncio.CancelledError as cancelled:
                [task_id] = emulator.tasks
                return cancelled, task_id
        raise AssertionError("the generation was not cancelled")

    cancelled, task_id = asyncio.run(main())
    notes = getattr(cancelled, "__notes__", [])
    assert any(f"client.wait({task_id!r}, provider='suno')" in note for note in notes)
