"""Cache: what a hit costs, next to the status request it saves.

- Store hits: ``MemoryCache.get`` and ``DiskCache.get`` of a stored generation, next to a plain
  ``dict`` lookup (what the cache layer itself adds).
- Client hits: ``client.get(task_id)`` of a finished task with a memory or a disk cache (no
  request at all), next to the same ``get`` without a cache: one status request to the emulator
  on loopback.
- Journal reuse: ``generate()`` of a request that already finished, with a disk cache (no
  request), next to the same uncached status read.
"""

from __future__ import annotations

import tempfile
import timeit
from pathlib import Path

from musicgen import MusicGenClient
from musicgen.cache import Cache, DiskCache, MemoryCache
from musicgen.testing import emulated_client

from ._harness import Settings, emulator_server, interleave
from ._report import Measure, Row, at_most, ratio_of

__all__ = ["run"]

MEMORY_HIT_US = 10.0  # "within a few microseconds"
DISK_HIT_US = 500.0  # "well under a millisecond"


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


def run(settings: Settings) -> list[Row]:
    """Store hits, client hits and journal reuse, each next to its baseline."""
    with tempfile.TemporaryDirectory() as tmp, emulator_server(settings) as url:
        folder = Path(tmp)
        with emulated_client(base_url=url, metrics=False) as client:
            generation = client.generate("a calm tune", provider="suno")
        from musicgen._serialization import dump_result

        value = dump_result(generation)
        return _store_rows(settings, value, folder) + _client_rows(settings, url, folder)
