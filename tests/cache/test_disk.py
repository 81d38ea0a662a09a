"""DiskCache: persistence, processes, expiry, corruption, location."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import musicgen
from musicgen.cache import Cache, DiskCache, default_cache_dir

from .._clock import FakeClock

GENERATION = json.dumps({"task_id": "t-1", "tracks": [{"audio_url": "https://cdn.example/a.mp3"}]})


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    """Start a fresh interpreter that can import this checkout of musicgen."""
    env = dict(os.environ)
    src = str(Path(musicgen.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err


def aside_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cache.sqlite3"


def test_is_a_cache(path: Path) -> None:
    with DiskCache(path) as cache:
        assert isinstance(cache, Cache)


def test_values_persist_across_instances(path: Path) -> None:
    with DiskCache(path) as first:
        first.set("generation:suno:t-1", GENERATION)

    with DiskCache(path) as second:
        assert second.get("generation:suno:t-1") == GENERATION


def test_a_value_written_by_another_process_is_read_here(path: Path) -> None:
    writer = run_python(
        """
        import sys
        from musicgen.cache import DiskCache
        cache = DiskCache(sys.argv[1])
        cache.set("journal:abc", sys.argv[2])
        cache.close()
        """,
        str(path),
        GENERATION,
    )
    finish(writer)

    with DiskCache(path) as cache:
        assert cache.get("journal:abc") == GENERATION


def test_processes_writing_at_once_lose_nothing(path: Path, tmp_path: Path) -> None:
    processes, keys = 4, 200
    go = tmp_path / "go"
    code = """
        import sys, time, types
        from pathlib import Path
        # Import musicgen.cache alone: four full ``import musicgen`` at once take seconds here,
        # and this test is about the store, not the client.
        package = types.ModuleType("musicgen")
        package.__path__ = [sys.argv[5]]
        sys.modules["musicgen"] = package
        from musicgen.cache import DiskCache
        path, worker, keys, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
        cache = DiskCache(path)
        Path(f"{go}.{worker}").touch()
        while not go.exists():  # start together, so the writes really overlap
            time.sleep(0.005)
        for i in range(keys):
            cache.set(f"w{worker}:{i}", f'{{"worker": {worker}, "i": {i}}}')
            cache.set("shared", worker)  # every process also fights over one row
        cache.close()
        """
    package_dir = str(Path(musicgen.__file__).resolve().parent)
    workers = [
        run_python(code, str(path), str(n), str(keys), str(go), package_dir)
        for n in range(processes)
    ]
    deadline = time.monotonic() + 30
    while not all(Path(f"{go}.{n}").exists() for n in range(processes)):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    go.touch()
    for worker in workers:
        finish(worker)

    with DiskCache(path) as cache:
        for n in range(processes):
            for i in range(keys):
                assert cache.get(f"w{n}:{i}") == f'{{"worker": {n}, "i": {i}}}'
        assert cache.get("shared") in {str(n) for n in range(processes)}
        assert cache.stats().size == processes * keys + 1


def test_a_write_waits_for_another_writer_to_finish(path: Path) -> None:
    cache = DiskCache(path, timeout=5)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
    releaser = threading.Timer(0.3, other.execute, args=("COMMIT",))
    releaser.start()

    cache.set("k", "1")

    releaser.join()
    other.close()
    assert cache.get("k") == "1"
    cache.close()


def test_a_lock_held_past_the_timeout_skips_the_write_instead_of_raising(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DiskCache(path, timeout=0.05)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="musicgen"):
            cache.set("k", "1")
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert "locked" in caplog.text
    assert cache.stats().sets == 0
    cache.close()


def test_entries_expire_on_the_wall_clock_across_instances(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, timer=clock) as writer:
        writer.set("k", "1", ttl=60)

    reader = DiskCache(path, timer=clock)
    clock.advance(59)
    assert reader.get_with_ttl("k") == ("1", 1)
    clock.advance(1)
    assert reader.get("k") is None

    stats = reader.stats()
    assert (stats.hits, stats.misses, stats.expirations, stats.size) == (1, 1, 1, 0)
    reader.close()


def test_per_item_ttl_beats_the_default(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, ttl=10, timer=clock) as cache:
        cache.set("default", "1")
        cache.set("long", "2", ttl=100)
        clock.advance(50)
        assert (cache.get("default"), cache.get("long")) == (None, "2")


def test_expired_rows_are_swept_without_being_read(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, timer=clock) as first:
        first.set("old", "1", ttl=10)
    clock.advance(20)

    with DiskCache(path, timer=clock) as second:
        second.set("new", "2")  # a fresh instance sweeps on its first write
        assert second.stats().expirations == 1

    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT key FROM entries").fetchall() == [("new",)]
    raw.close()


def test_the_file_holds_the_exact_json_text_never_a_pickle(path: Path) -> None:
    with DiskCache(path) as cache:
        cache.set("generation:suno:t-1", GENERATION)
        with pytest.raises(TypeError, match="JSON text"):
            cache.set("k", {"task_id": "t-1"})  # type: ignore[arg-type]

    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT key, value, typeof(value) FROM entries").fetchall()
    raw.close()
    assert rows == [("generation:suno:t-1", GENERATION, "text")]
    content = path.read_bytes()
    assert GENERATION.encode() in content
    assert b"\x80\x04\x95" not in content  # a pickle (protocol 4+) frame would start so
    assert b"\x80\x05\x95" not in content


def _write_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a sqlite database \x00\xff" * 200)


def _truncate_to_half(path: Path) -> None:
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def _wrong_schema_version(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()


def _foreign_database(path: Path) -> None:
    path.unlink()
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE songs (id INTEGER PRIMARY KEY)")
    raw.commit()
    raw.close()


@pytest.mark.parametrize(
    "damage", [_write_garbage, _truncate_to_half, _wrong_schema_version, _foreign_database]
)
def test_an_unreadable_file_is_moved_aside_logged_and_replaced_by_an_empty_store(
    path: Path, damage: Callable[[Path], None], caplog: pytest.LogCaptureFixture
) -> None:
    with DiskCache(path) as cache:
        for i in range(50):  # enough rows to span several pages
            cache.set(f"generation:suno:{i}", GENERATION)
    damage(path)

    with caplog.at_level(logging.WARNING, logger="musicgen"):
        cache = DiskCache(path)

    (aside,) = aside_files(path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert str(aside) in warnings[0]
    assert cache.get("generation:suno:0") is None
    cache.set("k", "1")
    assert cache.get("k") == "1"
    cache.close()


def test_a_file_corrupted_under_a_live_instance_recovers_on_the_next_operation(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DiskCache(path)
    cache.set("k", GENERATION)
    # Another process checkpoints the WAL into the main file; then the file is damaged.
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    _write_garbage(path)

    with caplog.at_level(logging.WARNING, logger="musicgen"):
        assert cache.get("k") is None

    assert len(aside_files(path)) == 1
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    cache.set("k", "2")
    assert cache.get("k") == "2"
    cache.close()


def test_a_live_instance_follows_a_file_another_instance_replaced(path: Path) -> None:
    live = DiskCache(path)
    live.set("old", "1")
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    _write_garbage(path)

    fresh = DiskCache(path)  # finds the damage first and rebuilds the file
    fresh.set("new", "2")

    assert live.get("new") == "2"
    live.set("from-live", "3")
    assert fresh.get("from-live") == "3"
    live.close()
    fresh.close()


def test_an_unusable_location_degrades_to_misses_instead_of_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "a-directory"
    directory.mkdir()

    with caplog.at_level(logging.WARNING, logger="musicgen"):
        cache = DiskCache(directory)
        cache.set("k", "1")
        assert cache.get("k") is None

    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert cache.stats().misses == 1
    cache.close()


def test_a_closed_store_reopens_when_used_again(path: Path) -> None:
    cache = DiskCache(path)
    cache.set("k", "1")
    cache.close()

    assert cache.get("k") == "1"
    cache.close()


def test_default_location_honours_musicgen_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICGEN_CACHE_DIR", str(tmp_path / "here"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-here"))

    assert default_cache_dir() == tmp_path / "here"
    with DiskCache() as cache:
        assert cache.path == tmp_path / "here" / "cache.sqlite3"
        cache.set("k", "1")
    assert (tmp_path / "here" / "cache.sqlite3").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="XDG applies to POSIX systems")
def test_default_location_falls_back_to_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUSICGEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert default_cache_dir() == tmp_path / "musicgen"


def test_items_lists_live_entries_under_a_prefix(path: Path, clock: FakeClock) -> None:
    with DiskCache(path, timer=clock) as cache:
        cache.set("journal:b", "2")
        cache.set("journal:a", "1")
        cache.set("journal:old", "0", ttl=1)
        cache.set("generation:suno:t", "g")
        clock.advance(2)
        assert cache.items("journal:") == [("journal:a", "1"), ("journal:b", "2")]
        assert [key for key, _ in cache.items()] == ["generation:suno:t", "journal:a", "journal:b"]
        assert cache.stats().hits == 0
