"""generate/submit/get/wait/balance end to end against the emulator."""

from __future__ import annotations

import logging
import warnings

import pytest

from musicgen import (
    GenerationFailedError,
    GenerationTimeoutError,
    ModelFallbackWarning,
    PollPolicy,
    TaskStatus,
    UnknownModelError,
    ValidationError,
)
from musicgen.testing import Emulator

from .conftest import MakeClient, Runner

SUNO_CUSTOM = {"lyrics": "[Verse]\nla la la", "style": "lo-fi", "title": "Test Song"}


def test_suno_generate_returns_two_finished_tracks(client: Runner) -> None:
    generation = client.generate(provider="suno", **SUNO_CUSTOM)
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.provider_status == "SUCCESS"
    assert len(generation.tracks) == 2
    assert all(track.audio_url for track in generation.tracks)


def test_suno_result_carries_the_requested_model(client: Runner) -> None:
    generation = client.generate("a jazzy tune", provider="suno", model="v4.5+")
    assert generation.model == "V4_5PLUS"


def test_mureka_generate_returns_n_tracks_with_durations_in_seconds(client: Runner) -> None:
    generation = client.generate("pop", provider="mureka", lyrics="[Verse]\nhello", n=3)
    assert generation.status is TaskStatus.SUCCEEDED
    assert len(generation.tracks) == 3
    assert all(0 < (track.duration or 0) < 600 for track in generation.tracks)


def test_mureka_auto_is_answered_with_the_resolved_model(client: Runner) -> None:
    generation = client.generate("pop", provider="mureka", lyrics="[Verse]\nhello")
    assert generation.model not in (None, "auto")


def test_mureka_instrumental_polls_the_instrumental_path(
    client: Runner, emulator: Emulator
) -> None:
    generation = client.generate("ambient pads", provider="mureka", instrumental=True)
    assert generation.status is TaskStatus.SUCCEEDED
    query_paths = {r.path for r in emulator.requests if "/query/" in r.path}
    assert query_paths == {f"/v1/instrumental/query/{generation.task_id}"}


def test_submit_returns_at_once_with_a_task_id(client: Runner, emulator: Emulator) -> None:
    generation = client.submit(provider="suno", **SUNO_CUSTOM)
    assert not generation.status.is_terminal
    assert generation.task_id in emulator.tasks


def test_wait_resumes_a_task_by_id(client: Runner) -> None:
    task_id = client.submit(provider="suno", **SUNO_CUSTOM).task_id
    generation = client.wait(task_id, provider="suno")
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.task_id == task_id


def test_wait_finds_a_bare_mureka_instrumental_task(client: Runner) -> None:
    task_id = client.submit("ambient", provider="mureka", instrumental=True).task_id
    generation = client.wait(task_id, provider="mureka")
    assert generation.status is TaskStatus.SUCCEEDED


def test_get_reads_the_status_once(client: Runner, emulator: Emulator) -> None:
    task_id = client.submit(provider="suno", **SUNO_CUSTOM).task_id
    before = len(emulator.requests)
    generation = client.get(task_id, provider="suno")
    assert len(emulator.requests) == before + 1
    assert generation.task_id == task_id


def test_balance_reports_suno_credits(client: Runner, emulator: Emulator) -> None:
    balance = client.balance("suno")
    assert (balance.amount, balance.unit) == (emulator.suno_credits, "credits")


def test_balance_reports_mureka_cents(client: Runner, emulator: Emulator) -> None:
    balance = client.balance("mureka")
    assert (balance.amount, balance.unit) == (emulator.mureka_balance_cents, "cents")


def test_balance_reports_murekas_concurrency_limit_and_none_for_suno(client: Runner) -> None:
    assert client.balance("mureka").concurrent_limit == 5  # the emulator's, as in the docs
    assert client.balance("suno").concurrent_limit is None


@pytest.mark.parametrize(
    ("provider", "final", "kwargs"),
    [
        ("suno", "GENERATE_AUDIO_FAILED", SUNO_CUSTOM),
        ("suno", "SENSITIVE_WORD_ERROR", SUNO_CUSTOM),
        ("mureka", "failed", {"lyrics": "la"}),
        ("mureka", "timeouted", {"lyrics": "la"}),
        ("mureka", "cancelled", {"lyrics": "la"}),
    ],
)
def test_failed_task_raises_with_the_final_generation(
    client: Runner, emulator: Emulator, provider: str, final: str, kwargs: dict[str, str]
) -> None:
    emulator.script_next_task(provider, final_status=final, reason="it broke")
    with pytest.raises(GenerationFailedError) as info:
        client.generate(provider=provider, **kwargs)
    assert info.value.generation.provider_status == final
    assert info.value.generation.status.is_failure
    assert info.value.task_id == info.value.generation.task_id


def test_callback_exception_with_audio_counts_as_success(
    client: Runner, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="CALLBACK_EXCEPTION")
    generation = client.generate(provider="suno", **SUNO_CUSTOM)
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.provider_status == "CALLBACK_EXCEPTION"


def test_unknown_status_is_logged_and_polling_goes_on_until_the_deadline(
    make_client: MakeClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(poll=PollPolicy(interval=0.01, max_interval=0.01, timeout=0.3))
    emulator.script_next_task("suno", final_status="MYSTERY")
    with (
        caplog.at_level(logging.WARNING, logger="musicgen"),
        pytest.raises(GenerationTimeoutError) as info,
    ):
        client.generate(provider="suno", **SUNO_CUSTOM)
    assert info.value.generation is not None
    assert info.value.generation.status is TaskStatus.UNKNOWN
    assert any("'MYSTERY'" in r.getMessage() for r in caplog.records)


def test_timeout_error_carries_the_task_id_to_resume_with(make_client: MakeClient) -> None:
    slow = Emulator(polls_per_stage=10_000)
    client = make_client(slow, poll=PollPolicy(interval=0.01, max_interval=0.01))
    with pytest.raises(GenerationTimeoutError) as info:
        client.generate(provider="suno", timeout=0.2, **SUNO_CUSTOM)
    assert info.value.task_id in slow.tasks
    assert info.value.provider == "suno"
    assert slow.submissions("suno") == 1


def test_unknown_model_falls_back_to_the_default(
    client: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="musicgen"), pytest.warns(ModelFallbackWarning):
        generation = client.generate("a tune", provider="suno", model="V42")
    assert generation.model == "V4_5"
    assert any("'V42'" in r.getMessage() for r in caplog.records)


def test_a_fallback_warns_even_without_logging_configured(client: Runner) -> None:
    with pytest.warns(ModelFallbackWarning, match="'V42'.*'V4_5'"):
        client.generate("a tune", provider="suno", model="V42")


def test_the_fallback_warning_points_at_the_callers_line(make_client: MakeClient) -> None:
    client = make_client()
    if client.is_async:
        pytest.skip("an awaited call's caller is the event loop's task runner")
    with pytest.warns(ModelFallbackWarning) as caught:
        client.generate("a tune", provider="suno", model="V42")
    assert caught[0].filename == __file__


def test_the_fallback_warning_can_be_silenced(client: Runner) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=ModelFallbackWarning)
        assert client.generate("a tune", provider="suno", model="V42").model == "V4_5"


def test_strict_models_refuse_an_unknown_model_before_sending(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(strict_models=True)
    with pytest.raises(UnknownModelError):
        client.generate("a tune", provider="suno", model="V42")
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("provider", "kwargs", "field"),
    [
        ("suno", {"prompt": "x" * 501}, "prompt"),
        ("suno", {"lyrics": "x" * 3001, "style": "s", "title": "t", "model": "V4"}, "lyrics"),
        ("suno", {"lyrics": "la", "title": "t"}, "style"),
        ("mureka", {"prompt": "pop"}, "lyrics"),
        ("mureka", {"lyrics": "la", "n": 4}, "n"),
        ("suno", {"prompt": "x", "shiny": True}, "shiny"),
    ],
)
def test_invalid_input_is_refused_before_any_request(
    client: Runner, emulator: Emulator, provider: str, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        client.generate(provider=provider, **kwargs)
    assert info.value.field == field
    assert emulator.requests == []


def test_every_request_of_a_call_carries_one_correlation_id(
    client: Runner, emulator: Emulator
) -> None:
    generation = client.generate(provider="suno", correlation_id="corr-123", **SUNO_CUSTOM)
    sent = {r.headers.get("x-correlation-id") for r in emulator.requests}
    assert sent == {"corr-123"}
    assert generation.correlation_id == "corr-123"


def test_each_call_gets_its_own_correlation_id(client: Runner) -> None:
    first = client.generate("one", provider="suno")
    second = client.generate("two", provider="suno")
    assert first.correlation_id
    assert first.correlation_id != second.correlation_id


def test_requests_identify_the_sdk_in_the_user_agent(client: Runner, emulator: Emulator) -> None:
    client.balance("suno")
    assert emulator.requests[0].headers["user-agent"].startswith("musicgen-python/")


def test_custom_headers_are_sent(make_client: MakeClient, emulator: Emulator) -> None:
    client = make_client(headers={"X-Team": "audio"})
    client.balance("suno")
    assert emulator.requests[0].headers["x-team"] == "audio"


def test_with_options_changes_settings_but_shares_the_connection(client: Runner) -> None:
    strict = client.with_options(strict_models=True)
    assert strict._http is client.client._http
    assert strict._core.strict_models is True
