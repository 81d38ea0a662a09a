"""Peer clients, measured on the same emulator as musicgen: what else a user could pick.

**suno-easy** (on the package index; typed, covers every sunoapi.org endpoint, built on
requests) is installed only in the ``bench`` session (``nox -s bench``). Its client takes no
base URL, so the runner points its class attribute at the emulator, the way its own tests
would. It polls at a fixed interval (3 s by default, given here as 0 s to time the client
itself); the polling scenario's "every 3 s" schedule is its schedule.
"""

from __future__ import annotations

import importlib.metadata
import statistics
from collections.abc import Callable
from typing import Any

import httpx

from ._harness import interleave
from ._report import Measure, Row, ratio_of
from ._workloads import PROMPT, RawSuno

__all__ = ["SUNO_EASY", "suno_easy_generate", "suno_easy_overhead_row", "suno_easy_version"]

SUNO_EASY = "suno-easy"


def suno_easy_version() -> str | None:
    """The installed suno-easy version, or None when it is not installed."""
    try:
        return importlib.metadata.version(SUNO_EASY)
    except importlib.metadata.PackageNotFoundError:
        return None


def suno_easy_generate(base_url: str) -> Callable[[], object]:
    """A function making one generation with suno-easy against ``base_url`` (submit + reads)."""
    import suno_easy

    class EmulatedSunoClient(suno_easy.SunoClient):  # type: ignore[misc, name-defined]
        BASE_URL = base_url.rstrip("/")

    client = EmulatedSunoClient(api_key="emulator-key")

    def generate() -> object:
        task: Any = client.music.generate(PROMPT, custom_mode=False, model="V4_5", wait=False)
        return task.wait(poll_interval=0)

    return generate


def suno_easy_overhead_row(url: str, calls: int, rounds: int) -> Row:
    """suno-easy's time per generate against hand-written httpx, taking turns call by call."""
    version = suno_easy_version()
    label = "sync, suno-easy (peer client, requests): time per generate"
    if version is None:
        return Row(
            scenario="overhead",
            variant=label,
            text="skipped",
            note=f"{SUNO_EASY} is not installed (nox -s bench installs it)",
        )
    peer = suno_easy_generate(url)
    raw = RawSuno(url)
    with httpx.Client() as http:

        def raw_one() -> None:
            raw.generate(http)

        for _ in range(3):  # untimed: connections, imports, first calls
            peer()
            raw_one()
        times, base = interleave(peer, raw_one, rounds, calls)
    ratio, span = ratio_of(times, base)
    added = statistics.median(times) - statistics.median(base)
    return Row(
        scenario="overhead",
        variant=label,
        unit="s",
        sdk=Measure.median_iqr(times),
        baseline=Measure.median_iqr(base),
        baseline_name="hand-written httpx",
        ratio=ratio,
        ratio_range=span,
        note=f"{SUNO_EASY} {version} adds {added * 1e6:.0f} us per generate; "
        "the same emulator, its own HTTP stack (requests)",
        extra={"peer": SUNO_EASY, "version": version, "added_us_per_generate": added * 1e6},
    )
