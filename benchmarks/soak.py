"""Soak: 1,000 generations per provider against the emulator under a realistic fault mix.

Each generation is one ``client.generate`` of the SDK as shipped (blocking client, default
retry policy without waits, a 30 s deadline), against the in-process emulator. A seeded
transport in front of the emulator arms one fault for the request about to be sent, drawn
from this mix:

- status reads: 5 % server errors, 2 % dropped connections, 2 % rate limits, 1 % slow (50 ms);
- submissions: 1 % lost answers (the task is created and charged, the answer never arrives),
  2 % rate limits.

Every task succeeds at the provider, so every acknowledged submission should come back as a
success. Counted per provider: the success rate of acknowledged submissions (target >= 99.9 %),
false failures (an error for a task that succeeded: target 0), double submissions (a call that
created more than one task: target 0), lost submission answers reported as
``SubmissionUncertainError`` (target: all of them, none resent) and the p95 time per call.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from musicgen import MusicGenClient, SubmissionUncertainError, TaskStatus
from musicgen.testing import Emulator, Fault, emulated_client

from ._harness import Settings
from ._report import Measure, Row

__all__ = ["run"]

SUCCESS_TARGET = 99.9  # percent of acknowledged submissions returned as successes

#: (kind, probability) per request role; at most one fault per request.
MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "status": (("server_error", 0.05), ("drop", 0.02), ("rate_limit", 0.02), ("slow", 0.01)),
    "submit": (("drop", 0.01), ("rate_limit", 0.02)),
}
SLOW_SECONDS = 0.05


@dataclass
class _Armed:
    """What the transport armed during one call."""

    faults: Counter[str] = field(default_factory=Counter)
    lost_submit: bool = False


class _FaultMix(httpx.BaseTransport):
    """The emulator's transport, arming one drawn fault before each request it passes on."""

    def __init__(self, emulator: Emulator, rng: random.Random) -> None:
        self._emulator = emulator
        self._inner = emulator.transport()
        self._rng = rng
        self.armed = _Armed()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        role, provider = _classify(request)
        if role is not None:
            kind = self._draw(role)
            if kind is not None:
                delay = SLOW_SECONDS if kind == "slow" else 0.0
                self._emulator.inject(Fault(kind, provider=provider, operation=role, delay=delay))
                self.armed.faults[f"{role}:{kind}"] += 1
                self.armed.lost_submit |= role == "submit" and kind == "drop"
        return self._inner.handle_request(request)

    def _draw(self, role: str) -> str | None:
        roll = self._rng.random()
        for kind, probability in MIX[role]:
            if roll < probability:
                return kind
            roll -= probability
        return None


def _classify(request: httpx.Request) -> tuple[str | None, str]:
    path = request.url.path
    provider = "suno" if path.startswith("/api/") else "mureka"
    if request.method == "POST" and path in ("/api/v1/generate", "/v1/song/generate"):
        return "submit", provider
    if request.method == "GET" and ("record-info" in path or "/query/" in path):
        return "status", provider
    return None, provider


@dataclass
class _Tally:
    calls: int = 0
    acknowledged: int = 0
    succeeded: int = 0
    false_failures: int = 0
    double_submissions: int = 0
    lost_submits: int = 0
    lost_reported_uncertain: int = 0
    other_errors: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)


def _request(provider: str, index: int) -> dict[str, str]:
    if provider == "suno":
        return {"provider": "suno", "prompt": f"soak test number {index}, a calm tune"}
    return {"provider": "mureka", "lyrics": f"[Verse]\nsoak test number {index}"}


def _soak(provider: str, count: int, seed: int) -> _Tally:
    # Enough credits that the account never runs dry: only the faults may fail a call.
    emulator = Emulator(polls_per_stage=1, suno_credits=10**9, mureka_balance_cents=10**9)
    transport = _FaultMix(emulator, random.Random(f"{seed}:{provider}"))
    tally = _Tally()
    client: MusicGenClient = emulated_client(http_client=httpx.Client(transport=transport))
    with client:
        for index in range(count):
            transport.armed = _Armed()
            before = emulator.submissions(provider)
            started = time.perf_counter()
            error: Exception | None = None
            try:
                result = client.generate(**_request(provider, index))
            except Exception as caught:  # noqa: BLE001 - every outcome is counted, none escapes
                error = caught
            tally.seconds.append(time.perf_counter() - started)
            created = emulator.submissions(provider) - before
            armed = transport.armed
            emulator.clear_faults()  # a fault armed for a request that never came
            tally.calls += 1
            tally.faults.update(armed.faults)
            tally.double_submissions += created > 1
            if armed.lost_submit and created:
                tally.lost_submits += 1
                tally.lost_reported_uncertain += isinstance(error, SubmissionUncertainError)
                continue
            if not created:
                if error is not None:
                    tally.other_errors[type(error).__name__] += 1
                continue
            tally.acknowledged += 1
            if error is None and result.status is TaskStatus.SUCCEEDED:
                tally.succeeded += 1
            else:
                # Every emulated task succeeds: any error here reports a success as a failure.
                tally.false_failures += 1
                tally.other_errors[type(error).__name__ if error else result.status.value] += 1
    return tally


def _rows(provider: str, tally: _Tally) -> list[Row]:
    rate = 100.0 * tally.succeeded / tally.acknowledged if tally.acknowledged else 0.0
    faults = ", ".join(f"{name} {n}" for name, n in sorted(tally.faults.items()))
    errors = ", ".join(f"{name} {n}" for name, n in sorted(tally.other_errors.items()))
    base = f"{provider}, {tally.calls} generations"
    return [
        Row(
            "soak",
            f"{base}: acknowledged tasks returned as successes",
            unit="%",
            sdk=Measure(rate, stat="single", n=tally.acknowledged),
            target=f">= {SUCCESS_TARGET}",
            met=rate >= SUCCESS_TARGET,
            note=f"faults armed: {faults}" + (f"; errors: {errors}" if errors else ""),
        ),
        Row(
            "soak",
            f"{base}: false failures (a succeeded task reported failed)",
            sdk=Measure(tally.false_failures, stat="single"),
            target="= 0",
            met=tally.false_failures == 0,
        ),
        Row(
            "soak",
            f"{base}: double submissions",
            sdk=Measure(tally.double_submissions, stat="single"),
            target="= 0",
            met=tally.double_submissions == 0,
        ),
        Row(
            "soak",
            f"{base}: lost submit answers reported as SubmissionUncertainError",
            sdk=Measure(tally.lost_reported_uncertain, stat="single"),
            text=f"{tally.lost_reported_uncertain}/{tally.lost_submits}",
            target="all",
            met=tally.lost_reported_uncertain == tally.lost_submits,
        ),
        Row(
            "soak",
            f"{base}: time per generate() (no retry or poll waits)",
            unit="ms",
            sdk=Measure.of([s * 1000 for s in tally.seconds], "p95"),
            note="client CPU and the in-process emulator; the waits are configured away",
        ),
    ]


def run(settings: Settings) -> list[Row]:
    """Soak both providers; rows judged against the targets in the module docstring."""
    count = 100 if settings.quick else 1000
    rows: list[Row] = []
    for provider in ("suno", "mureka"):
        rows.extend(_rows(provider, _soak(provider, count, settings.seed)))
    return rows
