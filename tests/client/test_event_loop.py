"""The async client never blocks its event loop, even on a disk cache another process locks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from musicgen import TaskStatus
from musicgen.cache import DiskCache
from musicgen.testing import Emulator, emulated_async_client

HOLD = 1.5
# Blocked by the lock, the loop would stall for about HOLD; a busy shared machine can delay a
# tick by a few hundred milliseconds without anything blocking it. A third of HOLD tells the two
# apart.
MAX_STALL = HOLD / 3

# Another process: take sqlite's write lock on the cache file and keep it a while.
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


async def _longest_stall(
    watching: asyncio.Event, done: asyncio.Event, tick: float = 0.005
) -> float:
    """How late the loop ran a short sleep at worst, from ``watching`` until ``done``."""
    worst = 0.0
    watching.set()
    while not done.is_set():
        started = time.monotonic()
        await asyncio.sleep(tick)
        worst = max(worst, time.monotonic() - started - tick)
    return worst


def test_a_locked_disk_cache_does_not_stall_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = DiskCache(path, timeout=HOLD)  # creates the file; it waits out the lock, busy
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(HOLD)], stdout=subprocess.PIPE, text=True
    )

    async def main() -> tuple[TaskStatus, float]:
        watching, done = asyncio.Event(), asyncio.Event()
        watch = asyncio.create_task(_longest_stall(watching, done))
        await watching.wait()
        async with emulated_async_client(Emulator(), cache=cache) as client:
            generation = await client.generate("a tune", provider="suno")
        done.set()
        return generation.status, await watch

    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"
        status, stall = asyncio.run(main())
    finally:
        locker.wait(timeout=30)
        cache.close()
    assert status is TaskStatus.SUCCEEDED
    assert stall < MAX_STALL
