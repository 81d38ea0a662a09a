"""What a failed call looks like to the user: public names, a short traceback, a kept cause."""

from __future__ import annotations

import asyncio
import traceback

import httpx
import pytest

import musicgen
from musicgen import (
    AuthenticationError,
    MusicGenError,
    NotFoundError,
    SubmissionUncertainError,
    TaskStatus,
)
from musicgen.testing import Emulator, Fault, emulated_async_client, emulated_client

from .conftest import MakeClient

# Frames of these must never sit between the user's line and the error.
MACHINERY = ("tenacity", "stamina", "concurrent/futures", "_core.py", "_effects.py")


def sync_failure(emulator: Emulator) -> MusicGenError:
    with emulated_client(emulator) as client:
        try:
            client.generate("a tune", provider="suno")
        except MusicGenError as error:
            return error
    raise AssertionError("the call did not fail")


def async_failure(emulator: Emulator) -> MusicGenError:
    async def main() -> MusicGenError:
        async with emulated_async_client(emulator) as client:
            try:
                await client.generate("a tune", provider="suno")
            except MusicGenError as error:
                return error
        raise AssertionError("the call did not fail")

    return asyncio.run(main())


FAILURES = pytest.mark.parametrize("fail", [sync_failure, async_failure], ids=["sync", "async"])


@FAILURES
def test_a_refusal_has_a_short_traceback_without_the_retry_machinery(fail: object) -> None:
    emulator = Emulator()
    emulator.inject(Fault("auth", operation="submit"))
    error = fail(emulator)  # type: ignore[operator]
    assert isinstance(error, AuthenticationError)
    printed = "".join(traceback.format_exception(error))
    assert not [part for part in MACHINERY if part in printed]
    assert len(traceback.extract_tb(error.__traceback__)) <= 3


@FAILURES
def test_an_uncertain_submission_keeps_its_cause_and_its_public_name(fail: object) -> None:
    emulator = Emulator()
    emulator.inject(Fault("drop", operation="submit"))
    error = fail(emulator)  # type: ignore[operator]
    assert isinstance(error, SubmissionUncertainError)
    assert type(error).__name__ in musicgen.__all__
    assert isinstance(error.__cause__, musicgen.APITimeoutError)
    assert isinstance(error.__cause__.__cause__, httpx.ReadTimeout)
    printed = "".join(traceback.format_exception(error))
    assert "musicgen.UncertainTimeoutError" in printed
    assert not [part for part in MACHINERY if part in printed]


@pytest.mark.parametrize("provider", ["suno", "mureka"])
def test_a_task_the_provider_does_not_know_is_not_found(
    make_client: MakeClient, provider: str
) -> None:
    with pytest.raises(NotFoundError) as caught:
        make_client().get("no-such-task", provider=provider)
    assert caught.value.task_id == "no-such-task"


def test_murekas_overloaded_refusal_of_a_submission_is_retried(
    make_client: MakeClient, emulator: Emulator
) -> None:
    # Mureka's own 503 "Engine overloaded" answer means the task was not started.
    emulator.inject(Fault("overloaded", provider="mureka", operation="submit"))
    generation = make_client().generate(provider="mureka", lyrics="[Verse]\nla")
    assert generation.status is TaskStatus.SUCCEEDED
    assert emulator.submissions("mureka") == 1


def test_waiting_on_a_task_id_survives_a_failing_first_read(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client()
    submitted = client.submit("a tune", provider="suno")
    emulator.inject(Fault("server_error", provider="suno", operation="status", times=5))
    assert client.wait(submitted.task_id, provider="suno").status is TaskStatus.SUCCEEDED
