"""Cache: what a hit costs, next to the status request it saves.

- Store hits: ``MemoryCache.get`` and ``DiskCache.get`` of a stored generation, next to a plain
  ``dict`` lookup (what the cache layer itself adds).
- Client hits: ``client.get(task_id)`` of a finished task with a memory or a disk cache (no
  request at all), next to the same ``get`` without a cache: one status request to the emulator
  on loopback.
- Journal reuse: ``generate()`` of a request that already finished, with a disk cache (no
  request), next to the same uncached status read.
- DiskCache at scale: ``set`` and ``get`` latency (p50, p99, each call timed on its own) in a full
  store of 10, 1k and 100k entries, where every set of a new key needs an eviction (they come
  in batches down to 90% of the bound, so the p99.9 is reported too); ``set`` from 4 writer
  processes at once on the 100k file (and whether every write is there afterwards), beside raw
  sqlite3 on a bare table and DiskCache's own statement on its schema through raw sqlite3; the
  eviction rate; and the file's size after ``clear()``.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
import timeit
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from musicgen import MusicGenClient
from musicgen.cache import Cache, DiskCache, MemoryCache
from musicgen.cache._disk import _CHECKPOINT_PAGES, _UPSERT_TOTALS
from musicgen.testing import emulated_client

from ._harness import Settings, emulator_server, interleave
from ._report import Measure, Row, at_most, percentile, ratio_of

__all__ = ["run"]

MEMORY_HIT_US = 10.0  # "within a few microseconds"
DISK_HIT_US = 500.0  # "well under a millisecond"
SET_P99_US = 200.0  # issue 12: one process, at 100k entries
WRITERS_SET_P99_US = 2_000.0  # issue 12: 4 writer processes, at 100k entries
CLEARED_MAX_BYTES = 1 << 20  # clear() gives the space back: the file is a few pages again
WRITERS = 4
DAY = 86_400.0


def _generate(client: MusicGenClient) -> str:
    return client.generate("a calm tune", provider="suno").task_id


def _store_hit_us(store: Cache | dict[str, str], key: str, number: int) -> list[float]:
    get = store.get
    return [t / number * 1e6 for t in timeit.repeat(lambda: get(key), number=number, repeat=7)]


def _store_rows(settings: Settings, value: str, folder: Path) -> list[Row]:
    number = 2_000 if settings.quick else 20_000
    plain = {"generation:suno:x": value}
    memory = MemoryCache()
    disk = DiskCache(folder / "bench.sqlite3")
    for store in (memory, disk):
        store.set("generation:suno:x", value)
    base = _store_hit_us(plain, "generation:suno:x", number)
    rows = []
    for name, store, limit in (
        ("MemoryCache", memory, MEMORY_HIT_US),
        ("DiskCache", disk, DISK_HIT_US),
    ):
        times = _store_hit_us(store, "generation:suno:x", number // (10 if store is disk else 1))
        median = Measure.median_iqr(times)
        rows.append(
            Row(
                "cache",
                f"{name}.get hit, one stored generation ({len(value)} B JSON)",
                unit="us",
                sdk=median,
                baseline=Measure.median_iqr(base),
                baseline_name="dict lookup",
                ratio=median.value / Measure.median_iqr(base).value,
                target=f"<= {limit:g} us",
                met=at_most(median.value, limit),
            )
        )
    disk.close()
    return rows


def _client_rows(settings: Settings, url: str, folder: Path) -> list[Row]:
    rounds, calls = (3, 20) if settings.quick else (7, 200)
    uncached = emulated_client(base_url=url, metrics=False)
    memory = emulated_client(base_url=url, metrics=False, cache=MemoryCache())
    disk = emulated_client(base_url=url, metrics=False, cache=DiskCache(folder / "client.sqlite3"))
    rows = []
    try:
        task_id = _generate(memory)
        _generate(disk)

        def read_uncached() -> None:
            uncached.get(task_id, provider="suno")

        cases: list[tuple[str, MusicGenClient, object]] = [
            ("client.get of a finished task, MemoryCache", memory, None),
            ("client.get of a finished task, DiskCache", disk, None),
            ("generate() of a request that finished before, DiskCache", disk, "generate"),
        ]
        for variant, client, kind in cases:
            if kind == "generate":

                def hit(client: MusicGenClient = client) -> None:
                    _generate(client)

            else:

                def hit(client: MusicGenClient = client) -> None:
                    client.get(task_id, provider="suno")

            sdk, base = interleave(hit, read_uncached, rounds, calls)
            ratio, spread = ratio_of(sdk, base)
            rows.append(
                Row(
                    "cache",
                    variant,
                    unit="s",
                    sdk=Measure.median_iqr(sdk),
                    baseline=Measure.median_iqr(base),
                    baseline_name="uncached status request (loopback)",
                    ratio=ratio,
                    ratio_range=spread,
                    target="ratio < 1 (a hit beats a request)",
                    met=ratio < 1,
                )
            )
    finally:
        for client in (uncached, memory, disk):
            client.close()
    return rows


def _key(label: str, i: int) -> str:
    # Hex digests, like task ids: new keys land all over the key index, as real ones do.
    digest = hashlib.blake2b(f"{label}:{i}".encode(), digest_size=16).hexdigest()
    return f"generation:suno:{digest}"


def _fill(path: Path, entries: int, value: str) -> None:
    """A store of ``entries`` generations, least recently used first, written in one go.

    DiskCache makes the file (schema, triggers); the rows go in through one raw transaction,
    which takes seconds at 100k instead of a minute of single sets.
    """
    DiskCache(path, max_entries=entries, max_bytes=None).close()
    now = time.time()
    rows = (
        (_key("fill", i), value, now + 15 * DAY, now - entries + i, now - entries + i)
        for i in range(entries)
    )
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(
            "INSERT INTO entries (key, value, expires_at, updated_at, accessed) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        raw.execute("COMMIT")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class _RawStore:
    """The baseline: the least a SQLite write can be. One autocommitted upsert into a bare
    ``(key, value)`` table, WAL and ``synchronous=NORMAL`` as DiskCache, SQLite's own busy
    handler; no expiry, bounds, recency or checks."""

    def __init__(self, path: Path, entries: int = 0, value: str = "") -> None:
        self.conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")
        if entries:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT INTO kv VALUES (?, ?)", ((_key("fill", i), value) for i in range(entries))
            )
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def set(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO kv VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        self.conn.close()


def _setter(store: DiskCache | _RawStore, value: str) -> Callable[[str], None]:
    def set_value(key: str) -> None:
        store.set(key, value)

    return set_value


class _Times:
    """Per-call microseconds: wall clock, and this thread's CPU time (what preemption by other
    processes on a shared machine does not inflate)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def _paired_us(
    sdk: Callable[[str], object], base: Callable[[str], object], keys: list[str]
) -> tuple[_Times, _Times]:
    """Call ``sdk(key)`` and ``base(key)`` for each key, taking turns (AB BA ...) so a burst of
    load lands on both alike; each call timed on its own."""
    sdk_times, base_times = _Times(), _Times()
    clock, cpu_clock = time.perf_counter, time.thread_time
    for index, key in enumerate(keys):
        order = ((sdk, sdk_times), (base, base_times))
        for func, times in order if index % 2 == 0 else order[::-1]:
            started, cpu_started = clock(), cpu_clock()
            func(key)
            times.wall.append((clock() - started) * 1e6)
            times.cpu.append((cpu_clock() - cpu_started) * 1e6)
    return sdk_times, base_times


def _latency(samples: list[float], q: float) -> Measure:
    """The ``q``-th percentile of per-call times, with min-max as the spread."""
    return Measure(
        value=percentile(samples, q),
        stat=f"p{q:g}",
        low=min(samples),
        high=max(samples),
        spread="min-max",
        n=len(samples),
    )


def _latency_row(
    variant: str,
    sdk: list[float] | _Times,
    base: list[float] | _Times,
    q: float,
    limit: float | None = None,
    note: str = "",
    **extra: Any,
) -> Row:
    if isinstance(sdk, _Times) and isinstance(base, _Times):
        cpu, cpu_base = percentile(sdk.cpu, q), percentile(base.cpu, q)
        note = "; ".join(filter(None, [f"CPU p{q:g} {cpu:.0f} us (raw {cpu_base:.0f})", note]))
        extra = {f"cpu_p{q:g}_us": cpu, f"raw_cpu_p{q:g}_us": cpu_base, **extra}
    sdk = sdk.wall if isinstance(sdk, _Times) else sdk
    base = base.wall if isinstance(base, _Times) else base
    mine, theirs = _latency(sdk, q), _latency(base, q)
    return Row(
        "cache",
        variant,
        unit="us",
        sdk=mine,
        baseline=theirs,
        baseline_name="raw sqlite3 upsert/select (WAL, no bounds)",
        ratio=mine.value / theirs.value,
        target="" if limit is None else f"<= {limit:g} us",
        met=None if limit is None else at_most(mine.value, limit),
        note=note,
        extra=extra,
    )


def _scale_rows(settings: Settings, value: str, folder: Path) -> tuple[list[Row], Path, int]:
    """Set and get latency at each size, next to raw SQLite; returns the largest file too."""
    sizes = (10, 1_000, 5_000) if settings.quick else (10, 1_000, 100_000)
    calls = 300 if settings.quick else 3_000
    rows: list[Row] = []
    path = folder / "scale-0.sqlite3"
    for index, entries in enumerate(sizes):
        path = folder / f"scale-{index}.sqlite3"
        _fill(path, entries, value)
        raw = _RawStore(folder / f"raw-{index}.sqlite3", entries, value)
        cache = DiskCache(path, max_entries=entries, max_bytes=None)
        for i in range(100):  # warm the page caches and the statement caches
            cache.set(_key("warm", i), value)
            raw.set(_key("warm", i), value)
        # Full: every set of a new key needs an eviction (a batch down to 90% of the bound,
        # at most 1000, once the previous batch's room is used up).
        new_keys = [_key("set", i) for i in range(calls)]
        warm_evictions = cache.stats().evictions
        full, base = _paired_us(_setter(cache, value), _setter(raw, value), new_keys)
        evictions = cache.stats().evictions - warm_evictions
        present = new_keys[-min(entries, calls) // 2 :]  # the newest writes are all there
        lookups = [present[(i * 7919) % len(present)] for i in range(calls)]
        got, base_got = _paired_us(cache.get, raw.get, lookups)
        hits = cache.stats().hits
        cache.close()
        # Room to grow: the same file, unbounded, so no set evicts (as issue 12 measured).
        cache = DiskCache(path, max_entries=None, max_bytes=None)
        room_keys = [_key("room", i) for i in range(calls)]
        room, base_room = _paired_us(_setter(cache, value), _setter(raw, value), room_keys)
        cache.close()
        raw.close()
        full_label = f"{entries:,} entries, full (sets evict)"
        rows += [
            _latency_row(f"DiskCache.set p50, {full_label}", full, base, 50),
            _latency_row(
                f"DiskCache.set p99, {full_label}",
                full,
                base,
                99,
                SET_P99_US,
                note=f"{evictions} evictions in {calls} sets",
                p99_9_us=percentile(full.wall, 99.9),
            ),
            _latency_row(
                f"DiskCache.set p99, {entries:,} entries, room to grow (no eviction)",
                room,
                base_room,
                99,
                SET_P99_US,
                note=f"p50 {percentile(room.wall, 50):.0f} us"
                f" (raw {percentile(base_room.wall, 50):.0f})",
                p50_us=percentile(room.wall, 50),
                p99_9_us=percentile(room.wall, 99.9),
            ),
            _latency_row(
                f"DiskCache.get p50 (hit), {entries:,} entries",
                got,
                base_got,
                50,
                note=f"p99 {percentile(got.wall, 99):.0f} us"
                f" (raw {percentile(base_got.wall, 99):.0f}); {hits}/{calls} hits",
                p99_us=percentile(got.wall, 99),
            ),
        ]
        if index == len(sizes) - 1:
            seconds = sum(full.wall) / 1e6
            rows.append(
                Row(
                    "cache",
                    f"DiskCache evictions per second, {full_label}",
                    unit="/s",
                    sdk=Measure.single(evictions / seconds),
                    note=f"{evictions} evictions in {calls} back-to-back sets",
                )
            )
    return rows, path, sizes[-1]


class _SchemaStore:
    """A second baseline for the writers: DiskCache's own statement (the upsert that returns
    the totals) on a copy of its file (same schema: four b-trees and the totals trigger),
    through raw sqlite3 with SQLite's busy handler: what that schema costs before any of
    DiskCache's Python, lock waits or evictions."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")

    def set(self, key: str, value: str) -> None:
        now = time.time()
        self.conn.execute(_UPSERT_TOTALS, (key, value, now + DAY, now, now)).fetchall()

    def close(self) -> None:
        self.conn.close()


def _writer(
    path: str,
    raw_path: str,
    schema_path: str,
    worker: int,
    rounds: int,
    sets: int,
    entries: int,
    value: str,
    start: Barrier,
) -> tuple[_Times, _Times, _Times]:
    """One writer process: rounds of ``sets`` new keys into DiskCache, the raw store and the
    schema store, every process on the same side at once (a barrier between sides)."""
    cache = DiskCache(path, max_entries=entries, max_bytes=None)
    raw = _RawStore(Path(raw_path))
    schema = _SchemaStore(Path(schema_path))
    sdk, base, bare = _Times(), _Times(), _Times()
    clock, cpu_clock = time.perf_counter, time.thread_time
    for round_ in range(rounds):
        sides = [("sdk", cache.set, sdk), ("raw", raw.set, base), ("schema", schema.set, bare)]
        shift = round_ % len(sides)
        for name, func, times in sides[shift:] + sides[:shift]:
            keys = [_key(f"w{worker}-{name}", round_ * sets + i) for i in range(sets)]
            start.wait()
            for key in keys:
                started, cpu_started = clock(), cpu_clock()
                func(key, value)
                times.wall.append((clock() - started) * 1e6)
                times.cpu.append((cpu_clock() - cpu_started) * 1e6)
    cache.close()
    raw.close()
    schema.close()
    return sdk, base, bare


def _writer_main(args: tuple[Any, ...], results: Any) -> None:
    # Plain lists cross processes.
    results.put([(times.wall, times.cpu) for times in _writer(*args)])


def _writers_rows(settings: Settings, value: str, path: Path, entries: int) -> list[Row]:
    """``WRITERS`` processes setting new keys into one full file at once, vs raw SQLite."""
    rounds, sets = (3, 50) if settings.quick else (6, 200)
    raw_path = path.with_name("raw-writers.sqlite3")
    _RawStore(raw_path, entries, value).close()
    schema_path = path.with_name("schema-writers.sqlite3")
    shutil.copyfile(path, schema_path)
    context = multiprocessing.get_context("spawn")  # no inherited connections or locks
    start = context.Barrier(WRITERS)
    results = context.Queue()
    workers = [
        context.Process(
            target=_writer_main,
            args=(
                (
                    str(path),
                    str(raw_path),
                    str(schema_path),
                    n,
                    rounds,
                    sets,
                    entries,
                    value,
                    start,
                ),
                results,
            ),
        )
        for n in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    sdk, base, bare = _Times(), _Times(), _Times()
    for _ in workers:
        for times, (wall, cpu) in zip((sdk, base, bare), results.get(timeout=300), strict=True):
            times.wall += wall
            times.cpu += cpu
    for worker in workers:
        worker.join(timeout=60)
    with DiskCache(path, max_entries=entries, max_bytes=None) as cache:
        missing = sum(
            cache.get(_key(f"w{n}-sdk", i)) is None
            for n in range(WRITERS)
            for i in range(rounds * sets)
        )
        size = cache.stats().size
    label = f"{WRITERS} writer processes at once, {entries:,} entries, full"
    schema_p99 = percentile(bare.wall, 99)
    return [
        _latency_row(f"DiskCache.set p50, {label}", sdk, base, 50),
        _latency_row(
            f"DiskCache.set p99, {label}",
            sdk,
            base,
            99,
            WRITERS_SET_P99_US,
            note=f"DiskCache's upsert on its schema, raw sqlite3, no eviction: p99 "
            f"{schema_p99:.0f} us",
            p99_9_us=percentile(sdk.wall, 99.9),
            schema_p99_us=schema_p99,
            raw_p99_9_us=percentile(base.wall, 99.9),
        ),
        Row(
            "cache",
            f"{label}: every write readable after, size held at the bound",
            text=f"{missing} missing, size {size:,}",
            # An eviction goes down to 90% of the bound (at most 1000 below it), never above it.
            target="0 missing, max_entries - 1000 <= size <= max_entries",
            met=missing == 0 and entries - min(entries // 10, 1000) <= size <= entries,
        ),
    ]


def _file_bytes(path: Path) -> int:
    return sum(
        os.path.getsize(f"{path}{suffix}")
        for suffix in ("", "-wal")
        if os.path.exists(f"{path}{suffix}")
    )


def _clear_row(path: Path, entries: int) -> Row:
    before = _file_bytes(path)
    with DiskCache(path, max_entries=entries, max_bytes=None) as cache:
        started = time.perf_counter()
        cache.clear()
        took = time.perf_counter() - started
    after = _file_bytes(path)
    return Row(
        "cache",
        f"DiskCache file after clear() of {entries:,} entries (database + WAL)",
        unit="B",
        sdk=Measure.single(after),
        target=f"<= {CLEARED_MAX_BYTES >> 20} MiB",
        met=at_most(after, CLEARED_MAX_BYTES),
        note=f"{before / (1 << 20):.1f} MiB before; clear() took {took * 1000:.0f} ms",
    )


def _disk_rows(settings: Settings, value: str, folder: Path) -> list[Row]:
    rows, largest, entries = _scale_rows(settings, value, folder)
    rows += _writers_rows(settings, value, largest, entries)
    rows.append(_clear_row(largest, entries))
    return rows


def run(settings: Settings) -> list[Row]:
    """Store hits, client hits and journal reuse next to their baselines; DiskCache at scale."""
    with tempfile.TemporaryDirectory() as tmp, emulator_server(settings) as url:
        folder = Path(tmp)
        with emulated_client(base_url=url, metrics=False) as client:
            generation = client.generate("a calm tune", provider="suno")
        from musicgen._serialization import dump_result

        value = dump_result(generation)
        rows = _store_rows(settings, value, folder) + _client_rows(settings, url, folder)
    with tempfile.TemporaryDirectory() as tmp:
        return rows + _disk_rows(settings, value, Path(tmp))
