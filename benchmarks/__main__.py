"""``python -m benchmarks [--quick] [--only NAME ...] [--output PATH]``: run, print, save."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._harness import Settings, cache_missing_sniffio
from ._report import Row, format_table, loadavg, machine_info
from .scenarios import SCENARIOS, by_name

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"
SCHEMA_VERSION = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected scenarios; exit 1 only if a scenario crashed (missed targets are data).

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = _parser().parse_args(argv)
    if args.list:
        for scenario in SCENARIOS:
            print(f"{scenario.name:12} {scenario.summary}")
        return 0
    names = [n.strip() for item in args.only or [] for n in item.split(",") if n.strip()]
    try:
        selected = by_name(names) if names else list(SCENARIOS)
    except KeyError as unknown:
        print(unknown.args[0], file=sys.stderr)
        return 2
    settings = Settings(quick=args.quick, seed=args.seed, server=args.server)
    sniffio_missing = cache_missing_sniffio()  # see its docstring; the probes do it too
    report: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "quick": settings.quick,
        "settings": {
            "seed": settings.seed,
            "server": settings.server,
            "sniffio_missing_import_cached": sniffio_missing,
        },
        "machine": machine_info(),
        "note": "Shared machine: other processes may have been running. Compare ratios, "
        "not absolute times; SDK and baseline ran interleaved in the same process run.",
        "scenarios": {},
    }
    all_rows: list[Row] = []
    crashed = False
    started = time.perf_counter()
    for scenario in selected:
        print(f"running {scenario.name}: {scenario.summary} ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        failure: str | None = None
        rows: list[Row] = []
        try:
            rows = scenario.run(settings)
        except Exception:  # noqa: BLE001 - one broken scenario must not lose the others' results
            crashed = True
            failure = traceback.format_exc()
            print(failure, file=sys.stderr)
        elapsed = time.perf_counter() - began
        print(f"  {scenario.name} took {elapsed:.1f} s", file=sys.stderr, flush=True)
        all_rows.extend(rows)
        report["scenarios"][scenario.name] = {
            "summary": scenario.summary,
            "duration_s": round(elapsed, 2),
            "error": failure,
            "rows": [row.to_json() for row in rows],
        }
    report["duration_s"] = round(time.perf_counter() - started, 2)
    report["machine"]["loadavg_end"] = loadavg()
    missed = [row for row in all_rows if row.met is False]
    report["targets"] = {
        "judged": sum(row.met is not None for row in all_rows),
        "met": sum(row.met is True for row in all_rows),
        "missed": [f"{row.scenario}: {row.variant}" for row in missed],
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(format_table(all_rows))
    print()
    print(
        f"{report['targets']['met']}/{report['targets']['judged']} targets met; "
        f"took {report['duration_s']:.0f} s; load average {report['machine']['loadavg_start']} "
        f"-> {report['machine']['loadavg_end']} on {report['machine']['cpus_usable']} CPUs "
        "(shared machine: other work may have run alongside)."
    )
    print(f"results written to {output}")
    return 1 if crashed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark musicgen against hand-written baselines, side by side.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: seconds, numbers not meaningful"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this scenario (repeat, or comma-separate); see --list",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument(
        "--output", default=str(DEFAULT_OUTPUT), help="JSON report path (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=Settings().seed, help="random seed")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the emulator server in a child process (default) or a thread of this one",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
