"""The emulated Suno files and voices: upload host, persona, style boost, Suno Voice, recovery."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from musicgen.testing import Emulator, Fault
from musicgen.testing._media import render_wav
from musicgen.testing._suno_files import (
    RECOVERY_CREDITS,
    STYLE_BOOST_CREDITS,
    VOICE_CREDITS,
    VOICE_PHRASE_CREDITS,
)

from .conftest import SUNO_BASE, SunoAPI

WAV = render_wav("voice sample", 0.5)


@pytest.fixture
def http(suno: SunoAPI) -> httpx.Client:
    return suno.client


def upload_bytes(
    http: httpx.Client, content: bytes = WAV, *, name: str = "take.wav", **fields: str
) -> httpx.Response:
    data = {"uploadPath": "tests", **fields}
    return http.post("/api/file-stream-upload", data=data, files={"file": (name, content)})


def finished_song(suno: SunoAPI, em: Emulator) -> tuple[str, list[dict[str, Any]]]:
    task_id = suno.submit()
    tracks = suno.finish(task_id)["response"]["sunoData"]
    return task_id, tracks


def poll(http: httpx.Client, path: str, task_id: str, reads: int = 5) -> list[dict[str, Any]]:
    return [http.get(path, params={"taskId": task_id}).json() for _ in range(reads)]


# -- the upload host -------------------------------------------------------------------------------


def test_stream_upload_answers_the_documented_shape(http: httpx.Client) -> None:
    body = upload_bytes(http, fileName="mine.wav").json()
    assert (body["success"], body["code"]) == (True, 200)
    data = body["data"]
    assert set(data) == {
        "fileName",
        "filePath",
        "downloadUrl",
        "fileSize",
        "mimeType",
        "uploadedAt",
    }
    assert data["fileName"] == "mine.wav"
    assert data["filePath"] == "tests/mine.wav"
    assert data["fileSize"] == len(WAV)
    assert data["mimeType"] == "audio/wav"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["uploadedAt"])


def test_stream_upload_without_file_name_keeps_the_parts_name(http: httpx.Client) -> None:
    assert upload_bytes(http, name="part.wav").json()["data"]["fileName"] == "part.wav"


def test_uploaded_bytes_are_served_back(http: httpx.Client) -> None:
    url = upload_bytes(http).json()["data"]["downloadUrl"]
    assert url.startswith(SUNO_BASE + "/files/")
    served = http.get(url)
    assert served.status_code == 200
    assert served.content == WAV


def test_an_upload_under_the_same_name_replaces_the_file_at_the_same_url(
    http: httpx.Client,
) -> None:
    first = upload_bytes(http, b"one", fileName="same.bin").json()["data"]["downloadUrl"]
    second = upload_bytes(http, b"two", fileName="same.bin").json()["data"]["downloadUrl"]
    assert first == second
    assert http.get(first).content == b"two"


def test_the_same_name_in_another_folder_is_another_file(http: httpx.Client) -> None:
    first = upload_bytes(http, b"one", fileName="same.bin").json()["data"]["downloadUrl"]
    other = upload_bytes(http, b"two", fileName="same.bin", uploadPath="else").json()
    assert other["data"]["downloadUrl"] != first
    assert http.get(first).content == b"one"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"uploadPath": ""}, "Missing required parameter: uploadPath"),
        ({"uploadPath": "/lead"}, "must not start or end"),
        ({"fileName": "a/b.wav"}, "plain file name"),
    ],
)
def test_stream_upload_validation_errors(
    http: httpx.Client, fields: dict[str, str], message: str
) -> None:
    answer = upload_bytes(http, WAV, **fields)
    assert answer.status_code == 400
    body = answer.json()
    assert (body["success"], body["code"]) == (False, 400)
    assert message in body["msg"]


def test_stream_upload_without_a_file_is_refused(http: httpx.Client) -> None:
    answer = http.post("/api/file-stream-upload", files={"uploadPath": (None, "tests")})
    assert answer.json()["msg"] == "Missing required parameter: file"


def test_an_empty_file_is_refused(http: httpx.Client) -> None:
    assert upload_bytes(http, b"").json()["code"] == 400


def test_a_json_body_is_not_a_stream_upload(http: httpx.Client) -> None:
    answer = http.post("/api/file-stream-upload", json={"uploadPath": "x"})
    assert answer.json()["code"] == 400


def test_base64_upload_decodes_a_data_uri(http: httpx.Client) -> None:
    encoded = "data:audio/wav;base64," + base64.b64encode(WAV).decode()
    body = http.post(
        "/api/file-base64-upload", json={"base64Data": encoded, "uploadPath": "tests"}
    ).json()
    assert body["data"]["mimeType"] == "audio/wav"
    assert body["data"]["fileName"].endswith(".wav")
    assert http.get(body["data"]["downloadUrl"]).content == WAV


def test_base64_upload_takes_raw_base64(http: httpx.Client) -> None:
    body = http.post(
        "/api/file-base64-upload",
        json={
            "base64Data": base64.b64encode(b"abc").decode(),
            "uploadPath": "t",
            "fileName": "a.txt",
        },
    ).json()
    assert http.get(body["data"]["downloadUrl"]).content == b"abc"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"uploadPath": "t"}, "Missing required parameter: base64Data"),
        ({"base64Data": "%%%", "uploadPath": "t"}, "not valid base64"),
        ({"base64Data": "YWJj"}, "Missing required parameter: uploadPath"),
    ],
)
def test_base64_upload_validation(
    http: httpx.Client, payload: dict[str, Any], message: str
) -> None:
    body = http.post("/api/file-base64-upload", json=payload).json()
    assert (body["success"], body["code"]) == (False, 400)
    assert message in body["msg"]


def test_url_upload_of_a_foreign_url_stores_a_short_wav(http: httpx.Client) -> None:
    body = http.post(
        "/api/file-url-upload",
        json={"fileUrl": "https://elsewhere.test/a/song.mp3", "uploadPath": "t"},
    ).json()
    assert body["data"]["fileName"] == "song.mp3"
    served = http.get(body["data"]["downloadUrl"])
    assert served.content[:4] == b"RIFF"
    assert served.headers["content-type"] == "audio/wav"


def test_url_upload_of_an_emulator_track_copies_its_audio(
    http: httpx.Client, suno: SunoAPI, em: Emulator
) -> None:
    _, tracks = finished_song(suno, em)
    audio = http.get(tracks[0]["audioUrl"]).content
    body = http.post(
        "/api/file-url-upload", json={"fileUrl": tracks[0]["audioUrl"], "uploadPath": "t"}
    ).json()
    assert body["data"]["fileSize"] == len(audio)
    assert http.get(body["data"]["downloadUrl"]).content == audio


def test_url_upload_of_an_uploaded_file_copies_it(http: httpx.Client) -> None:
    url = upload_bytes(http, b"payload", fileName="a.bin").json()["data"]["downloadUrl"]
    body = http.post(
        "/api/file-url-upload", json={"fileUrl": url, "uploadPath": "t", "fileName": "b.bin"}
    ).json()
    assert http.get(body["data"]["downloadUrl"]).content == b"payload"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"uploadPath": "t"}, "Missing required parameter: fileUrl"),
        ({"fileUrl": "ftp://a.test/x", "uploadPath": "t"}, "http or https"),
        ({"fileUrl": "https://a.test/x"}, "Missing required parameter: uploadPath"),
    ],
)
def test_url_upload_validation(http: httpx.Client, payload: dict[str, Any], message: str) -> None:
    body = http.post("/api/file-url-upload", json=payload).json()
    assert body["success"] is False
    assert message in body["msg"]


def test_a_bad_key_gets_the_upload_hosts_401(em: Emulator) -> None:
    with httpx.Client(
        transport=Emulator(suno_api_key="right").transport(),
        base_url=SUNO_BASE,
        headers={"Authorization": "Bearer wrong"},
    ) as http:
        answer = http.post(
            "/api/file-url-upload", json={"fileUrl": "https://a.test/x", "uploadPath": "t"}
        )
    assert answer.status_code == 401
    assert answer.json()["success"] is False
    assert answer.json()["code"] == 401


def test_upload_paths_are_routed_before_sunos_api_fallback(http: httpx.Client) -> None:
    # An unknown /api/ path gets Suno's 404 envelope; the upload paths are served.
    assert http.post("/api/file-nope").status_code == 404
    for path in ("/api/file-url-upload", "/api/file-base64-upload", "/api/file-stream-upload"):
        assert http.post(path, json={}).status_code == 400


def test_uploads_are_free(http: httpx.Client, em: Emulator) -> None:
    before = em.suno_credits
    upload_bytes(http)
    assert em.suno_credits == before
    assert em.submissions() == 0


# -- persona ---------------------------------------------------------------------------------------


@pytest.fixture
def long_em() -> Emulator:
    return Emulator(audio_seconds=40)


@pytest.fixture
def long_suno(long_em: Emulator, suno_for: Callable[[Emulator], SunoAPI]) -> SunoAPI:
    return suno_for(long_em)


def persona_body(task_id: str, audio_id: str, **extra: Any) -> dict[str, Any]:
    return {"taskId": task_id, "audioId": audio_id, "name": "Nova", "description": "airy", **extra}


def test_persona_is_made_once_per_track(long_suno: SunoAPI, long_em: Emulator) -> None:
    task_id, tracks = finished_song(long_suno, long_em)
    path = "/api/v1/generate/generate-persona"
    first = long_suno.client.post(path, json=persona_body(task_id, tracks[0]["id"])).json()
    assert first["code"] == 200
    assert set(first["data"]) == {"personaId", "name", "description"}
    assert re.fullmatch(r"[0-9a-f]{32}", first["data"]["personaId"])
    again = long_suno.client.post(path, json=persona_body(task_id, tracks[0]["id"])).json()
    assert (again["code"], again["msg"]) == (409, "Persona already exists for this music")
    other = long_suno.client.post(path, json=persona_body(task_id, tracks[1]["id"])).json()
    assert other["code"] == 200


def test_persona_needs_a_finished_task(long_suno: SunoAPI) -> None:
    task_id = long_suno.submit()
    audio_id = "unknown-yet"
    body = long_suno.client.post(
        "/api/v1/generate/generate-persona", json=persona_body(task_id, audio_id)
    ).json()
    assert body["code"] == 400
    assert "not finished" in body["msg"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"vocalStart": 0, "vocalEnd": 5}, "between 10 and 30"),
        ({"vocalStart": 20, "vocalEnd": 45}, "past the end"),
        ({"name": None}, "name cannot be null"),
        ({"audioId": "someone-else"}, "does not belong"),
        ({"taskId": "nope"}, "Task not found"),
    ],
)
def test_persona_validation(
    long_suno: SunoAPI, long_em: Emulator, extra: dict[str, Any], message: str
) -> None:
    task_id, tracks = finished_song(long_suno, long_em)
    body = persona_body(task_id, tracks[0]["id"])
    body.update(extra)
    body = {k: v for k, v in body.items() if v is not None}
    answer = long_suno.client.post("/api/v1/generate/generate-persona", json=body).json()
    assert answer["code"] == 400
    assert message in answer["msg"]


# -- style boost -----------------------------------------------------------------------------------


def test_style_boost_is_deterministic_and_charged(http: httpx.Client, em: Emulator) -> None:
    before = em.suno_credits
    first = http.post("/api/v1/style/generate", json={"content": "Pop, Mysterious"}).json()["data"]
    second = http.post("/api/v1/style/generate", json={"content": "Pop, Mysterious"}).json()["data"]
    assert first["successFlag"] == "1"
    assert first["result"] == second["result"]
    assert first["result"].startswith("pop, mysterious")
    assert first["creditsConsumed"] == STYLE_BOOST_CREDITS
    assert second["creditsRemaining"] == before - 2 * STYLE_BOOST_CREDITS == em.suno_credits
    assert em.submissions() == 2
    assert first["taskId"] != second["taskId"]


def test_style_boost_needs_content(http: httpx.Client) -> None:
    assert http.post("/api/v1/style/generate", json={}).json()["code"] == 400


def test_style_boost_out_of_credits_is_429(suno_for: Callable[[Emulator], SunoAPI]) -> None:
    poor = suno_for(Emulator(suno_credits=0))
    assert poor.client.post("/api/v1/style/generate", json={"content": "pop"}).json()["code"] == 429


def test_scripted_style_boost_failure_reports_flag_2(http: httpx.Client, em: Emulator) -> None:
    em.script_next_task("suno", final_status="failed", reason="sensitive words")
    data = http.post("/api/v1/style/generate", json={"content": "pop"}).json()["data"]
    assert (data["successFlag"], data["result"], data["errorMessage"]) == (
        "2",
        None,
        "sensitive words",
    )


# -- Suno Voice ------------------------------------------------------------------------------------


def validate(http: httpx.Client, **extra: Any) -> dict[str, Any]:
    body = {"voiceUrl": "https://a.test/me.wav", "vocalStartS": 0, "vocalEndS": 12, **extra}
    answer: dict[str, Any] = http.post("/api/v1/voice/validate", json=body).json()
    return answer


def ready_phrase(http: httpx.Client) -> str:
    task_id: str = validate(http)["data"]["taskId"]
    poll(http, "/api/v1/voice/validate-info", task_id, 3)
    return task_id


def test_phrase_task_walks_to_wait_validating_with_its_phrase(
    http: httpx.Client, em: Emulator
) -> None:
    before = em.suno_credits
    task_id = validate(http)["data"]["taskId"]
    assert em.suno_credits == before - VOICE_PHRASE_CREDITS
    bodies = poll(http, "/api/v1/voice/validate-info", task_id, 4)
    statuses = [body["data"]["status"] for body in bodies]
    assert statuses == [
        "wait_processing",
        "processing_validate",
        "wait_validating",
        "wait_validating",
    ]
    assert bodies[0]["data"]["validateInfo"] == ""
    final = bodies[-1]["data"]
    assert final["validateInfo"]
    assert (final["errorCode"], final["errorMessage"]) == (0, "")
    assert set(final) == {"taskId", "validateInfo", "status", "errorCode", "errorMessage"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"voiceUrl": None}, "voiceUrl cannot be null"),
        ({"voiceUrl": "file:///x"}, "http or https"),
        ({"vocalEndS": 0}, "greater than vocalStartS"),
        ({"language": "xx"}, "language must be one of"),
    ],
)
def test_validate_refuses_bad_input(
    http: httpx.Client, extra: dict[str, Any], message: str
) -> None:
    body = {"voiceUrl": "https://a.test/me.wav", "vocalStartS": 0, "vocalEndS": 12, **extra}
    answer = http.post(
        "/api/v1/voice/validate", json={k: v for k, v in body.items() if v is not None}
    )
    assert answer.json()["code"] == 400
    assert message in answer.json()["msg"]


def test_scripted_phrase_failure(http: httpx.Client, em: Emulator) -> None:
    em.script_next_task("suno", final_status="processing_validate_fail", reason="no voice heard")
    task_id = validate(http)["data"]["taskId"]
    final = poll(http, "/api/v1/voice/validate-info", task_id, 4)[-1]["data"]
    assert final["status"] == "processing_validate_fail"
    assert (final["errorCode"], final["errorMessage"]) == (500, "no voice heard")


def test_regenerate_makes_a_new_phrase_task(http: httpx.Client) -> None:
    first = ready_phrase(http)
    answer = http.post(
        "/api/v1/voice/regenerate", json={"taskId": first, "calBackUrl": "https://a.test"}
    )
    second = answer.json()["data"]["taskId"]
    assert second != first
    phrases = [
        poll(http, "/api/v1/voice/validate-info", task_id, 3)[-1]["data"]["validateInfo"]
        for task_id in (first, second)
    ]
    assert phrases[0] != phrases[1]


def test_regenerate_of_an_unknown_task_is_refused(http: httpx.Client) -> None:
    assert http.post("/api/v1/voice/regenerate", json={"taskId": "nope"}).json()["code"] == 400


def test_voice_flow_ends_with_a_voice_id_and_an_available_voice(
    http: httpx.Client, em: Emulator
) -> None:
    phrase = ready_phrase(http)
    before = em.suno_credits
    answer = http.post(
        "/api/v1/voice/generate",
        json={
            "taskId": phrase,
            "verifyUrl": "https://a.test/said.wav",
            "singerSkillLevel": "advanced",
        },
    ).json()
    voice_task = answer["data"]["taskId"]
    assert em.suno_credits == before - VOICE_CREDITS
    check = {"task_id": voice_task}
    assert http.post("/api/v1/voice/check-voice", json=check).json()["data"] == {
        "isAvailable": False
    }
    bodies = poll(http, "/api/v1/voice/record-info", voice_task, 4)
    assert [b["data"]["status"] for b in bodies] == [
        "wait_processing",
        "processing_validate",
        "wait_validating",
        "success",
    ]
    assert bodies[0]["data"]["voiceId"] == ""
    assert re.fullmatch(r"[0-9a-f]{32}", bodies[-1]["data"]["voiceId"])
    assert http.post("/api/v1/voice/check-voice", json=check).json()["data"] == {
        "isAvailable": True
    }
    # The phrase task now reports the whole flow done.
    assert poll(http, "/api/v1/voice/validate-info", phrase, 1)[0]["data"]["status"] == "success"


def test_generate_needs_a_ready_phrase(http: httpx.Client) -> None:
    phrase = validate(http)["data"]["taskId"]
    answer = http.post(
        "/api/v1/voice/generate", json={"taskId": phrase, "verifyUrl": "https://a.test/x"}
    )
    assert answer.json()["code"] == 400
    assert "not ready" in answer.json()["msg"]


def test_generate_refuses_an_unknown_skill_level(http: httpx.Client) -> None:
    phrase = ready_phrase(http)
    body = {"taskId": phrase, "verifyUrl": "https://a.test/x", "singerSkillLevel": "expert"}
    assert http.post("/api/v1/voice/generate", json=body).json()["code"] == 400


def test_check_voice_reads_only_snake_case_task_id(http: httpx.Client) -> None:
    answer = http.post("/api/v1/voice/check-voice", json={"taskId": "x"}).json()
    assert (answer["code"], answer["msg"]) == (400, "task_id cannot be null")


def test_voice_status_of_a_phrase_task_is_not_found(http: httpx.Client) -> None:
    phrase = validate(http)["data"]["taskId"]
    assert poll(http, "/api/v1/voice/record-info", phrase, 1)[0]["code"] == 400


# -- recovery --------------------------------------------------------------------------------------


def recover(http: httpx.Client, task_id: str, **extra: Any) -> dict[str, Any]:
    body = {"sunoTaskId": task_id, "callBackUrl": "https://a.test/hook", **extra}
    answer: dict[str, Any] = http.post("/api/v1/suno/recovery", json=body).json()
    return answer


def test_recovery_is_201_while_running_then_200_with_fresh_links(
    http: httpx.Client, suno: SunoAPI, em: Emulator
) -> None:
    music, tracks = finished_song(suno, em)
    before = em.suno_credits
    task_id = recover(http, music)["data"]["taskId"]
    assert em.suno_credits == before - RECOVERY_CREDITS
    running, done, again = poll(http, "/api/v1/suno/recovery/record-info", task_id, 3)
    assert (running["code"], running["data"]) == (201, None)
    assert done == again
    assert done["code"] == 200
    assert [item["id"] for item in done["data"]] == [track["id"] for track in tracks]
    for item, track in zip(done["data"], tracks, strict=True):
        assert (item["status"], item["error"], item["title"]) == ("success", "", track["title"])
        assert item["audio_url"] != track["audioUrl"]
        assert http.get(item["audio_url"]).content == http.get(track["audioUrl"]).content


def test_recovery_of_an_unfinished_task_fails_every_track_with_500(
    http: httpx.Client, suno: SunoAPI
) -> None:
    task_id = recover(http, suno.submit())["data"]["taskId"]
    done = poll(http, "/api/v1/suno/recovery/record-info", task_id, 2)[-1]
    assert done["code"] == 500
    assert {item["error"] for item in done["data"]} == {"clip_not_complete"}
    assert {item["audio_url"] for item in done["data"]} == {""}


def test_scripted_partial_recovery_keeps_the_first_track(
    http: httpx.Client, suno: SunoAPI, em: Emulator
) -> None:
    music, _ = finished_song(suno, em)
    em.script_next_task("suno", final_status="partial", reason="clip_error")
    task_id = recover(http, music)["data"]["taskId"]
    done = poll(http, "/api/v1/suno/recovery/record-info", task_id, 2)[-1]
    assert done["code"] == 200
    assert [item["status"] for item in done["data"]] == ["success", "failed"]
    assert done["data"][1]["error"] == "clip_error"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"sunoTaskId": "nope", "callBackUrl": "https://a.test"}, "Task not found"),
        ({"sunoTaskId": "x"}, "Please enter callBackUrl."),
        ({"callBackUrl": "https://a.test"}, "sunoTaskId cannot be null"),
    ],
)
def test_recovery_validation(http: httpx.Client, body: dict[str, Any], message: str) -> None:
    answer = http.post("/api/v1/suno/recovery", json=body).json()
    assert answer["code"] == 400
    assert answer["msg"] == message or message in answer["msg"]


def test_an_unknown_recovery_task_is_400(http: httpx.Client) -> None:
    assert poll(http, "/api/v1/suno/recovery/record-info", "nope", 1)[0]["code"] == 400


# -- faults per endpoint ---------------------------------------------------------------------------


def test_a_fault_on_one_endpoint_leaves_the_others_alone(http: httpx.Client, em: Emulator) -> None:
    em.inject(Fault("server_error", endpoint="boost_style"))
    assert validate(http)["code"] == 200
    assert http.post("/api/v1/style/generate", json={"content": "pop"}).json()["code"] == 500


def test_upload_faults_select_the_upload_endpoint(http: httpx.Client, em: Emulator) -> None:
    em.inject(Fault("rate_limit", endpoint="upload"))
    assert upload_bytes(http).json()["code"] == 430
    assert upload_bytes(http).json()["code"] == 200


def test_every_route_declares_its_endpoint(em: Emulator) -> None:
    names = {
        "upload",
        "upload_base64",
        "persona",
        "boost_style",
        "validate_voice",
        "regenerate_voice_phrase",
        "voice_validation_status",
        "create_voice",
        "voice_status",
        "check_voice",
        "recover",
        "recovery_status",
    }
    for name in names:
        em.inject(Fault("slow", endpoint=name))  # refused if no route declares it
