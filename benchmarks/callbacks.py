"""Callbacks: what a callback-enabled client saves over polling, end to end on real sockets.

The emulator server walks each Suno task's stages by the clock (0.5 s a stage) and posts every
stage to a ``musicgen.callbacks`` receiver, which stores it in the cache the client shares. The
SDK as shipped, ``MusicGenClient(callbacks=True, cache=...)``, runs ``generate`` one after the
other; next to it, the same client polling (``callbacks=False``, the default ``PollPolicy``).

Measured per generation: status reads, and the time from the final callback's arrival (the
receiver's ``received_at``) to ``generate`` returning. Targets (issue 11): at most one status
read, and the result within 100 ms of the callback.
"""

from __future__ import annotations

import time

from musicgen import MusicGenClient, SunoProvider
from musicgen.cache import MemoryCache
from musicgen.callbacks import CallbackAuth, CallbackServer, load_event
from musicgen.testing import Emulator, EmulatorServer

from ._harness import Settings
from ._report import Measure, Row, at_most

__all__ = ["run"]

STAGE_SECONDS = 0.5
SECRET = "benchmark-secret-0123456789"
READS_TARGET = 1
LATENCY_TARGET_MS = 100.0


def _measure(count: int, *, callbacks: bool) -> tuple[list[float], list[float]]:
    """Status reads and ms from the final callback to the return, per generation."""
    emulator = Emulator(callback_stage_seconds=STAGE_SECONDS, polls_per_stage=1000)
    cache = MemoryCache()
    auth = CallbackAuth(SECRET)
    reads: list[float] = []
    latency: list[float] = []
    with CallbackServer(cache, auth) as receiver, EmulatorServer(emulator) as server:
        suno = SunoProvider(
            api_key="emulator-key",
            base_url=server.url,
            callback_url=receiver.url,
            callback_auth=auth,
        )
        with MusicGenClient(providers=[suno], cache=cache, callbacks=callbacks) as client:
            for index in range(count):
                song = client.generate(f"benchmark tune {index}", provider="suno", timeout=60)
                returned = time.time()
                stored = load_event(cache, "suno", song.task_id)
                reads.append(float(emulator.tasks[song.task_id].status_reads))
                if stored is not None:
                    latency.append((returned - stored.received_at) * 1000)
    return reads, latency


def run(settings: Settings) -> list[Row]:
    """Callbacks against polling, one generation at a time."""
    count = 3 if settings.quick else 10
    reads, latency = _measure(count, callbacks=True)
    polled_reads, polled_latency = _measure(count, callbacks=False)
    most_reads = max(reads)
    p95 = Measure.of(latency, "p95")
    return [
        Row(
            "callbacks",
            f"status reads per generation, callbacks vs polling ({count} generations)",
            unit="req",
            sdk=Measure(most_reads, stat="single", n=count),
            baseline=Measure.of(polled_reads, "mean"),
            baseline_name="the same client polling",
            target=f"<= {READS_TARGET} (most)",
            met=most_reads <= READS_TARGET,
        ),
        Row(
            "callbacks",
            "result after the final callback arrived, p95",
            unit="ms",
            sdk=p95,
            baseline=Measure.of(polled_latency, "p95"),
            baseline_name="the same client polling",
            target=f"<= {LATENCY_TARGET_MS:g} ms",
            met=at_most(p95.value, LATENCY_TARGET_MS),
            note=f"stages {STAGE_SECONDS:g} s apart; the wait checks the cache every 50 ms",
        ),
    ]
