"""DiskCache bounds: LRU eviction, pinned journal entries, space given back, validation."""

from __future__ import annotations

import builtins
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from musicgen._caching import journal_key
from musicgen.cache import DiskCache
from musicgen.cache._disk import _EVICT_MAX_PER_SET, PINNED_PREFIX

from .._clock import FakeClock


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cache.sqlite3"


def keys_in(path: Path) -> set[str]:
    raw = sqlite3.connect(path)
    try:
        return {row[0] for row in raw.execute("SELECT key FROM entries")}
    finally:
        raw.close()


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))


def test_the_default_store_is_bounded(path: Path) -> None:
    with DiskCache(path) as cache:
        assert (cache.max_entries, cache.max_bytes) == (10_000, 128 * 1024 * 1024)


def test_max_entries_evicts_the_least_recently_written_and_counts_it(
    path: Path, clock: FakeClock
) -> None:
    with DiskCache(path, max_entries=3, timer=clock) as cache:
        for key in "abcd":
            cache.set(key, '"v"')
            clock.advance(1)

        stats = cache.stats()
        assert keys_in(path) == {"b", "c", "d"}
        assert (stats.evictions, stats.size, stats.sets) == (1, 3, 4)


def test_a_recently_read_entry_outlives_an_older_unread_one(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, max_entries=2, timer=clock) as cache:
        cache.set("a", "1")
        clock.advance(1)
        cache.set("b", "2")
        clock.advance(5)
        assert cache.get("a") == "1"  # "b" is now the least recently used
        clock.advance(1)

        cache.set("c", "3")

        assert keys_in(path) == {"a", "c"}


def test_reads_are_remembered_across_instances_once_closed(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, timer=clock) as first:
        first.set("a", "1")
        clock.advance(1)
        first.set("b", "2")
    clock.advance(5)
    with DiskCache(path, timer=clock) as reader:
        assert reader.get("a") == "1"  # stamped when the reader closes
    clock.advance(1)

    with DiskCache(path, max_entries=2, timer=clock) as writer:
        writer.set("c", "3")

    assert keys_in(path) == {"a", "c"}


def test_a_store_far_over_its_bound_sheds_a_limited_batch_per_set(path: Path) -> None:
    with DiskCache(path, max_entries=None) as unbounded:
        for i in range(_EVICT_MAX_PER_SET + 250):
            unbounded.set(f"k{i}", "v")

    with DiskCache(path, max_entries=100) as cache:
        cache.set("first", "1")  # one set does not stall on evicting everything at once
        assert cache.stats().evictions == _EVICT_MAX_PER_SET
        cache.set("second", "2")

        assert cache.stats().size <= 100  # within the bound by the second set
        assert {"first", "second"} <= keys_in(path)


def test_an_eviction_goes_down_to_nine_tenths_so_the_next_sets_evict_nothing(
    path: Path, clock: FakeClock
) -> None:
    with DiskCache(path, max_entries=100, timer=clock) as cache:
        for i in range(100):
            cache.set(f"k{i:03}", "v")
            clock.advance(1)

        cache.set("k100", "v")  # past the bound: one batch, down to 90
        assert (cache.stats().evictions, cache.stats().size) == (11, 90)
        assert keys_in(path) == {f"k{i:03}" for i in range(11, 101)}  # the oldest went
        for i in range(101, 111):
            cache.set(f"k{i}", "v")

        assert (cache.stats().evictions, cache.stats().size) == (11, 100)


def test_without_returning_an_older_sqlite_still_evicts_to_the_bound(
    path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("musicgen.cache._disk._HAS_RETURNING", False)  # SQLite before 3.35
    with DiskCache(path, max_entries=3, timer=clock) as cache:
        for key in "abcd":
            cache.set(key, '"v"')
            clock.advance(1)

        assert keys_in(path) == {"b", "c", "d"}
        assert cache.stats().evictions == 1


def page_count(path: Path) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(raw.execute("PRAGMA page_count").fetchone()[0])
    finally:
        raw.close()


def test_a_full_store_reuses_the_room_it_evicts_instead_of_growing(path: Path) -> None:
    with DiskCache(path, max_entries=200) as cache:
        for i in range(200):
            cache.set(f"generation:suno:full-{i}", "x" * 1500)
        full = page_count(path)

        for i in range(1_000):  # five batches of evictions, each refilled
            cache.set(f"generation:suno:new-{i}", "x" * 1500)

        assert cache.stats().evictions >= 1_000
        assert page_count(path) <= full * 1.1


def test_a_file_shrunk_to_a_lower_bound_gives_the_space_back(path: Path) -> None:
    with DiskCache(path, max_entries=None) as unbounded:
        for i in range(1_500):
            unbounded.set(f"generation:suno:{i}", "x" * 1500)
    before = page_count(path)

    with DiskCache(path, max_entries=100) as cache:
        cache.set("generation:suno:new", "x" * 1500)

    assert page_count(path) < before / 4


def test_a_missing_totals_row_is_counted_again_and_the_bound_holds(path: Path) -> None:
    with DiskCache(path, max_entries=3) as cache:
        for key in "abc":
            cache.set(key, "v")
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("DELETE FROM totals")
        raw.close()

        cache.set("d", "v")

        assert len(keys_in(path)) == 3
        assert cache.stats().size == 3


def test_max_bytes_evicts_until_keys_and_values_fit(path: Path, clock: FakeClock) -> None:
    value = "x" * 30  # 2-byte key + 30-byte value: 32 bytes an entry
    with DiskCache(path, max_entries=None, max_bytes=100, timer=clock) as cache:
        for i in range(5):
            cache.set(f"k{i}", value)
            clock.advance(1)

        assert keys_in(path) == {"k2", "k3", "k4"}
        assert cache.stats().evictions == 2


def test_bytes_count_utf8_not_characters(path: Path) -> None:
    with DiskCache(path, max_entries=None, max_bytes=40) as cache:
        cache.set("a", "é" * 15)  # 1 + 30 bytes
        cache.set("b", "é" * 15)

        assert keys_in(path) == {"b"}


def test_the_entry_just_written_is_kept_even_if_alone_it_is_over_max_bytes(path: Path) -> None:
    with DiskCache(path, max_entries=None, max_bytes=50) as cache:
        cache.set("big", "x" * 100)
        assert cache.get("big") == "x" * 100

        cache.set("small", "1")

        assert keys_in(path) == {"small"}


def test_journal_entries_are_never_evicted_even_over_the_bound(
    path: Path, clock: FakeClock
) -> None:
    journal = [journal_key(f"fingerprint-{i}") for i in range(3)]
    with DiskCache(path, max_entries=2, timer=clock) as cache:
        for key in journal:
            cache.set(key, '{"task_id": "t"}')
            clock.advance(1)
        cache.set("generation:suno:old", "{}")
        clock.advance(1)
        cache.set("generation:suno:new", "{}")

        assert keys_in(path) == {*journal, "generation:suno:new"}
        assert cache.stats().evictions == 1


def test_the_pinned_prefix_is_the_one_the_client_journals_under() -> None:
    assert journal_key("abc").startswith(PINNED_PREFIX)


def test_expired_entries_go_before_live_ones_when_over_the_bound(
    path: Path, clock: FakeClock
) -> None:
    with DiskCache(path, max_entries=2, timer=clock) as cache:
        cache.set("live-but-older", "1")
        clock.advance(1)
        cache.set("expiring", "2", ttl=5)
        clock.advance(10)

        cache.set("new", "3")

        stats = cache.stats()
        assert keys_in(path) == {"live-but-older", "new"}
        assert (stats.expirations, stats.evictions) == (1, 0)


def test_no_bounds_when_both_are_none(path: Path) -> None:
    with DiskCache(path, max_entries=None, max_bytes=None) as cache:
        for i in range(30):
            cache.set(f"k{i}", "v")

        stats = cache.stats()
        assert (stats.size, stats.evictions) == (30, 0)


def test_clear_gives_the_space_back_and_keeps_the_counters(path: Path) -> None:
    with DiskCache(path, max_entries=None, max_bytes=None) as cache:
        for i in range(2000):
            cache.set(f"generation:suno:{i}", "x" * 2000)
        assert file_bytes(path) > 4_000_000

        cache.clear()

        assert file_bytes(path) < 200_000
        stats = cache.stats()
        assert (stats.size, stats.sets) == (0, 2000)


def test_an_expiry_sweep_gives_the_space_back(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, max_entries=None, max_bytes=None, timer=clock) as cache:
        for i in range(2000):
            cache.set(f"generation:suno:{i}", "x" * 2000, ttl=10)
    full = file_bytes(path)
    clock.advance(20)

    with DiskCache(path, timer=clock) as cache:
        cache.set("k", "1")  # a fresh instance sweeps on its first write
        assert cache.stats().expirations == 2000

    assert file_bytes(path) < full / 10


def legacy_file(path: Path, rows: int, value: str = "v") -> None:
    """A cache file as musicgen wrote it before bounds: no accessed column, no totals, no
    auto_vacuum."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    raw.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    raw.execute(
        "CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "expires_at REAL NULL, updated_at REAL NOT NULL)"
    )
    raw.execute("CREATE INDEX entries_expires_at ON entries (expires_at)")
    raw.executemany(
        "INSERT INTO entries VALUES (?, ?, NULL, ?)",
        [(f"old{i}", value, 1_000_000.0 + i) for i in range(rows)],
    )
    raw.close()


def auto_vacuum(path: Path) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(raw.execute("PRAGMA auto_vacuum").fetchone()[0])
    finally:
        raw.close()


def test_clear_converts_a_large_file_made_before_auto_vacuum(path: Path) -> None:
    legacy_file(path, rows=1500, value="x" * 3000)  # over 4 MiB: too big to convert at open

    with DiskCache(path, max_entries=None, max_bytes=None) as cache:
        assert auto_vacuum(path) == 0
        cache.clear()

        assert file_bytes(path) < 200_000
        assert auto_vacuum(path) == 2


def test_a_file_from_before_bounds_keeps_its_entries_and_evicts_by_write_time(
    path: Path, clock: FakeClock
) -> None:
    legacy_file(path, rows=4)

    with DiskCache(path, max_entries=3, timer=clock) as cache:
        assert cache.stats().size == 4  # opening evicts nothing
        clock.advance(100)
        cache.set("new", "1")

        assert keys_in(path) == {"old2", "old3", "new"}
        assert auto_vacuum(path) == 2  # small: converted at open


def test_rows_an_older_musicgen_writes_are_counted_and_evicted_first(
    path: Path, clock: FakeClock
) -> None:
    with DiskCache(path, max_entries=2, timer=clock) as cache:
        cache.set("mine", "1")
        raw = sqlite3.connect(path, isolation_level=None)
        # An older musicgen's write: it knows nothing of ``accessed``.
        raw.execute("INSERT INTO entries (key, value, updated_at) VALUES ('theirs', 'v', 0)")
        raw.close()
        assert cache.stats().size == 2
        clock.advance(1)

        cache.set("newest", "2")

        assert keys_in(path) == {"mine", "newest"}


def test_the_store_never_opens_its_file_outside_sqlite(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing any descriptor of a SQLite file drops SQLite's POSIX locks for the whole process.
    cache = DiskCache(path)
    cache.set("k", "1")
    watched = {str(path), *(f"{path}{suffix}" for suffix in ("-wal", "-shm"))}

    def guard(opener: Any) -> Any:
        def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
            assert os.fspath(file) not in watched, f"opened {file}"
            return opener(file, *args, **kwargs)

        return guarded

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the main file changes behind the store
    raw.close()

    assert cache.get("k") == "1"
    cache.set("k", "2")
    assert cache.get("k") == "2"
    cache.close()


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"max_entries": 0}, ValueError, "max_entries"),
        ({"max_entries": -5}, ValueError, "max_entries"),
        ({"max_bytes": 0}, ValueError, "max_bytes"),
        ({"max_entries": True}, TypeError, "max_entries"),
        ({"max_bytes": 1.5}, TypeError, "max_bytes"),
        ({"max_bytes": "64MB"}, TypeError, "max_bytes"),
    ],
)
def test_bad_bounds_are_refused_with_the_field_limit_and_fix(
    path: Path, kwargs: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=rf"{field} must .*; pass e\.g\. {field}=.* or {field}=None"):
        DiskCache(path, **kwargs)
    assert not path.exists()  # refused before touching the disk
