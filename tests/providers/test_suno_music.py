"""Suno's music edits in the driver, sans-I/O: the requests they build, the checks made before
any request exists, and the parsing of their answers with plain ``httpx.Response`` values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen import (
    APIError,
    BadRequestError,
    Generation,
    InsufficientCreditsError,
    Operation,
    TaskStatus,
    Track,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen.providers.suno import PLACEHOLDER_CALLBACK_URL, SunoProvider

KEY = "sk-test-planted-secret-0123456789"
BASE = "https://api.sunoapi.org/api/v1"
TASK_ID = "5c79e1b0be8e4b0a9e0f6b1a2c3d4e5f"
SOURCE_TASK = "09c0edbd9dc50df9b6174a7b240bbcba"
AUDIO = "e231a0b4-1c2d-4e5f-8a9b-0c1d8cadc7dc"
URL = "https://files.example.com/song.mp3"
URL2 = "https://files.example.com/other.mp3"
CALLBACK = PLACEHOLDER_CALLBACK_URL


def provider(**kwargs: Any) -> SunoProvider:
    kwargs.setdefault("api_key", KEY)
    return SunoProvider(**kwargs)


def body_of(operation: Operation[Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(operation.request.content)
    return data


def source(**changes: Any) -> Track:
    fields: dict[str, Any] = {
        "id": AUDIO,
        "duration": 120.0,
        "task_id": SOURCE_TASK,
        "lyrics": "[Verse]\nRain on the window",
        "title": "Rain",
    }
    fields.update(changes)
    return Track(**fields)


def generation(**changes: Any) -> Generation:
    fields: dict[str, Any] = {
        "task_id": SOURCE_TASK,
        "provider": "suno",
        "model": "V5",
        "status": TaskStatus.SUCCEEDED,
        "provider_status": "SUCCESS",
        "tracks": (source(),),
        "instrumental": False,
    }
    fields.update(changes)
    return Generation(**fields)


def answer(
    payload: Any = None, status: int = 200, *, content: bytes | None = None
) -> httpx.Response:
    request = httpx.Request("POST", f"{BASE}/generate/extend")
    if content is None:
        # json.dumps, not httpx's json=: NaN and Infinity go out as Python writes them.
        content = json.dumps(payload).encode()
    return httpx.Response(status, content=content, request=request)


def submitted(task_id: str = TASK_ID) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "data": {"taskId": task_id}}


# One valid call of every endpoint, for the properties they all share.
CALLS: dict[str, Callable[[SunoProvider], Operation[Generation]]] = {
    "extend": lambda p: p.extend(source()),
    "upload_cover": lambda p: p.upload_cover(URL, prompt="a jazz cover"),
    "upload_extend": lambda p: p.upload_extend(URL, prompt="a longer outro"),
    "add_vocals": lambda p: p.add_vocals(
        URL, prompt="a soft duet", title="Duet", style="soul", negative_tags="metal"
    ),
    "add_instrumental": lambda p: p.add_instrumental(
        URL, title="Backed", tags="acoustic guitar", negative_tags="drums"
    ),
    "mashup": lambda p: p.mashup([URL, URL2], prompt="blend them"),
    "replace_section": lambda p: p.replace_section(
        source(), start=10, end=30, prompt="a drum break", tags="funk", title="Rain"
    ),
    "sounds": lambda p: p.sounds("rain on a tin roof"),
}
PATHS = {
    "extend": "/generate/extend",
    "upload_cover": "/generate/upload-cover",
    "upload_extend": "/generate/upload-extend",
    "add_vocals": "/generate/add-vocals",
    "add_instrumental": "/generate/add-instrumental",
    "mashup": "/generate/mashup",
    "replace_section": "/generate/replace-section",
    "sounds": "/generate/sounds",
}
NAMES = sorted(CALLS)


# ---------------------------------------------------------------------------------------------
# What every music edit shares
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_edit_is_a_paid_post_to_its_path_named_after_the_method(name: str) -> None:
    operation = CALLS[name](provider())
    assert operation.name == name
    assert operation.paid is True
    assert operation.request.method == "POST"
    assert str(operation.request.url) == f"{BASE}{PATHS[name]}"
    assert operation.request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("name", NAMES)
def test_each_edit_is_followed_with_the_music_status_read(name: str) -> None:
    operation = CALLS[name](provider())
    assert operation.task is not None
    assert operation.task.result_type is Generation
    read = operation.task.read(TASK_ID)
    assert read.name == "status"
    assert str(read.request.url) == f"{BASE}/generate/record-info?taskId={TASK_ID}"


@pytest.mark.parametrize("name", NAMES)
def test_each_edit_sends_a_callback_url(name: str) -> None:
    assert body_of(CALLS[name](provider()))["callBackUrl"] == CALLBACK


@pytest.mark.parametrize("name", NAMES)
def test_each_edit_uses_the_providers_callback_url_when_configured(name: str) -> None:
    configured = provider(callback_url="https://hooks.example.org/suno")
    assert body_of(CALLS[name](configured))["callBackUrl"] == "https://hooks.example.org/suno"


@pytest.mark.parametrize("name", NAMES)
def test_identical_calls_have_the_same_journal_key(name: str) -> None:
    assert CALLS[name](provider()).fingerprint() == CALLS[name](provider()).fingerprint()


def test_a_different_parameter_gives_a_different_journal_key() -> None:
    one = provider().upload_cover(URL, prompt="a jazz cover")
    other = provider().upload_cover(URL, prompt="a punk cover")
    assert one.fingerprint() != other.fingerprint()


@pytest.mark.parametrize("name", NAMES)
def test_each_submission_answer_reads_as_a_queued_generation(name: str) -> None:
    payload = submitted()
    result = CALLS[name](provider()).parse(answer(payload))
    assert isinstance(result, Generation)
    assert (result.task_id, result.provider) == (TASK_ID, "suno")
    assert result.status is TaskStatus.QUEUED
    assert result.provider_status == "PENDING"
    assert result.raw == payload


@pytest.mark.parametrize("name", NAMES)
def test_a_submission_answer_without_task_id_warns_a_task_may_exist(name: str) -> None:
    with pytest.raises(UnexpectedResponseError, match="dashboard"):
        CALLS[name](provider()).parse(answer({"code": 200, "msg": "success", "data": {}}))


@pytest.mark.parametrize("name", NAMES)
def test_a_body_code_429_is_out_of_credits(name: str) -> None:
    refusal = {"code": 429, "msg": "Insufficient credits", "data": None}
    with pytest.raises(InsufficientCreditsError):
        CALLS[name](provider()).parse(answer(refusal))


def test_a_body_code_400_is_a_bad_request_with_the_providers_words() -> None:
    refusal = {"code": 400, "msg": "audioId not found", "data": None}
    with pytest.raises(BadRequestError, match="audioId not found"):
        provider().extend(source()).parse(answer(refusal))


def test_the_submitted_generation_knows_the_model_sent() -> None:
    result = provider().add_vocals(
        URL, prompt="p", title="t", style="s", negative_tags="n", model="V5"
    )
    assert result.parse(answer(submitted())).model == "V5"


# ---------------------------------------------------------------------------------------------
# extend
# ---------------------------------------------------------------------------------------------


def test_extend_without_custom_fields_reuses_the_source_settings() -> None:
    assert body_of(provider().extend(source())) == {
        "defaultParamFlag": False,
        "audioId": AUDIO,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
    }


def test_extend_in_custom_mode_sends_the_lyrics_as_prompt() -> None:
    operation = provider().extend(
        source(), at=60, lyrics="[Verse]\nMore rain", style="indie", title="Rain II"
    )
    assert body_of(operation) == {
        "defaultParamFlag": True,
        "audioId": AUDIO,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "continueAt": 60.0,
        "prompt": "[Verse]\nMore rain",
        "style": "indie",
        "title": "Rain II",
    }


def test_extend_accepts_a_track_id() -> None:
    assert body_of(provider().extend(" some-audio-id "))["audioId"] == "some-audio-id"


def test_extend_of_a_generation_continues_its_first_track_with_its_model() -> None:
    body = body_of(provider().extend(generation()))
    assert (body["audioId"], body["model"]) == (AUDIO, "V5")


def test_extend_refuses_a_model_other_than_the_source_generations() -> None:
    with pytest.raises(ValidationError, match="V5") as caught:
        provider().extend(generation(), model="V4")
    assert caught.value.field == "model"


def test_extend_accepts_the_source_generations_model_by_alias() -> None:
    assert body_of(provider().extend(generation(), model="chirp-crow"))["model"] == "V5"


def test_extend_of_a_bare_track_sends_the_model_asked_for() -> None:
    assert body_of(provider().extend(source(), model="v4.5+"))["model"] == "V4_5PLUS"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"lyrics": "la", "style": "pop", "title": "T"}, "at"),
        ({"at": 30, "lyrics": "la", "title": "T"}, "style"),
        ({"at": 30, "lyrics": "la", "style": "pop"}, "title"),
        ({"at": 30, "style": "pop", "title": "T"}, "lyrics"),
        ({"at": 30}, "style"),
    ],
)
def test_custom_extend_names_the_missing_field(given: dict[str, Any], missing: str) -> None:
    with pytest.raises(ValidationError, match=f"{missing}=") as caught:
        provider().extend(source(), **given)
    assert caught.value.field == missing


def test_custom_extend_of_an_instrumental_needs_no_lyrics() -> None:
    body = body_of(
        provider().extend(generation(instrumental=True), at=30, style="ambient", title="Drift")
    )
    assert "prompt" not in body
    assert body["defaultParamFlag"] is True


def test_custom_extend_takes_instrumental_as_an_option_for_a_bare_track() -> None:
    body = body_of(
        provider().extend(source(), at=30, style="ambient", title="D", instrumental=True)
    )
    assert "prompt" not in body
    assert "instrumental" not in body  # not an extend field: it only lifts the lyrics rule


def test_extend_refuses_lyrics_for_an_instrumental() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().extend(generation(instrumental=True), at=30, lyrics="la", style="pop", title="T")
    assert caught.value.field == "lyrics"


@pytest.mark.parametrize("at", [0, -5, 120, 121.5, True, float("nan"), "30"])
def test_extend_refuses_a_start_outside_the_track(at: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().extend(source(), at=at, lyrics="la", style="pop", title="T")
    assert caught.value.field == "at"


def test_extend_checks_the_start_against_the_tracks_length_only_when_known() -> None:
    body = body_of(
        provider().extend(source(duration=None), at=500, lyrics="la", style="p", title="T")
    )
    assert body["continueAt"] == 500.0


def test_extend_names_the_tracks_length_when_the_start_is_past_it() -> None:
    with pytest.raises(ValidationError, match="120 s long"):
        provider().extend(source(), at=130, lyrics="la", style="pop", title="T")


def test_extend_refuses_a_description_prompt() -> None:
    with pytest.raises(ValidationError, match="lyrics=") as caught:
        provider().extend(source(), prompt="make it longer")
    assert caught.value.field == "prompt"


def test_extend_checks_lengths_against_the_models_limits() -> None:
    with pytest.raises(ValidationError, match="200-character") as caught:
        provider().extend(source(), at=30, lyrics="la", style="x" * 201, title="T", model="V4")
    assert caught.value.field == "style"


def test_extend_sends_options_under_their_wire_names() -> None:
    body = body_of(
        provider().extend(
            source(),
            at=30,
            lyrics="la",
            style="pop",
            title="T",
            negative_tags="metal",
            vocal_gender="female",
            style_weight=0.5,
            persona_id="persona_123",
            callback_url="https://hooks.example.org/x",
        )
    )
    assert body["negativeTags"] == "metal"
    assert body["vocalGender"] == "f"
    assert body["styleWeight"] == 0.5
    assert body["personaId"] == "persona_123"
    assert body["callBackUrl"] == "https://hooks.example.org/x"


def test_extend_refuses_a_persona_without_custom_mode() -> None:
    with pytest.raises(ValidationError, match="custom") as caught:
        provider().extend(source(), persona_id="persona_123")
    assert caught.value.field == "persona_id"


def test_extend_refuses_an_unknown_option_with_a_suggestion() -> None:
    with pytest.raises(ValidationError, match="negative_tags") as caught:
        provider().extend(source(), negativeTags="metal")
    assert caught.value.field == "negativeTags"


def test_extend_refuses_what_is_not_a_track() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().extend(42)  # type: ignore[arg-type]
    assert caught.value.field == "track"


def test_extend_refuses_a_generation_without_tracks() -> None:
    with pytest.raises(ValidationError, match="no tracks"):
        provider().extend(generation(tracks=()))


# ---------------------------------------------------------------------------------------------
# upload-cover
# ---------------------------------------------------------------------------------------------


def test_upload_cover_in_simple_mode() -> None:
    assert body_of(provider().upload_cover(URL, prompt=" a jazz cover ")) == {
        "uploadUrl": URL,
        "customMode": False,
        "instrumental": False,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "prompt": "a jazz cover",
    }


def test_upload_cover_in_custom_mode_sends_the_lyrics_as_prompt() -> None:
    operation = provider().upload_cover(
        URL, lyrics="[Verse]\nla", style="jazz", title="Cover", model="V5", persona_id="p1"
    )
    assert body_of(operation) == {
        "uploadUrl": URL,
        "customMode": True,
        "instrumental": False,
        "model": "V5",
        "callBackUrl": CALLBACK,
        "prompt": "[Verse]\nla",
        "style": "jazz",
        "title": "Cover",
        "personaId": "p1",
    }


def test_upload_cover_instrumental_custom_mode_sends_no_prompt() -> None:
    body = body_of(provider().upload_cover(URL, style="jazz", title="C", instrumental=True))
    assert body["instrumental"] is True
    assert "prompt" not in body


@pytest.mark.parametrize("url", ["ftp://x.org/a.mp3", "song.mp3", "", "http://", None, 3])
def test_upload_cover_refuses_what_is_not_an_http_url(url: Any) -> None:
    with pytest.raises(ValidationError, match="http") as caught:
        provider().upload_cover(url, prompt="cover")
    assert caught.value.field == "upload_url"


def test_upload_cover_needs_a_prompt_or_custom_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().upload_cover(URL)
    assert caught.value.field == "prompt"


def test_upload_cover_refuses_a_description_in_custom_mode() -> None:
    with pytest.raises(ValidationError, match="lyrics=") as caught:
        provider().upload_cover(URL, prompt="x", lyrics="la", style="s", title="t")
    assert caught.value.field == "prompt"


def test_upload_cover_simple_prompt_is_limited_to_500_characters() -> None:
    with pytest.raises(ValidationError, match="500") as caught:
        provider().upload_cover(URL, prompt="x" * 501)
    assert caught.value.field == "prompt"


def test_upload_cover_title_limit_follows_the_model() -> None:
    provider().upload_cover(URL, lyrics="la", style="s", title="t" * 100, model="V5")
    with pytest.raises(ValidationError, match="80-character"):
        provider().upload_cover(URL, lyrics="la", style="s", title="t" * 100, model="V4_5ALL")


def test_upload_cover_refuses_a_persona_in_simple_mode() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().upload_cover(URL, prompt="cover", persona_model="style_persona")
    assert caught.value.field == "persona_model"


# ---------------------------------------------------------------------------------------------
# upload-extend
# ---------------------------------------------------------------------------------------------


def test_upload_extend_reusing_the_uploads_settings_sends_a_prompt() -> None:
    assert body_of(provider().upload_extend(URL, prompt="a longer outro")) == {
        "uploadUrl": URL,
        "defaultParamFlag": False,
        "instrumental": False,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "prompt": "a longer outro",
    }


def test_upload_extend_without_custom_fields_needs_a_prompt() -> None:
    with pytest.raises(ValidationError, match="prompt=") as caught:
        provider().upload_extend(URL)
    assert caught.value.field == "prompt"


def test_upload_extend_in_custom_mode() -> None:
    operation = provider().upload_extend(
        URL, at=12.345, style="ambient", title="Drift", instrumental=True
    )
    assert body_of(operation) == {
        "uploadUrl": URL,
        "defaultParamFlag": True,
        "instrumental": True,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "continueAt": 12.35,
        "style": "ambient",
        "title": "Drift",
    }


def test_upload_extend_custom_mode_needs_a_start() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().upload_extend(URL, lyrics="la", style="s", title="t")
    assert caught.value.field == "at"


def test_upload_extend_refuses_a_description_in_custom_mode() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().upload_extend(URL, at=5, prompt="x", lyrics="la", style="s", title="t")
    assert caught.value.field == "prompt"


# ---------------------------------------------------------------------------------------------
# add-vocals and add-instrumental
# ---------------------------------------------------------------------------------------------


def test_add_vocals_body_and_default_model() -> None:
    operation = provider().add_vocals(
        URL, prompt="a soft duet", title="Duet", style="soul", negative_tags="metal",
        audio_weight=0.3,
    )  # fmt: skip
    assert body_of(operation) == {
        "uploadUrl": URL,
        "prompt": "a soft duet",
        "title": "Duet",
        "style": "soul",
        "negativeTags": "metal",
        "model": "V4_5PLUS",
        "callBackUrl": CALLBACK,
        "audioWeight": 0.3,
    }


@pytest.mark.parametrize(("asked", "sent"), [("V5", "V5"), ("v5.5", "V5_5"), ("V4.5+", "V4_5PLUS")])
def test_add_vocals_accepts_its_three_models(asked: str, sent: str) -> None:
    operation = provider().add_vocals(
        URL, prompt="p", title="t", style="s", negative_tags="n", model=asked
    )
    assert body_of(operation)["model"] == sent


@pytest.mark.parametrize("model", ["V4_5", "V4", "nonsense"])
def test_add_vocals_refuses_other_models(model: str) -> None:
    with pytest.raises(ValidationError, match="V4_5PLUS, V5, V5_5") as caught:
        provider().add_vocals(URL, prompt="p", title="t", style="s", negative_tags="n", model=model)
    assert caught.value.field == "model"


@pytest.mark.parametrize("field", ["prompt", "title", "style", "negative_tags"])
def test_add_vocals_requires_each_text(field: str) -> None:
    fields = {"prompt": "p", "title": "t", "style": "s", "negative_tags": "n", field: "  "}
    with pytest.raises(ValidationError) as caught:
        provider().add_vocals(URL, **fields)
    assert caught.value.field == field


@pytest.mark.parametrize(("field", "limit"), [("negative_tags", 200), ("style", 1000)])
def test_add_vocals_limits(field: str, limit: int) -> None:
    fields = {"prompt": "p", "title": "t", "style": "s", "negative_tags": "n"}
    provider().add_vocals(URL, **{**fields, field: "x" * limit})
    with pytest.raises(ValidationError, match=f"{limit}-character") as caught:
        provider().add_vocals(URL, **{**fields, field: "x" * (limit + 1)})
    assert caught.value.field == field


def test_add_vocals_refuses_options_it_does_not_document() -> None:
    with pytest.raises(ValidationError, match="vocal_gender") as caught:
        provider().add_vocals(
            URL, prompt="p", title="t", style="s", negative_tags="n", persona_id="p1"
        )
    assert caught.value.field == "persona_id"


def test_add_instrumental_sends_tags_not_style() -> None:
    operation = provider().add_instrumental(
        URL, title="Backed", tags="acoustic guitar", negative_tags="drums", model="V5"
    )
    assert body_of(operation) == {
        "uploadUrl": URL,
        "title": "Backed",
        "tags": "acoustic guitar",
        "negativeTags": "drums",
        "model": "V5",
        "callBackUrl": CALLBACK,
    }


def test_add_instrumental_limits_tags_to_1000_characters() -> None:
    with pytest.raises(ValidationError, match="1000") as caught:
        provider().add_instrumental(URL, title="t", tags="x" * 1001, negative_tags="n")
    assert caught.value.field == "tags"


def test_add_instrumental_requires_negative_tags() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().add_instrumental(URL, title="t", tags="x", negative_tags="")
    assert caught.value.field == "negative_tags"


# ---------------------------------------------------------------------------------------------
# mashup
# ---------------------------------------------------------------------------------------------


def test_mashup_sends_both_urls() -> None:
    assert body_of(
        provider().mashup((URL, URL2), style="mix", title="Both", instrumental=True)
    ) == {
        "uploadUrlList": [URL, URL2],
        "customMode": True,
        "instrumental": True,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "style": "mix",
        "title": "Both",
    }


@pytest.mark.parametrize("urls", [[URL], [URL, URL2, URL], []])
def test_mashup_takes_exactly_two_urls(urls: list[str]) -> None:
    with pytest.raises(ValidationError, match="exactly two") as caught:
        provider().mashup(urls, prompt="blend")
    assert caught.value.field == "upload_urls"


def test_mashup_refuses_a_single_string() -> None:
    with pytest.raises(ValidationError, match="list") as caught:
        provider().mashup(URL, prompt="blend")
    assert caught.value.field == "upload_urls"


def test_mashup_checks_each_url() -> None:
    with pytest.raises(ValidationError, match="http") as caught:
        provider().mashup([URL, "file:///tmp/a.mp3"], prompt="blend")
    assert caught.value.field == "upload_urls"


def test_mashup_refuses_negative_tags_it_does_not_document() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().mashup([URL, URL2], prompt="blend", negative_tags="metal")
    assert caught.value.field == "negative_tags"


# ---------------------------------------------------------------------------------------------
# replace-section
# ---------------------------------------------------------------------------------------------


def test_replace_section_body() -> None:
    operation = provider().replace_section(
        source(), start=10.004, end=30, prompt="a drum break", tags="funk", title="Rain",
        lyrics="[Verse]\nNew words", negative_tags="metal",
    )  # fmt: skip
    assert body_of(operation) == {
        "taskId": SOURCE_TASK,
        "audioId": AUDIO,
        "prompt": "a drum break",
        "tags": "funk",
        "title": "Rain",
        "infillStartS": 10.0,
        "infillEndS": 30.0,
        "fullLyrics": "[Verse]\nNew words",
        "negativeTags": "metal",
        "callBackUrl": CALLBACK,
    }


def test_replace_section_sends_the_tracks_own_lyrics_when_none_are_given() -> None:
    operation = provider().replace_section(
        source(), start=0, end=10, prompt="p", tags="t", title="x"
    )
    assert body_of(operation)["fullLyrics"] == "[Verse]\nRain on the window"


def test_replace_section_sends_no_lyrics_when_none_are_known() -> None:
    operation = provider().replace_section(
        source(lyrics=None), start=0, end=10, prompt="p", tags="t", title="x"
    )
    assert "fullLyrics" not in body_of(operation)


def test_replace_section_of_a_generation_uses_its_task_and_first_track() -> None:
    operation = provider().replace_section(
        generation(tracks=(source(task_id=None),)), start=0, end=10, prompt="p", tags="t", title="x"
    )
    body = body_of(operation)
    assert (body["taskId"], body["audioId"]) == (SOURCE_TASK, AUDIO)
    assert operation.parse(answer(submitted())).model == "V5"


def test_replace_section_needs_the_tracks_task() -> None:
    with pytest.raises(ValidationError, match="task_id") as caught:
        provider().replace_section(
            source(task_id=None), start=0, end=10, prompt="p", tags="t", title="x"
        )
    assert caught.value.field == "track"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-1, 10, "start"),
        (20, 20, "end"),
        (20, 10, "end"),
        (0, 5.99, "end"),
        (0, 60.01, "end"),
        (100, 125, "end"),  # past the end of the 120-second track
    ],
)
def test_replace_section_checks_the_window(start: float, end: float, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().replace_section(source(), start=start, end=end, prompt="p", tags="t", title="x")
    assert caught.value.field == field


def test_replace_section_names_the_tracks_end() -> None:
    with pytest.raises(ValidationError, match="past the end"):
        provider().replace_section(source(), start=100, end=125, prompt="p", tags="t", title="x")


def test_replace_section_refuses_more_than_half_the_track() -> None:
    with pytest.raises(ValidationError, match="half"):
        provider().replace_section(
            source(duration=30.0), start=0, end=16, prompt="p", tags="t", title="x"
        )


def test_replace_section_window_is_unchecked_against_an_unknown_length() -> None:
    operation = provider().replace_section(
        source(duration=None), start=600, end=660, prompt="p", tags="t", title="x"
    )
    assert body_of(operation)["infillEndS"] == 660.0


@pytest.mark.parametrize("field", ["prompt", "tags", "title"])
def test_replace_section_requires_each_text(field: str) -> None:
    fields = {"prompt": "p", "tags": "t", "title": "x", field: ""}
    with pytest.raises(ValidationError) as caught:
        provider().replace_section(source(), start=0, end=10, **fields)
    assert caught.value.field == field


# ---------------------------------------------------------------------------------------------
# sounds
# ---------------------------------------------------------------------------------------------


def test_sounds_defaults() -> None:
    assert body_of(provider().sounds("rain on a tin roof")) == {
        "prompt": "rain on a tin roof",
        "model": "V5",
        "soundLoop": False,
        "grabLyrics": False,
        "callBackUrl": CALLBACK,
    }


def test_sounds_with_every_setting() -> None:
    body = body_of(
        provider().sounds("a beat", loop=True, tempo=120, key="F#m", grab_lyrics=True, model="V5_5")
    )
    assert body == {
        "prompt": "a beat",
        "model": "V5_5",
        "soundLoop": True,
        "grabLyrics": True,
        "callBackUrl": CALLBACK,
        "soundTempo": 120,
        "soundKey": "F#m",
    }


@pytest.mark.parametrize(
    ("key", "sent"),
    [("any", "Any"), ("c#m", "C#m"), ("Bbm", "A#m"), ("Db", "C#"), ("C# minor", "C#m"),
     ("e major", "E"), ("G", "G")],
)  # fmt: skip
def test_sounds_reads_keys_leniently(key: str, sent: str) -> None:
    assert body_of(provider().sounds("x", key=key))["soundKey"] == sent


@pytest.mark.parametrize("key", ["H", "Cb", "E#m", "C##", "", 5])
def test_sounds_refuses_unknown_keys(key: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().sounds("x", key=key)
    assert caught.value.field == "key"


@pytest.mark.parametrize("tempo", [0, 301, 120.5, True, "120", float("inf")])
def test_sounds_refuses_a_tempo_out_of_range(tempo: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().sounds("x", tempo=tempo)
    assert caught.value.field == "tempo"


def test_sounds_accepts_a_whole_float_tempo() -> None:
    whole = 90.0  # what arithmetic or a JSON reader hands over
    assert body_of(provider().sounds("x", tempo=whole))["soundTempo"] == 90  # type: ignore[arg-type]


def test_sounds_prompt_is_limited_to_500_characters() -> None:
    provider().sounds("x" * 500)
    with pytest.raises(ValidationError, match="500") as caught:
        provider().sounds("x" * 501)
    assert caught.value.field == "prompt"


def test_sounds_refuses_a_non_boolean_loop() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().sounds("x", loop="yes")  # type: ignore[arg-type]
    assert caught.value.field == "loop"


# ---------------------------------------------------------------------------------------------
# The status read of an edit: record-info with operationType and parentMusicId
# ---------------------------------------------------------------------------------------------


def record(operation_type: str, parent: str = "", status: str = "SUCCESS") -> dict[str, Any]:
    return {
        "code": 200,
        "msg": "success",
        "data": {
            "taskId": TASK_ID,
            "parentMusicId": parent,
            "param": json.dumps({"model": "V4_5", "audioId": AUDIO}),
            "response": {
                "taskId": TASK_ID,
                "sunoData": [
                    {
                        "id": "new-track",
                        "audioUrl": "https://cdn.example/new.mp3",
                        "duration": 180.5,
                        "title": "Rain II",
                        "tags": "indie, ",
                    }
                ],
            },
            "status": status,
            "type": "chirp-auk",
            "operationType": operation_type,
            "errorCode": None,
            "errorMessage": None,
        },
    }


@pytest.mark.parametrize(
    "operation_type",
    ["extend", "upload_cover", "upload_extend", "add_vocals", "mashup", "sounds", "unheard_of"],
)
def test_the_status_read_of_an_edit_gives_its_tracks(operation_type: str) -> None:
    result = provider().status(TASK_ID).parse(answer(record(operation_type, parent=AUDIO)))
    assert result.status is TaskStatus.SUCCEEDED
    assert result.model == "V4_5"
    assert [(t.id, t.duration, t.task_id) for t in result.tracks] == [("new-track", 180.5, TASK_ID)]
    assert result.raw["data"]["operationType"] == operation_type


def test_the_extension_can_itself_be_extended() -> None:
    extension = provider().status(TASK_ID).parse(answer(record("extend", parent=AUDIO)))
    body = body_of(provider().extend(extension, at=100, lyrics="la", style="s", title="t"))
    assert (body["audioId"], body["model"]) == ("new-track", "V4_5")


# ---------------------------------------------------------------------------------------------
# No answer crashes a parser
# ---------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
ENVELOPE = st.fixed_dictionaries(
    {"code": st.sampled_from([200, 200, 400, 429, 430, "200", None]), "msg": JSON},
    optional={"data": JSON | st.fixed_dictionaries({}, optional={"taskId": JSON})},
)
RECORD = st.fixed_dictionaries(
    {"code": st.just(200), "msg": st.just("success")},
    optional={
        "data": st.fixed_dictionaries(
            {"operationType": JSON, "parentMusicId": JSON},
            optional={"status": JSON, "param": JSON, "response": JSON, "errorCode": JSON},
        )
    },
)
STATUS = st.sampled_from([200, 200, 201, 400, 404, 413, 429, 500, 502])


def _returns_or_raises_api_errors(
    parse: Callable[[httpx.Response], Any], response: httpx.Response
) -> None:
    try:
        result = parse(response)
    except APIError:
        return
    assert isinstance(result, Generation)
    assert isinstance(result.status, TaskStatus)


@given(name=st.sampled_from(NAMES), payload=JSON | ENVELOPE, status=STATUS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_submission_answer_parses_or_raises_an_api_error(
    name: str, payload: Any, status: int
) -> None:
    _returns_or_raises_api_errors(CALLS[name](provider()).parse, answer(payload, status))


@given(name=st.sampled_from(NAMES), content=st.binary(max_size=48), status=STATUS)
@settings(max_examples=100, deadline=None)
def test_any_submission_bytes_parse_or_raise_an_api_error(
    name: str, content: bytes, status: int
) -> None:
    _returns_or_raises_api_errors(
        CALLS[name](provider()).parse, answer(content=content, status=status)
    )


@given(payload=RECORD, status=STATUS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_edit_record_parses_or_raises_an_api_error(payload: Any, status: int) -> None:
    _returns_or_raises_api_errors(provider().status(TASK_ID).parse, answer(payload, status))
