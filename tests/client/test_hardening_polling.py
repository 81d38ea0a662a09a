"""Polling hardening, on both clients: Retry-After is honoured between reads, and the first
read of ``wait(task_id)`` or of a journalled task's resume is treated like every later one.

These run in-process: what is checked is which reads are sent and when, not socket behaviour.
Times are lower bounds (a read not sent sooner than asked) or generous upper bounds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from musicgen import (
    AuthenticationError,
    GenerationTimeoutError,
    PollPolicy,
    RetryPolicy,
    TaskStatus,
)
from musicgen.cache import MemoryCache
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator, Fault

from .conftest import MakeClient

SUNO = {"provider": "suno", "prompt": "a calm tune"}


def status_reads(emulator: Emulator) -> list[str]:
    return [r.path for r in emulator.requests if r.path.endswith("/record-info")]


class ReadTimes:
    """A hook noting when each status read was answered."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, event: Event) -> None:
        if event.name == EventName.HTTP_REQUEST and event.operation == "status":
            self.times.append(time.monotonic())


# -- Retry-After while polling -------------------------------------------------------------------


def test_a_retry_after_past_the_deadline_ends_the_wait_at_once_with_the_task_id(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client()
    emulator.inject(Fault("rate_limit", operation="status", retry_after="100", times=50))

    started = time.monotonic()
    with pytest.raises(GenerationTimeoutError) as caught:
        client.generate(timeout=5, **SUNO)

    assert time.monotonic() - started < 5  # no point waiting for a read that cannot be made
    [task_id] = emulator.tasks
    assert caught.value.task_id == task_id
    assert caught.value.provider == "suno"
    assert "asked to wait 100s" in str(caught.value)
    assert len(status_reads(emulator)) == 1  # not ~19 reads refused one after the other


def test_a_retry_after_within_the_deadline_delays_the_next_read(
    make_client: MakeClient, emulator: Emulator
) -> None:
    reads = ReadTimes()
    # One attempt per read: the refusal reaches the polling loop, which must wait as asked.
    client = make_client(retry=RetryPolicy(attempts=1), hooks=[reads])
    emulator.inject(Fault("rate_limit", operation="status", retry_after="0.4"))

    generation = client.generate(timeout=30, **SUNO)

    assert generation.status is TaskStatus.SUCCEEDED
    assert reads.times[1] - reads.times[0] >= 0.4


def test_a_retry_after_on_the_first_read_of_wait_delays_it_too(
    make_client: MakeClient, emulator: Emulator
) -> None:
    reads = ReadTimes()
    client = make_client(retry=RetryPolicy(attempts=1), hooks=[reads])
    task_id = client.submit(**SUNO).task_id
    emulator.inject(Fault("rate_limit", operation="status", retry_after="0.3"))

    generation = client.wait(task_id, provider="suno", timeout=30)

    assert generation.task_id == task_id
    assert reads.times[1] - reads.times[0] >= 0.3


def test_the_poll_interval_still_applies_when_retry_after_is_shorter(
    make_client: MakeClient, emulator: Emulator
) -> None:
    reads = ReadTimes()
    poll = PollPolicy(interval=0.3, max_interval=0.3, timeout=30)
    client = make_client(retry=RetryPolicy(attempts=1), poll=poll, hooks=[reads])
    emulator.inject(Fault("rate_limit", operation="status", retry_after="0.01"))

    client.generate(**SUNO)

    assert reads.times[1] - reads.times[0] >= 0.3


# -- the first read of wait() and of a resume ---------------------------------------------------


@pytest.mark.parametrize("kind", ["server_error", "drop", "malformed_json", "rate_limit"])
def test_a_failed_first_read_of_wait_does_not_end_the_wait(
    make_client: MakeClient, emulator: Emulator, kind: str
) -> None:
    client = make_client(retry=RetryPolicy(attempts=1))
    task_id = client.submit(**SUNO).task_id
    emulator.inject(Fault(kind, operation="status", times=2))

    generation = client.wait(task_id, provider="suno")

    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.task_id == task_id


def test_a_first_read_of_wait_that_fails_for_good_carries_the_task_id(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client()
    task_id = client.submit(**SUNO).task_id
    emulator.inject(Fault("auth", operation="status"))

    with pytest.raises(AuthenticationError) as caught:
        client.wait(task_id, provider="suno")

    assert caught.value.task_id == task_id


def test_wait_timing_out_before_any_read_succeeds_carries_the_task_id(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(retry=RetryPolicy(attempts=1))
    task_id = client.submit(**SUNO).task_id
    emulator.inject(Fault("server_error", operation="status", times=1000))

    with pytest.raises(GenerationTimeoutError) as caught:
        client.wait(task_id, provider="suno", timeout=0.3)

    assert caught.value.task_id == task_id


def journalled(make_client: MakeClient, **options: Any) -> tuple[Any, str]:
    """A client with a cache whose journal holds a submitted, unfinished Suno task."""
    client = make_client(cache=MemoryCache(), **options)
    task_id = client.submit(**SUNO).task_id
    return client, task_id


def test_a_failed_first_read_of_a_resume_does_not_end_the_wait(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client, task_id = journalled(make_client, retry=RetryPolicy(attempts=1))
    emulator.inject(Fault("server_error", operation="status", times=2))

    generation = client.generate(**SUNO)  # the identical request resumes the journalled task

    assert generation.task_id == task_id
    assert generation.status is TaskStatus.SUCCEEDED
    assert emulator.submissions("suno") == 1


def test_a_first_read_of_a_resume_that_fails_for_good_carries_the_task_id(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client, task_id = journalled(make_client)
    emulator.inject(Fault("auth", operation="status"))

    with pytest.raises(AuthenticationError) as caught:
        client.generate(**SUNO)

    assert caught.value.task_id == task_id
    assert emulator.submissions("suno") == 1


def test_a_resume_refused_with_a_long_retry_after_times_out_with_the_task_id(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client, task_id = journalled(make_client)
    emulator.inject(Fault("rate_limit", operation="status", retry_after="100"))

    with pytest.raises(GenerationTimeoutError) as caught:
        client.generate(timeout=5, **SUNO)

    assert caught.value.task_id == task_id
    assert emulator.submissions("suno") == 1
