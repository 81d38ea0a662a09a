"""Sans-I/O tests of the Mureka driver: plain request and response values, no mocks."""

from __future__ import annotations

import email.utils
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musicgen._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContentPolicyError,
    InsufficientCreditsError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen._models import Balance, Generation, GenerationRequest, TaskStatus
from musicgen.providers._base import Provider
from musicgen.providers.mureka import MurekaProvider

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mureka"
KEY = "sk-mureka-test-0123456789abcdef"
LYRICS = "[Verse]\nCity lights are fading slow\n[Chorus]\nHold on to the night"
ENV_VARS = ("MUSICGEN_MUREKA_API_KEY", "MUREKA_API_KEY")


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def error_body(name: str) -> Any:
    return load("errors")[name]


def respond(
    status: int = 200,
    body: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request("GET", "https://api.mureka.ai/v1/song/query/1")
    if content is not None:
        return httpx.Response(status, content=content, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def song(**changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"provider": "mureka", "model": "auto", "lyrics": LYRICS}
    fields.update(changes)
    return GenerationRequest(**fields)


def instrumental(**changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {
        "provider": "mureka",
        "model": "auto",
        "prompt": "lofi piano, rainy night",
        "instrumental": True,
    }
    fields.update(changes)
    return GenerationRequest(**fields)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


@pytest.fixture
def provider() -> MurekaProvider:
    return MurekaProvider(api_key=KEY)


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


# -- construction -----------------------------------------------------------------------------


def test_provider_implements_the_protocol(provider: MurekaProvider) -> None:
    assert isinstance(provider, Provider)
    assert provider.name == "mureka"
    assert provider.catalog.provider == "mureka"


@pytest.mark.parametrize("var", ENV_VARS)
def test_api_key_is_read_from_each_env_var(
    no_env_key: None, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, "sk-from-env")

    request = MurekaProvider().balance().request

    assert request.headers["Authorization"] == "Bearer sk-from-env"


def test_musicgen_env_var_wins_over_mureka_env_var(
    no_env_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICGEN_MUREKA_API_KEY", "sk-musicgen")
    monkeypatch.setenv("MUREKA_API_KEY", "sk-mureka")

    request = MurekaProvider().balance().request

    assert request.headers["Authorization"] == "Bearer sk-musicgen"


def test_explicit_api_key_wins_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUREKA_API_KEY", "sk-from-env")

    request = MurekaProvider(api_key="sk-explicit").balance().request

    assert request.headers["Authorization"] == "Bearer sk-explicit"


def test_missing_api_key_raises_configuration_error_naming_the_env_vars(no_env_key: None) -> None:
    with pytest.raises(ConfigurationError) as info:
        MurekaProvider()

    assert "MUREKA_API_KEY" in str(info.value)
    assert "MUSICGEN_MUREKA_API_KEY" in str(info.value)


def test_repr_hides_the_api_key(provider: MurekaProvider) -> None:
    assert KEY not in repr(provider)
    assert "https://api.mureka.ai" in repr(provider)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.mureka.cn",
        "https://api.mureka.cn/",
        "https://api.mureka.cn/v1",
        "https://api.mureka.cn/v1/",
    ],
)
def test_base_url_accepts_a_v1_suffix_and_trailing_slash(base_url: str) -> None:
    request = MurekaProvider(api_key=KEY, base_url=base_url).generate(song()).request

    assert str(request.url) == "https://api.mureka.cn/v1/song/generate"


# -- requests ---------------------------------------------------------------------------------


def test_song_is_posted_to_song_generate(provider: MurekaProvider) -> None:
    request = provider.generate(song()).request

    assert request.method == "POST"
    assert str(request.url) == "https://api.mureka.ai/v1/song/generate"


def test_instrumental_is_posted_to_instrumental_generate(provider: MurekaProvider) -> None:
    request = provider.generate(instrumental()).request

    assert request.method == "POST"
    assert str(request.url) == "https://api.mureka.ai/v1/instrumental/generate"


@pytest.mark.parametrize(
    "build",
    [
        lambda p: p.generate(song()).request,
        lambda p: p.generate(instrumental()).request,
        lambda p: p.status("1436211").request,
        lambda p: p.balance().request,
    ],
    ids=["song", "instrumental", "status", "balance"],
)
def test_every_request_carries_bearer_auth_and_accepts_json(
    provider: MurekaProvider, build: Any
) -> None:
    request = build(provider)

    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"


def test_submit_sends_a_json_body(provider: MurekaProvider) -> None:
    request = provider.generate(song()).request

    assert request.headers["Content-Type"] == "application/json"


def test_minimal_song_body_has_no_none_values(provider: MurekaProvider) -> None:
    request = provider.generate(song(prompt=None, style=None, options={"n": None})).request

    assert sent_json(request) == {"lyrics": LYRICS, "model": "auto"}


def test_song_body_carries_prompt_and_options(provider: MurekaProvider) -> None:
    request = provider.generate(
        song(
            model="mureka-8",
            prompt="indie pop, female vocal",
            options={"n": 3, "reference_id": "ref-1", "vocal_id": "voc-1", "stream": True},
        )
    ).request

    assert sent_json(request) == {
        "lyrics": LYRICS,
        "model": "mureka-8",
        "prompt": "indie pop, female vocal",
        "n": 3,
        "reference_id": "ref-1",
        "vocal_id": "voc-1",
        "stream": True,
    }


def test_song_body_with_melody_id(provider: MurekaProvider) -> None:
    request = provider.generate(song(options={"melody_id": "mel-1"})).request

    assert sent_json(request) == {"lyrics": LYRICS, "model": "auto", "melody_id": "mel-1"}


def test_style_alone_is_sent_as_the_prompt(provider: MurekaProvider) -> None:
    request = provider.generate(song(style="synthwave, 80s")).request

    assert sent_json(request)["prompt"] == "synthwave, 80s"


def test_prompt_and_style_are_joined_into_the_prompt(provider: MurekaProvider) -> None:
    request = provider.generate(song(prompt="a song about rain", style="synthwave")).request

    body = sent_json(request)
    assert body["prompt"] == "a song about rain, synthwave"
    assert "style" not in body


def test_instrumental_body_with_prompt(provider: MurekaProvider) -> None:
    request = provider.generate(instrumental(options={"n": 1, "stream": False})).request

    assert sent_json(request) == {
        "model": "auto",
        "prompt": "lofi piano, rainy night",
        "n": 1,
        "stream": False,
    }


def test_instrumental_body_with_instrumental_id(provider: MurekaProvider) -> None:
    request = provider.generate(
        instrumental(prompt=None, options={"instrumental_id": "i-9"})
    ).request

    assert sent_json(request) == {"model": "auto", "instrumental_id": "i-9"}


@pytest.mark.parametrize(
    ("flag", "path"),
    [
        (None, "/v1/song/query/1436211"),
        (False, "/v1/song/query/1436211"),
        (True, "/v1/instrumental/query/1436211"),
    ],
)
def test_status_request_path_depends_on_instrumental(
    provider: MurekaProvider, flag: bool | None, path: str
) -> None:
    request = provider.status("1436211", instrumental=flag).request

    assert request.method == "GET"
    assert str(request.url) == f"https://api.mureka.ai{path}"


def test_status_request_quotes_the_task_id(provider: MurekaProvider) -> None:
    request = provider.status("../account/billing").request

    assert request.url.raw_path == b"/v1/song/query/..%2Faccount%2Fbilling"


def test_status_request_rejects_an_empty_task_id(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.status("  ")

    assert info.value.field == "task_id"


def test_balance_request_reads_billing(provider: MurekaProvider) -> None:
    request = provider.balance().request

    assert request.method == "GET"
    assert str(request.url) == "https://api.mureka.ai/v1/account/billing"


# -- validation: songs ------------------------------------------------------------------------


def test_a_plain_song_is_valid(provider: MurekaProvider) -> None:
    provider.validate(song(prompt="pop", options={"n": 2, "reference_id": "r", "vocal_id": "v"}))


@pytest.mark.parametrize("lyrics", [None, "", "   \n "])
def test_song_requires_lyrics(provider: MurekaProvider, lyrics: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(lyrics=lyrics))

    assert info.value.field == "lyrics"
    assert "instrumental=True" in str(info.value)


def test_lyrics_at_the_limit_are_accepted(provider: MurekaProvider) -> None:
    provider.validate(song(lyrics="a" * 3000))


def test_lyrics_one_over_the_limit_are_refused(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(model="mureka-8", lyrics="a" * 3001))

    message = str(info.value)
    assert info.value.field == "lyrics"
    assert "3001" in message
    assert "3000" in message
    assert "mureka-8" in message


def test_prompt_at_the_limit_is_accepted(provider: MurekaProvider) -> None:
    provider.validate(song(prompt="p" * 1024))


def test_prompt_one_over_the_limit_is_refused(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(prompt="p" * 1025))

    assert info.value.field == "prompt"
    assert "1025" in str(info.value)
    assert "1024" in str(info.value)


def test_style_alone_is_checked_against_the_prompt_limit(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(style="s" * 1025))

    assert info.value.field == "style"
    assert "1024" in str(info.value)


def test_prompt_and_style_together_are_checked_against_the_prompt_limit(
    provider: MurekaProvider,
) -> None:
    # 600 + ", " + 423 = 1025 characters once joined.
    with pytest.raises(ValidationError) as info:
        provider.validate(song(prompt="p" * 600, style="s" * 423))

    message = str(info.value)
    assert "prompt" in message
    assert "style" in message
    assert "1025" in message
    assert "1024" in message


def test_title_is_refused_with_advice_to_leave_it_out(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(title="Midnight Drive"))

    assert info.value.field == "title"
    assert "not supported" in str(info.value)
    assert "Leave title out" in str(info.value)


def test_a_blank_title_counts_as_missing(provider: MurekaProvider) -> None:
    provider.validate(song(title="  "))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_n_within_bounds_is_accepted(provider: MurekaProvider, n: int) -> None:
    provider.validate(song(options={"n": n}))


@pytest.mark.parametrize("n", [0, 4, -1])
def test_n_out_of_bounds_is_refused_and_mentions_billing(provider: MurekaProvider, n: int) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(options={"n": n}))

    assert info.value.field == "n"
    assert "billed" in str(info.value)
    assert "3" in str(info.value)


@pytest.mark.parametrize("n", [True, "2", 2.0])
def test_n_must_be_an_int_and_not_a_bool(provider: MurekaProvider, n: object) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(options={"n": n}))

    assert info.value.field == "n"


@pytest.mark.parametrize(
    "changes",
    [
        {"prompt": "ballad"},
        {"style": "ballad"},
        {"options": {"reference_id": "ref-1"}},
        {"options": {"vocal_id": "voc-1"}},
    ],
    ids=["prompt", "style", "reference_id", "vocal_id"],
)
def test_melody_id_cannot_be_combined_with_other_controls(
    provider: MurekaProvider, changes: dict[str, Any]
) -> None:
    options = {"melody_id": "mel-1", **changes.pop("options", {})}

    with pytest.raises(ValidationError) as info:
        provider.validate(song(options=options, **changes))

    assert info.value.field == "melody_id"


def test_melody_id_alone_is_accepted(provider: MurekaProvider) -> None:
    provider.validate(song(options={"melody_id": "mel-1"}))


@pytest.mark.parametrize(
    ("model", "option", "value"),
    [
        ("mureka-o1", "stream", True),
        ("mureka-o2", "stream", True),
        ("mureka-o2", "vocal_id", "voc-1"),
        ("mureka-o2", "melody_id", "mel-1"),
        ("lora:mureka-6:4354198:my-model", "vocal_id", "voc-1"),
    ],
)
def test_option_unsupported_by_the_model_is_refused(
    provider: MurekaProvider, model: str, option: str, value: object
) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(model=model, options={option: value}))

    assert info.value.field == option
    assert model in str(info.value)
    assert option in str(info.value)


def test_stream_is_accepted_on_a_regular_model(provider: MurekaProvider) -> None:
    provider.validate(song(model="mureka-8", options={"stream": True}))


def test_unknown_option_is_named_with_the_accepted_ones(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(options={"callback_url": "https://example.com/hook"}))

    message = str(info.value)
    assert info.value.field == "callback_url"
    assert "callback_url" in message
    assert "reference_id" in message
    assert "stream" in message


@pytest.mark.parametrize(
    ("option", "value"),
    [("reference_id", 123), ("vocal_id", ["v"]), ("stream", "yes"), ("stream", 1)],
)
def test_option_of_the_wrong_type_is_refused(
    provider: MurekaProvider, option: str, value: object
) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(options={option: value}))

    assert info.value.field == option


def test_instrumental_id_is_refused_on_songs(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(song(options={"instrumental_id": "i-9"}))

    assert info.value.field == "instrumental_id"


# -- validation: instrumentals ----------------------------------------------------------------


def test_an_instrumental_with_a_prompt_is_valid(provider: MurekaProvider) -> None:
    provider.validate(instrumental(options={"n": 2, "stream": True}))


def test_an_instrumental_with_style_only_is_valid(provider: MurekaProvider) -> None:
    provider.validate(instrumental(prompt=None, style="ambient"))


def test_an_instrumental_with_instrumental_id_only_is_valid(provider: MurekaProvider) -> None:
    provider.validate(instrumental(prompt=None, options={"instrumental_id": "i-9"}))


def test_an_instrumental_refuses_lyrics(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(instrumental(lyrics=LYRICS))

    assert info.value.field == "lyrics"


def test_an_instrumental_needs_a_prompt_or_instrumental_id(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(instrumental(prompt="   "))

    assert info.value.field == "prompt"
    assert "instrumental_id" in str(info.value)


def test_an_instrumental_refuses_both_prompt_and_instrumental_id(
    provider: MurekaProvider,
) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(instrumental(options={"instrumental_id": "i-9"}))

    assert info.value.field == "instrumental_id"


@pytest.mark.parametrize("option", ["reference_id", "vocal_id", "melody_id"])
def test_an_instrumental_refuses_song_only_options(provider: MurekaProvider, option: str) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(instrumental(options={option: "x-1"}))

    assert info.value.field == option


def test_an_instrumental_prompt_over_the_limit_is_refused(provider: MurekaProvider) -> None:
    with pytest.raises(ValidationError) as info:
        provider.validate(instrumental(prompt="p" * 1025))

    assert info.value.field == "prompt"


# -- parse_submit -----------------------------------------------------------------------------


def test_quickstart_submit_answer_becomes_a_preparing_generation(provider: MurekaProvider) -> None:
    generation = provider.generate(song()).parse(respond(200, load("submit_quickstart")))

    assert generation.task_id == "1436211"
    assert generation.provider == "mureka"
    assert generation.status is TaskStatus.PREPARING
    assert generation.provider_status == "preparing"
    assert generation.instrumental is False
    assert generation.tracks == ()
    assert not generation.is_done


def test_submit_uses_the_resolved_model_from_the_answer(provider: MurekaProvider) -> None:
    generation = provider.generate(song(model="auto")).parse(respond(200, load("submit_live_2026")))

    assert generation.task_id == "130387735019522"
    assert generation.model == "mureka-8"


def test_submit_falls_back_to_the_requested_model(provider: MurekaProvider) -> None:
    body = {"id": "1", "status": "preparing"}

    generation = provider.generate(song(model="mureka-7.6")).parse(respond(200, body))

    assert generation.model == "mureka-7.6"


def test_submit_accepts_a_numeric_task_id(provider: MurekaProvider) -> None:
    body = {"id": 130387735019522, "status": "preparing", "model": "mureka-8"}

    generation = provider.generate(song()).parse(respond(200, body))

    assert generation.task_id == "130387735019522"


def test_submit_of_an_instrumental_is_marked_instrumental(provider: MurekaProvider) -> None:
    generation = provider.generate(instrumental()).parse(respond(200, load("submit_live_2026")))

    assert generation.instrumental is True


def test_submit_keeps_the_raw_body(provider: MurekaProvider) -> None:
    body = load("submit_quickstart")

    generation = provider.generate(song()).parse(respond(200, body))

    assert dict(generation.raw) == body


@pytest.mark.parametrize("body", [{"status": "preparing"}, {"id": None}, {"id": ""}, {"id": 1.5}])
def test_submit_without_a_usable_task_id_is_unexpected(
    provider: MurekaProvider, body: dict[str, Any]
) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.generate(song()).parse(respond(200, body))


def test_submit_without_status_keeps_the_task_to_poll(provider: MurekaProvider) -> None:
    generation = provider.generate(song()).parse(respond(200, {"id": "77"}))

    assert generation.task_id == "77"
    assert generation.status is TaskStatus.UNKNOWN


def test_submit_with_a_malformed_field_names_the_task_id(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        provider.generate(song()).parse(respond(200, {"id": "77", "status": 5}))

    assert "77" in str(info.value)


def test_submit_refused_for_empty_lyrics_is_a_bad_request(provider: MurekaProvider) -> None:
    with pytest.raises(BadRequestError) as info:
        provider.generate(song()).parse(respond(400, error_body("invalid_request")))

    assert "The lyrics are empty" in info.value.message
    assert info.value.request_id == "a1b2c3d4e5f60718293a4b5c6d7e8f90"


@pytest.mark.parametrize(
    "content", [b"{not json", b"<html>502 Bad Gateway</html>", b"", b"\xff\xfe"]
)
def test_malformed_json_on_200_is_unexpected(provider: MurekaProvider, content: bytes) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        provider.generate(song()).parse(respond(200, content=content))

    assert info.value.provider == "mureka"
    assert info.value.status_code == 200


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_json_that_is_not_an_object_is_unexpected(provider: MurekaProvider, body: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.status("1").parse(respond(200, content=json.dumps(body).encode()))


# -- parse_status: statuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("preparing", TaskStatus.PREPARING),
        ("queued", TaskStatus.QUEUED),
        ("running", TaskStatus.RUNNING),
        ("streaming", TaskStatus.STREAMING),
        ("reviewing", TaskStatus.REVIEWING),
        ("failed", TaskStatus.FAILED),
        ("timeouted", TaskStatus.TIMED_OUT),
        ("cancelled", TaskStatus.CANCELLED),
        ("RUNNING", TaskStatus.RUNNING),
        ("Timeouted", TaskStatus.TIMED_OUT),
    ],
)
def test_status_is_mapped(provider: MurekaProvider, raw: str, expected: TaskStatus) -> None:
    body = {"id": "9", "model": "mureka-8", "status": raw}

    generation = provider.status("9").parse(respond(200, body))

    assert generation.status is expected
    assert generation.provider_status == raw


def test_succeeded_with_audio_is_succeeded(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(
        respond(200, load("query_succeeded_live"))
    )

    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.is_done
    assert generation.error is None


@pytest.mark.parametrize("raw", ["processing", "completed", "", "pending"])
def test_unknown_status_is_unknown_and_not_terminal(provider: MurekaProvider, raw: str) -> None:
    generation = provider.status("9").parse(respond(200, {"id": "9", "status": raw}))

    assert generation.status is TaskStatus.UNKNOWN
    assert not generation.is_done
    assert generation.provider_status == raw


@pytest.mark.parametrize(
    "choices",
    [
        None,
        [],
        [{"index": 0, "duration": 1000}],
        [{"id": "a", "stream_url": "https://stream.mureka.ai/a"}],
        [{"id": "a", "url": "", "flac_url": None}],
    ],
    ids=["absent", "empty", "no-urls", "stream-only", "blank-urls"],
)
def test_succeeded_without_any_audio_is_a_failure(
    provider: MurekaProvider, choices: list[dict[str, Any]] | None
) -> None:
    body: dict[str, Any] = {"id": "9", "model": "mureka-8", "status": "succeeded"}
    if choices is not None:
        body["choices"] = choices

    generation = provider.status("9").parse(respond(200, body))

    assert generation.status is TaskStatus.FAILED
    assert generation.error == "succeeded without any audio"
    assert generation.provider_status == "succeeded"


def test_failed_task_carries_the_failed_reason(provider: MurekaProvider) -> None:
    generation = provider.status("130390000000001").parse(respond(200, load("query_failed")))

    assert generation.status is TaskStatus.FAILED
    assert generation.status.is_failure
    assert generation.error == "The lyrics contain content that cannot be processed."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("timeouted", "timed out"), ("cancelled", "cancelled"), ("failed", "failed")],
)
def test_failure_without_a_reason_gets_a_default_error(
    provider: MurekaProvider, raw: str, expected: str
) -> None:
    generation = provider.status("9").parse(respond(200, {"id": "9", "status": raw}))

    assert generation.error is not None
    assert expected in generation.error


def test_running_task_has_no_error(provider: MurekaProvider) -> None:
    body = {"id": "9", "status": "running", "failed_reason": ""}

    generation = provider.status("9").parse(respond(200, body))

    assert generation.error is None


# -- parse_status: tracks ---------------------------------------------------------------------


def test_live_succeeded_query_yields_two_tracks(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(
        respond(200, load("query_succeeded_live"))
    )

    first, second = generation.tracks
    assert first.id == "130387817418754"
    assert first.audio_url == (
        "https://cdn.mureka.ai/cos-prod/open/song/20260330/130387817418754.mp3"
    )
    assert first.flac_url is not None
    assert first.flac_url.endswith(".flac")
    assert first.wav_url is not None
    assert first.wav_url.endswith(".wav")
    assert first.stream_url is None
    assert first.title is None
    assert first.tags == ()
    assert second.id == "130387817418755"


def test_first_choice_without_index_takes_its_position(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(
        respond(200, load("query_succeeded_live"))
    )

    assert [track.index for track in generation.tracks] == [0, 1]


def test_duration_milliseconds_become_seconds(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(
        respond(200, load("query_succeeded_live"))
    )

    assert generation.tracks[0].duration == pytest.approx(91.051)
    assert generation.tracks[1].duration == pytest.approx(104.32)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [(91051, 91.051), (91051.0, 91.051), ("91051", 91.051), (None, None), (0, 0.0)],
)
def test_duration_accepts_int_float_numeric_string_and_null(
    provider: MurekaProvider, duration: object, seconds: float | None
) -> None:
    body = {
        "id": "9",
        "status": "succeeded",
        "choices": [{"url": "https://x/a.mp3", "duration": duration}],
    }

    generation = provider.status("9").parse(respond(200, body))

    assert generation.tracks[0].duration == pytest.approx(seconds)


def test_lyrics_are_the_line_texts_and_sections_may_lack_lines(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(
        respond(200, load("query_succeeded_live"))
    )

    assert generation.tracks[0].lyrics == (
        "City lights are fading slow\nFootsteps echo, nowhere to go\nHold on to the night"
    )


def test_tracks_without_lyric_lines_have_no_lyrics(provider: MurekaProvider) -> None:
    generation = provider.status("72041034285057").parse(respond(200, load("query_succeeded_2025")))

    assert generation.tracks[1].lyrics is None


def test_2025_choices_without_id_get_task_id_and_index(provider: MurekaProvider) -> None:
    generation = provider.status("72041034285057").parse(respond(200, load("query_succeeded_2025")))

    assert [track.id for track in generation.tracks] == ["72041034285057-0", "72041034285057-1"]
    assert all(track.wav_url is None for track in generation.tracks)
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.model == "mureka-5.5"


def test_streaming_task_exposes_stream_urls(provider: MurekaProvider) -> None:
    generation = provider.status("130391111111111").parse(respond(200, load("query_streaming")))

    assert generation.status is TaskStatus.STREAMING
    assert [track.stream_url for track in generation.tracks] == [
        "https://stream.mureka.ai/stream/130391111111200",
        "https://stream.mureka.ai/stream/130391111111201",
    ]
    assert all(track.audio_url is None for track in generation.tracks)


def test_instrumental_flag_comes_from_the_argument(provider: MurekaProvider) -> None:
    body = load("query_instrumental_succeeded")

    generation = provider.status("130395555555555", instrumental=True).parse(respond(200, body))

    assert generation.instrumental is True
    assert generation.tracks[0].lyrics is None
    assert generation.tracks[0].duration == pytest.approx(60.0)


def test_status_without_instrumental_flag_leaves_it_unknown(provider: MurekaProvider) -> None:
    generation = provider.status("130387735019522").parse(respond(200, load("submit_live_2026")))

    assert generation.instrumental is None


def test_generation_model_is_the_answers_model(provider: MurekaProvider) -> None:
    generation = provider.status("130390000000001").parse(respond(200, load("query_failed")))

    assert generation.model == "mureka-7.6"


def test_finished_at_zero_watermark_and_unknown_fields_are_ignored(
    provider: MurekaProvider,
) -> None:
    body = {
        "id": "9",
        "status": "running",
        "finished_at": 0,
        "watermarked": True,
        "trace_id": "t",
        "brand_new_field": {"x": [1, 2]},
        "choices": [{"id": "c", "url": "https://x/a.mp3", "future": "yes"}],
    }

    generation = provider.status("9").parse(respond(200, body))

    assert generation.status is TaskStatus.RUNNING
    assert generation.tracks[0].id == "c"


def test_numeric_choice_id_becomes_a_string(provider: MurekaProvider) -> None:
    body = {"id": "9", "status": "succeeded", "choices": [{"id": 42, "url": "https://x/a.mp3"}]}

    generation = provider.status("9").parse(respond(200, body))

    assert generation.tracks[0].id == "42"


@pytest.mark.parametrize(
    "body",
    [
        {"id": "9"},
        {"id": "9", "status": 3},
        {"id": "9", "status": "running", "model": 8},
        {"id": "9", "status": "failed", "failed_reason": {"code": 1}},
        {"id": "9", "status": "succeeded", "choices": {"0": {}}},
        {"id": "9", "status": "succeeded", "choices": ["https://x/a.mp3"]},
        {"id": "9", "status": "succeeded", "choices": [{"url": 5}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "index": "1"}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "index": True}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "id": ["x"]}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "duration": "long"}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "duration": True}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "lyrics_sections": "la"}]},
        {"id": "9", "status": "succeeded", "choices": [{"url": "u", "lyrics_sections": [1]}]},
        {
            "id": "9",
            "status": "succeeded",
            "choices": [{"url": "u", "lyrics_sections": [{"lines": [{"text": 1}]}]}],
        },
    ],
)
def test_wrong_types_are_unexpected_responses(
    provider: MurekaProvider, body: dict[str, Any]
) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        provider.status("9").parse(respond(200, body))

    assert info.value.body == body


def test_non_finite_duration_is_unexpected(provider: MurekaProvider) -> None:
    content = b'{"id": "9", "status": "succeeded", "choices": [{"url": "u", "duration": NaN}]}'

    with pytest.raises(UnexpectedResponseError):
        provider.status("9").parse(respond(200, content=content))


def test_unexpected_response_keeps_the_trace_id(provider: MurekaProvider) -> None:
    body = {"id": "9", "status": 3, "trace_id": "trace-1"}

    with pytest.raises(UnexpectedResponseError) as info:
        provider.status("9").parse(respond(200, body))

    assert info.value.request_id == "trace-1"


def test_a_redirect_is_unexpected(provider: MurekaProvider) -> None:
    response = respond(302, content=b"", headers={"Location": "https://elsewhere"})

    with pytest.raises(UnexpectedResponseError):
        provider.status("9").parse(response)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name", "expected"),
    [
        (400, "invalid_request", BadRequestError),
        (401, "invalid_authentication", AuthenticationError),
        (403, "forbidden_region", PermissionDeniedError),
        (404, "not_found", NotFoundError),
        (429, "rate_limit", RateLimitError),
        (429, "quota_exceeded", InsufficientCreditsError),
        (451, "legal", ContentPolicyError),
        (500, "server_error", ServerError),
        (503, "engine_overloaded", OverloadedError),
    ],
)
def test_error_status_maps_to_its_exception(
    provider: MurekaProvider, status: int, name: str, expected: type[APIError]
) -> None:
    body = error_body(name)

    with pytest.raises(APIError) as info:
        provider.status("9").parse(respond(status, body))

    error = info.value
    assert type(error) is expected
    assert error.provider == "mureka"
    assert error.status_code == status
    assert error.code is None
    assert error.request_id == body["trace_id"]
    assert error.body == body
    assert body["error"]["message"].rstrip(".") in error.message


def test_a_503_without_murekas_error_body_is_not_taken_as_a_refusal(
    provider: MurekaProvider,
) -> None:
    # A gateway's page, not Mureka's own "Engine overloaded": it may have passed the request on.
    page = respond(503, content=b"<html>503 Service Temporarily Unavailable</html>")
    with pytest.raises(APIError) as info:
        provider.status("9").parse(page)
    assert type(info.value) is ServiceUnavailableError


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (402, BadRequestError),
        (413, BadRequestError),
        (422, BadRequestError),
        (502, ServerError),
        (504, ServerError),
    ],
)
def test_other_error_statuses_fall_into_their_family(
    provider: MurekaProvider, status: int, expected: type[APIError]
) -> None:
    with pytest.raises(APIError) as info:
        provider.status("9").parse(respond(status, {"error": {"message": "nope"}}))

    assert type(info.value) is expected


@pytest.mark.parametrize(
    "message",
    [
        "You exceeded your current quota",
        "Insufficient CREDITS",
        "Account balance is too low",
        "Check your Billing details",
    ],
)
def test_429_about_quota_credits_balance_or_billing_is_insufficient_credits(
    provider: MurekaProvider, message: str
) -> None:
    with pytest.raises(InsufficientCreditsError):
        provider.status("9").parse(respond(429, {"error": {"message": message}}))


def test_429_about_speed_is_a_rate_limit(provider: MurekaProvider) -> None:
    with pytest.raises(RateLimitError) as info:
        provider.status("9").parse(respond(429, error_body("rate_limit")))

    assert "concurrent" in info.value.message
    assert "retry later" in info.value.message


def test_quota_error_hints_to_top_up(provider: MurekaProvider) -> None:
    with pytest.raises(InsufficientCreditsError) as info:
        provider.generate(song()).parse(respond(429, error_body("quota_exceeded")))

    assert "top up" in info.value.message


def test_region_error_hints_at_the_region(provider: MurekaProvider) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        provider.generate(song()).parse(respond(403, error_body("forbidden_region")))

    assert "region" in info.value.message


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"error": "Invalid Authentication"}, "Invalid Authentication"),
        ({"message": "Invalid Authentication"}, "Invalid Authentication"),
        ({"detail": "Invalid Authentication"}, "Invalid Authentication"),
        ({"detail": [{"loc": ["body", "lyrics"], "msg": "field required"}]}, "field required"),
        ({"error": {"code": "bad_key"}}, "bad_key"),
    ],
)
def test_other_error_body_shapes_give_a_readable_message(
    provider: MurekaProvider, body: dict[str, Any], text: str
) -> None:
    with pytest.raises(AuthenticationError) as info:
        provider.status("9").parse(respond(401, body))

    assert text in info.value.message


def test_non_json_error_body_is_still_typed(provider: MurekaProvider) -> None:
    response = respond(502, content=b"<html><body>502 Bad Gateway</body></html>")

    with pytest.raises(ServerError) as info:
        provider.status("9").parse(response)

    assert "502 Bad Gateway" in info.value.message
    assert info.value.request_id is None


def test_empty_error_body_uses_the_reason_phrase(provider: MurekaProvider) -> None:
    with pytest.raises(ServiceUnavailableError) as info:
        provider.status("9").parse(respond(503, content=b""))

    assert "Service Unavailable" in info.value.message


def test_retry_after_in_seconds_is_read(provider: MurekaProvider) -> None:
    response = respond(429, error_body("rate_limit"), headers={"Retry-After": "7"})

    with pytest.raises(RateLimitError) as info:
        provider.status("9").parse(response)

    assert info.value.retry_after == 7.0


def test_retry_after_as_http_date_is_read(provider: MurekaProvider) -> None:
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    response = respond(503, error_body("engine_overloaded"), headers={"Retry-After": when})

    with pytest.raises(ServiceUnavailableError) as info:
        provider.status("9").parse(response)

    assert info.value.retry_after is not None
    assert 100 <= info.value.retry_after <= 120


def test_no_retry_after_means_none(provider: MurekaProvider) -> None:
    with pytest.raises(ServerError) as info:
        provider.status("9").parse(respond(500, error_body("server_error")))

    assert info.value.retry_after is None


def test_an_error_never_shows_the_api_key(provider: MurekaProvider) -> None:
    request = provider.generate(song()).request
    response = httpx.Response(401, json=error_body("invalid_authentication"), request=request)

    with pytest.raises(AuthenticationError) as info:
        provider.generate(song()).parse(response)

    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)


def test_an_echoed_api_key_is_redacted_from_the_message(provider: MurekaProvider) -> None:
    body = {"error": {"message": f"Invalid Authentication: Bearer {KEY}"}}

    with pytest.raises(AuthenticationError) as info:
        provider.status("9").parse(respond(401, body))

    assert KEY not in str(info.value)
    assert "***" in info.value.message


def test_deeply_nested_json_is_unexpected_not_a_crash(provider: MurekaProvider) -> None:
    content = b"[" * 100_000 + b"]" * 100_000

    with pytest.raises(UnexpectedResponseError):
        provider.status("9").parse(respond(200, content=content))


def test_deeply_nested_error_body_is_still_typed(provider: MurekaProvider) -> None:
    content = b'{"detail": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    with pytest.raises(ServerError):
        provider.status("9").parse(respond(500, content=content))


# -- balance ----------------------------------------------------------------------------------


def test_billing_becomes_a_balance_in_cents(provider: MurekaProvider) -> None:
    body = load("billing")

    balance = provider.balance().parse(respond(200, body))

    assert balance == Balance(provider="mureka", amount=1234, unit="cents", concurrent_limit=5)
    assert dict(balance.raw) == body


@pytest.mark.parametrize("body", [{"account_id": 1}, {"balance": "lots"}, {"balance": None}])
def test_billing_without_a_numeric_balance_is_unexpected(
    provider: MurekaProvider, body: dict[str, Any]
) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.balance().parse(respond(200, body))


def test_billing_error_is_typed(provider: MurekaProvider) -> None:
    with pytest.raises(AuthenticationError):
        provider.balance().parse(respond(401, error_body("invalid_authentication")))


# -- property: parse_status never crashes -----------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_line = st.fixed_dictionaries({}, optional={"text": _json, "start": _json, "words": _json})
_section = st.fixed_dictionaries(
    {}, optional={"section_type": _json, "lines": st.lists(_line, max_size=3) | _json}
)
_choice = st.fixed_dictionaries(
    {},
    optional={
        "id": _json,
        "index": st.integers(-2, 5) | _json,
        "url": st.text(max_size=10) | _json,
        "flac_url": _json,
        "wav_url": _json,
        "stream_url": _json,
        "duration": st.integers() | st.text(max_size=8) | _json,
        "lyrics_sections": st.lists(_section, max_size=3) | _json,
    },
)
_task = st.fixed_dictionaries(
    {},
    optional={
        "id": _json,
        "model": st.text(max_size=10) | _json,
        "status": st.sampled_from(
            ["preparing", "running", "succeeded", "failed", "timeouted", "cancelled", "odd"]
        )
        | _json,
        "failed_reason": _json,
        "finished_at": _json,
        "choices": st.lists(_choice, max_size=3) | _json,
    },
)


@settings(max_examples=150, deadline=None)
@given(body=_task | _json, status=st.sampled_from([200, 200, 200, 400, 429, 500, 503]))
def test_parse_status_only_returns_a_generation_or_raises_an_api_error(
    body: Any, status: int
) -> None:
    provider = MurekaProvider(api_key=KEY)
    response = respond(status, content=json.dumps(body).encode())

    try:
        result = provider.status("task-1").parse(response)
    except APIError:  # includes UnexpectedResponseError
        return
    assert isinstance(result, Generation)


@pytest.mark.parametrize(
    ("limit", "read"), [(5, 5), (5.0, 5), (0, None), (2.5, None), (None, None), ("5", 5)]
)
def test_billing_reads_the_concurrency_limit_only_when_it_is_a_positive_whole_number(
    provider: MurekaProvider, limit: Any, read: int | None
) -> None:
    body = {"balance": 100, "concurrent_request_limit": limit}
    response = httpx.Response(200, json=body, request=provider.balance().request)

    assert provider.balance().parse(response).concurrent_limit == read
