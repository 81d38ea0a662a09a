"""Concurrency: N generations at once on ``AsyncMusicGenClient`` vs httpx.AsyncClient + asyncio.

Each round runs one fresh process per side (``benchmarks._probe``), SDK and baseline in
alternating order, against one emulator server. The SDK is ``AsyncMusicGenClient`` as shipped
(its own pool, its default ``max_concurrency``); the baseline is hand-written httpx with as many
connections behind an admission gate (see ``_probe.AdmissionGate`` for why), timeouts of 120 s,
zero poll interval. Up to N=10,000, with client CPU time per generation beside wall time.

Here the emulator makes each task final on its first read (``polls_per_stage=0``), so one
generation is a submit plus one status read: this scenario is about many generations in flight;
the cost per read is what ``overhead`` measures, and fewer requests keep N=1000 within the time
budget on a 2-core machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from ._bootstrap import REPO_ROOT
from ._harness import Settings, emulator_server, subprocess_env
from ._probe import CONNECTIONS
from ._report import Measure, Row, at_most, ratio_of

__all__ = ["run"]

MAX_WALL_RATIO = 1.20
#: N=10,000 on the SDK as shipped against the gated baseline (the performance issue's target).
MAX_WALL_RATIO_AT_SCALE = 1.10
SCALE_N = 10_000
#: CPU per generation stays flat from N=100 up: within this share of its N=100 value.
CPU_FLATNESS = 0.15
#: Above this N, the extra batch that counts leftovers is skipped (it would double the time).
MAX_GROWTH_N = 1000
#: A leak of one object per finished generation would show as about 1.
MAX_LEFT_PER_GENERATION = 0.5
#: tracemalloc slows a run several times; above this N, RSS growth stands in for it.
MAX_TRACED_N = 100
_BASELINE = "gated httpx.AsyncClient + asyncio.gather"


def run(settings: Settings) -> list[Row]:
    """Run each N for a few rounds; judge wall time, completion, memory and connections."""
    plan = [(10, 1), (50, 1)] if settings.quick else [(10, 3), (100, 3), (1000, 2), (SCALE_N, 2)]
    rows: list[Row] = []
    cpu_at: dict[int, float] = {}
    with emulator_server(settings, polls_per_stage=0) as url:
        for n, rounds in plan:
            results: dict[str, list[dict[str, Any]]] = {"sdk": [], "raw": []}
            for index in range(rounds):
                order = ("sdk", "raw") if index % 2 == 0 else ("raw", "sdk")
                for side in order:
                    # The extra runs happen in the first round only, after the timed run.
                    first = index == 0
                    results[side].append(
                        _probe(
                            side,
                            n,
                            url,
                            repeat=1 if settings.quick else max(1, 200 // n),
                            growth=first and n <= MAX_GROWTH_N,
                            traced=first and n <= MAX_TRACED_N,
                        )
                    )
            rows.extend(_rows(n, results["sdk"], results["raw"]))
            rows.append(_cpu_row(n, results["sdk"], results["raw"]))
            cpu_at[n] = statistics.median(r["cpu_per_generation_s"] for r in results["sdk"])
    rows.extend(_flatness_rows(cpu_at))
    return rows


def _cpu_row(n: int, sdk: Sequence[dict[str, Any]], raw: Sequence[dict[str, Any]]) -> Row:
    sdk_cpu = [r["cpu_per_generation_s"] * 1e6 for r in sdk]
    raw_cpu = [r["cpu_per_generation_s"] * 1e6 for r in raw]
    ratio, span = ratio_of(sdk_cpu, raw_cpu)
    return Row(
        scenario="concurrency",
        variant=f"N={n}: client CPU per generation (process time)",
        unit="us",
        sdk=Measure.median_iqr(sdk_cpu),
        baseline=Measure.median_iqr(raw_cpu),
        baseline_name=_BASELINE,
        ratio=ratio,
        ratio_range=span,
        note="the process's CPU time over the timed batch, divided by N",
    )


def _flatness_rows(cpu_at: dict[int, float]) -> list[Row]:
    """CPU per generation at each N >= 100 against N=100: flat within CPU_FLATNESS."""
    base = cpu_at.get(100)
    if base is None:
        return []
    rows = []
    for n, cpu in sorted(cpu_at.items()):
        if n <= 100:
            continue
        change = cpu / base
        rows.append(
            Row(
                scenario="concurrency",
                variant=f"N={n}: SDK CPU per generation vs N=100",
                unit="us",
                sdk=Measure.single(cpu * 1e6),
                baseline=Measure.single(base * 1e6),
                baseline_name="SDK at N=100",
                ratio=change,
                target=f"within +/-{CPU_FLATNESS:.0%}",
                met=abs(change - 1) <= CPU_FLATNESS,
            )
        )
    return rows


def _probe(
    side: str, n: int, url: str, *, repeat: int, growth: bool, traced: bool
) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks._probe", "--side", side, "--n", str(n)]
    # Small N finishes in a blink: the batch is repeated so one batch's noise does not decide.
    command += ["--url", url, "--repeat", str(repeat)]
    command += ["--growth"] if growth else []
    command += ["--traced"] if traced else []
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        msg = f"probe {side} N={n} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rows(n: int, sdk: Sequence[dict[str, Any]], raw: Sequence[dict[str, Any]]) -> list[Row]:
    label = f"N={n}"
    sdk_wall = [r["wall_s"] for r in sdk]
    raw_wall = [r["wall_s"] for r in raw]
    ratio, span = ratio_of(sdk_wall, raw_wall)
    sdk_failures = sum(r["failures"] for r in sdk)
    raw_failures = sum(r["failures"] for r in raw)
    first_sdk, first_raw = sdk[0], raw[0]  # the round with the extra runs
    limit = MAX_WALL_RATIO_AT_SCALE if n >= SCALE_N else MAX_WALL_RATIO
    rows = [
        Row(
            scenario="concurrency",
            variant=f"{label}: wall time, {n} generations at once",
            unit="s",
            sdk=Measure.median_iqr(sdk_wall),
            baseline=Measure.median_iqr(raw_wall),
            baseline_name=_BASELINE,
            ratio=ratio,
            ratio_range=span,
            target=f"ratio <= {limit:.2f}",
            met=at_most(ratio, limit),
            extra={"rounds": len(sdk), "connections": CONNECTIONS},
        ),
        Row(
            scenario="concurrency",
            variant=f"{label}: every generation finished",
            text=f"{sdk_failures} SDK / {raw_failures} raw failures",
            target="all finish",
            met=sdk_failures == 0 and raw_failures == 0,
        ),
        _memory_row(
            f"{label}: peak RSS growth per in-flight generation",
            _per(_median([r["rss_peak_growth_bytes"] for r in sdk]), n),
            _per(_median([r["rss_peak_growth_bytes"] for r in raw]), n),
            note="VmHWM (reset before the run) minus VmRSS before it, median over rounds; "
            "coarse (4 KiB pages) for small N",
        ),
    ]
    if "traced_peak_bytes" in first_sdk:
        rows.append(
            _memory_row(
                f"{label}: peak traced memory per in-flight generation",
                first_sdk["traced_peak_bytes"] / n,
                first_raw["traced_peak_bytes"] / n,
                note="tracemalloc peak during a run, minus what was allocated before it",
            )
        )
    if "objects_left_per_generation" in first_sdk:
        rows.append(_leftover_row(label, n, first_sdk, first_raw))
    rows.append(_sockets_row(label, sdk, raw))
    return rows


def _leftover_row(label: str, n: int, first_sdk: dict[str, Any], first_raw: dict[str, Any]) -> Row:
    left = first_sdk["objects_left_per_generation"]
    judged = n >= 100  # with few generations, one cache entry more is already 0.1 per generation
    return Row(
        scenario="concurrency",
        variant=f"{label}: gc objects left per finished generation",
        unit="obj",
        sdk=Measure.single(left),
        baseline=Measure.single(first_raw["objects_left_per_generation"]),
        baseline_name=_BASELINE,
        target=f"SDK < {MAX_LEFT_PER_GENERATION}" if judged else "",
        met=left < MAX_LEFT_PER_GENERATION if judged else None,
        note="memory blocks left per generation: "
        f"SDK {first_sdk['blocks_left_per_generation']:.2f}, "
        f"raw {first_raw['blocks_left_per_generation']:.2f}",
        extra={
            "sdk_blocks_left_per_generation": first_sdk["blocks_left_per_generation"],
            "raw_blocks_left_per_generation": first_raw["blocks_left_per_generation"],
        },
    )


def _sockets_row(label: str, sdk: Sequence[dict[str, Any]], raw: Sequence[dict[str, Any]]) -> Row:
    peak_open = max(r["sockets_open_after_runs"] for r in (*sdk, *raw))
    left_open = max(r["sockets_open_after_close"] for r in (*sdk, *raw))
    sdk_open = max(r["sockets_open_after_runs"] for r in sdk)
    sdk_left = max(r["sockets_open_after_close"] for r in sdk)
    return Row(
        scenario="concurrency",
        variant=f"{label}: sockets open after runs / after close",
        text=f"SDK {sdk_open} / {sdk_left}",
        target=f"<= {CONNECTIONS} / 0",
        met=peak_open <= CONNECTIONS and left_open <= 0,
        note=f"both sides: at most {peak_open} open after runs, {left_open} after close",
    )


def _memory_row(variant: str, sdk: float | None, raw: float | None, *, note: str = "") -> Row:
    return Row(
        scenario="concurrency",
        variant=variant,
        unit="B",
        sdk=None if sdk is None else Measure.single(sdk),
        baseline=None if raw is None else Measure.single(raw),
        baseline_name=_BASELINE,
        ratio=sdk / raw if sdk is not None and raw else None,
        note=note,
    )


def _per(total: float | None, n: int) -> float | None:
    return None if total is None else total / n


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None
