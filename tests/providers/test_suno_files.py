"""Suno's files and voices, tested sans-I/O: the requests built, the answers read.

Uploads (endpoints.md §1.17), personas (§1.9), style boost (§1.16), Suno Voice (§1.18) and
recovery (§1.19). Payloads follow the docs' samples; where the docs conflict both are read.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen import (
    APIError,
    AuthenticationError,
    BadRequestError,
    Generation,
    NotFoundError,
    ServerError,
    TaskStatus,
    Track,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen._operations import Operation
from musicgen._results import Persona, StyleBoost, Task, Upload, Voice, VoicePhrase
from musicgen.providers._suno_files import (
    DEFAULT_UPLOAD_PATH,
    MAX_BASE64_UPLOAD_BYTES,
    MAX_UPLOAD_BYTES,
)
from musicgen.providers.suno import DEFAULT_UPLOAD_BASE_URL, PLACEHOLDER_CALLBACK_URL, SunoProvider

KEY = "sk-test-planted-secret-0123456789"
TASK_ID = "09c0edbd9dc50df9b6174a7b240bbcba"
AUDIO_ID = "e231****-****-****-****-****8cadc7dc"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
UPLOADED = {
    "success": True,
    "code": 200,
    "msg": "File uploaded successfully",
    "data": {
        "fileName": "uploaded-image.png",
        "filePath": "images/user-uploads/uploaded-image.png",
        "downloadUrl": "https://tempfile.redpandaai.co/xxx/images/user-uploads/uploaded-image.png",
        "fileSize": 154832,
        "mimeType": "image/png",
        "uploadedAt": "2025-01-01T12:00:00.000Z",
    },
}
# 2025-01-01T12:00:00Z + 3 days.
EXPIRES = 1735732800.0 + 3 * 24 * 3600


def provider(**kwargs: Any) -> SunoProvider:
    kwargs.setdefault("api_key", KEY)
    return SunoProvider(**kwargs)


def response(
    payload: Any = None, status: int = 200, *, content: bytes | None = None
) -> httpx.Response:
    request = httpx.Request("POST", "https://api.sunoapi.org/api/v1/test")
    if content is not None:
        return httpx.Response(status, content=content, request=request)
    return httpx.Response(status, json=payload, request=request)


def envelope(data: Any, code: Any = 200, msg: str = "success") -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data}


def body_of(request: httpx.Request) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(request.content)
    return decoded


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """Field name -> (file name, content) of a multipart body."""
    boundary = re.search(r"boundary=([^;]+)", request.headers["content-type"])
    assert boundary is not None
    fields: dict[str, tuple[str | None, bytes]] = {}
    for chunk in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        text = head.decode()
        name = re.search(r'; name="([^"]*)"', text)
        filename = re.search(r'filename="([^"]*)"', text)
        assert name is not None
        fields[name.group(1)] = (filename.group(1) if filename else None, content[:-2])
    return fields


def track(duration: float | None = 60.0) -> Track:
    return Track(
        id=AUDIO_ID, audio_url="https://cdn.test/a.mp3", duration=duration, task_id=TASK_ID
    )


# ---------------------------------------------------------------------------------------------
# Uploads: requests
# ---------------------------------------------------------------------------------------------


def test_url_upload_posts_json_to_the_upload_host_without_api_prefix() -> None:
    request = provider().upload("https://files.test/songs/my%20song.mp3").request
    assert request.method == "POST"
    assert str(request.url) == f"{DEFAULT_UPLOAD_BASE_URL}/api/file-url-upload"
    body = body_of(request)
    assert body["fileUrl"] == "https://files.test/songs/my%20song.mp3"
    assert body["uploadPath"] == DEFAULT_UPLOAD_PATH


def test_url_upload_default_name_keeps_the_urls_name_and_adds_a_digest_of_the_url() -> None:
    first = body_of(provider().upload("https://a.test/x/song.mp3").request)["fileName"]
    second = body_of(provider().upload("https://b.test/y/song.mp3").request)["fileName"]
    assert re.fullmatch(r"song-[0-9a-f]{12}\.mp3", first)
    assert first != second  # same name, different files: neither replaces the other


def test_an_explicit_filename_is_sent_as_given() -> None:
    body = body_of(provider().upload("https://a.test/x.mp3", filename="mine.mp3").request)
    assert body["fileName"] == "mine.mp3"


def test_bytes_are_streamed_as_multipart_with_the_documented_field_names() -> None:
    request = provider().upload(WAV, filename="take.wav").request
    assert str(request.url) == f"{DEFAULT_UPLOAD_BASE_URL}/api/file-stream-upload"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    fields = multipart_fields(request)
    assert set(fields) == {"file", "uploadPath", "fileName"}
    assert fields["file"] == ("take.wav", WAV)
    assert fields["uploadPath"] == (None, b"musicgen")
    assert fields["fileName"] == (None, b"take.wav")


def test_the_file_part_carries_the_sniffed_content_type() -> None:
    request = provider().upload(WAV).request
    assert b"Content-Type: audio/wav" in request.content


def test_bytes_without_a_name_get_a_content_digest_name_with_the_sniffed_extension() -> None:
    name = multipart_fields(provider().upload(WAV).request)["fileName"][1].decode()
    assert re.fullmatch(r"upload-[0-9a-f]{12}\.wav", name)
    other = multipart_fields(provider().upload(WAV + b"x").request)["fileName"][1].decode()
    assert other != name


def test_a_file_path_is_read_and_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "vocals.wav"
    path.write_bytes(WAV)
    for source in (path, str(path)):
        fields = multipart_fields(provider().upload(source).request)
        assert fields["file"][1] == WAV
        assert re.fullmatch(r"vocals-[0-9a-f]{12}\.wav", fields["fileName"][1].decode())


def test_upload_request_body_is_materialised_and_keyed_by_content() -> None:
    first = provider().upload(WAV, filename="a.wav")
    second = provider().upload(WAV, filename="a.wav")
    assert first.request.content  # readable: no RequestNotRead
    assert first.paid is False
    # Boundaries are random; the identity of an upload is not.
    assert first.request.content != second.request.content
    assert first.fingerprint() == second.fingerprint()


def test_upload_host_follows_an_emulator_base_url() -> None:
    request = provider(base_url="http://localhost:8000").upload(WAV).request
    assert str(request.url) == "http://localhost:8000/api/file-stream-upload"


def test_upload_path_is_sent_and_checked() -> None:
    fields = multipart_fields(provider().upload(WAV, upload_path="a/b").request)
    assert fields["uploadPath"] == (None, b"a/b")
    for bad in ("/a", "a/", "", "a//b", "a/../b"):
        with pytest.raises(ValidationError) as info:
            provider().upload(WAV, upload_path=bad)
        assert info.value.field == "upload_path"


def test_base64_upload_sends_a_data_uri() -> None:
    request = provider().upload_base64(WAV, filename="t.wav").request
    assert str(request.url) == f"{DEFAULT_UPLOAD_BASE_URL}/api/file-base64-upload"
    body = body_of(request)
    assert body["base64Data"] == "data:audio/wav;base64," + base64.b64encode(WAV).decode()
    assert body["uploadPath"] == "musicgen"
    assert body["fileName"] == "t.wav"


# ---------------------------------------------------------------------------------------------
# Uploads: validation before any request
# ---------------------------------------------------------------------------------------------


def test_a_purpose_is_refused_naming_mureka() -> None:
    with pytest.raises(ValidationError) as info:
        provider().upload(WAV, purpose="audio")
    assert info.value.field == "purpose"
    assert "Mureka" in info.value.message


def test_empty_bytes_are_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        provider().upload(b"")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        provider().upload(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no file at"):
        provider().upload(tmp_path / "nope.wav")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="folder"):
        provider().upload(tmp_path)


def test_an_oversized_file_is_refused_from_its_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.wav"
    with path.open("wb") as file:  # sparse: nothing is written but the size
        file.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ValidationError) as info:
        provider().upload(path)
    assert "100.0 MB" in info.value.message


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"limit is 100\.0 MB"):
        provider().upload(bytes(MAX_UPLOAD_BYTES + 1))


def test_base64_refuses_more_than_10_mb_and_points_at_upload() -> None:
    with pytest.raises(ValidationError) as info:
        provider().upload_base64(bytes(MAX_BASE64_UPLOAD_BYTES + 1))
    assert "upload()" in info.value.message


def test_a_non_http_url_is_refused() -> None:
    with pytest.raises(ValidationError, match="http"):
        provider().upload("ftp://files.test/a.mp3")


@pytest.mark.parametrize("name", ["a/b.mp3", "..", "  ", "x" * 201])
def test_bad_filenames_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        provider().upload(WAV, filename=name)
    assert info.value.field == "filename"


def test_an_unsupported_source_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="int"):
        provider().upload(5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Uploads: answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda p: p.upload(WAV), lambda p: p.upload("https://a.test/a")])
def test_upload_answer_becomes_an_upload_expiring_three_days_later(
    make: Callable[[SunoProvider], Operation[Upload]],
) -> None:
    upload = make(provider()).parse(response(UPLOADED))
    assert upload == Upload(
        provider="suno",
        url=UPLOADED["data"]["downloadUrl"],  # type: ignore[index]
        filename="uploaded-image.png",
        size=154832,
        expires_at=EXPIRES,
    )
    assert upload.raw["success"] is True


def test_an_unreadable_upload_time_leaves_expiry_unknown() -> None:
    payload = {**UPLOADED, "data": {**UPLOADED["data"], "uploadedAt": "soon", "fileSize": "x"}}  # type: ignore[dict-item]
    upload = provider().upload(WAV).parse(response(payload))
    assert upload.expires_at is None
    assert upload.size is None


def test_an_epoch_millisecond_upload_time_is_read() -> None:
    payload = {**UPLOADED, "data": {**UPLOADED["data"], "uploadedAt": 1735732800000}}  # type: ignore[dict-item]
    assert provider().upload(WAV).parse(response(payload)).expires_at == EXPIRES


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [(400, 400, BadRequestError), (401, 401, AuthenticationError), (500, 500, ServerError)],
)
def test_upload_errors_map_by_code(code: int, status: int, error: type[APIError]) -> None:
    payload = {"success": False, "code": code, "msg": "Missing required parameter: uploadPath"}
    with pytest.raises(error) as info:
        provider().upload(WAV).parse(response(payload, status))
    assert info.value.code == code
    assert "uploadPath" in info.value.message


def test_success_false_with_code_200_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponseError, match="success: false"):
        provider().upload(WAV).parse(response({**UPLOADED, "success": False}))


def test_an_upload_answer_without_download_url_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponseError, match="downloadUrl"):
        provider().upload(WAV).parse(response(envelope({"fileName": "a"})))


# ---------------------------------------------------------------------------------------------
# Persona
# ---------------------------------------------------------------------------------------------


def test_persona_request_names_the_task_and_audio_and_window() -> None:
    request = provider().persona(track(), name=" Nova ", description="airy", style="pop").request
    assert str(request.url) == "https://api.sunoapi.org/api/v1/generate/generate-persona"
    assert body_of(request) == {
        "taskId": TASK_ID,
        "audioId": AUDIO_ID,
        "name": "Nova",
        "description": "airy",
        "vocalStart": 0,
        "vocalEnd": 30,
        "style": "pop",
    }


def test_persona_takes_the_first_track_of_a_generation() -> None:
    generation = Generation(
        task_id=TASK_ID,
        provider="suno",
        model="V4_5",
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
        tracks=(track(),),
    )
    body = body_of(provider().persona(generation, name="a", description="b").request)
    assert (body["taskId"], body["audioId"]) == (TASK_ID, AUDIO_ID)


def test_persona_is_free() -> None:
    assert provider().persona(track(), name="a", description="b").paid is False


def test_persona_of_a_bare_track_id_is_refused_for_want_of_a_task_id() -> None:
    with pytest.raises(ValidationError, match="task id"):
        provider().persona(AUDIO_ID, name="a", description="b")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(0, 9.9, "vocal_end"), (0, 30.5, "vocal_end"), (-1, 20, "vocal_start"), (50, 70, "vocal_end")],
)
def test_persona_window_is_checked(start: float, end: float, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        provider().persona(
            track(duration=60), name="a", description="b", vocal_start=start, vocal_end=end
        )
    assert info.value.field == field


@pytest.mark.parametrize("field", ["name", "description"])
def test_persona_needs_name_and_description(field: str) -> None:
    kwargs: dict[str, Any] = {"name": "a", "description": "b", field: "  "}
    with pytest.raises(ValidationError) as info:
        provider().persona(track(), **kwargs)
    assert info.value.field == field


def test_persona_answer_is_read() -> None:
    payload = envelope({"personaId": "p-1", "name": "Nova", "description": "airy"})
    persona = provider().persona(track(), name="a", description="b").parse(response(payload))
    assert persona == Persona(id="p-1", name="Nova", description="airy")


def test_a_second_persona_for_a_track_is_a_bad_request_with_the_message_and_a_hint() -> None:
    payload = envelope(None, 409, "Persona already exists for this music")
    with pytest.raises(BadRequestError) as info:
        provider().persona(track(), name="a", description="b").parse(response(payload))
    assert info.value.code == 409
    assert "Persona already exists" in info.value.message
    assert "one persona per track" in info.value.message


# ---------------------------------------------------------------------------------------------
# Style boost
# ---------------------------------------------------------------------------------------------

BOOSTED = {
    "taskId": "3d1b****",
    "param": "Pop, Mysterious",
    "result": "Pop, Mysterious, with shimmering synths",
    "creditsConsumed": 0.4,
    "creditsRemaining": 99.6,
    "successFlag": "1",
    "errorCode": None,
    "errorMessage": None,
    "createTime": "2025-01-01 00:00:00",
}


def test_boost_style_posts_the_content_and_is_paid() -> None:
    operation = provider().boost_style("  Pop, Mysterious ")
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/style/generate"
    assert body_of(operation.request) == {"content": "Pop, Mysterious"}
    assert operation.paid is True


def test_boost_style_success_is_read() -> None:
    boost = provider().boost_style("Pop").parse(response(envelope(BOOSTED)))
    assert boost == StyleBoost(
        text="Pop, Mysterious, with shimmering synths", credits_consumed=0.4, credits_remaining=99.6
    )


def test_boost_style_reads_a_numeric_success_flag() -> None:
    boost = provider().boost_style("Pop").parse(response(envelope({**BOOSTED, "successFlag": 1})))
    assert boost.text.startswith("Pop")


def test_a_failed_boost_is_a_bad_request_with_the_reason() -> None:
    data = {**BOOSTED, "successFlag": "2", "result": None, "errorMessage": "sensitive words"}
    with pytest.raises(BadRequestError, match="sensitive words"):
        provider().boost_style("Pop").parse(response(envelope(data)))


@pytest.mark.parametrize("flag", ["0", "9", None])
def test_a_pending_or_unknown_boost_is_unexpected(flag: str | None) -> None:
    data = {**BOOSTED, "successFlag": flag, "result": None}
    with pytest.raises(UnexpectedResponseError, match="charged"):
        provider().boost_style("Pop").parse(response(envelope(data)))


def test_blank_style_content_is_refused() -> None:
    with pytest.raises(ValidationError):
        provider().boost_style(" ")


# ---------------------------------------------------------------------------------------------
# Suno Voice
# ---------------------------------------------------------------------------------------------


def test_validate_voice_request() -> None:
    operation = provider().validate_voice("https://a.test/v.mp3", start=2, end=12.5, language="EN")
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/voice/validate"
    assert body_of(operation.request) == {
        "voiceUrl": "https://a.test/v.mp3",
        "vocalStartS": 2,
        "vocalEndS": 12.5,
        "language": "en",
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True
    assert operation.task is not None


def test_validate_voice_takes_an_upload() -> None:
    upload = Upload(provider="suno", url="https://tempfile.test/v.mp3")
    body = body_of(provider().validate_voice(upload, start=0, end=10).request)
    assert body["voiceUrl"] == "https://tempfile.test/v.mp3"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"voice_url": "v.mp3"}, "voice_url"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": -1}, "start"),
        ({"end": float("nan")}, "end"),
        ({"language": "xx"}, "language"),
    ],
)
def test_validate_voice_checks_its_arguments(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"voice_url": "https://a.test/v.mp3", "start": 0, "end": 10}
    arguments.update(kwargs)
    with pytest.raises(ValidationError) as info:
        provider().validate_voice(**arguments)
    assert info.value.field == field


def test_validate_voice_submission_is_a_queued_phrase_task() -> None:
    task = (
        provider()
        .validate_voice("https://a.test/v", start=0, end=10)
        .parse(response(envelope({"taskId": "t-1"})))
    )
    assert (task.task_id, task.kind, task.status) == ("t-1", "voice_phrase", TaskStatus.QUEUED)


def test_regenerate_sends_both_callback_spellings() -> None:
    operation = provider(callback_url="https://me.test/hook").regenerate_voice_phrase("t-1")
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/voice/regenerate"
    assert body_of(operation.request) == {
        "taskId": "t-1",
        "calBackUrl": "https://me.test/hook",
        "callBackUrl": "https://me.test/hook",
    }
    assert operation.paid is True


def test_regenerate_takes_a_phrase() -> None:
    phrase = VoicePhrase(task_id="t-9", text="hello")
    assert body_of(provider().regenerate_voice_phrase(phrase).request)["taskId"] == "t-9"


def test_voice_validation_status_reads_validate_info() -> None:
    request = provider().voice_validation_status(" t-1 ").request
    assert request.method == "GET"
    assert request.url.path == "/api/v1/voice/validate-info"
    assert request.url.params["taskId"] == "t-1"


def phrase_record(status: str, info: str = "", **extra: Any) -> dict[str, Any]:
    data = {
        "taskId": "t-1",
        "validateInfo": info,
        "status": status,
        "errorCode": 0,
        "errorMessage": "",
    }
    return envelope({**data, **extra})


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("wait_processing", TaskStatus.QUEUED),
        ("processing_validate", TaskStatus.RUNNING),
        ("WAIT_PROCESSING", TaskStatus.QUEUED),
        ("something_new", TaskStatus.UNKNOWN),
        # The cn docs' sample stuffs the whole enum into status: not a value.
        ("wait_processing,processing_validate:x,success,fail", TaskStatus.UNKNOWN),
    ],
)
def test_phrase_statuses_map(status: str, expected: TaskStatus) -> None:
    task = provider().voice_validation_status("t-1").parse(response(phrase_record(status)))
    assert task.status is expected
    assert task.provider_status == status
    assert task.result is None


@pytest.mark.parametrize("status", ["wait_validating", "success"])
def test_a_phrase_is_ready_with_its_validate_info(status: str) -> None:
    payload = phrase_record(status, "Harmonies fill the air")
    task = provider().voice_validation_status("t-1").parse(response(payload))
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result == VoicePhrase(task_id="t-1", text="Harmonies fill the air")


def test_a_ready_phrase_without_validate_info_fails_rather_than_polls_for_ever() -> None:
    task = (
        provider().voice_validation_status("t-1").parse(response(phrase_record("wait_validating")))
    )
    assert task.status is TaskStatus.FAILED
    assert "validateInfo" in (task.error or "")


@pytest.mark.parametrize("status", ["processing_validate_fail", "fail"])
def test_a_failed_phrase_carries_the_reason(status: str) -> None:
    payload = phrase_record(status, errorCode=500, errorMessage="voice unclear")
    task = provider().voice_validation_status("t-1").parse(response(payload))
    assert task.status is TaskStatus.FAILED
    assert task.error == "voice unclear (errorCode 500)"


def test_a_null_phrase_record_is_queued() -> None:
    task = provider().voice_validation_status("t-1").parse(response(envelope(None)))
    assert task.status is TaskStatus.QUEUED


def test_an_unknown_phrase_task_is_not_found() -> None:
    payload = envelope(None, 400, "Task not found")
    with pytest.raises(NotFoundError):
        provider().voice_validation_status("t-1").parse(response(payload))


def test_create_voice_request() -> None:
    operation = provider().create_voice(
        VoicePhrase(task_id="t-1", text="x"),
        Upload(provider="suno", url="https://tempfile.test/me.wav"),
        name="Me",
        description="my voice",
        style="soul",
        singer_skill_level="Advanced",
    )
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/voice/generate"
    assert body_of(operation.request) == {
        "taskId": "t-1",
        "verifyUrl": "https://tempfile.test/me.wav",
        "voiceName": "Me",
        "description": "my voice",
        "style": "soul",
        "singerSkillLevel": "advanced",
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True


def test_create_voice_refuses_an_unknown_skill_level() -> None:
    with pytest.raises(ValidationError) as info:
        provider().create_voice("t-1", "https://a.test/v", singer_skill_level="expert")
    assert info.value.field == "singer_skill_level"


def test_create_voice_submission_is_a_queued_voice_task() -> None:
    task = (
        provider()
        .create_voice("t-1", "https://a.test/v")
        .parse(response(envelope({"task_id": "v-1"})))
    )
    assert (task.task_id, task.kind, task.status) == ("v-1", "voice", TaskStatus.QUEUED)


def voice_record(status: str, voice_id: str = "", **extra: Any) -> dict[str, Any]:
    data = {
        "taskId": "v-1",
        "voiceId": voice_id,
        "status": status,
        "errorCode": 0,
        "errorMessage": "",
    }
    return envelope({**data, **extra})


def test_voice_status_reads_record_info() -> None:
    request = provider().voice_status("v-1").request
    assert request.url.path == "/api/v1/voice/record-info"
    assert request.url.params["taskId"] == "v-1"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("wait_processing", TaskStatus.QUEUED),
        ("processing_validate", TaskStatus.RUNNING),
        ("wait_validating", TaskStatus.RUNNING),
        ("fail", TaskStatus.FAILED),
        ("processing_validate_fail", TaskStatus.FAILED),
        ("later", TaskStatus.UNKNOWN),
    ],
)
def test_voice_statuses_map(status: str, expected: TaskStatus) -> None:
    task = provider().voice_status("v-1").parse(response(voice_record(status)))
    assert task.status is expected


def test_a_made_voice_carries_its_id() -> None:
    task = provider().voice_status("v-1").parse(response(voice_record("success", "voice-9")))
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result == Voice(id="voice-9")


def test_success_without_a_voice_id_fails() -> None:
    task = provider().voice_status("v-1").parse(response(voice_record("success")))
    assert task.status is TaskStatus.FAILED
    assert "voiceId" in (task.error or "")


def test_check_voice_sends_snake_case_task_id_and_reads_availability() -> None:
    operation = provider().check_voice("v-1")
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/voice/check-voice"
    assert body_of(operation.request) == {"task_id": "v-1"}
    assert operation.paid is False
    assert operation.parse(response(envelope({"isAvailable": True}))) is True
    assert operation.parse(response(envelope({"isAvailable": False}))) is False


def test_check_voice_without_an_answer_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponseError, match="isAvailable"):
        provider().check_voice("v-1").parse(response(envelope({})))


# ---------------------------------------------------------------------------------------------
# Recovery
# ---------------------------------------------------------------------------------------------

RECOVERED = [
    {
        "id": "a-1",
        "audio_url": "https://cdn.test/a-1.m4a",
        "title": "One",
        "status": "success",
        "error": "",
    },
    {"id": "a-2", "audio_url": "", "title": "Two", "status": "failed", "error": "feed_failed"},
]


def test_recover_posts_the_music_task_id_and_is_paid() -> None:
    operation = provider().recover(TASK_ID)
    assert str(operation.request.url) == "https://api.sunoapi.org/api/v1/suno/recovery"
    assert body_of(operation.request) == {
        "sunoTaskId": TASK_ID,
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
    }
    assert operation.paid is True


def test_recover_takes_a_generation_or_a_track() -> None:
    generation = Generation(
        task_id=TASK_ID,
        provider="suno",
        model=None,
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
    )
    assert body_of(provider().recover(generation).request)["sunoTaskId"] == TASK_ID
    assert body_of(provider().recover(track()).request)["sunoTaskId"] == TASK_ID
    with pytest.raises(ValidationError):
        provider().recover(Track(id="x"))


@pytest.mark.parametrize(
    "payload",
    [
        envelope({"taskId": "r-1"}),
        envelope({"task_id": "r-1"}),
        envelope("r-1"),
        {"code": 200, "msg": "success", "task_id": "r-1", "data": None},
    ],
)
def test_recover_reads_the_task_id_wherever_it_sits(payload: Any) -> None:
    task = provider().recover(TASK_ID).parse(response(payload))
    assert (task.task_id, task.kind, task.status) == ("r-1", "recovery", TaskStatus.QUEUED)


def test_recover_without_a_task_id_is_unexpected_and_says_to_check() -> None:
    with pytest.raises(UnexpectedResponseError, match="dashboard"):
        provider().recover(TASK_ID).parse(response(envelope({})))


def test_recovery_status_reads_record_info() -> None:
    request = provider().recovery_status("r-1").request
    assert request.url.path == "/api/v1/suno/recovery/record-info"
    assert request.url.params["taskId"] == "r-1"


def test_code_201_is_a_running_task_not_an_error() -> None:
    task = provider().recovery_status("r-1").parse(response(envelope(None, 201, "processing")))
    assert task.status is TaskStatus.RUNNING
    assert task.provider_status == "201"
    assert task.result is None


def test_code_200_keeps_recovered_tracks_and_names_the_failed_ones() -> None:
    operation = provider().recovery_status("r-1", music_task_id=TASK_ID)
    task = operation.parse(response(envelope(RECOVERED)))
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result == (
        Track(id="a-1", audio_url="https://cdn.test/a-1.m4a", title="One", index=0),
    )
    assert task.result[0].task_id == TASK_ID
    assert task.error == "track a-2: feed_failed"


def test_code_500_with_items_is_a_failed_task_with_every_reason() -> None:
    items = [{**RECOVERED[1], "id": "a-1", "error": "clip_error"}, RECOVERED[1]]
    task = provider().recovery_status("r-1").parse(response(envelope(items, 500, "all failed")))
    assert task.status is TaskStatus.FAILED
    assert task.error == "track a-1: clip_error; track a-2: feed_failed"
    assert task.result is None


def test_code_500_without_items_is_a_server_error_so_the_wait_goes_on() -> None:
    with pytest.raises(ServerError):
        provider().recovery_status("r-1").parse(response(envelope(None, 500, "Server error")))


def test_an_unknown_recovery_task_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        provider().recovery_status("r-1").parse(response(envelope(None, 400, "Task not found")))


def test_recover_polls_with_the_music_task_id_for_its_tracks() -> None:
    operation = provider().recover(TASK_ID)
    assert operation.task is not None
    reader = operation.task.read("r-1")
    task = reader.parse(response(envelope(RECOVERED)))
    assert task.result is not None
    assert task.result[0].task_id == TASK_ID


# ---------------------------------------------------------------------------------------------
# Every parser: any JSON gives a value or an APIError
# ---------------------------------------------------------------------------------------------

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
    max_leaves=12,
)
KEYS = (
    "fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt", "personaId",
    "name", "description", "taskId", "task_id", "result", "creditsConsumed", "creditsRemaining",
    "successFlag", "errorCode", "errorMessage", "status", "validateInfo", "voiceId",
    "isAvailable", "id", "audio_url", "title", "error",
)  # fmt: skip
DATA = (
    JSON
    | st.fixed_dictionaries({}, optional={key: JSON for key in KEYS})
    | st.lists(st.fixed_dictionaries({}, optional={key: JSON for key in KEYS}), max_size=3)
)
BODY = st.fixed_dictionaries(
    {
        "code": st.sampled_from([200, 201, 500, 400, 409, "200"]) | JSON,
        "data": DATA,
    },
    optional={"msg": JSON, "success": JSON, "task_id": JSON},
)
HTTP_STATUS = st.sampled_from([200, 200, 201, 400, 401, 500])
OPERATIONS: dict[str, Callable[[SunoProvider], Operation[Any]]] = {
    "upload": lambda p: p.upload(WAV),
    "upload_url": lambda p: p.upload("https://a.test/a.mp3"),
    "upload_base64": lambda p: p.upload_base64(WAV),
    "persona": lambda p: p.persona(track(), name="a", description="b"),
    "boost_style": lambda p: p.boost_style("pop"),
    "validate_voice": lambda p: p.validate_voice("https://a.test/v", start=0, end=10),
    "regenerate_voice_phrase": lambda p: p.regenerate_voice_phrase("t"),
    "voice_validation_status": lambda p: p.voice_validation_status("t"),
    "create_voice": lambda p: p.create_voice("t", "https://a.test/v"),
    "voice_status": lambda p: p.voice_status("t"),
    "check_voice": lambda p: p.check_voice("t"),
    "recover": lambda p: p.recover("t"),
    "recovery_status": lambda p: p.recovery_status("t"),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@given(body=BODY | JSON, status=HTTP_STATUS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_parser_returns_a_value_or_raises_an_api_error(
    name: str, body: Any, status: int
) -> None:
    operation = OPERATIONS[name](provider())
    try:
        value = operation.parse(response(body, status))
    except APIError:
        return
    if operation.task is not None:
        assert isinstance(value, Task)
        assert isinstance(value.status, TaskStatus)


@given(content=st.binary(max_size=64))
@settings(max_examples=50, deadline=None)
def test_every_parser_survives_arbitrary_bytes(content: bytes) -> None:
    for make in OPERATIONS.values():
        with contextlib.suppress(APIError):
            make(provider()).parse(response(content=content))
