"""One side of one concurrency round, in a fresh process: time N generations at once, and more.

``python -m benchmarks._probe --side sdk|raw --n N --url URL [--repeat K] [--growth] [--traced]``
prints one JSON object. A fresh process per side and round keeps each side's RSS and allocation
figures free of the other's (and of heap the other side already grew).

Runs, in order:

1. a warm-up of ``min(N, CONNECTIONS)`` generations (connections, lazy imports, first calls);
2. the timed run: N generations at once, ``--repeat`` times (small N is over in a blink):
   the median wall time of one batch, and the peak RSS growth (``VmHWM`` after resetting it,
   minus ``VmRSS`` before);
3. with ``--growth``, one more batch of N, untraced: what the interpreter holds after it
   (``sys.getallocatedblocks()`` and ``gc`` objects, after a collection) minus what it held
   before it, per generation. A leak of one object per generation shows as about 1;
4. with ``--traced``, one more run under tracemalloc for the peak traced memory while N
   generations are in flight (slow, so only asked for small N).

The SDK side is ``AsyncMusicGenClient`` as shipped: its own ``httpx.AsyncClient``, sized by its
default ``max_concurrency``, no gate of ours. The baseline is hand-written httpx given the best
set-up we know (``http_client()``): the same number of connections behind an admission gate
(see ``AdmissionGate``), without which httpcore's pool bookkeeping dominates at large N.
Both report process CPU time per generation beside the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from musicgen import PollPolicy
from musicgen._exchange import DEFAULT_MAX_CONCURRENCY

from ._harness import cache_missing_sniffio, count_sockets, proc_status_kib, reset_peak_rss
from ._workloads import PROMPT, RawSuno, sdk_async_client

__all__ = ["CONNECTIONS", "POLL", "TIMEOUT", "AdmissionGate", "http_client", "main", "probe"]

#: Requests in flight at once: the SDK's default ``max_concurrency``, and the baseline's
#: connections and admission gate.
CONNECTIONS = DEFAULT_MAX_CONCURRENCY
#: Generous, identical timeouts: at N=1000 a request may wait a while for the gate.
TIMEOUT = httpx.Timeout(120.0)
#: Zero waits between reads, and a deadline a slow shared machine cannot hit.
POLL = PollPolicy(interval=0.0, max_interval=0.0, timeout=900.0)


class AdmissionGate(httpx.AsyncBaseTransport):
    """Admit at most ``limit`` requests into the wrapped transport's pool at once.

    httpcore 1.0's pool rescans every queued request against every connection on each state
    change, so with hundreds of requests queued it spends more CPU on that bookkeeping than on
    HTTP (measured here: ~8 ms per request at N=1000 with 100 connections). Queueing in a
    semaphore instead keeps the pool short. Both sides get the same gate.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int) -> None:
        self._inner = inner
        self._slots = asyncio.Semaphore(limit)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` once a slot is free; the body is read before the slot is released."""
        async with self._slots:
            response = await self._inner.handle_async_request(request)
            # Reading closes the stream, which hands the connection back to the pool.
            await response.aread()
            return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


def http_client() -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` both sides use."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    transport = AdmissionGate(httpx.AsyncHTTPTransport(limits=limits), CONNECTIONS)
    return httpx.AsyncClient(transport=transport, timeout=TIMEOUT)


class _Side:
    """One side's way to start a generation, and what it must close."""

    def __init__(self, side: str, url: str) -> None:
        if side == "sdk":  # as shipped: the client builds and sizes its own httpx client
            client = sdk_async_client(url, poll=POLL, request_timeout=TIMEOUT)
            self.start: Callable[[], Awaitable[object]] = lambda: client.generate(
                PROMPT, provider="suno"
            )
            self.aclose: Callable[[], Awaitable[None]] = client.aclose
        else:
            http = http_client()
            raw = RawSuno(url)
            self.start = lambda: raw.agenerate(http)
            self.aclose = http.aclose


async def _batch(start: Callable[[], Awaitable[object]], n: int) -> int:
    """Run ``n`` generations at once; return how many failed."""
    results = await asyncio.gather(*(start() for _ in range(n)), return_exceptions=True)
    return sum(isinstance(result, BaseException) for result in results)


def _held() -> tuple[int, int]:
    """Memory blocks and gc-tracked objects alive after a full collection."""
    gc.collect()
    return sys.getallocatedblocks(), len(gc.get_objects())


async def probe(
    side: str, n: int, url: str, *, repeat: int, growth: bool, traced: bool
) -> dict[str, Any]:
    """Measure one side; see the module docstring for the runs."""
    sockets_start = count_sockets()
    running = _Side(side, url)
    start = running.start
    failures = await _batch(start, min(n, CONNECTIONS))
    gc.collect()
    rss_before = proc_status_kib("VmRSS")
    resettable = reset_peak_rss()
    walls = []
    cpu = []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        failures += await _batch(start, n)
        walls.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    hwm = proc_status_kib("VmHWM")
    result: dict[str, Any] = {
        "side": side,
        "n": n,
        "wall_s": statistics.median(walls),
        "batches": walls,
        "cpu_per_generation_s": statistics.median(cpu) / n,
        "rss_peak_growth_bytes": (hwm - rss_before) * 1024
        if resettable and hwm is not None and rss_before is not None
        else None,
    }
    if growth:
        blocks, objects = _held()
        failures += await _batch(start, n)
        blocks_after, objects_after = _held()
        result["blocks_left_per_generation"] = (blocks_after - blocks) / n
        result["objects_left_per_generation"] = (objects_after - objects) / n
    if traced:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        failures += await _batch(start, n)
        result["traced_peak_bytes"] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    result["failures"] = failures
    result["sockets_open_after_runs"] = count_sockets() - sockets_start
    await running.aclose()
    result["sockets_open_after_close"] = count_sockets() - sockets_start
    result["connection_limit"] = CONNECTIONS
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, probe, print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._probe")
    parser.add_argument("--side", choices=("sdk", "raw"), required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="timed batches of N")
    parser.add_argument("--growth", action="store_true", help="run N again, count what is left")
    parser.add_argument("--traced", action="store_true", help="one more run under tracemalloc")
    args = parser.parse_args(argv)
    result = {"sniffio_missing": cache_missing_sniffio()}
    measured = probe(
        args.side, args.n, args.url, repeat=args.repeat, growth=args.growth, traced=args.traced
    )
    result.update(asyncio.run(measured))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
