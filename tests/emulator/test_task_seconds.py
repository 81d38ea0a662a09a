"""``Emulator(task_seconds=...)``: tasks run for a wall-clock time, not a number of reads."""

from __future__ import annotations

import time
from typing import Any

import pytest

from musicgen.testing import Emulator


def test_reads_alone_do_not_finish_a_task_before_its_time(mureka_for: Any) -> None:
    mureka = mureka_for(Emulator(task_seconds=60))
    task_id = mureka.submit()

    statuses = mureka.statuses(task_id, reads=20)

    assert "succeeded" not in statuses


def test_a_task_is_final_once_its_time_has_passed_on_its_first_read(mureka_for: Any) -> None:
    mureka = mureka_for(Emulator(task_seconds=0.05))
    task_id = mureka.submit()
    time.sleep(0.1)

    assert mureka.query(task_id)["status"] == "succeeded"


def test_suno_tasks_follow_the_clock_too(suno_for: Any) -> None:
    suno = suno_for(Emulator(task_seconds=0.05))
    task_id = suno.submit()
    assert suno.statuses(task_id, reads=1) != ["SUCCESS"]
    time.sleep(0.1)

    assert suno.statuses(task_id, reads=1) == ["SUCCESS"]


def test_an_unpolled_mureka_task_frees_its_place_when_its_time_is_up(mureka_for: Any) -> None:
    mureka = mureka_for(Emulator(task_seconds=0.05, mureka_concurrent_request_limit=1))
    mureka.submit()
    assert mureka.generate().status_code == 429  # still running
    time.sleep(0.1)

    assert mureka.generate().status_code == 200  # never read, yet finished on time


@pytest.mark.parametrize("bad", [0, -1.0])
def test_task_seconds_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="task_seconds must be positive"):
        Emulator(task_seconds=bad)
