"""Mureka's account limit: past ``concurrent_request_limit`` running tasks, 429."""

from __future__ import annotations

from typing import Any

import pytest

from musicgen.testing import Emulator


def finish(mureka: Any, task_id: str) -> None:
    """Read a task until it is terminal (the emulator's clock is status reads)."""
    for _ in range(10):
        if mureka.query(task_id)["status"] == "succeeded":
            return
    raise AssertionError(f"task {task_id} never finished")


def test_a_submission_past_the_limit_gets_429_and_creates_nothing(mureka_for: Any) -> None:
    em = Emulator(mureka_concurrent_request_limit=2)
    mureka = mureka_for(em)
    mureka.submit()
    mureka.submit()
    balance = em.mureka_balance_cents

    response = mureka.generate()

    assert response.status_code == 429
    assert "check the concurrent request limit" in response.json()["error"]["message"]
    assert "quota" not in response.json()["error"]["message"]  # not the out-of-credits 429
    assert em.submissions("mureka") == 2
    assert em.mureka_balance_cents == balance  # refused before any charge


def test_a_finished_task_frees_its_place(mureka_for: Any) -> None:
    em = Emulator(mureka_concurrent_request_limit=1)
    mureka = mureka_for(em)
    first = mureka.submit()
    assert mureka.generate().status_code == 429

    finish(mureka, first)

    assert mureka.generate().status_code == 200


def test_failed_tasks_free_their_place_too(mureka_for: Any) -> None:
    em = Emulator(mureka_concurrent_request_limit=1)
    em.script_next_task("mureka", final_status="failed")
    mureka = mureka_for(em)
    first = mureka.submit()

    for _ in range(10):
        if mureka.query(first)["status"] == "failed":
            break

    assert mureka.generate().status_code == 200


def test_instrumentals_count_against_the_same_limit(mureka_for: Any) -> None:
    em = Emulator(mureka_concurrent_request_limit=1)
    mureka = mureka_for(em)
    mureka.submit()

    response = mureka.generate("instrumental", prompt="lofi", model="mureka-7.6")

    assert response.status_code == 429


def test_billing_reports_the_configured_limit(mureka_for: Any) -> None:
    mureka = mureka_for(Emulator(mureka_concurrent_request_limit=10))

    assert mureka.client.get("/v1/account/billing").json()["concurrent_request_limit"] == 10


def test_max_concurrent_records_the_most_tasks_running_at_once(mureka_for: Any) -> None:
    em = Emulator(mureka_concurrent_request_limit=3)
    mureka = mureka_for(em)
    first = mureka.submit()
    second = mureka.submit()
    finish(mureka, first)
    finish(mureka, second)
    for _ in range(4):  # three run at once; the fourth is refused
        mureka.generate()

    assert em.max_concurrent("mureka") == 3
    assert em.max_concurrent("suno") == 0


def test_max_concurrent_names_the_known_providers(em: Emulator) -> None:
    with pytest.raises(ValueError, match="mureka"):
        em.max_concurrent("acme")


@pytest.mark.parametrize("limit", [0, -1, True])
def test_the_limit_must_be_at_least_one(limit: int) -> None:
    with pytest.raises(ValueError, match="mureka_concurrent_request_limit"):
        Emulator(mureka_concurrent_request_limit=limit)
