"""Suno's task endpoints on a finished track, tested sans-I/O: the requests they build and the
records they read, with plain ``httpx.Response`` values.

Payloads follow the shapes of ``endpoints.md`` §1.0.1, §1.10-§1.15 and §1.20 (docs examples,
their kie copies, and the callback-shaped variants a lenient reader should accept).
"""

from __future__ import annotations

import contextlib
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
    NotFoundError,
    TaskStatus,
    Track,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen._operations import Operation
from musicgen._results import Lyrics, MidiNote, Stems, Task
from musicgen.providers.suno import PLACEHOLDER_CALLBACK_URL, SunoProvider

KEY = "sk-test-planted-secret-0123456789"
TASK_ID = "5c79be8e09c0edbd9dc50df9b6174a7b"
MUSIC_TASK = "09c0edbd9dc50df9b6174a7b240bbcba"
AUDIO_ID = "e231b6a2-7c1d-4f0e-9a55-2b8f8cadc7dc"


def provider() -> SunoProvider:
    return SunoProvider(api_key=KEY)


def track(**changes: Any) -> Track:
    fields: dict[str, Any] = {"id": AUDIO_ID, "task_id": MUSIC_TASK, "title": "Rain"}
    fields.update(changes)
    return Track(**fields)


def generation() -> Generation:
    return Generation(
        task_id=MUSIC_TASK,
        provider="suno",
        model="V4_5",
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
        tracks=(track(), track(id="second", index=1)),
    )


def envelope(data: Any, code: int = 200, msg: str = "success") -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data}


def response(payload: Any, status: int = 200) -> httpx.Response:
    request = httpx.Request("GET", "https://api.sunoapi.org/api/v1/x")
    return httpx.Response(status, json=payload, request=request)


def body_of(operation: Operation[Any]) -> Any:
    return json.loads(operation.request.content)


def record(**fields: Any) -> httpx.Response:
    return response(envelope({"taskId": TASK_ID, **fields}))


# -- requests -----------------------------------------------------------------------------------


def test_lyrics_posts_the_prompt_and_the_placeholder_callback() -> None:
    operation = provider().lyrics("  a song about autumn leaves ")

    assert operation.request.method == "POST"
    assert operation.request.url == "https://api.sunoapi.org/api/v1/lyrics"
    assert operation.request.headers["authorization"] == f"Bearer {KEY}"
    assert body_of(operation) == {
        "prompt": "a song about autumn leaves",
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True
    assert operation.task is not None
    assert operation.task.result_type == Task[tuple[Lyrics, ...]]


def test_lyrics_prompt_of_200_words_is_accepted() -> None:
    provider().lyrics(" ".join(["word"] * 200))


def test_lyrics_prompt_over_200_words_names_field_limit_and_count() -> None:
    with pytest.raises(ValidationError) as info:
        provider().lyrics(" ".join(["word"] * 201))

    assert info.value.field == "prompt"
    assert "201 words" in info.value.message
    assert "200 words" in info.value.message


@pytest.mark.parametrize("prompt", ["", "   ", None])
def test_lyrics_needs_a_prompt(prompt: Any) -> None:
    with pytest.raises(ValidationError, match="prompt"):
        provider().lyrics(prompt)


def test_status_reads_get_their_familys_record_info() -> None:
    suno = provider()
    paths: dict[Callable[[str], Operation[Any]], str] = {
        suno.lyrics_status: "/api/v1/lyrics/record-info",
        suno.wav_status: "/api/v1/wav/record-info",
        suno.separation_status: "/api/v1/vocal-removal/record-info",
        suno.midi_status: "/api/v1/midi/record-info",
        suno.video_status: "/api/v1/mp4/record-info",
        suno.cover_art_status: "/api/v1/suno/cover/record-info",
    }
    for read, path in paths.items():
        operation = read(f" {TASK_ID} ")
        assert operation.request.method == "GET"
        assert operation.request.url.path == path
        assert operation.request.url.params["taskId"] == TASK_ID
        assert operation.paid is False
        assert operation.task is not None
        assert operation.task.task_id == TASK_ID


@pytest.mark.parametrize(
    "name",
    [
        "lyrics_status",
        "wav_status",
        "separation_status",
        "midi_status",
        "video_status",
        "cover_art_status",
    ],
)
def test_status_reads_refuse_an_empty_task_id(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        getattr(provider(), name)("  ")
    assert info.value.field == "task_id"


def test_timestamped_lyrics_posts_task_and_audio_id_and_is_paid() -> None:
    operation = provider().timestamped_lyrics(track())

    assert operation.request.url.path == "/api/v1/generate/get-timestamped-lyrics"
    assert body_of(operation) == {"taskId": MUSIC_TASK, "audioId": AUDIO_ID}
    assert operation.paid is True
    assert operation.task is None


def test_a_generation_stands_for_its_first_track() -> None:
    assert body_of(provider().convert(generation()))["audioId"] == AUDIO_ID


def test_convert_posts_the_track_to_wav_generate() -> None:
    operation = provider().convert(track())

    assert operation.request.url.path == "/api/v1/wav/generate"
    assert body_of(operation) == {
        "taskId": MUSIC_TASK,
        "audioId": AUDIO_ID,
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True


@pytest.mark.parametrize("fmt", ["mp3", "flac", "", 3])
def test_convert_accepts_only_wav(fmt: Any) -> None:
    with pytest.raises(ValidationError) as info:
        provider().convert(track(), format=fmt)
    assert info.value.field == "format"
    assert "'wav'" in info.value.message


@pytest.mark.parametrize(
    "call",
    [
        lambda suno, source: suno.convert(source),
        lambda suno, source: suno.separate(source),
        lambda suno, source: suno.isolate_stem(source, "Bass"),
        lambda suno, source: suno.music_video(source),
        lambda suno, source: suno.timestamped_lyrics(source),
    ],
    ids=["convert", "separate", "isolate_stem", "music_video", "timestamped_lyrics"],
)
def test_track_endpoints_need_the_music_task_id(call: Callable[[SunoProvider, Any], Any]) -> None:
    with pytest.raises(ValidationError, match="task_id=") as info:
        call(provider(), Track(id=AUDIO_ID))
    assert info.value.field in ("track", "source")

    with pytest.raises(ValidationError, match="task"):
        call(provider(), AUDIO_ID)


def test_separate_refuses_a_url_and_says_what_to_do_instead() -> None:
    with pytest.raises(ValidationError) as info:
        provider().separate("https://example.com/song.mp3")

    assert info.value.field == "source"
    assert "only the tracks it generated" in info.value.message
    assert "upload_cover" in info.value.message
    assert "mureka" in info.value.message


@pytest.mark.parametrize(("mode", "wire"), [("vocals", "separate_vocal"), ("stems", "split_stem")])
def test_separate_sends_the_type_of_its_mode(mode: str, wire: str) -> None:
    operation = provider().separate(track(), mode=mode)

    assert operation.request.url.path == "/api/v1/vocal-removal/generate"
    assert body_of(operation) == {
        "taskId": MUSIC_TASK,
        "audioId": AUDIO_ID,
        "type": wire,
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True


@pytest.mark.parametrize("mode", ["drums", "separate_vocal", "", None])
def test_separate_refuses_an_unknown_mode(mode: Any) -> None:
    with pytest.raises(ValidationError) as info:
        provider().separate(track(), mode=mode)
    assert info.value.field == "mode"
    assert "'vocals'" in info.value.message
    assert "'stems'" in info.value.message


def test_isolate_stem_sends_the_advanced_type_and_stem_name() -> None:
    body = body_of(provider().isolate_stem(track(), " Drum Kit "))

    assert body["type"] == "split_stem_advanced"
    assert body["stemName"] == "Drum Kit"


@pytest.mark.parametrize("stem", ["", "  ", None])
def test_isolate_stem_needs_a_stem_name(stem: Any) -> None:
    with pytest.raises(ValidationError) as info:
        provider().isolate_stem(track(), stem)
    assert info.value.field == "stem"


def test_midi_posts_the_separation_task_and_optional_audio_id() -> None:
    plain = provider().midi(TASK_ID)
    one = provider().midi(TASK_ID, audio_id=" part-1 ")

    assert plain.request.url.path == "/api/v1/midi/generate"
    assert body_of(plain) == {"taskId": TASK_ID, "callBackUrl": PLACEHOLDER_CALLBACK_URL}
    assert body_of(one)["audioId"] == "part-1"
    assert plain.paid is True


def test_midi_takes_a_separation_task_value() -> None:
    separation: Task[Stems] = Task(
        task_id=TASK_ID,
        provider="suno",
        kind="stems",
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
    )
    assert body_of(provider().midi(separation))["taskId"] == TASK_ID


def test_midi_refuses_a_music_task() -> None:
    with pytest.raises(ValidationError, match="separate the track first"):
        provider().midi(generation())  # type: ignore[arg-type]


def test_midi_refuses_a_task_of_another_kind() -> None:
    wav: Task[Track] = Task(
        task_id=TASK_ID, provider="suno", kind="wav", status=TaskStatus.QUEUED, provider_status="P"
    )
    with pytest.raises(ValidationError, match="'wav'"):
        provider().midi(wav)  # type: ignore[arg-type]


def test_music_video_sends_author_and_domain_name() -> None:
    operation = provider().music_video(track(), author=" DJ Rain ", domain_name="rain.example")

    assert operation.request.url.path == "/api/v1/mp4/generate"
    assert body_of(operation) == {
        "taskId": MUSIC_TASK,
        "audioId": AUDIO_ID,
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
        "author": "DJ Rain",
        "domainName": "rain.example",
    }


def test_music_video_leaves_out_blank_texts() -> None:
    body = body_of(provider().music_video(track(), author="  ", domain_name=None))
    assert "author" not in body
    assert "domainName" not in body


@pytest.mark.parametrize("field", ["author", "domain_name"])
def test_music_video_texts_are_at_most_50_characters(field: str) -> None:
    provider().music_video(track(), **{field: "x" * 50})
    with pytest.raises(ValidationError) as info:
        provider().music_video(track(), **{field: "x" * 51})
    assert info.value.field == field
    assert "51 characters" in info.value.message
    assert "50" in info.value.message


@pytest.mark.parametrize("task", [generation(), track(), MUSIC_TASK])
def test_cover_art_posts_the_music_task(task: Any) -> None:
    operation = provider().cover_art(task)

    assert operation.request.url.path == "/api/v1/suno/cover/generate"
    assert body_of(operation) == {"taskId": MUSIC_TASK, "callBackUrl": PLACEHOLDER_CALLBACK_URL}
    assert operation.paid is True


@pytest.mark.parametrize("task", ["", Track(id="a"), "https://example.com/x.mp3"])
def test_cover_art_needs_a_music_task_id(task: Any) -> None:
    with pytest.raises(ValidationError) as info:
        provider().cover_art(task)
    assert info.value.field == "task"


# -- submissions --------------------------------------------------------------------------------

SUBMISSIONS: dict[str, tuple[Callable[[SunoProvider], Operation[Any]], str, str]] = {
    "lyrics": (lambda suno: suno.lyrics("rain"), "lyrics", "PENDING"),
    "convert": (lambda suno: suno.convert(track()), "wav", "PENDING"),
    "separate": (lambda suno: suno.separate(track()), "stems", "PENDING"),
    "isolate_stem": (lambda suno: suno.isolate_stem(track(), "Bass"), "stems", "PENDING"),
    "midi": (lambda suno: suno.midi(TASK_ID), "midi", "0"),
    "music_video": (lambda suno: suno.music_video(track()), "video", "PENDING"),
    "cover_art": (lambda suno: suno.cover_art(MUSIC_TASK), "cover_art", "0"),
}


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_a_submission_answer_is_a_queued_task_of_its_kind(name: str) -> None:
    build, kind, flag = SUBMISSIONS[name]

    task = build(provider()).parse(response(envelope({"taskId": TASK_ID})))

    assert task.task_id == TASK_ID
    assert (task.provider, task.kind) == ("suno", kind)
    assert task.status is TaskStatus.QUEUED
    assert task.provider_status == flag
    assert task.result is None


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_a_submission_answer_without_task_id_warns_it_may_have_been_charged(name: str) -> None:
    build, _, _ = SUBMISSIONS[name]
    with pytest.raises(UnexpectedResponseError, match="dashboard"):
        build(provider()).parse(response(envelope({})))


def test_out_of_credits_is_an_insufficient_credits_error() -> None:
    operation = provider().separate(track(), mode="stems")
    with pytest.raises(InsufficientCreditsError):
        operation.parse(response(envelope(None, 429, "Insufficient credits")))


def test_a_second_wav_of_a_track_is_a_bad_request_that_says_why() -> None:
    answer = response(envelope(None, 409, "WAV record already exists"))

    with pytest.raises(BadRequestError) as info:
        provider().convert(track()).parse(answer)

    assert info.value.code == 409
    assert "WAV record already exists" in info.value.message
    assert "one WAV per track" in info.value.message
    assert "wav_status" in info.value.message


def test_a_repeated_cover_names_the_existing_cover_task() -> None:
    existing = "c0ffee00c0ffee00c0ffee00c0ffee00"
    answer = response(envelope({"taskId": existing}, 400, "Cover already generated"))

    with pytest.raises(BadRequestError) as info:
        provider().cover_art(MUSIC_TASK).parse(answer)

    assert info.value.code == 400
    assert existing in info.value.message
    assert f"cover_art_status('{existing}')" in info.value.message


def test_a_cover_conflict_without_an_id_still_explains_it() -> None:
    answer = response(envelope(None, 409, "Cover record already exists"))
    with pytest.raises(BadRequestError, match="once per music task"):
        provider().cover_art(MUSIC_TASK).parse(answer)


def test_other_cover_refusals_keep_the_providers_message() -> None:
    answer = response(envelope(None, 400, "callBackUrl cannot be null"))
    with pytest.raises(BadRequestError) as info:
        provider().cover_art(MUSIC_TASK).parse(answer)
    assert info.value.message == "callBackUrl cannot be null"


def test_an_unknown_task_read_is_not_found() -> None:
    answer = response(envelope(None, 400, "Task not found"))
    for read in (provider().wav_status, provider().midi_status, provider().cover_art_status):
        with pytest.raises(NotFoundError):
            read(TASK_ID).parse(answer)


# -- lyrics -------------------------------------------------------------------------------------

VARIANTS = [
    {"text": "[Verse]\nLeaves fall", "title": "Autumn", "status": "complete", "errorMessage": ""},
    {"text": "[Verse]\nGolden", "title": "Gold", "status": "complete", "errorMessage": ""},
]


def read_lyrics(**fields: Any) -> Task[tuple[Lyrics, ...]]:
    return provider().lyrics_status(TASK_ID).parse(record(**fields))


def test_lyrics_record_of_the_docs_gives_every_variant() -> None:
    task = read_lyrics(
        param='{"prompt":"autumn"}',
        response={"taskId": TASK_ID, "data": VARIANTS},
        status="SUCCESS",
        type="LYRICS",
        errorCode=None,
        errorMessage=None,
    )

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "lyrics"
    assert task.result == (
        Lyrics(text="[Verse]\nLeaves fall", title="Autumn"),
        Lyrics(text="[Verse]\nGolden", title="Gold"),
    )
    assert task.raw["data"]["type"] == "LYRICS"


def test_lyrics_data_spelling_of_a_kie_note_is_read() -> None:
    task = read_lyrics(response={"lyricsData": VARIANTS}, status="SUCCESS")
    assert task.result is not None
    assert len(task.result) == 2


def test_lyrics_fall_back_to_the_records_own_data_list() -> None:
    task = read_lyrics(data=VARIANTS[:1], status="SUCCESS")
    assert task.result == (Lyrics(text="[Verse]\nLeaves fall", title="Autumn"),)


def test_failed_lyrics_variants_are_left_out() -> None:
    failed = {"text": "", "title": "", "status": "failed", "errorMessage": "busy"}
    task = read_lyrics(response={"data": [VARIANTS[0], failed]}, status="SUCCESS")
    assert task.result == (Lyrics(text="[Verse]\nLeaves fall", title="Autumn"),)


def test_lyrics_success_without_any_variant_failed() -> None:
    task = read_lyrics(response={"data": []}, status="SUCCESS")
    assert task.status is TaskStatus.FAILED
    assert task.error is not None
    assert "lyrics" in task.error


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PENDING", TaskStatus.QUEUED),
        ("SUCCESS", TaskStatus.SUCCEEDED),
        ("CREATE_TASK_FAILED", TaskStatus.FAILED),
        ("GENERATE_LYRICS_FAILED", TaskStatus.FAILED),
        ("SENSITIVE_WORD_ERROR", TaskStatus.FAILED),
        ("CALLBACK_EXCEPTION", TaskStatus.SUCCEEDED),
        ("BRAND_NEW", TaskStatus.UNKNOWN),
    ],
)
def test_every_lyrics_status_maps_to_a_shared_status(status: str, expected: TaskStatus) -> None:
    done = status in ("SUCCESS", "CALLBACK_EXCEPTION")
    task = read_lyrics(response={"data": VARIANTS} if done else None, status=status)
    assert task.status is expected
    assert task.provider_status == status


def test_lyrics_content_filter_failure_says_so() -> None:
    task = read_lyrics(status="SENSITIVE_WORD_ERROR", errorMessage="artist name")
    assert task.error is not None
    assert task.error.startswith("content-filter refusal")
    assert task.error.endswith("artist name")


def test_data_null_right_after_a_submit_is_queued() -> None:
    task = provider().lyrics_status(TASK_ID).parse(response(envelope(None)))
    assert (task.status, task.provider_status) == (TaskStatus.QUEUED, "PENDING")


# -- string successFlag families: WAV, stems, video --------------------------------------------

WAV_URL = "https://tempfile.aiquickdraw.com/r/a.wav"


def test_wav_record_of_the_docs_with_string_times_gives_the_source_track() -> None:
    source = track(audio_url="https://cdn.test/a.mp3")
    task = (
        provider()
        .wav_status(TASK_ID, track=source)
        .parse(
            record(
                musicId=AUDIO_ID,
                callbackUrl="https://example.com/cb",
                completeTime="2025-01-01 00:10:00",
                response={"audioWavUrl": WAV_URL},
                successFlag="SUCCESS",
                createTime="2025-01-01 00:00:00",
                errorCode=None,
                errorMessage=None,
            )
        )
    )

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "wav"
    assert task.result == Track(
        id=AUDIO_ID, audio_url="https://cdn.test/a.mp3", wav_url=WAV_URL, title="Rain"
    )


def test_wav_record_without_the_source_track_names_it_by_music_id() -> None:
    task = (
        provider()
        .wav_status(TASK_ID)
        .parse(
            record(
                music_id=AUDIO_ID,
                completeTime=1753782937000,
                response={"audio_wav_url": WAV_URL},
                success_flag="SUCCESS",
            )
        )
    )
    assert task.result == Track(id=AUDIO_ID, wav_url=WAV_URL)


def test_the_status_read_of_a_convert_keeps_the_source_track() -> None:
    operation = provider().convert(track())
    assert operation.task is not None

    reader = operation.task.read(TASK_ID)
    task = reader.parse(record(successFlag="SUCCESS", response={"audioWavUrl": WAV_URL}))

    assert task.result is not None
    assert task.result.title == "Rain"
    assert task.result.task_id == MUSIC_TASK
    assert reader.task is not None
    assert reader.task.read(TASK_ID).parse(record(successFlag="PENDING")).kind == "wav"


STRING_FAMILIES: dict[str, tuple[str, dict[str, Any], str]] = {
    "wav_status": ("wav", {"audioWavUrl": WAV_URL}, "GENERATE_WAV_FAILED"),
    "separation_status": ("stems", {"vocalUrl": "https://f/v.mp3"}, "GENERATE_AUDIO_FAILED"),
    "video_status": ("video", {"videoUrl": "https://f/v.mp4"}, "GENERATE_MP4_FAILED"),
}


@pytest.mark.parametrize("read", sorted(STRING_FAMILIES))
@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("PENDING", TaskStatus.QUEUED),
        ("SUCCESS", TaskStatus.SUCCEEDED),
        ("CREATE_TASK_FAILED", TaskStatus.FAILED),
        ("generation failure", None),  # the family's own GENERATE_*_FAILED
        ("SOMETHING_NEW", TaskStatus.UNKNOWN),
    ],
)
def test_every_string_success_flag_maps_to_a_shared_status(
    read: str, flag: str, expected: TaskStatus | None
) -> None:
    kind, result, failure = STRING_FAMILIES[read]
    flag = failure if expected is None else flag
    fields: dict[str, Any] = {"successFlag": flag}
    if flag == "SUCCESS":
        fields["response"] = result

    task = getattr(provider(), read)(TASK_ID).parse(record(**fields))

    assert task.kind == kind
    assert task.status is (expected or TaskStatus.FAILED)
    assert task.provider_status == flag
    assert (task.result is not None) is (flag == "SUCCESS")
    assert (task.error is not None) is task.status.is_failure


@pytest.mark.parametrize("read", sorted(STRING_FAMILIES))
def test_a_failure_carries_the_records_message_and_code(read: str) -> None:
    _, _, failure = STRING_FAMILIES[read]
    fields = {"successFlag": failure, "errorCode": 500, "errorMessage": "Internal Error"}
    task = getattr(provider(), read)(TASK_ID).parse(record(**fields))
    assert task.error == "Internal Error (errorCode 500)"


@pytest.mark.parametrize("read", sorted(STRING_FAMILIES))
def test_a_failure_without_a_message_is_still_readable(read: str) -> None:
    _, _, failure = STRING_FAMILIES[read]
    task = getattr(provider(), read)(TASK_ID).parse(record(successFlag=failure))
    assert task.error is not None
    assert task.error.startswith("Suno failed to")


@pytest.mark.parametrize("read", sorted(STRING_FAMILIES))
def test_callback_exception_is_decided_by_the_result(read: str) -> None:
    _, result, _ = STRING_FAMILIES[read]
    suno = provider()
    done = getattr(suno, read)(TASK_ID).parse(
        record(successFlag="CALLBACK_EXCEPTION", response=result)
    )
    lost = getattr(suno, read)(TASK_ID).parse(record(successFlag="CALLBACK_EXCEPTION"))

    assert done.status is TaskStatus.SUCCEEDED
    assert done.result is not None
    assert lost.status is TaskStatus.FAILED
    assert lost.error is not None


@pytest.mark.parametrize("read", sorted(STRING_FAMILIES))
def test_success_without_a_result_is_a_failure_that_says_what_is_missing(read: str) -> None:
    task = getattr(provider(), read)(TASK_ID).parse(record(successFlag="SUCCESS", response={}))
    assert task.status is TaskStatus.FAILED
    assert task.error is not None
    assert "sent no" in task.error


# -- stems --------------------------------------------------------------------------------------


def read_stems(stem: str | None = None, **fields: Any) -> Task[Any]:
    return provider().separation_status(TASK_ID, stem=stem).parse(record(**fields))


def test_vocal_separation_record_of_the_docs_gives_vocals_and_instrumental() -> None:
    task = read_stems(
        musicId=AUDIO_ID,
        musicIndex=0,
        completeTime=1753782937000,
        response={
            "originUrl": None,
            "instrumentalUrl": "https://file.aiquickdraw.com/s/i.mp3",
            "vocalUrl": "https://file.aiquickdraw.com/s/v.mp3",
            "backingVocalsUrl": None,
            "drumsUrl": None,
        },
        successFlag="SUCCESS",
        createTime=1753782854000,
    )

    assert task.kind == "stems"
    assert task.result is not None
    assert dict(task.result.parts) == {
        "instrumental": "https://file.aiquickdraw.com/s/i.mp3",
        "vocals": "https://file.aiquickdraw.com/s/v.mp3",
    }


def test_split_stem_record_names_every_part_in_snake_case() -> None:
    fields = [
        "vocal",
        "backingVocals",
        "drums",
        "bass",
        "guitar",
        "keyboard",
        "percussion",
        "strings",
        "synth",
        "fx",
        "brass",
        "woodwinds",
        "piano",
    ]
    urls = {f"{field}Url": f"https://f/{field}.mp3" for field in fields}
    task = read_stems(
        response={"originUrl": "", "instrumentalUrl": None, **urls}, successFlag="SUCCESS"
    )

    assert task.result is not None
    assert sorted(task.result.parts) == sorted(
        [
            "vocals",
            "backing_vocals",
            "drums",
            "bass",
            "guitar",
            "keyboard",
            "percussion",
            "strings",
            "synth",
            "fx",
            "brass",
            "woodwinds",
            "piano",
        ]
    )
    assert task.result.parts["backing_vocals"] == "https://f/backingVocals.mp3"


def test_callback_shaped_snake_case_stems_are_read() -> None:
    info = {"vocal_url": "https://f/v.mp3", "instrumental_url": "https://f/i.mp3", "origin_url": ""}
    task = read_stems(vocal_removal_info=info, success_flag="SUCCESS")
    assert task.result is not None
    assert dict(task.result.parts) == {
        "vocals": "https://f/v.mp3",
        "instrumental": "https://f/i.mp3",
    }


@pytest.mark.parametrize("key", ["originData", "origin_data"])
def test_advanced_split_reads_extract_and_remove_of_origin_data(key: str) -> None:
    item = {"id": "p1", "extract": {"audio_url": "https://f/x.mp3"}, "remove": {"audioUrl": "r"}}
    task = read_stems("Drum Kit", successFlag="SUCCESS", **{key: [item]})

    assert task.result is not None
    assert dict(task.result.parts) == {"drum_kit": "https://f/x.mp3", "without_drum_kit": "r"}


def test_origin_data_items_may_name_their_stem() -> None:
    item = {"id": "p1", "stemName": "Lead Vocal", "extract": {"audio_url": "https://f/x.mp3"}}
    task = read_stems(successFlag="SUCCESS", originData=[item])
    assert task.result is not None
    assert dict(task.result.parts) == {"lead_vocal": "https://f/x.mp3"}


def test_a_stem_url_that_is_not_a_string_is_an_unexpected_response() -> None:
    with pytest.raises(UnexpectedResponseError, match=r"response\.vocalUrl"):
        read_stems(successFlag="SUCCESS", response={"vocalUrl": 5})


# -- integer successFlag families: cover art, MIDI ---------------------------------------------

IMAGES = ["https://tempfile.aiquickdraw.com/s/1.png", "https://tempfile.aiquickdraw.com/s/2.png"]


def test_cover_art_record_of_the_docs_gives_the_images() -> None:
    task = (
        provider()
        .cover_art_status(TASK_ID)
        .parse(
            record(
                parentTaskId=MUSIC_TASK,
                callbackUrl="https://example.com/cb",
                completeTime=1753782937000,
                response={"images": IMAGES},
                successFlag=1,
                createTime=1753782854000,
                errorCode=200,
                errorMessage=None,
            )
        )
    )

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "cover_art"
    assert task.provider_status == "1"
    assert task.result is not None
    assert task.result.images == tuple(IMAGES)


def test_cover_art_images_of_the_callback_shape_are_read() -> None:
    task = provider().cover_art_status(TASK_ID).parse(record(images=IMAGES, successFlag=1))
    assert task.result is not None
    assert task.result.images == tuple(IMAGES)


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (0, TaskStatus.QUEUED),
        (2, TaskStatus.RUNNING),  # generating
        (1, TaskStatus.SUCCEEDED),
        (3, TaskStatus.FAILED),
        ("1", TaskStatus.SUCCEEDED),
        (7, TaskStatus.UNKNOWN),
    ],
)
def test_every_cover_art_flag_maps_to_a_shared_status(flag: Any, expected: TaskStatus) -> None:
    task = (
        provider()
        .cover_art_status(TASK_ID)
        .parse(record(successFlag=flag, response={"images": IMAGES}))
    )
    assert task.status is expected
    assert task.provider_status == str(flag)


def test_a_failed_cover_says_so() -> None:
    task = provider().cover_art_status(TASK_ID).parse(record(successFlag=3))
    assert task.error == "Suno failed to make the cover art"


MIDI_DATA = {
    "state": "complete",
    "instruments": [
        {
            "name": "Drums",
            "notes": [
                {"pitch": 73, "start": 0.036458333, "end": 0.13020833, "velocity": 1},
                {"pitch": 61, "start": "0.0364583333", "end": "0.1302083333", "velocity": 0.5},
            ],
        }
    ],
}


def test_midi_record_reads_notes_with_numeric_or_string_times() -> None:
    task = (
        provider()
        .midi_status(TASK_ID)
        .parse(
            record(
                recordTaskId="sep",
                audioId="part",
                completeTime=1753782937000,
                midiData=MIDI_DATA,
                successFlag=1,
                createTime=1753782854000,
            )
        )
    )

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "midi"
    assert task.result is not None
    (drums,) = task.result.instruments
    assert drums.name == "Drums"
    assert drums.notes == (
        MidiNote(pitch=73, start=0.036458333, end=0.13020833, velocity=1.0),
        MidiNote(pitch=61, start=0.0364583333, end=0.1302083333, velocity=0.5),
    )


def test_midi_is_done_when_its_data_says_complete_whatever_the_flag() -> None:
    task = provider().midi_status(TASK_ID).parse(record(midi_data=MIDI_DATA, successFlag=0))
    assert task.status is TaskStatus.SUCCEEDED


def test_midi_may_finish_without_notes() -> None:
    task = (
        provider()
        .midi_status(TASK_ID)
        .parse(record(midiData={"state": "complete", "instruments": []}, successFlag=1))
    )
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result is not None
    assert task.result.instruments == ()


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (0, TaskStatus.QUEUED),
        (1, TaskStatus.SUCCEEDED),
        (2, TaskStatus.FAILED),  # ⚠ create-task failed (kie copy), not "generating"
        (3, TaskStatus.FAILED),
        (9, TaskStatus.UNKNOWN),
    ],
)
def test_every_midi_flag_maps_to_a_shared_status(flag: int, expected: TaskStatus) -> None:
    midi = {"state": "running", "instruments": []} if flag != 1 else MIDI_DATA
    task = provider().midi_status(TASK_ID).parse(record(midiData=midi, successFlag=flag))
    assert task.status is expected


@pytest.mark.parametrize(
    ("note", "path"),
    [
        ({"start": 0, "end": 1, "velocity": 1}, "pitch"),
        ({"pitch": 60, "end": 1, "velocity": 1}, "start"),
        ({"pitch": 200, "start": 0, "end": 1}, "pitch"),
        ({"pitch": 60, "start": "soon", "end": 1}, "start"),
    ],
)
def test_an_unusable_note_is_an_unexpected_response_naming_it(note: Any, path: str) -> None:
    midi = {"state": "complete", "instruments": [{"name": "Bass", "notes": [note]}]}
    with pytest.raises(UnexpectedResponseError, match=rf"notes\[0\]\.{path}"):
        provider().midi_status(TASK_ID).parse(record(midiData=midi, successFlag=1))


def test_a_note_without_velocity_is_played_at_full_strength() -> None:
    midi = {"state": "complete", "instruments": [{"notes": [{"pitch": 60, "start": 0, "end": 1}]}]}
    task = provider().midi_status(TASK_ID).parse(record(midiData=midi, successFlag=1))
    assert task.result is not None
    assert task.result.instruments[0].notes[0].velocity == 1.0
    assert task.result.instruments[0].name == "instrument 1"


# -- video --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["videoUrl", "video_url"])
def test_video_record_gives_the_video_url(key: str) -> None:
    task = (
        provider()
        .video_status(TASK_ID)
        .parse(record(response={key: "https://f/v.mp4"}, successFlag="SUCCESS", musicIndex=0))
    )
    assert task.kind == "video"
    assert task.result is not None
    assert task.result.url == "https://f/v.mp4"


# -- timestamped lyrics -------------------------------------------------------------------------

ALIGNED = {
    "alignedWords": [
        {"word": "[Verse]\nWaggin'", "success": True, "startS": 1.36, "endS": 1.79, "palign": 0},
        {"word": "tails", "success": True, "startS": 1.79, "endS": 2.2, "palign": 0},
        {"word": "[Chorus]\nHey", "success": True, "startS": 9, "endS": "9.5", "palign": 0},
    ],
    "waveformData": [0, 1, 0.5, 0.75],
    "hootCer": 0.3803191489361702,
    "isStreamed": False,
}


def test_timestamped_lyrics_of_the_docs_give_words_sections_and_waveform() -> None:
    aligned = provider().timestamped_lyrics(track()).parse(response(envelope(ALIGNED)))

    assert [(w.text, w.start, w.end, w.section) for w in aligned.words] == [
        ("[Verse]\nWaggin'", 1.36, 1.79, "verse"),
        ("tails", 1.79, 2.2, "verse"),
        ("[Chorus]\nHey", 9.0, 9.5, "chorus"),
    ]
    assert aligned.waveform == (0.0, 1.0, 0.5, 0.75)
    assert aligned.raw["data"]["hootCer"] == ALIGNED["hootCer"]


def test_timestamped_lyrics_in_snake_case_are_read() -> None:
    data = {"aligned_words": [{"word": "la", "start_s": 0, "end_s": 0.5}], "waveform_data": []}
    aligned = provider().timestamped_lyrics(track()).parse(response(envelope(data)))
    assert [(w.text, w.start, w.end, w.section) for w in aligned.words] == [("la", 0, 0.5, None)]


def test_a_word_without_times_is_an_unexpected_response() -> None:
    data = {"alignedWords": [{"word": "la", "startS": 0}]}
    with pytest.raises(UnexpectedResponseError, match=r"alignedWords\[0\]\.endS"):
        provider().timestamped_lyrics(track()).parse(response(envelope(data)))


# -- wrong shapes -------------------------------------------------------------------------------

READS: dict[str, Callable[[SunoProvider], Operation[Any]]] = {
    "lyrics_status": lambda suno: suno.lyrics_status(TASK_ID),
    "wav_status": lambda suno: suno.wav_status(TASK_ID),
    "separation_status": lambda suno: suno.separation_status(TASK_ID),
    "midi_status": lambda suno: suno.midi_status(TASK_ID),
    "video_status": lambda suno: suno.video_status(TASK_ID),
    "cover_art_status": lambda suno: suno.cover_art_status(TASK_ID),
}


@pytest.mark.parametrize("read", sorted(READS))
@pytest.mark.parametrize(
    "data",
    [
        [1, 2],
        "SUCCESS",
        {"successFlag": [1], "status": [1]},
        {"successFlag": "SUCCESS", "status": "SUCCESS", "response": [1], "midiData": [1]},
        {"successFlag": 1, "status": "SUCCESS", "response": "done", "midiData": "done"},
    ],
)
def test_wrong_shapes_are_unexpected_responses(read: str, data: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        READS[read](provider()).parse(response(envelope(data)))


# -- no parser crashes --------------------------------------------------------------------------

SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALAR,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=15,
)
FLAGS = st.sampled_from(
    [0, 1, 2, 3, "0", "1", "PENDING", "SUCCESS", "CALLBACK_EXCEPTION", "GENERATE_WAV_FAILED"]
)
NOTE = st.fixed_dictionaries(
    {}, optional={key: st.one_of(SCALAR, st.just("0.5")) for key in ("pitch", "start", "end")}
)
RESPONSE = st.fixed_dictionaries(
    {},
    optional={
        "data": st.one_of(
            JSON,
            st.lists(
                st.dictionaries(st.sampled_from(["text", "title", "status"]), SCALAR), max_size=2
            ),
        ),
        "lyricsData": JSON,
        "audioWavUrl": SCALAR,
        "videoUrl": SCALAR,
        "vocalUrl": SCALAR,
        "drums_url": SCALAR,
        "originUrl": SCALAR,
        "images": st.one_of(JSON, st.lists(SCALAR, max_size=3)),
    },
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "successFlag": st.one_of(FLAGS, JSON),
        "status": st.one_of(FLAGS, JSON),
        "response": st.one_of(RESPONSE, JSON),
        "errorCode": JSON,
        "errorMessage": JSON,
        "musicId": JSON,
        "midiData": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {},
                optional={
                    "state": st.one_of(st.just("complete"), JSON),
                    "instruments": st.lists(
                        st.fixed_dictionaries(
                            {}, optional={"name": SCALAR, "notes": st.lists(NOTE, max_size=2)}
                        ),
                        max_size=2,
                    ),
                },
            ),
        ),
        "originData": st.one_of(
            JSON,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "id": SCALAR,
                        "stemName": SCALAR,
                        "extract": st.one_of(JSON, st.fixed_dictionaries({"audio_url": SCALAR})),
                        "remove": JSON,
                    },
                ),
                max_size=2,
            ),
        ),
        "vocal_removal_info": JSON,
        "images": JSON,
        "data": JSON,
        "alignedWords": st.one_of(
            JSON,
            st.lists(
                st.fixed_dictionaries(
                    {}, optional={"word": SCALAR, "startS": SCALAR, "endS": SCALAR}
                ),
                max_size=3,
            ),
        ),
        "waveformData": st.one_of(JSON, st.lists(SCALAR, max_size=3)),
        "taskId": JSON,
    },
)
ENVELOPE = st.fixed_dictionaries(
    {
        "code": st.one_of(st.just(200), st.sampled_from([400, 409, 429, 500]), JSON),
        "msg": JSON,
        "data": st.one_of(RECORD, JSON),
    }
)
PARSERS: dict[str, Callable[[SunoProvider], Operation[Any]]] = {
    **READS,
    **{name: build for name, (build, _, _) in SUBMISSIONS.items()},
    "timestamped_lyrics": lambda suno: suno.timestamped_lyrics(track()),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(payload=ENVELOPE, status=st.sampled_from([200, 200, 400, 500]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_json_answer_gives_a_value_or_an_api_error(
    name: str, payload: Any, status: int
) -> None:
    operation = PARSERS[name](provider())
    with contextlib.suppress(APIError):
        operation.parse(response(payload, status))
