"""generate_many: a batch in input order, failures as values, under a concurrency cap."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from musicgen import BatchProgress, Generation, MusicGenError, ValidationError
from musicgen.cache import MemoryCache
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator

from .conftest import MakeClient

SUNO: dict[str, Any] = {"provider": "suno", "prompt": "a calm tune"}
MUREKA: dict[str, Any] = {"provider": "mureka", "lyrics": "[Verse]\nla"}


def test_results_come_back_in_the_order_of_the_requests(make_client: MakeClient) -> None:
    client = make_client()
    requests = [SUNO, MUREKA, {**SUNO, "prompt": "rain"}, {**MUREKA, "lyrics": "[Verse]\nna"}]

    results = client.generate_many(requests, concurrency=3)

    assert [r.provider for r in results] == ["suno", "mureka", "suno", "mureka"]
    assert all(isinstance(r, Generation) and r.status.is_terminal for r in results)


def test_a_bad_request_is_a_value_in_its_slot_and_the_others_finish(
    make_client: MakeClient,
) -> None:
    client = make_client()
    # Mureka cannot generate without lyrics (or prompt for instrumentals): refused before sending.
    requests = [SUNO, {"provider": "mureka", "style": "pop"}, MUREKA]

    results = client.generate_many(requests)

    assert isinstance(results[0], Generation)
    assert isinstance(results[1], ValidationError)
    assert isinstance(results[2], Generation)


def test_a_prompt_string_uses_the_batch_provider(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client()

    [result] = client.generate_many(["a calm tune"], provider="suno")

    assert isinstance(result, Generation)
    assert result.provider == "suno"
    assert emulator.submissions("suno") == 1


def test_identical_requests_in_a_batch_pay_once_with_a_cache(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(cache=MemoryCache())

    results = client.generate_many([SUNO, SUNO, MUREKA, SUNO], concurrency=4)

    assert emulator.submissions() == 2
    assert {r.task_id for r in results if isinstance(r, Generation)} == {
        results[0].task_id,
        results[2].task_id,
    }


def test_the_same_batch_again_pays_nothing_more_with_a_cache(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(cache=MemoryCache())
    batch = [SUNO, MUREKA]
    first = client.generate_many(batch)

    again = client.generate_many(batch)

    assert emulator.submissions() == 2
    assert [r.task_id for r in again] == [r.task_id for r in first]


def test_no_more_generations_run_at_once_than_the_concurrency(make_client: MakeClient) -> None:
    lock = threading.Lock()
    running = 0
    most = 0

    def count(event: Event) -> None:
        nonlocal running, most
        with lock:
            if event.name == EventName.GENERATION_SUBMITTED:
                running += 1
                most = max(most, running)
            elif event.name in (EventName.GENERATION_SUCCEEDED, EventName.GENERATION_FAILED):
                running -= 1

    client = make_client(hooks=[count])
    requests = [{**SUNO, "prompt": f"tune {n}"} for n in range(8)]

    results = client.generate_many(requests, concurrency=2)

    assert all(isinstance(r, Generation) for r in results)
    assert 1 <= most <= 2


def test_on_progress_hears_each_end_once_and_the_last_says_done(
    make_client: MakeClient,
) -> None:
    heard: list[BatchProgress] = []
    client = make_client()

    client.generate_many([SUNO, MUREKA, {"provider": "mureka"}], on_progress=heard.append)

    assert sorted(p.index for p in heard) == [0, 1, 2]
    assert [p.done for p in heard] == [1, 2, 3]
    assert heard[-1].is_done
    assert heard[-1].failed == 1


def test_an_item_of_the_wrong_kind_is_refused_before_anything_is_sent(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client()

    with pytest.raises(ValidationError, match=r"requests\[1\]") as caught:
        client.generate_many([SUNO, 42])

    assert caught.value.field == "requests[1]"
    assert emulator.requests == []


@pytest.mark.parametrize("concurrency", [0, -1, 1.5, True])
def test_a_concurrency_that_is_not_a_positive_int_is_refused(
    make_client: MakeClient, emulator: Emulator, concurrency: Any
) -> None:
    client = make_client()

    with pytest.raises(ValidationError, match="concurrency must be a positive int"):
        client.generate_many([SUNO], concurrency=concurrency)

    assert emulator.requests == []


def test_an_empty_batch_returns_an_empty_list(make_client: MakeClient) -> None:
    assert make_client().generate_many([]) == []


def test_failures_are_musicgen_errors_not_raised(make_client: MakeClient) -> None:
    client = make_client()

    results = client.generate_many([{"provider": "nowhere", "prompt": "x"}])

    assert len(results) == 1
    assert isinstance(results[0], MusicGenError)
