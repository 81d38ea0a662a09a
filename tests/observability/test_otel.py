"""OpenTelemetryHook: one span per generation, child spans per HTTP attempt, bounded state."""

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
    assert min(s.start_time for s in http) == generation.start_time
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


# -- calls that are not generations ---------------------------------------------------------------


def test_balance_is_a_standalone_http_span(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    hook = hook_for(otel_exporter)

    obs_drive(obs_emulator, [step("balance", "suno")], hooks=[hook])

    [span] = otel_exporter.get_finished_spans()
    assert span.name == "musicgen.http balance"
    assert span.parent is None
    assert hook.open_spans == 0


def test_a_submit_leaves_its_span_open_until_closed(
    obs_drive: Drive, obs_emulator: Emulator, otel_exporter: Any
) -> None:
    hook = hook_for(otel_exporter)
    [result] = obs_drive(obs_emulator, [step("submit", PROMPT, provider="suno")], hooks=[hook])

    assert hook.open_spans == 1
    hook.close()

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.attributes["musicgen.task_id"] == result.task_id
    assert span.attributes["musicgen.span_closed_by"] == "close"
    assert hook.open_spans == 0


# -- bounded state --------------------------------------------------------------------------------


def submitted(correlation_id: str, at: float) -> Event:
    return Event(
        EventName.GENERATION_SUBMITTED,
        correlation_id,
        provider="suno",
        task_id=f"task-{correlation_id}",
        timestamp=at,
    )


def test_open_spans_are_bounded(otel_exporter: Any) -> None:
    hook = hook_for(otel_exporter, max_open_spans=3)

    for n in range(10):
        hook(submitted(f"c{n}", 1000.0 + n))

    assert hook.open_spans == 3
    evicted = spans_named(otel_exporter, "musicgen.generate")
    assert [s.attributes["musicgen.correlation_id"] for s in evicted] == [f"c{n}" for n in range(7)]
    assert {s.attributes["musicgen.span_closed_by"] for s in evicted} == {"evicted"}


def test_idle_spans_are_ended_at_their_last_event(otel_exporter: Any) -> None:
    hook = hook_for(otel_exporter, idle_timeout=60.0)
    hook(submitted("stale", 1000.0))
    hook(submitted("fresh", 1050.0))

    hook(submitted("later", 1070.0))

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.attributes["musicgen.correlation_id"] == "stale"
    assert span.attributes["musicgen.span_closed_by"] == "idle"
    assert span.end_time == 1000 * 10**9
    assert hook.open_spans == 2


def test_a_new_task_under_the_same_correlation_id_ends_the_previous_span(
    otel_exporter: Any,
) -> None:
    hook = hook_for(otel_exporter)
    hook(Event(EventName.GENERATION_SUBMITTED, "shared", task_id="t1", timestamp=1000.0))

    hook(Event(EventName.GENERATION_SUBMITTED, "shared", task_id="t2", timestamp=1001.0))

    [span] = spans_named(otel_exporter, "musicgen.generate")
    assert span.attributes["musicgen.task_id"] == "t1"
    assert hook.open_spans == 1


def test_bad_bounds_are_refused(otel_exporter: Any) -> None:
    with pytest.raises(ValueError, match="max_open_spans"):
        hook_for(otel_exporter, max_open_spans=0)
    with pytest.raises(ValueError, match="idle_timeout"):
        hook_for(otel_exporter, idle_timeout=0)


def test_missing_opentelemetry_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)

    with pytest.raises(ConfigurationError, match=r"pip install 'musicgen-sdk\[otel\]'"):
        OpenTelemetryHook()


def test_another_task_under_the_same_correlation_id_gets_its_own_span(
    otel_exporter: Any,
) -> None:
    hook = hook_for(otel_exporter)
    hook(Event(EventName.GENERATION_SUBMITTED, "shared", task_id="t1", timestamp=1000.0))

    hook(Event(EventName.POLL, "shared", task_id="t2", attempt=1, timestamp=1001.0))
    hook(Event(EventName.GENERATION_SUCCEEDED, "shared", task_id="t2", timestamp=1002.0))

    first, second = spans_named(otel_exporter, "musicgen.generate")
    assert (first.attributes["musicgen.task_id"], second.attributes["musicgen.task_id"]) == (
        "t1",
        "t2",
    )
    assert hook.open_spans == 0
