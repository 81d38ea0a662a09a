"""A generate leaves no reference cycles of musicgen's own, so the cyclic collector has little
to do on its behalf.

Each test runs generates with the collector off, then collects once with
``gc.DEBUG_SAVEALL``: what it would have freed, the objects that were in reference cycles,
stays in ``gc.garbage`` to be counted. A count, not a timing.

stamina runs every attempt (the Core v2 design: no first attempt outside the retry machinery),
and its retry context refers to itself (its tenacity ``wait`` is one of its bound methods;
tenacity's async state points at its retrier): a few objects in cycles per request, theirs.
What these tests pin is that nothing else is: once the instances of their classes are taken
out of the reference graph, no cycle remains.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from musicgen import AuthenticationError
from musicgen.testing import Emulator, Fault, emulated_async_client, emulated_client

GENERATES = 10
#: Objects in cycles of musicgen's per generate allowed: none are left today; a little slack
#: for the interpreter's own (a first-use cache filled during the run).
BOUND = 2
#: The packages whose own cycles (one per request's retry context) are left out of the count.
RETRY_MACHINERY = ("stamina", "tenacity")

Scenario = Callable[[Emulator], None]


def _succeeds(emulator: Emulator) -> None:
    del emulator


def _retried_once(emulator: Emulator) -> None:
    emulator.inject(Fault("overloaded", provider="suno", operation="status", times=1))


def _refused(emulator: Emulator) -> None:
    emulator.inject(Fault("auth", provider="suno", operation="submit", times=1))


@pytest.fixture(params=["sync", "async"])
def generate(request: pytest.FixtureRequest) -> Iterator[Callable[[Scenario], None]]:
    """One generate on an emulated client of either kind, after ``scenario`` set up faults."""
    emulator = Emulator(suno_credits=1_000)
    if request.param == "sync":
        client = emulated_client(emulator)

        def run(scenario: Scenario) -> None:
            scenario(emulator)
            with contextlib.suppress(AuthenticationError):
                client.generate("a tune", provider="suno")

        yield run
        client.close()
        return

    async_client = emulated_async_client(emulator)
    loop = asyncio.new_event_loop()

    async def one() -> None:
        with contextlib.suppress(AuthenticationError):
            await async_client.generate("a tune", provider="suno")

    def run_async(scenario: Scenario) -> None:
        scenario(emulator)
        loop.run_until_complete(one())

    yield run_async
    loop.run_until_complete(async_client.aclose())
    loop.close()


def _garbage(run: Callable[[], None]) -> list[object]:
    """The objects ``GENERATES`` runs of ``run`` leave in reference cycles (after a warm-up)."""
    run()  # first use: lazy imports, caches
    run()
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        gc.garbage.clear()
        for _ in range(GENERATES):
            run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def _cyclic_without(objects: list[object], packages: tuple[str, ...]) -> list[object]:
    """The objects still on (or only reachable from) a cycle once the instances of classes
    from ``packages`` are taken out of the reference graph: what cycles of other code left."""
    kept = {id(o): o for o in objects if type(o).__module__.partition(".")[0] not in packages}
    points_to = {
        key: [id(r) for r in gc.get_referents(o) if id(r) in kept] for key, o in kept.items()
    }
    pointed = dict.fromkeys(kept, 0)
    for targets in points_to.values():
        for target in targets:
            pointed[target] += 1
    # Peel off what nothing left points to, again and again: only cycles (and what they
    # alone hold) remain.
    free = [key for key, count in pointed.items() if count == 0]
    while free:
        key = free.pop()
        del pointed[key]
        for target in points_to[key]:
            pointed[target] -= 1
            if pointed[target] == 0:
                free.append(target)
    return [kept[key] for key in pointed]


def _ours_here(mode: str, scenario: str) -> int:
    """In this interpreter: objects in cycles of musicgen's own per ``GENERATES`` generates."""
    fixture = generate.__wrapped__  # type: ignore[attr-defined]
    runs = fixture(_Mode(mode))
    run = next(runs)
    try:
        found = _garbage(lambda: run(SCENARIOS[scenario]))
        return len(_cyclic_without(found, RETRY_MACHINERY))
    finally:
        next(runs, None)


class _Mode:
    """Stands in for pytest's request: which client kind the fixture makes."""

    def __init__(self, param: str) -> None:
        self.param = param


SCENARIOS: dict[str, Scenario] = {
    "succeeds": _succeeds,
    "refused": _refused,
    "retried": _retried_once,
}


def _ours(mode: str, scenario: str) -> int:
    """``_ours_here`` in a fresh interpreter: other tests' garbage cannot be counted."""
    code = (
        "import sys; from tests.client.test_no_cycles import _ours_here; "
        f"print(_ours_here({mode!r}, {scenario!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_generate_leaves_no_cycles_of_its_own(mode: str, scenario: str) -> None:
    assert _ours(mode, scenario) <= BOUND * GENERATES
