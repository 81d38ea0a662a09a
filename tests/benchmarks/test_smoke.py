"""The benchmark runner works end to end; its numbers are never asserted (see benchmarks/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ROW_KEYS = {"scenario", "variant", "unit", "sdk", "baseline", "ratio", "target", "met", "note"}


def test_quick_polling_run_writes_a_complete_report(tmp_path: Path) -> None:
    output = tmp_path / "results.json"

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "polling", "--output", output],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["quick"] is True
    assert {"python", "platform", "cpu_count"} <= report["machine"].keys()
    assert list(report["scenarios"]) == ["polling"]
    polling = report["scenarios"]["polling"]
    assert polling["error"] is None
    assert polling["rows"]
    for row in polling["rows"]:
        assert row.keys() >= ROW_KEYS
        assert {"value", "stat", "low", "high", "spread"} <= row["sdk"].keys()
        assert row["baseline"] is not None
    assert any(row["target"] for row in polling["rows"])
    assert {"judged", "met", "missed"} <= report["targets"].keys()


def test_the_in_process_scenarios_run_on_the_sdk_as_shipped(tmp_path: Path) -> None:
    # They build their baselines from the SDK's own public API: a change to it must not break
    # them silently (the full run is not part of the test suite).
    output = tmp_path / "results.json"

    command = ["-m", "benchmarks", "--quick", "--only", "overhead,cache", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert [report["scenarios"][name]["error"] for name in ("overhead", "cache")] == [None, None]


def test_the_quick_soak_meets_its_money_safety_targets(tmp_path: Path) -> None:
    # Not a timing: these are correctness counts (double submissions, false failures, lost
    # answers reported as uncertain), which a change to the SDK must keep at their targets.
    output = tmp_path / "results.json"

    command = ["-m", "benchmarks", "--quick", "--only", "soak", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["scenarios"]["soak"]["error"] is None
    assert report["targets"]["missed"] == []
    assert report["targets"]["judged"] == 8


def test_every_work_the_instruction_count_runs_completes_without_valgrind() -> None:
    # The instructions scenario runs these under valgrind (not in the test suite: minutes);
    # each must still run on the SDK as shipped.
    listed = subprocess.run(
        [sys.executable, "-c", "from benchmarks._count import WORKS; print(*WORKS)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    failed = {}
    for work in listed.stdout.split():
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks._count", work, "2"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            failed[work] = done.stderr[-1000:]

    assert len(listed.stdout.split()) == 6
    assert failed == {}


def test_the_instruction_count_is_skipped_where_valgrind_is_missing(tmp_path: Path) -> None:
    output = tmp_path / "results.json"

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "instructions", "--output", output],
        cwd=REPO_ROOT,
        env={**os.environ, "PATH": str(tmp_path)},  # no valgrind on it
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    rows = report["scenarios"]["instructions"]["rows"]
    assert [(row["text"], row["met"]) for row in rows] == [("skipped", None)]
