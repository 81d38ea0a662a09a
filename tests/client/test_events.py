"""Hooks receive one Event per thing that happened, all under the call's correlation id."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from typing import Any

import pytest

from musicgen import ConfigurationError, GenerationFailedError, PollPolicy
from musicgen.observability import Event, EventName, correlation_id
from musicgen.testing import Emulator, Fault
from musicgen.testing._clients import emulated_async_client

from .conftest import MakeClient

SUNO: dict[str, Any] = {"provider": "suno", "prompt": "a calm tune"}


class Recorder:
    """A hook that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [event.name for event in self.events]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def test_a_generation_reports_its_lifecycle(make_client: MakeClient, recorder: Recorder) -> None:
    make_client(hooks=[recorder]).generate(**SUNO)
    names = recorder.names()
    assert names[0] == EventName.HTTP_REQUEST
    assert names[1] == EventName.GENERATION_SUBMITTED
    assert EventName.POLL in names
    assert EventName.STATUS_CHANGED in names
    assert names[-1] == EventName.GENERATION_SUCCEEDED


def test_every_event_of_a_call_has_its_correlation_id(
    make_client: MakeClient, recorder: Recorder
) -> None:
    make_client(hooks=[recorder]).generate(correlation_id="abc", **SUNO)
    assert {event.correlation_id for event in recorder.events} == {"abc"}


def test_http_events_carry_the_path_without_the_query(
    make_client: MakeClient, recorder: Recorder
) -> None:
    make_client(hooks=[recorder]).generate(**SUNO)
    paths = {e.data["path"] for e in recorder.events if e.name == EventName.HTTP_REQUEST}
    assert paths == {"/api/v1/generate", "/api/v1/generate/record-info"}


def test_success_event_reports_polls_and_time_to_stream(
    make_client: MakeClient, recorder: Recorder
) -> None:
    make_client(hooks=[recorder]).generate(**SUNO)
    done = recorder.events[-1]
    assert done.data["polls"] >= 3
    assert done.data["time_to_stream"] is not None
    assert done.duration is not None


def test_retries_are_reported_with_their_cause(
    make_client: MakeClient, emulator: Emulator, recorder: Recorder
) -> None:
    emulator.inject(Fault("server_error", operation="status"))
    make_client(hooks=[recorder]).generate(**SUNO)
    [retry] = [e for e in recorder.events if e.name == EventName.RETRY_SCHEDULED]
    assert retry.data["cause"] == "ServerError"
    assert retry.attempt == 1


@pytest.mark.filterwarnings("ignore::musicgen.ModelFallbackWarning")
def test_model_fallback_is_an_event(make_client: MakeClient, recorder: Recorder) -> None:
    make_client(hooks=[recorder]).generate(model="V0", **SUNO)
    [fallback] = [e for e in recorder.events if e.name == EventName.MODEL_FALLBACK]
    assert (fallback.data["requested"], fallback.model) == ("V0", "V4_5")


def test_unknown_status_is_an_event(
    make_client: MakeClient, emulator: Emulator, recorder: Recorder
) -> None:
    emulator.script_next_task("suno", final_status="MYSTERY")
    client = make_client(hooks=[recorder], poll=PollPolicy(interval=0, timeout=0.2))
    with pytest.raises(Exception, match="deadline"):
        client.generate(**SUNO)
    unknown = [e for e in recorder.events if e.name == EventName.STATUS_UNKNOWN]
    assert unknown[0].data["provider_status"] == "MYSTERY"
    assert recorder.names()[-2:] == [EventName.GENERATION_TIMED_OUT, EventName.CALL_FAILED]


def test_a_failed_call_is_reported_once_with_its_error(
    make_client: MakeClient, emulator: Emulator, recorder: Recorder
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    with pytest.raises(GenerationFailedError) as info:
        make_client(hooks=[recorder]).generate(correlation_id="c1", **SUNO)
    [failed] = [e for e in recorder.events if e.name == EventName.CALL_FAILED]
    assert failed.error is info.value
    assert info.value.correlation_id == "c1"


def test_a_raising_hook_is_logged_and_the_call_goes_on(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("hook bug")

    with caplog.at_level(logging.ERROR, logger="musicgen"):
        generation = make_client(hooks=[broken]).generate(**SUNO)
    assert generation.status.is_terminal
    assert any("hook" in r.getMessage() for r in caplog.records)


def test_the_ambient_correlation_id_is_used(make_client: MakeClient) -> None:
    client = make_client()
    with correlation_id("ambient-1"):
        generation = client.generate(**SUNO)
    assert generation.correlation_id == "ambient-1"


def test_an_explicit_correlation_id_beats_the_ambient_one(make_client: MakeClient) -> None:
    client = make_client()
    with correlation_id("ambient-1"):
        generation = client.generate(correlation_id="mine", **SUNO)
    assert generation.correlation_id == "mine"


def test_concurrent_async_calls_keep_their_own_ids() -> None:
    emulator = Emulator()
    recorder = Recorder()

    async def one(tag: str) -> None:
        with correlation_id(tag):
            await client.generate(**SUNO)

    async def main() -> None:
        await asyncio.gather(one("a"), one("b"), one("c"))

    client = emulated_async_client(emulator, hooks=[recorder])
    asyncio.run(main())
    by_task: dict[str | None, set[str]] = {}
    for event in recorder.events:
        by_task.setdefault(event.task_id, set()).add(event.correlation_id)
    ids = [ids for task, ids in by_task.items() if task is not None]
    assert all(len(one_id) == 1 for one_id in ids)
    assert set().union(*ids) == {"a", "b", "c"}
    sent = {r.headers["x-correlation-id"] for r in emulator.requests}
    assert sent == {"a", "b", "c"}


def test_the_client_measures_its_calls(make_client: MakeClient) -> None:
    client = make_client()
    client.generate(**SUNO)
    snapshot = client.metrics()
    submit = snapshot.operation("suno", "submit")
    assert submit is not None
    assert submit.count == 1
    assert snapshot.generations.succeeded == 1


def test_metrics_can_be_switched_off(make_client: MakeClient) -> None:
    client = make_client(metrics=False)
    with pytest.raises(ConfigurationError, match="metrics=False"):
        client.metrics()


def test_the_ambient_id_crosses_into_a_thread_started_with_a_copied_context(
    make_client: MakeClient,
) -> None:
    client = make_client()
    results: list[str | None] = []

    def work() -> None:
        results.append(client.generate(**SUNO).correlation_id)

    with correlation_id("from-the-request-handler"):
        context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(work,))
    thread.start()
    thread.join()
    assert results == ["from-the-request-handler"]
