"""OpenTelemetryHook: one span per call, opened and ended with it, child spans per HTTP attempt."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.trace import StatusCode

from musicgen import ConfigurationError, Generation, GenerationFailedError
from musicgen.observability import Event, EventName, OpenTelemetryHook
from musicgen.testing import Emulator, Fault
from musicgen.testing._clients import emulated_async_client

from .conftest import Drive, step

PROMPT = "a calm piano piece"


def hook_for(exporter: Any, **options: Any) -> OpenTelemetryHook:
    return OpenTelemetryHook(exporter.provider, **options)


def spans_named(exporter: Any, prefix: str) -> list[Any]:
    return [s for s in exporter.get_finished_spans() if s.name.startswith(prefix)]


def children_of(exporter: Any, parent: Any) -> list[Any]:
    return [
        s
        for s in exporter.get_finished_spans()
        if s.parent is not None and s.parent.span_id == parent.context.span_id
    ]


# -- a generation ---------------------------------------------------------------------------------


def test_a_generation_is_one_span_with_an_http_child_per_attempt(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_emulator.inject(Fault("server_error", operation="status", times=2))
    hook = hook_for(otel_exporter)

    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook])

    [generation] = spans_named(otel_exporter, "musicgen.generate")
    http = spans_named(otel_exporter, "musicgen.http")
    assert children_of(otel_exporter, generation) == http
    assert {s.context.trace_id for s in http} == {generation.context.trace_id}
    assert [s.name for s in http][:2] == ["musicgen.http submit", "musicgen.http status"]
    assert hook.open_spans == 0


def test_generation_span_carries_call_and_task_attributes(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    [result] = obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno", correlation_id="corr-otel-1")],
        hooks=[hook_for(otel_exporter)],
    )

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert isinstance(result, Generation)
    assert span.attributes["musicgen.correlation_id"] == "corr-otel-1"
    assert span.attributes["musicgen.provider"] == "suno"
    assert span.attributes["musicgen.model"] == result.model
    assert span.attributes["musicgen.task_id"] == result.task_id
    assert span.attributes["musicgen.tracks"] == len(result.tracks)
    assert span.status.status_code is StatusCode.UNSET


def test_http_spans_are_timed_within_the_generation(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook_for(otel_exporter)]
    )

    [generation] = spans_named(otel_exporter, "musicgen.generate")
    http = spans_named(otel_exporter, "musicgen.http")
    assert all(s.start_time <= s.end_time for s in http)
    assert generation.start_time <= min(s.start_time for s in http)
    assert max(s.end_time for s in http) <= generation.end_time


def test_http_spans_carry_request_attributes(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook_for(otel_exporter)]
    )

    submit = spans_named(otel_exporter, "musicgen.http submit")[0]
    assert submit.attributes["http.request.method"] == "POST"
    assert submit.attributes["url.path"] == "/api/v1/generate"
    assert submit.attributes["http.response.status_code"] == 200
    assert submit.attributes["musicgen.operation"] == "submit"
    assert submit.attributes["musicgen.attempt"] == 1


def test_polls_are_events_on_the_generation_span(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook_for(otel_exporter)]
    )

    [span] = spans_named(otel_exporter, "musicgen.generate")
    polls = [e for e in span.events if e.name == "musicgen.poll"]
    assert [e.attributes["musicgen.attempt"] for e in polls] == list(
        range(1, span.attributes["musicgen.polls"] + 1)
    )
    assert any(e.name == "musicgen.status.changed" for e in span.events)


def test_a_failed_attempt_marks_its_http_span_only(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_emulator.inject(Fault("server_error", operation="status"))

    obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook_for(otel_exporter)]
    )

    failed = [
        s
        for s in spans_named(otel_exporter, "musicgen.http")
        if s.status.status_code is StatusCode.ERROR
    ]
    assert [s.attributes["error.type"] for s in failed] == ["ServerError"]
    [generation] = spans_named(otel_exporter, "musicgen.generate")
    assert generation.status.status_code is StatusCode.UNSET
    assert any(e.name == "musicgen.retry.scheduled" for e in generation.events)


def test_a_failed_generation_ends_its_span_with_an_error(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    hook = hook_for(otel_exporter)

    [error] = obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook])

    assert isinstance(error, GenerationFailedError)
    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.status.status_code is StatusCode.ERROR
    assert "GenerationFailedError" in (span.status.description or "")
    [exception] = [e for e in span.events if e.name == "exception"]
    assert exception.attributes["exception.type"].endswith("GenerationFailedError")
    assert hook.open_spans == 0


def test_a_refused_submission_ends_its_span_with_an_error(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_emulator.inject(Fault("auth", operation="submit"))
    hook = hook_for(otel_exporter)

    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook])

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "AuthenticationError"
    assert hook.open_spans == 0


def test_the_correlation_id_is_shared_within_a_call(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[hook_for(otel_exporter)]
    )

    ids = {s.attributes["musicgen.correlation_id"] for s in otel_exporter.get_finished_spans()}
    assert len(ids) == 1


def test_concurrent_async_calls_get_separate_spans_and_correlation_ids(
    otel_exporter: Any,
) -> None:
    hook = hook_for(otel_exporter)

    async def main() -> None:
        async with emulated_async_client(Emulator(), hooks=[hook]) as client:
            await asyncio.gather(
                client.generate(PROMPT, provider="suno"),
                client.generate(PROMPT, provider="mureka", lyrics="la la la"),
            )

    asyncio.run(main())

    generations = spans_named(otel_exporter, "musicgen.generate")
    ids = {s.attributes["musicgen.correlation_id"] for s in generations}
    assert len(ids) == 2
    for generation in generations:
        children = children_of(otel_exporter, generation)
        assert children
        assert {c.attributes["musicgen.correlation_id"] for c in children} == {
            generation.attributes["musicgen.correlation_id"]
        }
        assert {c.attributes["musicgen.provider"] for c in children} == {
            generation.attributes["musicgen.provider"]
        }


def test_generation_span_is_a_child_of_the_current_span(
    obs_emulator: Emulator, otel_exporter: Any
) -> None:
    from musicgen.testing._clients import emulated_client

    tracer = otel_exporter.provider.get_tracer("app")
    with (
        emulated_client(obs_emulator, hooks=[hook_for(otel_exporter)]) as client,
        tracer.start_as_current_span("handle-request") as app_span,
    ):
        client.generate(PROMPT, provider="suno")

    [generation] = spans_named(otel_exporter, "musicgen.generate")
    assert generation.parent.span_id == app_span.get_span_context().span_id


# -- every call is a span ------------------------------------------------------------------------


def test_balance_is_a_call_span_with_its_http_child(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    hook = hook_for(otel_exporter)

    obs_drive(obs_emulator, [step("balance", "suno")], hooks=[hook])

    [call] = spans_named(otel_exporter, "musicgen.balance")
    assert call.parent is None
    assert [s.name for s in children_of(otel_exporter, call)] == ["musicgen.http balance"]
    assert hook.open_spans == 0


def test_a_submit_ends_its_span_when_it_returns(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    hook = hook_for(otel_exporter)

    [result] = obs_drive(obs_emulator, [step("submit", PROMPT, provider="suno")], hooks=[hook])

    [span] = spans_named(otel_exporter, "musicgen.submit")
    assert span.attributes["musicgen.task_id"] == result.task_id
    assert hook.open_spans == 0


def test_a_wait_after_a_submit_is_a_span_of_its_own(
    obs_emulator: Emulator, otel_exporter: Any
) -> None:
    from musicgen.testing._clients import emulated_client

    with emulated_client(obs_emulator, hooks=[hook_for(otel_exporter)]) as client:
        submitted = client.submit(PROMPT, provider="suno", correlation_id="one-id")
        client.wait(submitted, correlation_id="one-id")

    [submit] = spans_named(otel_exporter, "musicgen.submit")
    [wait] = spans_named(otel_exporter, "musicgen.wait")
    assert submit.end_time <= wait.start_time
    assert wait.attributes["musicgen.task_id"] == submitted.task_id
    assert any(e.name == "musicgen.poll" for e in wait.events)


def test_the_call_span_is_current_while_the_call_runs(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    from opentelemetry import trace

    current: list[Any] = []

    def on_progress(update: Any) -> None:
        current.append(trace.get_current_span().get_span_context().span_id)

    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno", on_progress=on_progress)],
        hooks=[hook_for(otel_exporter)],
    )

    [generation] = spans_named(otel_exporter, "musicgen.generate")
    assert current
    assert set(current) == {generation.context.span_id}
    assert not trace.get_current_span().get_span_context().is_valid


def test_the_span_of_a_cancelled_call_ends_with_the_cancellation(otel_exporter: Any) -> None:
    from musicgen import PollPolicy

    hook = hook_for(otel_exporter)

    async def main() -> None:
        slow = PollPolicy(interval=30.0, max_interval=30.0, timeout=60.0)
        submitted = asyncio.Event()

        def on_submit(event: Event) -> None:
            if event.name == EventName.GENERATION_SUBMITTED:
                submitted.set()

        async with emulated_async_client(Emulator(), hooks=[hook, on_submit], poll=slow) as client:
            call = asyncio.ensure_future(client.generate(PROMPT, provider="suno"))
            await submitted.wait()
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call

    asyncio.run(main())

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "CancelledError"
    assert hook.open_spans == 0


# -- outside a call, and the old options ----------------------------------------------------------


def test_an_http_event_outside_any_call_is_a_standalone_span(otel_exporter: Any) -> None:
    hook = hook_for(otel_exporter)

    hook(Event(EventName.HTTP_REQUEST, "c", operation="balance", duration=0.1, timestamp=1000.0))
    hook(Event(EventName.POLL, "c", attempt=1, timestamp=1001.0))

    [span] = otel_exporter.get_finished_spans()
    assert span.name == "musicgen.http balance"
    assert span.parent is None


def test_the_old_bounds_are_deprecated_and_ignored(otel_exporter: Any) -> None:
    with pytest.warns(DeprecationWarning, match="max_open_spans"):
        hook = hook_for(otel_exporter, max_open_spans=3, idle_timeout=60.0)

    assert hook.open_spans == 0


def test_missing_opentelemetry_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)

    with pytest.raises(ConfigurationError, match=r"pip install 'musicgen-sdk\[otel\]'"):
        OpenTelemetryHook()
