"""The registry: every scenario ``python -m benchmarks`` knows, in the order it runs them.

Adding a scenario is one module with ``run(settings: Settings) -> list[Row]`` and one entry in
``SCENARIOS`` below. The runner times it, catches its failure, prints its rows and writes them
to ``results.json``; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import cache, callbacks, concurrency, import_time, instructions, overhead, polling, soak
from ._harness import Settings
from ._report import Row

__all__ = ["SCENARIOS", "Scenario", "by_name"]


@dataclass(frozen=True)
class Scenario:
    """A named measurement.

    Attributes:
        name: What ``--only`` selects it by.
        summary: One line for ``--list`` and the JSON report.
        run: Does the measuring; returns the table rows (targets already judged).
    """

    name: str
    summary: str
    run: Callable[[Settings], list[Row]]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "overhead",
        "per-call overhead of generate() vs hand-written httpx, sync and async, per hook set",
        overhead.run,
    ),
    Scenario(
        "instructions",
        "valgrind-counted CPU instructions per generate vs hand-written httpx, and the share "
        "of stamina's retry loop",
        instructions.run,
    ),
    Scenario(
        "concurrency",
        "N generations at once on AsyncMusicGenClient vs httpx.AsyncClient + asyncio: "
        "wall time, memory, connections",
        concurrency.run,
    ),
    Scenario(
        "import",
        "python -X importtime: import musicgen vs import httpx; no sentry_sdk/opentelemetry",
        import_time.run,
    ),
    Scenario(
        "polling",
        "virtual clock: PollPolicy() vs fixed 3/30/1 s polling on Suno and Mureka timelines",
        polling.run,
    ),
    Scenario(
        "cache",
        "memory and disk cache hits, and journal reuse, vs the status request they save",
        cache.run,
    ),
    Scenario(
        "soak",
        "1,000 generations per provider under a fault mix: successes, false failures, "
        "double and uncertain submissions",
        soak.run,
    ),
    Scenario(
        "callbacks",
        "callback-enabled generate vs polling over real sockets: status reads, and the time "
        "from the final callback to the result",
        callbacks.run,
    ),
)


def by_name(names: list[str]) -> list[Scenario]:
    """The scenarios called ``names``, in registry order.

    Raises:
        KeyError: A name is not registered (the message lists the known ones).
    """
    known = {scenario.name: scenario for scenario in SCENARIOS}
    unknown = [name for name in names if name not in known]
    if unknown:
        msg = f"unknown scenario(s) {unknown}; known: {sorted(known)}"
        raise KeyError(msg)
    return [scenario for scenario in SCENARIOS if scenario.name in names]
