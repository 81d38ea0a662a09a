"""Hooks receive one Event per thing that happened, all under the call's correlation id."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from musicgen import ConfigurationError, GenerationFailedError, PollPolicy
from musicgen.observability import Event, EventName, correlation_id
from musicgen.testing import Emulator, Fault
from musicgen.testing._clients import emulated_async_client, emulated_client

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
    assert names[0] == EventName.CALL_STARTED
    assert names[1] == EventName.HTTP_REQUEST
    assert names[2] == EventName.GENERATION_SUBMITTED
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
    paths = {e.path for e in recorder.events if e.name == EventName.HTTP_REQUEST}
    assert paths == {"/api/v1/generate", "/api/v1/generate/record-info"}


def test_success_event_reports_polls_and_time_to_stream(
    make_client: MakeClient, recorder: Recorder
) -> None:
    make_client(hooks=[recorder]).generate(**SUNO)
    done = recorder.events[-1]
    assert done.polls is not None
    assert done.polls >= 3
    assert done.time_to_stream is not None
    assert done.duration is not None


def test_retries_are_reported_with_their_cause(
    make_client: MakeClient, emulator: Emulator, recorder: Recorder
) -> None:
    emulator.inject(Fault("server_error", operation="status"))
    make_client(hooks=[recorder]).generate(**SUNO)
    [retry] = [e for e in recorder.events if e.name == EventName.RETRY_SCHEDULED]
    assert retry.cause == "ServerError"
    assert retry.attempt == 1


@pytest.mark.filterwarnings("ignore::musicgen.ModelFallbackWarning")
def test_model_fallback_is_an_event(make_client: MakeClient, recorder: Recorder) -> None:
    make_client(hooks=[recorder]).generate(model="V0", **SUNO)
    [fallback] = [e for e in recorder.events if e.name == EventName.MODEL_FALLBACK]
    assert (fallback.requested, fallback.model) == ("V0", "V4_5")


def test_unknown_status_is_an_event(
    make_client: MakeClient, emulator: Emulator, recorder: Recorder
) -> None:
    emulator.script_next_task("suno", final_status="MYSTERY")
    client = make_client(hooks=[recorder], poll=PollPolicy(interval=0, timeout=0.2))
    with pytest.raises(Exception, match="deadline"):
        client.generate(**SUNO)
    unknown = [e for e in recorder.events if e.name == EventName.STATUS_UNKNOWN]
    assert unknown[0].provider_status == "MYSTERY"
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


# -- EventName and the typed fields -----------------------------------------------------------


def test_event_names_compare_and_print_as_their_strings() -> None:
    event = Event("poll", "c")

    assert event.name == "poll"
    assert event.name is EventName.POLL
    assert f"{event.name} {EventName.HTTP_REQUEST}" == "poll http.request"
    assert {"poll": 1}[event.name] == 1


def test_a_name_of_your_own_stays_a_plain_string() -> None:
    assert Event("my.event", "c").name == "my.event"


def test_details_given_the_old_way_in_data_become_attributes() -> None:
    event = Event(EventName.RETRY_SCHEDULED, "c", data={"cause": "ServerError", "note": "x"})

    assert event.cause == "ServerError"
    assert event.extra == {"note": "x"}
    assert event.data == {"wait": None, "cause": "ServerError", "endpoint": None, "note": "x"}


def test_data_still_shows_an_http_events_details(
    make_client: MakeClient, recorder: Recorder
) -> None:
    make_client(hooks=[recorder]).generate(**SUNO)
    http = next(e for e in recorder.events if e.name == EventName.HTTP_REQUEST)

    assert dict(http.data) == {
        "method": http.method,
        "path": http.path,
        "status_code": http.status_code,
        "endpoint": http.endpoint,
    }
    assert (http.method, http.status_code, http.endpoint) == ("POST", 200, "generate")


# -- call scopes: what a hook returns for call.started ---------------------------------------


class Scoped:
    """A hook whose call.started answer is a context manager that records its life."""

    def __init__(self) -> None:
        self.entered: list[Event] = []
        self.exited: list[BaseException | None] = []
        self.inside: list[str | None] = []  # CURRENT as events of the call saw it

    def __call__(self, event: Event) -> Any:
        if event.name != EventName.CALL_STARTED:
            self.inside.append(CURRENT.get())
            return None
        return self.scope(event)

    @contextlib.contextmanager
    def scope(self, event: Event) -> Iterator[None]:
        self.entered.append(event)
        token = CURRENT.set(event.correlation_id)
        try:
            yield
        except BaseException as error:
            self.exited.append(error)
            raise
        else:
            self.exited.append(None)
        finally:
            CURRENT.reset(token)


CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("current", default=None)


def test_a_hook_scope_is_entered_and_exited_once_per_call(make_client: MakeClient) -> None:
    hook = Scoped()
    client = make_client(hooks=[hook])

    generation = client.generate(correlation_id="scoped", **SUNO)
    client.balance("suno")

    [generate, balance] = hook.entered
    assert (generate.operation, generate.provider) == ("generate", "suno")
    assert (balance.operation, balance.provider) == ("balance", "suno")
    assert generation.correlation_id == generate.correlation_id == "scoped"
    assert hook.exited == [None, None]


def test_the_scope_is_current_for_every_event_of_its_call(make_client: MakeClient) -> None:
    hook = Scoped()

    make_client(hooks=[hook]).generate(correlation_id="in-scope", **SUNO)

    assert hook.inside
    assert set(hook.inside) == {"in-scope"}
    assert CURRENT.get() is None


def test_a_failed_call_exits_its_scope_with_the_error(
    make_client: MakeClient, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    hook = Scoped()

    with pytest.raises(GenerationFailedError) as info:
        make_client(hooks=[hook]).generate(**SUNO)

    assert hook.exited == [info.value]


def test_a_wait_reads_its_task_id_at_call_start(make_client: MakeClient) -> None:
    hook = Scoped()
    client = make_client(hooks=[hook])
    submitted = client.submit(**SUNO)

    client.wait(submitted.task_id, provider="suno")

    assert [(e.operation, e.task_id) for e in hook.entered] == [
        ("submit", None),
        ("wait", submitted.task_id),
    ]
    assert hook.exited == [None, None]


def test_a_cancelled_call_exits_its_scope_with_the_cancellation() -> None:
    hook = Scoped()

    async def main() -> None:
        slow = PollPolicy(interval=30.0, max_interval=30.0, timeout=60.0)
        submitted = asyncio.Event()

        def on_submit(event: Event) -> None:
            if event.name == EventName.GENERATION_SUBMITTED:
                submitted.set()

        async with emulated_async_client(Emulator(), hooks=[hook, on_submit], poll=slow) as client:
            call = asyncio.ensure_future(client.generate(**SUNO))
            await submitted.wait()
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call

    asyncio.run(main())

    assert len(hook.entered) == 1
    assert [type(error) for error in hook.exited] == [asyncio.CancelledError]


def test_a_blocking_watch_left_early_exits_its_scope_without_an_error() -> None:
    hook = Scoped()
    with emulated_client(Emulator(), hooks=[hook]) as client:
        submitted = client.submit(**SUNO)

        for _ in client.watch(submitted):
            break

    assert [e.operation for e in hook.entered] == ["submit", "watch"]
    assert hook.exited == [None, None]


def test_a_hook_scope_that_raises_is_logged_and_the_call_goes_on(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def __enter__(self) -> None:
            raise RuntimeError("enter bug")

        def __exit__(self, *exc: object) -> None:
            raise AssertionError("never entered, so never exited")

    @contextlib.contextmanager
    def breaks_on_exit() -> Iterator[None]:
        yield
        raise RuntimeError("exit bug")

    def hook(event: Event) -> Any:
        if event.name == EventName.CALL_STARTED:
            return Broken() if event.operation == "generate" else breaks_on_exit()
        return None

    client = make_client(hooks=[hook])
    with caplog.at_level(logging.ERROR, logger="musicgen"):
        generation = client.generate(**SUNO)
        balance = client.balance("suno")

    assert generation.status.is_terminal
    assert balance is not None
    messages = [r.getMessage() for r in caplog.records]
    assert any("failed on call.started" in m for m in messages)
    assert any("failed leaving call.started" in m for m in messages)


def test_what_a_plain_hook_returns_is_ignored(make_client: MakeClient) -> None:
    seen: list[str] = []

    def hook(event: Event) -> Any:
        seen.append(event.name)
        return len(seen)  # not a context manager

    generation = make_client(hooks=[hook]).generate(**SUNO)

    assert generation.status.is_terminal
    assert seen[0] == EventName.CALL_STARTED
