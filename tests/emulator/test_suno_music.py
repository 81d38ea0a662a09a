"""The emulated Suno music edits: validation like the docs, credits, and the tasks they start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from musicgen.testing import Emulator, Fault

from .conftest import SunoAPI

CALLBACK = "https://example.com/callback"
UPLOAD = "https://files.example.com/song.mp3"
UPLOAD2 = "https://files.example.com/other.mp3"


def finished_track(suno: SunoAPI, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Generate and finish a song; return its task id and first track."""
    task_id = suno.submit(**overrides)
    return task_id, suno.finish(task_id)["response"]["sunoData"][0]


def post(suno: SunoAPI, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = suno.client.post(f"/api/v1/generate/{path}", json=body)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def without(body: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in names}


def extend_body(audio_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "defaultParamFlag": True,
        "audioId": audio_id,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "continueAt": 1.0,
        "prompt": "[Verse]\nMore rain",
        "style": "indie",
        "title": "Rain II",
    }
    body.update(overrides)
    return body


# Valid bodies of the edits that need no source track.
UPLOAD_BODIES: dict[str, dict[str, Any]] = {
    "upload-cover": {
        "uploadUrl": UPLOAD,
        "customMode": False,
        "instrumental": False,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "prompt": "a jazz cover",
    },
    "upload-extend": {
        "uploadUrl": UPLOAD,
        "defaultParamFlag": False,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "prompt": "a longer outro",
    },
    "add-vocals": {
        "uploadUrl": UPLOAD,
        "prompt": "a soft duet",
        "title": "Duet",
        "style": "soul",
        "negativeTags": "metal",
        "callBackUrl": CALLBACK,
    },
    "add-instrumental": {
        "uploadUrl": UPLOAD,
        "title": "Backed",
        "tags": "acoustic guitar",
        "negativeTags": "drums",
        "callBackUrl": CALLBACK,
    },
    "mashup": {
        "uploadUrlList": [UPLOAD, UPLOAD2],
        "customMode": False,
        "instrumental": False,
        "model": "V5",
        "callBackUrl": CALLBACK,
        "prompt": "blend them",
    },
    "sounds": {"prompt": "rain on a tin roof", "model": "V5"},
}
OPERATION_TYPES = {
    "upload-cover": "upload_cover",
    "upload-extend": "upload_extend",
    "add-vocals": "add_vocals",
    "add-instrumental": "add_instrumental",
    "mashup": "mashup",
    "sounds": "sounds",
}


# ---------------------------------------------------------------------------------------------
# Accepted edits start music tasks, served by record-info
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(UPLOAD_BODIES))
def test_each_edit_starts_a_music_task_that_record_info_serves(suno: SunoAPI, path: str) -> None:
    answer = post(suno, path, UPLOAD_BODIES[path])
    assert answer["code"] == 200
    data = suno.finish(answer["data"]["taskId"])
    assert data["status"] == "SUCCESS"
    assert data["operationType"] == OPERATION_TYPES[path]
    assert data["parentMusicId"] == ""
    assert len(data["response"]["sunoData"]) == 2


@pytest.mark.parametrize("path", sorted(UPLOAD_BODIES))
def test_each_edit_charges_twelve_credits_once(em: Emulator, suno: SunoAPI, path: str) -> None:
    before = em.suno_credits
    post(suno, path, UPLOAD_BODIES[path])
    assert before - em.suno_credits == 12
    assert em.submissions("suno") == 1


@pytest.mark.parametrize("path", sorted(UPLOAD_BODIES))
def test_each_edit_is_refused_without_enough_credits(
    suno_for: Callable[[Emulator], SunoAPI], path: str
) -> None:
    poor = Emulator(suno_credits=11)
    answer = post(suno_for(poor), path, UPLOAD_BODIES[path])
    assert answer["code"] == 429
    assert answer["data"] is None
    assert poor.submissions() == 0
    assert poor.suno_credits == 11


def test_extend_starts_a_task_naming_its_parent_track(suno: SunoAPI) -> None:
    _, track = finished_track(suno)
    answer = post(suno, "extend", extend_body(track["id"]))
    data = suno.finish(answer["data"]["taskId"])
    assert data["operationType"] == "extend"
    assert data["parentMusicId"] == track["id"]
    assert data["response"]["sunoData"][0]["title"] == "Rain II"


def test_extend_with_the_source_settings_keeps_its_title(suno: SunoAPI) -> None:
    _, track = finished_track(suno, title="Original")
    body = {"defaultParamFlag": False, "audioId": track["id"], "model": "V4_5"}
    answer = post(suno, "extend", {**body, "callBackUrl": CALLBACK})
    tracks = suno.finish(answer["data"]["taskId"])["response"]["sunoData"]
    assert [t["title"] for t in tracks] == ["Original", "Original"]


def test_an_extension_can_be_extended(suno: SunoAPI) -> None:
    _, track = finished_track(suno)
    first = post(suno, "extend", extend_body(track["id"]))["data"]["taskId"]
    extension = suno.finish(first)["response"]["sunoData"][0]
    assert post(suno, "extend", extend_body(extension["id"]))["code"] == 200


def test_extend_charges_twelve_credits(em: Emulator, suno: SunoAPI) -> None:
    _, track = finished_track(suno)
    before = em.suno_credits
    post(suno, "extend", extend_body(track["id"]))
    assert before - em.suno_credits == 12


def test_a_plain_generation_still_reads_as_generate(suno: SunoAPI) -> None:
    data = suno.record_info(suno.submit())["data"]
    assert (data["operationType"], data["parentMusicId"]) == ("generate", "")


def test_add_vocals_runs_on_v4_5plus_by_default(suno: SunoAPI) -> None:
    task_id = post(suno, "add-vocals", UPLOAD_BODIES["add-vocals"])["data"]["taskId"]
    assert suno.record_info(task_id)["data"]["type"] == "chirp-bluejay"


def test_sounds_needs_no_callback_url(suno: SunoAPI) -> None:
    assert post(suno, "sounds", {"prompt": "a beat", "model": "V5"})["code"] == 200


def test_sounds_takes_loop_tempo_key_and_lyrics_flags(suno: SunoAPI) -> None:
    body = {
        "prompt": "a beat",
        "model": "V5",
        "soundLoop": True,
        "soundTempo": 300,
        "soundKey": "A#m",
        "grabLyrics": True,
    }
    assert post(suno, "sounds", body)["code"] == 200


# ---------------------------------------------------------------------------------------------
# extend refusals
# ---------------------------------------------------------------------------------------------


def test_extend_refuses_an_unknown_audio_id(em: Emulator, suno: SunoAPI) -> None:
    answer = post(suno, "extend", extend_body("no-such-track"))
    assert answer["code"] == 400
    assert "audioId" in answer["msg"]
    assert em.submissions() == 0
    assert em.suno_credits == 500


@pytest.mark.parametrize("at", [2.0, 2.5, 0, -1])
def test_extend_refuses_a_start_outside_the_source(suno: SunoAPI, at: float) -> None:
    _, track = finished_track(suno)  # 2-second tracks
    answer = post(suno, "extend", extend_body(track["id"], continueAt=at))
    assert answer["code"] == 400
    assert "continueAt" in answer["msg"]


def test_extend_refuses_a_model_other_than_the_sources(suno: SunoAPI) -> None:
    _, track = finished_track(suno, model="V5")
    answer = post(suno, "extend", extend_body(track["id"], model="V4_5"))
    assert answer["code"] == 400
    assert "V5" in answer["msg"]


@pytest.mark.parametrize("field", ["continueAt", "style", "title", "prompt", "defaultParamFlag"])
def test_custom_extend_names_a_missing_field(suno: SunoAPI, field: str) -> None:
    _, track = finished_track(suno)
    answer = post(suno, "extend", without(extend_body(track["id"]), field))
    assert answer["code"] == 400
    assert field in answer["msg"]


def test_custom_extend_of_an_instrumental_needs_no_prompt(suno: SunoAPI) -> None:
    _, track = finished_track(suno, instrumental=True, prompt=None)
    assert post(suno, "extend", without(extend_body(track["id"]), "prompt"))["code"] == 200


def test_extend_refuses_a_style_over_the_models_limit(suno: SunoAPI) -> None:
    _, track = finished_track(suno, model="V4")
    answer = post(suno, "extend", extend_body(track["id"], model="V4", style="x" * 201))
    assert answer["code"] == 413


def test_extend_needs_a_callback_url(suno: SunoAPI) -> None:
    _, track = finished_track(suno)
    answer = post(suno, "extend", without(extend_body(track["id"]), "callBackUrl"))
    assert answer["code"] == 400
    assert "callBackUrl" in answer["msg"]


# ---------------------------------------------------------------------------------------------
# Refusals of the upload edits
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("upload-cover", "uploadUrl"),
        ("upload-cover", "customMode"),
        ("upload-cover", "prompt"),
        ("upload-extend", "uploadUrl"),
        ("upload-extend", "defaultParamFlag"),
        ("upload-extend", "prompt"),
        ("add-vocals", "negativeTags"),
        ("add-vocals", "style"),
        ("add-vocals", "prompt"),
        ("add-instrumental", "tags"),
        ("add-instrumental", "negativeTags"),
        ("mashup", "uploadUrlList"),
        ("mashup", "model"),
        ("sounds", "prompt"),
        ("sounds", "model"),
    ],
)
def test_a_missing_required_field_is_named(
    em: Emulator, suno: SunoAPI, path: str, field: str
) -> None:
    answer = post(suno, path, without(UPLOAD_BODIES[path], field))
    assert answer["code"] == 400
    assert field in answer["msg"]
    assert em.submissions() == 0


@pytest.mark.parametrize("url", ["ftp://files.example.com/a.mp3", "song.mp3", 7])
def test_an_upload_url_must_be_http(suno: SunoAPI, url: Any) -> None:
    answer = post(suno, "upload-cover", {**UPLOAD_BODIES["upload-cover"], "uploadUrl": url})
    assert answer["code"] == 400
    assert "uploadUrl" in answer["msg"]


@pytest.mark.parametrize("urls", [[UPLOAD], [UPLOAD, UPLOAD2, UPLOAD], UPLOAD])
def test_mashup_takes_exactly_two_urls(suno: SunoAPI, urls: Any) -> None:
    answer = post(suno, "mashup", {**UPLOAD_BODIES["mashup"], "uploadUrlList": urls})
    assert answer["code"] == 400
    assert "exactly 2" in answer["msg"]


@pytest.mark.parametrize("path", ["add-vocals", "add-instrumental"])
@pytest.mark.parametrize(("model", "code"), [("V4_5", 400), ("V5", 200), ("V5_5", 200)])
def test_overdubs_run_on_three_models(suno: SunoAPI, path: str, model: str, code: int) -> None:
    assert post(suno, path, {**UPLOAD_BODIES[path], "model": model})["code"] == code


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [
        ("add-vocals", "negativeTags", 200),
        ("add-vocals", "style", 1000),
        ("add-instrumental", "negativeTags", 200),
        ("add-instrumental", "tags", 1000),
        ("sounds", "prompt", 500),
        ("upload-cover", "prompt", 500),
        ("upload-extend", "prompt", 500),
    ],
)
def test_text_over_its_limit_is_413(suno: SunoAPI, path: str, field: str, limit: int) -> None:
    body = UPLOAD_BODIES[path]
    assert post(suno, path, {**body, field: "x" * limit})["code"] == 200
    assert post(suno, path, {**body, field: "x" * (limit + 1)})["code"] == 413


def test_custom_upload_cover_needs_style_and_title(suno: SunoAPI) -> None:
    body = {**UPLOAD_BODIES["upload-cover"], "customMode": True, "style": "jazz"}
    answer = post(suno, "upload-cover", body)
    assert answer["code"] == 400
    assert "title" in answer["msg"]


def test_custom_upload_extend_needs_a_start(suno: SunoAPI) -> None:
    body = {**UPLOAD_BODIES["upload-extend"], "defaultParamFlag": True, "style": "s", "title": "t"}
    answer = post(suno, "upload-extend", body)
    assert answer["code"] == 400
    assert "continueAt" in answer["msg"]


def test_custom_upload_extend_of_an_instrumental_needs_no_prompt(suno: SunoAPI) -> None:
    body = {
        "uploadUrl": UPLOAD,
        "defaultParamFlag": True,
        "instrumental": True,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "continueAt": 30,
        "style": "ambient",
        "title": "Drift",
    }
    assert post(suno, "upload-extend", body)["code"] == 200


def test_upload_extend_start_must_fall_inside_an_upload_the_emulator_made(suno: SunoAPI) -> None:
    _, track = finished_track(suno)  # 2 seconds long
    body = {
        "uploadUrl": track["audioUrl"],
        "defaultParamFlag": True,
        "model": "V4_5",
        "callBackUrl": CALLBACK,
        "prompt": "la",
        "style": "s",
        "title": "t",
    }
    assert post(suno, "upload-extend", {**body, "continueAt": 1.5})["code"] == 200
    answer = post(suno, "upload-extend", {**body, "continueAt": 3})
    assert answer["code"] == 400
    assert "continueAt" in answer["msg"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("soundTempo", 0), ("soundTempo", 301), ("soundTempo", 120.5), ("soundKey", "H"),
     ("soundLoop", "yes")],
)  # fmt: skip
def test_sounds_refuses_bad_settings(suno: SunoAPI, field: str, value: Any) -> None:
    answer = post(suno, "sounds", {**UPLOAD_BODIES["sounds"], field: value})
    assert answer["code"] == 400
    assert field in answer["msg"]


# ---------------------------------------------------------------------------------------------
# replace-section
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def long_suno(suno_for: Callable[[Emulator], SunoAPI]) -> tuple[Emulator, SunoAPI]:
    emulator = Emulator(audio_seconds=120)
    return emulator, suno_for(emulator)


def section_body(task_id: str, audio_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "taskId": task_id,
        "audioId": audio_id,
        "prompt": "a drum break",
        "tags": "funk",
        "title": "Rain",
        "infillStartS": 10.0,
        "infillEndS": 30.0,
    }
    body.update(overrides)
    return body


def test_replace_section_starts_a_task_and_charges_five_credits(
    long_suno: tuple[Emulator, SunoAPI],
) -> None:
    emulator, suno = long_suno
    task_id, track = finished_track(suno)
    before = emulator.suno_credits
    answer = post(suno, "replace-section", section_body(task_id, track["id"]))
    assert answer["code"] == 200
    assert before - emulator.suno_credits == 5
    data = suno.finish(answer["data"]["taskId"])
    assert data["operationType"] == "replace_section"
    assert data["status"] == "SUCCESS"


def test_replace_section_keeps_the_full_lyrics_sent(long_suno: tuple[Emulator, SunoAPI]) -> None:
    _, suno = long_suno
    task_id, track = finished_track(suno)
    body = section_body(task_id, track["id"], fullLyrics="[Verse]\nNew words")
    new = post(suno, "replace-section", body)["data"]["taskId"]
    assert suno.finish(new)["response"]["sunoData"][0]["prompt"] == "[Verse]\nNew words"


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 10), (20, 20), (20, 10), (0, 5.9), (0, 60.5), (100, 121)],
)
def test_replace_section_refuses_a_bad_window(
    long_suno: tuple[Emulator, SunoAPI], start: float, end: float
) -> None:
    emulator, suno = long_suno
    task_id, track = finished_track(suno)
    body = section_body(task_id, track["id"], infillStartS=start, infillEndS=end)
    assert post(suno, "replace-section", body)["code"] == 400
    assert emulator.submissions() == 1  # the source only


def test_replace_section_refuses_more_than_half_the_track(
    suno_for: Callable[[Emulator], SunoAPI],
) -> None:
    suno = suno_for(Emulator(audio_seconds=20))
    task_id, track = finished_track(suno)
    body = section_body(task_id, track["id"], infillStartS=0, infillEndS=11)
    answer = post(suno, "replace-section", body)
    assert answer["code"] == 400
    assert "50%" in answer["msg"]


def test_replace_section_refuses_a_track_of_another_task(
    long_suno: tuple[Emulator, SunoAPI],
) -> None:
    _, suno = long_suno
    _, track = finished_track(suno)
    other_task, _ = finished_track(suno)
    answer = post(suno, "replace-section", section_body(other_task, track["id"]))
    assert answer["code"] == 400
    assert "taskId" in answer["msg"]


@pytest.mark.parametrize(
    ("field", "value"), [("taskId", "no-such-task"), ("audioId", "no-such-track")]
)
def test_replace_section_refuses_an_unknown_source(
    long_suno: tuple[Emulator, SunoAPI], field: str, value: str
) -> None:
    _, suno = long_suno
    task_id, track = finished_track(suno)
    answer = post(suno, "replace-section", section_body(task_id, track["id"], **{field: value}))
    assert answer["code"] == 400
    assert f"{field} not found" in answer["msg"]


@pytest.mark.parametrize("field", ["taskId", "audioId", "prompt", "tags", "title", "infillEndS"])
def test_replace_section_names_a_missing_field(
    long_suno: tuple[Emulator, SunoAPI], field: str
) -> None:
    _, suno = long_suno
    task_id, track = finished_track(suno)
    answer = post(suno, "replace-section", without(section_body(task_id, track["id"]), field))
    assert answer["code"] == 400
    assert field in answer["msg"]


# ---------------------------------------------------------------------------------------------
# Faults select the endpoint
# ---------------------------------------------------------------------------------------------


def test_a_fault_on_one_edit_leaves_generate_alone(em: Emulator, suno: SunoAPI) -> None:
    em.inject(Fault("server_error", endpoint="upload_cover"))
    assert suno.generate().json()["code"] == 200
    assert post(suno, "upload-cover", UPLOAD_BODIES["upload-cover"])["code"] == 500


@pytest.mark.parametrize("path", sorted(UPLOAD_BODIES))
def test_a_submit_fault_naming_an_edit_refuses_it_uncharged(
    em: Emulator, suno: SunoAPI, path: str
) -> None:
    em.inject(Fault("rate_limit", operation="submit", endpoint=OPERATION_TYPES[path]))
    assert post(suno, path, UPLOAD_BODIES[path])["code"] == 430
    assert em.submissions() == 0
    assert em.suno_credits == 500
