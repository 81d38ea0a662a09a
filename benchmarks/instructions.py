"""CPU instructions per generate, counted by valgrind: the overhead without the noise.

Timings on a shared two-core machine move by a few percent from one run to the next, as much
as the differences worth finding. Instruction counts do not: callgrind counts the same work to
within about 0.2 %. Each work of ``benchmarks._count`` runs in a fresh interpreter under
``valgrind --tool=callgrind``, once with no repetitions and once with ``N``; the difference
divided by ``N`` is the count of one, set-up and imports excluded. Clients are answered by an
``httpx.MockTransport`` replaying one recorded generation, so no server is counted.

The retry rows count the loop musicgen runs around every request (stamina's
``retry_context``, which the Core v2 issue asks to run every attempt), alone, so its share of a
generate (five requests) can be read off. Instructions are not time (cache misses and the
interpreter's own start-up are not in them), but a ratio of two counts on the same interpreter
tracks a ratio of CPU times. Skipped when valgrind is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from ._bootstrap import REPO_ROOT
from ._harness import Settings, subprocess_env
from ._report import Measure, Row

__all__ = ["run"]

_REQUESTS_PER_GENERATION = 5
_COLLECTED = re.compile(r"Collected : (\d+)")
_MILLION = 1e6


def run(settings: Settings) -> list[Row]:
    """Count each work of ``benchmarks._count``, two valgrinds at a time."""
    if shutil.which("valgrind") is None:
        return [
            Row(
                scenario="instructions",
                variant="instructions per generate (callgrind)",
                text="skipped",
                note="valgrind is not installed (apt install valgrind)",
            )
        ]
    generates = 5 if settings.quick else 100
    loops = 20 if settings.quick else 1000
    jobs = {
        work: (generates if work.startswith(("sdk", "raw")) else loops)
        for work in ("sdk-sync", "raw-sync", "sdk-async", "raw-async", "retry-sync", "retry-async")
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        counted = dict(zip(jobs, pool.map(lambda job: _per_work(*job), jobs.items()), strict=True))
    rows = [_generate_row(mode, counted, generates) for mode in ("sync", "async")]
    rows += [_retry_row(mode, counted, loops) for mode in ("sync", "async")]
    return rows


def _per_work(work: str, times: int) -> float:
    """Instructions of one ``work``: a count with ``times`` repetitions minus one with none."""
    return (_count(work, times) - _count(work, 0)) / times


def _count(work: str, times: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks._count",
        work,
        str(times),
    ]
    # A fixed hash seed: string hashes decide dict layouts, and with them a few instructions.
    env = {**subprocess_env(), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        msg = f"callgrind run of {work} x{times} failed: {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return int(found.group(1))


def _generate_row(mode: str, counted: dict[str, float], generates: int) -> Row:
    sdk, raw = counted[f"sdk-{mode}"], counted[f"raw-{mode}"]
    retries = counted[f"retry-{mode}"] * _REQUESTS_PER_GENERATION
    return Row(
        scenario="instructions",
        variant=f"{mode}, metrics=False, no hooks: instructions per generate",
        unit="M",
        sdk=Measure.single(sdk / _MILLION),
        baseline=Measure.single(raw / _MILLION),
        baseline_name="hand-written httpx",
        ratio=sdk / raw,
        note=f"SDK adds {(sdk - raw) / _MILLION:.2f} M instructions per generate, of which "
        f"the retry loops (5 requests) are {retries / _MILLION:.2f} M; canned answers, "
        f"{generates} generations counted",
        extra={
            "sdk_instructions": sdk,
            "baseline_instructions": raw,
            "retry_loop_instructions_per_generate": retries,
        },
    )


def _retry_row(mode: str, counted: dict[str, float], loops: int) -> Row:
    per_loop = counted[f"retry-{mode}"]
    share = per_loop * _REQUESTS_PER_GENERATION / counted[f"sdk-{mode}"]
    return Row(
        scenario="instructions",
        variant=f"{mode}, stamina retry loop around one request (one attempt)",
        unit="k",
        sdk=Measure.single(per_loop / 1e3),
        note=f"{share:.0%} of the SDK's instructions per generate (5 requests); "
        f"{loops} loops counted",
        extra={"instructions_per_loop": per_loop, "share_of_generate": share},
    )
