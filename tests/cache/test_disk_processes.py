"""DiskCache across real processes: bounded writers at once, changes seen without reopening."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from musicgen.cache import DiskCache

# Spawned children start clean: no inherited connections, locks or threads.
spawn = multiprocessing.get_context("spawn")
MAX_ENTRIES = 200


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cache.sqlite3"


def _bounded_writer(path: str, worker: int, sets: int, start: Barrier) -> None:
    cache = DiskCache(path, max_entries=MAX_ENTRIES)
    start.wait()
    for i in range(sets):
        cache.set(f"generation:suno:w{worker}-{i}", "x" * 1500)
        if i % 10 == 0:
            cache.set(f"journal:w{worker}-{i}", '{"task_id": "t"}')
    cache.close()


def test_bounded_writers_in_four_processes_keep_pins_bound_and_file(path: Path) -> None:
    workers, sets = 4, 300  # about 10 MiB of WAL: several checkpoints and vacuums on the way
    start = spawn.Barrier(workers)
    processes = [
        spawn.Process(target=_bounded_writer, args=(str(path), n, sets, start))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0

    journal = {f"journal:w{n}-{i}" for n in range(workers) for i in range(0, sets, 10)}
    with DiskCache(path, max_entries=MAX_ENTRIES) as cache:
        assert not list(path.parent.glob("*.corrupt-*"))  # nobody found the file damaged
        entries = dict(cache.items())
        assert {key for key in entries if key.startswith("journal:")} == journal  # all kept
        generations = {k: v for k, v in entries.items() if k.startswith("generation:")}
        # The bound held (an eviction goes down to 90% of it), and what is left is intact.
        assert MAX_ENTRIES * 9 // 10 <= len(entries) <= MAX_ENTRIES
        assert set(generations.values()) == {"x" * 1500}
        assert cache.stats().size == len(entries)


def _write_then_checkpoint(path: str) -> None:
    cache = DiskCache(path)
    cache.set("from-child", '"hello"')
    cache.close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # rewrites the main file
    raw.close()


def test_another_process_write_is_seen_without_reopening(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskCache(path)
    assert cache.get("from-child") is None
    opens: list[DiskCache] = []
    real_open = DiskCache._open

    def counted_open(self: DiskCache, *, recover: bool = True) -> None:
        opens.append(self)
        real_open(self, recover=recover)

    monkeypatch.setattr(DiskCache, "_open", counted_open)

    child = spawn.Process(target=_write_then_checkpoint, args=(str(path),))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0

    assert cache.get("from-child") == '"hello"'
    assert opens == []
    cache.close()


def test_a_deleted_file_is_recreated_on_the_next_write(path: Path) -> None:
    cache = DiskCache(path)
    cache.set("old", "1")
    for file in path.parent.glob(f"{path.name}*"):
        file.unlink()

    cache.set("new", "2")

    assert path.exists()
    assert (cache.get("old"), cache.get("new")) == (None, "2")
    with DiskCache(path) as other:
        assert other.get("new") == "2"  # in the new file, not a deleted inode
    cache.close()
