"""The typed wire models: Suno and Mureka payloads read through one cattrs converter each.

Payloads come from ``tests/fixtures/suno`` and ``tests/fixtures/mureka``. The functions under test
take the already-decoded payload (Suno: the envelope's ``data``; Mureka: the body), so no HTTP.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen._models import Balance, Generation, TaskStatus, Track
from musicgen.providers._mureka_wire import read_billing, read_task, read_task_id
from musicgen.providers._suno_wire import read_credits, read_record, read_submit
from musicgen.providers._wire import (
    Id,
    Text,
    WireError,
    make_converter,
    register_object,
    structure,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TASK_ID = "09c0edbd9dc50df9b6174a7b240bbcba"
AUDIO = {"id": "a", "audioUrl": "https://cdn.test/a.mp3"}


def suno_data(name: str) -> Any:
    return json.loads((FIXTURES / "suno" / name).read_text(encoding="utf-8"))["data"]


def mureka_body(name: str) -> Any:
    return json.loads((FIXTURES / "mureka" / name).read_text(encoding="utf-8"))


def record(status: str, tracks: list[Any] | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "taskId": TASK_ID,
        "status": status,
        "response": None if tracks is None else {"taskId": TASK_ID, "sunoData": tracks},
    }
    data.update(fields)
    return data


def poll(body: Any, task_id: str = "9", **kwargs: Any) -> Generation:
    kwargs.setdefault("model", None)
    kwargs.setdefault("instrumental", None)
    return read_task(body, task_id=task_id, status_required=True, **kwargs)


def submitted(body: Any, model: str = "auto") -> Generation:
    return read_task(body, task_id=None, model=model, instrumental=False, status_required=False)


def path_of(call: Any) -> str:
    with pytest.raises(WireError) as caught:
        call()
    return caught.value.path


# -- the shared rules (_wire) -----------------------------------------------------------------


@attrs.frozen
class Item:
    name: Text | None = None
    size: float | None = None
    ident: Id | None = None
    rank: int | None = None
    exact: str | None = None


@attrs.frozen
class Box:
    items: tuple[Item, ...] = ()
    label: Text | None = None


def converter_for_box() -> Any:
    converter = make_converter()
    register_object(converter, Item, name=("itemName", "item_name"))
    register_object(converter, Box)
    return converter


BOXES = converter_for_box()


def read_box(payload: Any) -> Box:
    return structure(BOXES, payload, Box, path="$")


def read_item(payload: Any) -> Item:
    return read_box({"items": [payload]}).items[0]


def test_wire_error_reads_as_detail_at_path() -> None:
    error = WireError("$.choices[0].duration", "expected a number, got 'long'")

    assert str(error) == "expected a number, got 'long' at $.choices[0].duration"
    assert (error.path, error.detail) == ("$.choices[0].duration", "expected a number, got 'long'")


def test_wire_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(WireError("$.id", "no task id")))

    assert (error.path, error.detail) == ("$.id", "no task id")


def test_error_path_spells_the_key_that_was_read() -> None:
    with pytest.raises(WireError) as caught:
        read_box({"items": [{}, {"item_name": 5}]})

    assert caught.value.path == "$.items[1].item_name"
    assert caught.value.detail == "expected a string, got int"


def test_error_path_starts_at_the_given_root() -> None:
    with pytest.raises(WireError) as caught:
        structure(BOXES, {"label": []}, Box, path="$.data")

    assert caught.value.path == "$.data.label"


def test_text_is_stripped() -> None:
    assert read_item({"itemName": "  hello \n"}).name == "hello"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_is_none(blank: str) -> None:
    assert read_item({"itemName": blank}).name is None


def test_first_spelling_with_content_wins() -> None:
    assert read_item({"itemName": "camel", "item_name": "snake"}).name == "camel"


def test_blank_spelling_yields_to_one_with_content() -> None:
    assert read_item({"itemName": " ", "item_name": "snake"}).name == "snake"


def test_null_spelling_yields_to_the_next() -> None:
    assert read_item({"itemName": None, "item_name": "snake"}).name == "snake"


def test_exact_str_keeps_whitespace_and_blanks() -> None:
    assert read_item({"exact": " Running "}).exact == " Running "
    assert read_item({"exact": ""}).exact == ""


@pytest.mark.parametrize(
    ("raw", "number"), [(3, 3.0), (2.5, 2.5), ("187.36", 187.36), (" 7 ", 7.0)]
)
def test_numbers_accept_numeric_strings(raw: Any, number: float) -> None:
    assert read_item({"size": raw}).size == number


@pytest.mark.parametrize("raw", [True, False, "long", "nan", "inf", float("nan"), [1], {"n": 1}])
def test_bools_non_finite_and_non_numeric_values_are_not_numbers(raw: Any) -> None:
    assert path_of(lambda: read_item({"size": raw})) == "$.items[0].size"


def test_an_out_of_range_number_is_a_wire_error() -> None:
    assert path_of(lambda: read_item({"size": 10**400})) == "$.items[0].size"


@pytest.mark.parametrize(("raw", "ident"), [(42, "42"), (" abc ", "abc"), ("", None)])
def test_ids_may_be_ints_or_strings(raw: Any, ident: str | None) -> None:
    assert read_item({"ident": raw}).ident == ident


@pytest.mark.parametrize("raw", [True, 1.5, ["x"]])
def test_ids_of_another_type_are_wire_errors(raw: Any) -> None:
    assert path_of(lambda: read_item({"ident": raw})) == "$.items[0].ident"


@pytest.mark.parametrize("raw", ["1", 1.0, True])
def test_integers_must_be_json_integers(raw: Any) -> None:
    assert path_of(lambda: read_item({"rank": raw})) == "$.items[0].rank"


@pytest.mark.parametrize("raw", ["ab", {"0": {}}, "", {}])
def test_only_a_json_array_is_a_list(raw: Any) -> None:
    with pytest.raises(WireError) as caught:
        read_box({"items": raw})

    assert caught.value.path == "$.items"
    assert "expected a list" in caught.value.detail


def test_a_list_item_that_is_not_an_object_is_named_by_index() -> None:
    assert path_of(lambda: read_box({"items": [{}, {}, None]})) == "$.items[2]"


def test_unknown_and_null_fields_are_ignored() -> None:
    box = read_box({"items": [{"future": {"x": [1]}, "size": None}], "label": None, "new": 1})

    assert box == Box(items=(Item(),))


def test_register_object_refuses_a_spelling_for_a_missing_attribute() -> None:
    with pytest.raises(TypeError, match="nope"):
        register_object(make_converter(), Item, nope=("x",))


# -- Suno: submit -----------------------------------------------------------------------------


def test_suno_submit_reads_the_task_id() -> None:
    assert read_submit(suno_data("submit_live.json")) == TASK_ID


@pytest.mark.parametrize(
    ("data", "task_id"), [({"task_id": "abc"}, "abc"), ({"taskId": 123}, "123")]
)
def test_suno_submit_accepts_snake_case_and_int_ids(data: Any, task_id: str) -> None:
    assert read_submit(data) == task_id


@pytest.mark.parametrize("data", [None, {}, {"taskId": ""}, {"taskId": None}, ["abc"], "abc"])
def test_suno_submit_without_a_task_id_is_a_wire_error_naming_task_id(data: Any) -> None:
    with pytest.raises(WireError, match="taskId"):
        read_submit(data)


# -- Suno: record-info ------------------------------------------------------------------------


def test_suno_data_null_is_a_queued_pending_task() -> None:
    generation = read_record(None, task_id=TASK_ID, instrumental=True)

    assert generation == Generation(
        task_id=TASK_ID,
        provider="suno",
        model=None,
        status=TaskStatus.QUEUED,
        provider_status="PENDING",
        instrumental=True,
    )


def test_suno_raw_is_the_given_envelope() -> None:
    envelope = {"code": 200, "msg": "success", "data": None}

    generation = read_record(None, task_id=TASK_ID, instrumental=None, raw=envelope)

    assert generation.raw == envelope


def test_suno_raw_defaults_to_the_data_under_its_envelope_key() -> None:
    data = record("PENDING")

    assert read_record(data, task_id=TASK_ID, instrumental=None).raw == {"data": data}


@pytest.mark.parametrize(
    ("provider_status", "expected"),
    [
        ("PENDING", TaskStatus.QUEUED),
        ("TEXT_SUCCESS", TaskStatus.RUNNING),
        ("FIRST_SUCCESS", TaskStatus.RUNNING),
        ("SUCCESS", TaskStatus.SUCCEEDED),
        ("CREATE_TASK_FAILED", TaskStatus.FAILED),
        ("GENERATE_AUDIO_FAILED", TaskStatus.FAILED),
        ("SENSITIVE_WORD_ERROR", TaskStatus.FAILED),
        ("CALLBACK_EXCEPTION", TaskStatus.SUCCEEDED),
        ("GENERATING", TaskStatus.RUNNING),
        ("FAILED", TaskStatus.FAILED),
        ("RUNNING", TaskStatus.RUNNING),
        ("PROCESSING", TaskStatus.RUNNING),
        (" success ", TaskStatus.SUCCEEDED),
        ("QUEUED_FOR_MIXING", TaskStatus.UNKNOWN),
        ("", TaskStatus.UNKNOWN),
    ],
)
def test_suno_status_maps_and_is_reported_unchanged(
    provider_status: str, expected: TaskStatus
) -> None:
    generation = read_record(record(provider_status, [AUDIO]), task_id=TASK_ID, instrumental=None)

    assert generation.status is expected
    assert generation.provider_status == provider_status


def test_suno_missing_status_is_unknown() -> None:
    generation = read_record({"taskId": TASK_ID}, task_id=TASK_ID, instrumental=None)

    assert (generation.status, generation.provider_status) == (TaskStatus.UNKNOWN, "")


@pytest.mark.parametrize("tracks", [None, [], [AUDIO, {"id": "b", "audioUrl": ""}], [{"id": "b"}]])
def test_suno_callback_exception_without_audio_on_every_track_failed(tracks: Any) -> None:
    generation = read_record(record("CALLBACK_EXCEPTION", tracks), task_id="t", instrumental=None)

    assert generation.status is TaskStatus.FAILED
    assert generation.error == "the task ended in CALLBACK_EXCEPTION before every track had audio"


def test_suno_live_failure_reports_message_and_error_code() -> None:
    generation = read_record(
        suno_data("record_info_live_failure.json"), task_id="t", instrumental=None
    )

    assert generation.status is TaskStatus.FAILED
    assert generation.error == "Internal Error, Please try again later. (errorCode 500)"


def test_suno_snake_case_error_fields_are_read() -> None:
    data = record("FAILED", error_message="boom", error_code="E42")

    assert read_record(data, task_id="t", instrumental=None).error == "boom (errorCode E42)"


def test_suno_failure_without_a_message_gets_the_status_text() -> None:
    generation = read_record(record("CREATE_TASK_FAILED"), task_id="t", instrumental=None)

    assert generation.error == "Suno could not create the task"


def test_suno_failed_without_a_message_says_the_task_failed() -> None:
    generation = read_record(record("FAILED"), task_id="t", instrumental=None)

    assert generation.error == "the task failed"


def test_suno_sensitive_word_error_is_a_content_filter_refusal_with_the_detail() -> None:
    data = record("SENSITIVE_WORD_ERROR", errorMessage="Contains banned words")

    error = read_record(data, task_id="t", instrumental=None).error

    assert error is not None
    assert error.startswith("content-filter refusal")
    assert error.endswith(": Contains banned words")


@pytest.mark.parametrize("provider_status", ["PENDING", "SUCCESS", "WHATEVER"])
def test_suno_error_is_none_unless_the_task_failed(provider_status: str) -> None:
    data = record(provider_status, [AUDIO], errorMessage="stale text")

    assert read_record(data, task_id="t", instrumental=None).error is None


def test_suno_model_and_instrumental_come_from_the_param_string() -> None:
    generation = read_record(
        suno_data("record_info_live_pending.json"), task_id=TASK_ID, instrumental=True
    )

    assert (generation.model, generation.instrumental) == ("V4", False)


def test_suno_param_may_be_an_object() -> None:
    generation = read_record(
        suno_data("record_info_callback_items.json"), task_id="t", instrumental=None
    )

    assert (generation.model, generation.instrumental) == ("V4_5", False)


@pytest.mark.parametrize(
    "param",
    ["{...JSON string of original request...}", "[1, 2]", 5, {"model": 5, "instrumental": "yes"}],
)
def test_suno_unreadable_param_is_empty_and_never_an_error(param: Any) -> None:
    generation = read_record(record("PENDING", param=param), task_id="t", instrumental=True)

    assert (generation.model, generation.instrumental) == (None, True)


def test_suno_docs_example_reads_a_complete_track() -> None:
    generation = read_record(
        suno_data("record_info_docs_success.json"), task_id="t", instrumental=None
    )

    assert generation.tracks == (
        Track(
            id="8551****662c",
            audio_url="https://example.cn/****.mp3",
            stream_url="https://example.cn/****",
            image_url="https://example.cn/****.jpeg",
            duration=198.44,
            title="Track Title",
            lyrics="[Verse] lyrics content",
            tags=("electrifying", "rock"),
            index=0,
        ),
    )


def test_suno_partial_items_keep_what_they_have() -> None:
    generation = read_record(
        suno_data("record_info_live_success.json"), task_id="t", instrumental=None
    )

    assert generation.tracks[1] == Track(
        id="7d3a0f7b-b0d2-481e-8ae5-f1e54ef9b39a",
        audio_url="https://tempfile.aiquickdraw.com/r/yyyy.mp3",
        duration=192.0,
        index=1,
    )


def test_suno_stream_and_image_fall_back_to_source_urls() -> None:
    (track,) = read_record(
        suno_data("record_info_text_success.json"), task_id="t", instrumental=None
    ).tracks

    assert track.stream_url == "https://cdn1.suno.ai/e231b6a2-7c1d-4f0e-9a55-2b8f8cadc7dc.mp3"
    assert track.image_url == (
        "https://cdn2.suno.ai/image_e231b6a2-7c1d-4f0e-9a55-2b8f8cadc7dc.jpeg"
    )


def test_suno_audio_url_never_falls_back_to_the_expiring_source_url() -> None:
    item = {"id": "a", "audioUrl": "", "sourceAudioUrl": "https://cdn1.suno.ai/a.mp3"}

    (track,) = read_record(record("FIRST_SUCCESS", [item]), task_id="t", instrumental=None).tracks

    assert track.audio_url is None


def test_suno_snake_case_callback_items_are_read() -> None:
    first, _ = read_record(
        suno_data("record_info_callback_items.json"), task_id="t", instrumental=None
    ).tracks

    assert (first.audio_url, first.stream_url, first.image_url) == (
        "https://apiboxfiles.erweima.ai/Nzgz.mp3",
        "https://mfile.erweima.ai/Nzgz",
        "https://apiboxfiles.erweima.ai/Nzgz.jpeg",
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [("synthwave, retro, upbeat ", ("synthwave", "retro", "upbeat")), ([" a ", "", None], ("a",))],
)
def test_suno_tags_are_split_and_stripped(tags: Any, expected: tuple[str, ...]) -> None:
    (track,) = read_record(
        record("SUCCESS", [{"id": "a", "tags": tags}]), task_id="t", instrumental=None
    ).tracks

    assert track.tags == expected


def test_suno_track_text_is_stripped() -> None:
    item = {"id": " a ", "audioUrl": " https://cdn.test/a.mp3 ", "title": " Rain\n"}

    (track,) = read_record(record("SUCCESS", [item]), task_id="t", instrumental=None).tracks

    assert (track.id, track.audio_url, track.title) == ("a", "https://cdn.test/a.mp3", "Rain")


def test_suno_track_without_id_uses_its_index() -> None:
    data = record("TEXT_SUCCESS", [{"title": "a"}, {"id": "", "title": "b"}])

    generation = read_record(data, task_id="t", instrumental=None)

    assert [track.id for track in generation.tracks] == ["0", "1"]


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(198.44, 198.44), (180, 180.0), ("187.36", 187.36), ("n/a", None), (True, None), ([1], None)],
)
def test_suno_unreadable_duration_is_none(raw: Any, seconds: float | None) -> None:
    (track,) = read_record(
        record("SUCCESS", [{"id": "a", "duration": raw}]), task_id="t", instrumental=None
    ).tracks

    assert track.duration == seconds


@pytest.mark.parametrize("key", ["suno_data", "data"])
def test_suno_track_list_may_use_other_spellings(key: str) -> None:
    data = {"status": "SUCCESS", "response": {key: [AUDIO]}}

    (track,) = read_record(data, task_id="t", instrumental=None).tracks

    assert track.audio_url == AUDIO["audioUrl"]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([1, 2], "$.data"),
        ("PENDING", "$.data"),
        ({"status": 3}, "$.data.status"),
        ({"response": [1]}, "$.data.response"),
        ({"response": "done"}, "$.data.response"),
        ({"response": {"sunoData": {"id": "a"}}}, "$.data.response.sunoData"),
        ({"response": {"suno_data": "a,b"}}, "$.data.response.suno_data"),
        ({"response": {"sunoData": [AUDIO, None]}}, "$.data.response.sunoData[1]"),
        ({"response": {"sunoData": [{"audioUrl": 5}]}}, "$.data.response.sunoData[0].audioUrl"),
        ({"response": {"sunoData": [{"tags": ["a", 3]}]}}, "$.data.response.sunoData[0].tags[1]"),
        ({"errorMessage": ["x"]}, "$.data.errorMessage"),
        ({"errorCode": {"x": 1}}, "$.data.errorCode"),
    ],
)
def test_suno_wrong_shapes_are_wire_errors_naming_the_path(data: Any, path: str) -> None:
    assert path_of(lambda: read_record(data, task_id="t", instrumental=None)) == path


# -- Suno: credits ----------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "amount"), [(100, 100.0), ("250", 250.0), (12.5, 12.5), (0, 0.0)])
def test_suno_credits_are_a_number_or_numeric_string(data: Any, amount: float) -> None:
    assert read_credits(data) == amount


@pytest.mark.parametrize("data", [None, True, "lots", {"credits": 5}, [5], float("nan")])
def test_suno_credits_that_are_not_a_finite_number_are_wire_errors(data: Any) -> None:
    assert path_of(lambda: read_credits(data)) == "$.data"


# -- Mureka: submit answers -------------------------------------------------------------------


def test_mureka_submit_answer_is_a_preparing_task_with_the_resolved_model() -> None:
    generation = submitted(mureka_body("submit_live_2026.json"), model="auto")

    assert generation == Generation(
        task_id="130387735019522",
        provider="mureka",
        model="mureka-8",
        status=TaskStatus.PREPARING,
        provider_status="preparing",
        instrumental=False,
    )
    assert generation.raw == mureka_body("submit_live_2026.json")


@pytest.mark.parametrize("model", [None, "", "  "])
def test_mureka_answer_without_a_model_falls_back_to_the_argument(model: Any) -> None:
    generation = submitted({"id": "1", "status": "preparing", "model": model}, model="mureka-7.6")

    assert generation.model == "mureka-7.6"


def test_mureka_submit_accepts_a_numeric_task_id() -> None:
    assert submitted({"id": 130387735019522, "status": "preparing"}).task_id == "130387735019522"


def test_mureka_submit_without_status_is_unknown() -> None:
    generation = submitted({"id": "77"})

    assert (generation.status, generation.provider_status) == (TaskStatus.UNKNOWN, "")


@pytest.mark.parametrize("body", [{"status": "preparing"}, {"id": None}, {"id": ""}])
def test_mureka_submit_without_a_task_id_is_a_wire_error_at_id(body: Any) -> None:
    assert path_of(lambda: submitted(body)) == "$.id"
    assert path_of(lambda: read_task_id(body)) == "$.id"


@pytest.mark.parametrize("body", [{"id": 1.5}, {"id": True}, {"id": ["1"]}])
def test_mureka_task_id_of_the_wrong_type_is_a_wire_error(body: Any) -> None:
    assert path_of(lambda: read_task_id(body)) == "$.id"


def test_mureka_poll_does_not_read_the_body_id() -> None:
    assert poll({"id": ["odd"], "status": "running"}, task_id="9").task_id == "9"


# -- Mureka: polls ----------------------------------------------------------------------------


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
        (" Timeouted ", TaskStatus.TIMED_OUT),
        ("processing", TaskStatus.UNKNOWN),
        ("", TaskStatus.UNKNOWN),
    ],
)
def test_mureka_status_maps_and_is_reported_unchanged(raw: str, expected: TaskStatus) -> None:
    generation = poll({"id": "9", "status": raw})

    assert generation.status is expected
    assert generation.provider_status == raw


def test_mureka_poll_requires_a_status() -> None:
    assert path_of(lambda: poll({"id": "9"})) == "$.status"


def test_mureka_live_succeeded_query_yields_its_tracks() -> None:
    generation = poll(mureka_body("query_succeeded_live.json"), task_id="130387735019522")

    first, second = generation.tracks
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.model == "mureka-8"
    assert (first.id, first.index, second.id, second.index) == (
        "130387817418754",
        0,
        "130387817418755",
        1,
    )
    assert first.wav_url is not None
    assert first.wav_url.endswith(".wav")


def test_mureka_durations_in_milliseconds_become_seconds() -> None:
    generation = poll(mureka_body("query_succeeded_live.json"), task_id="t")

    assert [track.duration for track in generation.tracks] == [
        pytest.approx(91.051),
        pytest.approx(104.32),
    ]


def test_mureka_lyrics_join_the_line_texts_and_sections_may_lack_lines() -> None:
    generation = poll(mureka_body("query_succeeded_live.json"), task_id="t")

    assert generation.tracks[0].lyrics == (
        "City lights are fading slow\nFootsteps echo, nowhere to go\nHold on to the night"
    )


def test_mureka_blank_lyric_lines_are_dropped() -> None:
    sections = [{"lines": [{"text": " la "}, {"text": ""}, {}, {"text": "di"}]}, {"lines": []}]
    body = {"status": "succeeded", "choices": [{"url": "u", "lyrics_sections": sections}]}

    assert poll(body).tracks[0].lyrics == "la\ndi"


def test_mureka_choices_without_id_get_task_id_and_index() -> None:
    generation = poll(mureka_body("query_succeeded_2025.json"), task_id="72041034285057")

    assert [track.id for track in generation.tracks] == ["72041034285057-0", "72041034285057-1"]
    assert generation.tracks[1].lyrics is None


def test_mureka_streaming_tracks_expose_stream_urls() -> None:
    generation = poll(mureka_body("query_streaming.json"), task_id="t")

    assert generation.status is TaskStatus.STREAMING
    assert all(track.stream_url and track.audio_url is None for track in generation.tracks)


def test_mureka_instrumental_flag_comes_from_the_argument() -> None:
    body = mureka_body("query_instrumental_succeeded.json")

    assert poll(body, instrumental=True).instrumental is True


@pytest.mark.parametrize(
    "choices",
    [
        None,
        [],
        [{"index": 0, "duration": 1000}],
        [{"id": "a", "stream_url": "https://stream.mureka.ai/a"}],
        [{"id": "a", "url": "", "flac_url": None}],
    ],
)
def test_mureka_succeeded_without_any_audio_is_a_failure(choices: Any) -> None:
    generation = poll({"id": "9", "status": "succeeded", "choices": choices})

    assert (generation.status, generation.error) == (
        TaskStatus.FAILED,
        "succeeded without any audio",
    )
    assert generation.provider_status == "succeeded"


def test_mureka_failed_task_carries_the_failed_reason() -> None:
    generation = poll(mureka_body("query_failed.json"))

    assert generation.error == "The lyrics contain content that cannot be processed."


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("failed", "Mureka reported the task as failed without giving a reason"),
        ("timeouted", "the task timed out at Mureka"),
        ("cancelled", "the task was cancelled at Mureka"),
    ],
)
def test_mureka_failure_without_a_reason_gets_a_default(raw: str, error: str) -> None:
    assert poll({"id": "9", "status": raw, "failed_reason": " "}).error == error


def test_mureka_running_task_has_no_error() -> None:
    assert poll({"id": "9", "status": "running", "failed_reason": "stale"}).error is None


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"status": 3}, "$.status"),
        ({"status": "running", "model": 8}, "$.model"),
        ({"status": "failed", "failed_reason": {"code": 1}}, "$.failed_reason"),
        ({"status": "succeeded", "choices": {"0": {}}}, "$.choices"),
        ({"status": "succeeded", "choices": ["https://x/a.mp3"]}, "$.choices[0]"),
        ({"status": "succeeded", "choices": [{}, {"url": 5}]}, "$.choices[1].url"),
        ({"status": "succeeded", "choices": [{"index": "1"}]}, "$.choices[0].index"),
        ({"status": "succeeded", "choices": [{"index": True}]}, "$.choices[0].index"),
        ({"status": "succeeded", "choices": [{"id": ["x"]}]}, "$.choices[0].id"),
        ({"status": "succeeded", "choices": [{"duration": "long"}]}, "$.choices[0].duration"),
        ({"status": "succeeded", "choices": [{"duration": True}]}, "$.choices[0].duration"),
        ({"status": "succeeded", "choices": [{"duration": float("inf")}]}, "$.choices[0].duration"),
        (
            {"status": "succeeded", "choices": [{"lyrics_sections": "la"}]},
            "$.choices[0].lyrics_sections",
        ),
        (
            {"status": "succeeded", "choices": [{"lyrics_sections": [1]}]},
            "$.choices[0].lyrics_sections[0]",
        ),
        (
            {"status": "succeeded", "choices": [{"lyrics_sections": [{"lines": [{"text": 1}]}]}]},
            "$.choices[0].lyrics_sections[0].lines[0].text",
        ),
        ([], "$"),
    ],
)
def test_mureka_wrong_types_are_wire_errors_naming_the_path(body: Any, path: str) -> None:
    assert path_of(lambda: poll(body)) == path


# -- Mureka: billing --------------------------------------------------------------------------


def test_mureka_billing_is_a_balance_in_cents_keeping_the_body() -> None:
    body = mureka_body("billing.json")

    balance = read_billing(body)

    assert balance == Balance(provider="mureka", amount=1234, unit="cents", concurrent_limit=5)
    assert balance.raw == body


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"account_id": 1}, "$.balance"),
        ({"balance": None}, "$.balance"),
        ({"balance": "lots"}, "$.balance"),
        ({"balance": True}, "$.balance"),
        ("1234", "$"),
    ],
)
def test_mureka_billing_without_a_numeric_balance_is_a_wire_error(body: Any, path: str) -> None:
    assert path_of(lambda: read_billing(body)) == path


# -- never crashes ----------------------------------------------------------------------------

SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALAR,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
# Real keys with random values, so the readers below the top level get exercised too.
LEAF = SCALAR | st.lists(SCALAR, max_size=2) | st.dictionaries(st.text(max_size=4), SCALAR)
SUNO_TRACK = st.fixed_dictionaries(
    {},
    optional={
        key: LEAF
        for key in (
            "id",
            "audioUrl",
            "audio_url",
            "streamAudioUrl",
            "sourceStreamAudioUrl",
            "imageUrl",
            "source_image_url",
            "prompt",
            "title",
            "tags",
            "duration",
        )
    },
)
SUNO_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["PENDING", "SUCCESS", "CALLBACK_EXCEPTION", "FAILED"]) | JSON,
        "param": JSON | JSON.map(json.dumps),
        "response": JSON
        | st.fixed_dictionaries(
            {}, optional={"sunoData": JSON | st.lists(SUNO_TRACK, max_size=3), "data": JSON}
        ),
        "errorCode": JSON,
        "errorMessage": JSON,
        "error_message": JSON,
    },
)
MUREKA_LINE = st.fixed_dictionaries({}, optional={"text": JSON})
MUREKA_SECTION = st.fixed_dictionaries(
    {}, optional={"lines": st.lists(MUREKA_LINE, max_size=3) | JSON}
)
MUREKA_CHOICE = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON,
        "index": st.integers(-2, 5) | JSON,
        "url": st.text(max_size=10) | JSON,
        "flac_url": JSON,
        "stream_url": JSON,
        "duration": st.integers() | st.text(max_size=8) | JSON,
        "lyrics_sections": st.lists(MUREKA_SECTION, max_size=3) | JSON,
    },
)
MUREKA_TASK = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON,
        "model": st.text(max_size=10) | JSON,
        "status": st.sampled_from(["preparing", "succeeded", "failed", "odd"]) | JSON,
        "failed_reason": JSON,
        "choices": st.lists(MUREKA_CHOICE, max_size=3) | JSON,
    },
)
NEVER_CRASHES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@NEVER_CRASHES
@given(data=SUNO_RECORD | JSON, instrumental=st.sampled_from([None, True, False]))
def test_suno_record_of_any_shape_is_a_generation_or_a_wire_error(
    data: Any, instrumental: bool | None
) -> None:
    try:
        generation = read_record(data, task_id="t", instrumental=instrumental)
    except WireError as error:
        failure = error
    else:
        assert isinstance(generation.status, TaskStatus)
        assert all(isinstance(track.id, str) and track.id for track in generation.tracks)
        return
    assert failure.path.startswith("$.data")


@NEVER_CRASHES
@given(data=JSON | st.fixed_dictionaries({}, optional={"taskId": LEAF, "task_id": LEAF}))
def test_suno_submit_of_any_shape_is_a_task_id_or_a_wire_error(data: Any) -> None:
    try:
        task_id = read_submit(data)
    except WireError:
        return
    assert task_id
    assert task_id == task_id.strip()


@NEVER_CRASHES
@given(data=JSON)
def test_suno_credits_of_any_shape_are_a_finite_number_or_a_wire_error(data: Any) -> None:
    try:
        amount = read_credits(data)
    except WireError:
        return
    assert isinstance(amount, float)
    assert amount - amount == 0  # finite


@NEVER_CRASHES
@given(body=MUREKA_TASK | JSON, task_id=st.sampled_from([None, "t"]), required=st.booleans())
def test_mureka_task_of_any_shape_is_a_generation_or_a_wire_error(
    body: Any, task_id: str | None, required: bool
) -> None:
    try:
        generation = read_task(
            body, task_id=task_id, model=None, instrumental=None, status_required=required
        )
    except WireError as error:
        failure = error
    else:
        assert isinstance(generation.status, TaskStatus)
        assert all(isinstance(track.id, str) and track.id for track in generation.tracks)
        return
    assert failure.path.startswith("$")


@NEVER_CRASHES
@given(body=JSON | st.fixed_dictionaries({}, optional={"balance": JSON}))
def test_mureka_billing_of_any_shape_is_a_balance_or_a_wire_error(body: Any) -> None:
    try:
        balance = read_billing(body)
    except WireError:
        return
    assert balance.unit == "cents"
