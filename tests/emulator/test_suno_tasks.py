"""Suno task lifecycle: submit, record-info progression, scripted endings, credits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from musicgen.testing import SUNO_CREDITS_PER_GENERATE, Emulator


def test_submit_returns_a_32_hex_task_id(suno: Any) -> None:
    body = suno.generate().json()

    assert body["code"] == 200
    assert body["msg"] == "success"
    assert re.fullmatch(r"[0-9a-f]{32}", body["data"]["taskId"])


def test_status_walks_pending_text_first_success_then_stays(suno: Any) -> None:
    task_id = suno.submit()

    statuses = suno.statuses(task_id, 6)

    assert statuses == [
        "PENDING",
        "TEXT_SUCCESS",
        "FIRST_SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
    ]


def test_pending_has_null_response_and_param_as_json_string(suno: Any) -> None:
    task_id = suno.submit(title="Param Check")

    data = suno.record_info(task_id)["data"]

    assert data["response"] is None
    assert isinstance(data["param"], str)
    assert json.loads(data["param"])["title"] == "Param Check"
    assert data["errorCode"] is None
    assert data["errorMessage"] is None


def test_record_info_top_level_fields_match_live(suno: Any) -> None:
    task_id = suno.submit(model="V4")

    data = suno.record_info(task_id)["data"]

    assert data["taskId"] == task_id
    assert data["parentMusicId"] == ""
    assert data["type"] == "chirp-v4"
    assert data["operationType"] == "generate"
    assert isinstance(data["createTime"], int)
    assert data["createTime"] > 1_600_000_000_000  # epoch milliseconds


def test_text_success_has_stream_urls_but_no_audio_urls(suno: Any) -> None:
    task_id = suno.submit()
    suno.record_info(task_id)

    tracks = suno.record_info(task_id)["data"]["response"]["sunoData"]

    assert len(tracks) == 2
    for track in tracks:
        assert track["audioUrl"] == ""
        assert track["streamAudioUrl"].endswith(".stream.wav")


def test_first_success_has_audio_for_first_track_only(suno: Any) -> None:
    task_id = suno.submit()
    suno.statuses(task_id, 2)

    tracks = suno.record_info(task_id)["data"]["response"]["sunoData"]

    assert tracks[0]["audioUrl"].endswith(".wav")
    assert tracks[1]["audioUrl"] == ""


def test_success_has_exactly_two_complete_camel_case_tracks(suno: Any) -> None:
    task_id = suno.submit()

    data = suno.finish(task_id)

    assert data["status"] == "SUCCESS"
    assert data["response"]["taskId"] == task_id
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2
    expected = {
        "id",
        "audioUrl",
        "streamAudioUrl",
        "imageUrl",
        "sourceAudioUrl",
        "sourceStreamAudioUrl",
        "sourceImageUrl",
        "prompt",
        "modelName",
        "title",
        "tags",
        "createTime",
        "duration",
    }
    for track in tracks:
        assert set(track) == expected
        assert re.fullmatch(r"[0-9a-f-]{36}", track["id"])
        assert track["audioUrl"].startswith("https://api.sunoapi.org/audio/")
    assert tracks[0]["id"] != tracks[1]["id"]


def test_success_track_value_types_follow_live_variants(suno: Any) -> None:
    task_id = suno.submit(style="rock, energetic")

    track = suno.finish(task_id)["response"]["sunoData"][0]

    assert isinstance(track["createTime"], int)  # ⚠ live: epoch ms number, docs: string
    assert isinstance(track["duration"], float)
    assert track["tags"] == "rock, energetic "  # ⚠ live tags carry a trailing space


@pytest.mark.parametrize(
    ("model", "model_name"),
    [
        ("V3_5", "chirp-v3-5"),
        ("V4", "chirp-v4"),
        ("V4_5", "chirp-auk"),
        ("V4_5PLUS", "chirp-bluejay"),
        ("V5", "chirp-crow"),
        ("V5_5", "chirp-fenix"),
        ("V4_5ALL", "chirp-v4-5-all"),
    ],
)
def test_model_name_reflects_the_model(suno: Any, model: str, model_name: str) -> None:
    task_id = suno.submit(model=model)

    data = suno.finish(task_id)

    assert data["type"] == model_name
    assert {t["modelName"] for t in data["response"]["sunoData"]} == {model_name}


def test_custom_mode_sings_the_prompt_verbatim(suno: Any) -> None:
    task_id = suno.submit(prompt="[Verse]\nMy own words", title="Mine")

    tracks = suno.finish(task_id)["response"]["sunoData"]

    assert [t["prompt"] for t in tracks] == ["[Verse]\nMy own words"] * 2
    assert [t["title"] for t in tracks] == ["Mine"] * 2


def test_simple_mode_invents_lyrics_title_and_tags(suno: Any) -> None:
    task_id = suno.submit(customMode=False, prompt="a song about autumn leaves", style=None)

    tracks = suno.finish(task_id)["response"]["sunoData"]

    for track in tracks:
        assert "autumn leaves" in track["prompt"]
        assert track["title"]
        assert track["tags"].endswith(" ")


def test_instrumental_tracks_have_empty_prompt(suno: Any) -> None:
    task_id = suno.submit(instrumental=True, prompt=None)

    tracks = suno.finish(task_id)["response"]["sunoData"]

    assert [t["prompt"] for t in tracks] == ["", ""]


def test_polls_per_stage_slows_the_progression(suno_for: Any) -> None:
    api = suno_for(Emulator(polls_per_stage=2))
    task_id = api.submit()

    statuses = api.statuses(task_id, 7)

    assert statuses == [
        "PENDING",
        "PENDING",
        "TEXT_SUCCESS",
        "TEXT_SUCCESS",
        "FIRST_SUCCESS",
        "FIRST_SUCCESS",
        "SUCCESS",
    ]


def test_zero_polls_per_stage_finishes_on_first_read(suno_for: Any) -> None:
    api = suno_for(Emulator(polls_per_stage=0))

    statuses = api.statuses(api.submit(), 1)

    assert statuses == ["SUCCESS"]


def test_scripted_generate_audio_failure_reports_error_code(em: Emulator, suno: Any) -> None:
    em.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    task_id = suno.submit()

    statuses = suno.statuses(task_id, 4)
    data = suno.record_info(task_id)["data"]

    assert statuses == [
        "PENDING",
        "TEXT_SUCCESS",
        "GENERATE_AUDIO_FAILED",
        "GENERATE_AUDIO_FAILED",
    ]
    assert data["errorCode"] == 500
    assert data["errorMessage"] == "Internal Error, Please try again later."


@pytest.mark.parametrize("final", ["SENSITIVE_WORD_ERROR", "CREATE_TASK_FAILED"])
def test_upfront_failures_happen_right_after_pending(em: Emulator, suno: Any, final: str) -> None:
    em.script_next_task("suno", final_status=final)
    task_id = suno.submit()

    statuses = suno.statuses(task_id, 3)

    assert statuses == ["PENDING", final, final]
    assert suno.record_info(task_id)["data"]["errorMessage"]


def test_scripted_reason_overrides_error_message(em: Emulator, suno: Any) -> None:
    em.script_next_task("suno", final_status="SENSITIVE_WORD_ERROR", reason="artist name")
    task_id = suno.submit()

    data = suno.finish(task_id)

    assert data["errorMessage"] == "artist name"


def test_callback_exception_still_carries_the_tracks(em: Emulator, suno: Any) -> None:
    em.script_next_task("suno", final_status="CALLBACK_EXCEPTION")
    task_id = suno.submit()

    data = suno.finish(task_id)

    assert data["status"] == "CALLBACK_EXCEPTION"
    assert all(t["audioUrl"] for t in data["response"]["sunoData"])


def test_unknown_final_status_is_served_forever(em: Emulator, suno: Any) -> None:
    em.script_next_task("suno", final_status="MYSTERY")
    task_id = suno.submit()

    statuses = suno.statuses(task_id, 5)

    assert statuses == ["PENDING", "MYSTERY", "MYSTERY", "MYSTERY", "MYSTERY"]
    assert em.tasks[task_id].status == "MYSTERY"


def test_script_applies_only_to_the_next_task(em: Emulator, suno: Any) -> None:
    em.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    failing, normal = suno.submit(), suno.submit()

    assert suno.finish(failing)["status"] == "GENERATE_AUDIO_FAILED"
    assert suno.finish(normal)["status"] == "SUCCESS"


def test_script_rejects_unknown_provider(em: Emulator) -> None:
    with pytest.raises(ValueError, match="provider"):
        em.script_next_task("udio", final_status="SUCCESS")


def test_unknown_task_id_is_a_body_level_400(suno: Any) -> None:
    response = suno.client.get("/api/v1/generate/record-info", params={"taskId": "nope"})

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 400
    assert "nope" in body["msg"]
    assert body["data"] is None


def test_missing_task_id_is_rejected(suno: Any) -> None:
    body = suno.client.get("/api/v1/generate/record-info").json()

    assert body["code"] == 400
    assert body["msg"] == "taskId cannot be null"


def test_credit_endpoint_returns_an_integer(suno: Any) -> None:
    body = suno.client.get("/api/v1/generate/credit").json()

    assert body == {"code": 200, "msg": "success", "data": 500}


def test_each_generate_charges_twelve_credits(em: Emulator, suno: Any) -> None:
    suno.submit()
    suno.submit()

    assert em.suno_credits == 500 - 2 * SUNO_CREDITS_PER_GENERATE
    assert suno.client.get("/api/v1/generate/credit").json()["data"] == em.suno_credits


def test_insufficient_credits_is_code_429_and_creates_nothing(em: Emulator, suno: Any) -> None:
    em.suno_credits = SUNO_CREDITS_PER_GENERATE - 1

    body = suno.generate().json()

    assert body["code"] == 429
    assert body["msg"].startswith("Insufficient credits")
    assert body["data"] is None
    assert em.submissions("suno") == 0
    assert em.suno_credits == SUNO_CREDITS_PER_GENERATE - 1


def test_credits_run_out_after_the_last_affordable_task(suno_for: Any) -> None:
    em = Emulator(suno_credits=2 * SUNO_CREDITS_PER_GENERATE)
    api = suno_for(em)

    codes = [api.generate().json()["code"] for _ in range(3)]

    assert codes == [200, 200, 429]
    assert em.suno_credits == 0


def test_tasks_view_reports_provider_and_status(em: Emulator, suno: Any) -> None:
    task_id = suno.submit(model="V5")
    suno.statuses(task_id, 2)

    info = em.tasks[task_id]

    assert (info.provider, info.kind, info.model) == ("suno", "music", "V5")
    assert (info.status, info.status_reads) == ("TEXT_SUCCESS", 2)
