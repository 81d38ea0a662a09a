"""The emulated Suno task endpoints on a finished track, over plain HTTP: validation, credits,
record-info progressions per family, and the files the tasks make."""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import pytest

from musicgen.testing import SUNO_CREDITS_PER_GENERATE, Emulator

from .conftest import SunoAPI

CALLBACK = "https://example.com/callback"
START = 500 - SUNO_CREDITS_PER_GENERATE  # credits left after the song each test makes


class Tasks:
    """A finished song, and calls to the task endpoints about it."""

    def __init__(self, api: SunoAPI) -> None:
        self.api = api
        self.client = api.client
        self.music_id = api.submit()
        self.tracks: list[dict[str, Any]] = api.finish(self.music_id)["response"]["sunoData"]
        self.audio_id: str = self.tracks[0]["id"]

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        body.setdefault("callBackUrl", CALLBACK)
        payload = {k: v for k, v in body.items() if v is not None}
        answer: dict[str, Any] = self.client.post(f"/api/v1/{path}", json=payload).json()
        return answer

    def start(self, path: str, **body: Any) -> str:
        answer = self.post(path, **body)
        assert answer["code"] == 200, answer
        return str(answer["data"]["taskId"])

    def on_track(self, path: str, **body: Any) -> str:
        return self.start(path, taskId=self.music_id, audioId=self.audio_id, **body)

    def read(self, path: str, task_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.get(
            f"/api/v1/{path}/record-info", params={"taskId": task_id}
        ).json()
        return answer

    def reads(self, path: str, task_id: str, count: int, field: str = "successFlag") -> list[Any]:
        return [self.read(path, task_id)["data"][field] for _ in range(count)]

    def finish(self, path: str, task_id: str, reads: int = 3) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for _ in range(reads):
            data = self.read(path, task_id)["data"]
        return data

    def download(self, url: str) -> bytes:
        response = self.client.get(url)
        assert response.status_code == 200, response.text
        return response.content


@pytest.fixture
def tasks(suno: SunoAPI) -> Tasks:
    return Tasks(suno)


def wav_frames(content: bytes) -> int:
    with wave.open(io.BytesIO(content)) as audio:
        frames: int = audio.getnframes()
        return frames


# -- lyrics -------------------------------------------------------------------------------------


def test_lyrics_walk_pending_then_success_with_two_variants(tasks: Tasks) -> None:
    task_id = tasks.start("lyrics", prompt="a song about autumn leaves")

    first = tasks.read("lyrics", task_id)["data"]
    done = tasks.read("lyrics", task_id)["data"]

    assert (first["status"], first["response"]) == ("PENDING", None)
    assert done["status"] == "SUCCESS"
    assert done["type"] == "LYRICS"
    assert json.loads(done["param"])["prompt"] == "a song about autumn leaves"
    variants = done["response"]["data"]
    assert len(variants) == 2
    for variant in variants:
        assert "autumn leaves" in variant["text"]
        assert variant["title"]
        assert variant["status"] == "complete"


def test_lyrics_cost_one_whole_credit(em: Emulator, tasks: Tasks) -> None:
    tasks.start("lyrics", prompt="rain")
    assert em.suno_credits == START - 1


@pytest.mark.parametrize(
    ("body", "code", "msg"),
    [
        ({}, 400, "prompt cannot be null"),
        ({"prompt": "rain", "callBackUrl": ""}, 400, "Please enter callBackUrl."),
        ({"prompt": " ".join(["w"] * 201)}, 413, "Theme or prompt too long"),
    ],
)
def test_lyrics_refuse_a_bad_body_and_charge_nothing(
    em: Emulator, tasks: Tasks, body: dict[str, Any], code: int, msg: str
) -> None:
    answer = tasks.post("lyrics", **body)

    assert (answer["code"], answer["msg"]) == (code, msg)
    assert em.suno_credits == START


# -- timestamped lyrics -------------------------------------------------------------------------


def test_timestamped_lyrics_align_the_tracks_words(em: Emulator, tasks: Tasks) -> None:
    answer = tasks.post(
        "generate/get-timestamped-lyrics", taskId=tasks.music_id, audioId=tasks.audio_id
    )

    assert answer["code"] == 200
    data = answer["data"]
    words = data["alignedWords"]
    assert words[0]["word"].startswith("[Verse]\n")
    assert all(0 <= w["startS"] < w["endS"] <= 2.0 for w in words)  # the emulator's 2 s tracks
    sung = " ".join(w["word"].split("\n")[-1] for w in words)
    assert sung.split() == [
        word
        for line in tasks.tracks[0]["prompt"].splitlines()
        if not line.startswith("[")
        for word in line.split()
    ]
    assert data["waveformData"]
    assert data["isStreamed"] is False
    assert em.suno_credits == START - 1
    assert em.submissions("suno") == 2


def test_timestamped_lyrics_fall_back_to_the_music_index(tasks: Tasks) -> None:
    answer = tasks.post("generate/get-timestamped-lyrics", taskId=tasks.music_id, musicIndex=1)
    assert answer["code"] == 200


def test_timestamped_lyrics_of_an_unknown_track_are_refused(tasks: Tasks) -> None:
    answer = tasks.post("generate/get-timestamped-lyrics", taskId=tasks.music_id, audioId="nope")
    assert (answer["code"], answer["msg"]) == (400, "audioId not found")


# -- WAV ----------------------------------------------------------------------------------------


def test_wav_walks_string_flags_and_serves_the_tracks_audio(tasks: Tasks) -> None:
    task_id = tasks.on_track("wav/generate")

    pending = tasks.read("wav", task_id)["data"]
    done = tasks.read("wav", task_id)["data"]

    assert (pending["successFlag"], pending["response"], pending["completeTime"]) == (
        "PENDING",
        None,
        None,
    )
    assert done["successFlag"] == "SUCCESS"
    assert done["musicId"] == tasks.audio_id
    assert done["musicIndex"] == 0
    assert isinstance(done["createTime"], int)
    assert isinstance(done["completeTime"], int)
    wav = tasks.download(done["response"]["audioWavUrl"])
    assert wav == tasks.download(tasks.tracks[0]["audioUrl"])
    assert wav_frames(wav) > 0


def test_a_second_wav_of_the_same_track_is_a_409(em: Emulator, tasks: Tasks) -> None:
    tasks.on_track("wav/generate")

    again = tasks.post("wav/generate", taskId=tasks.music_id, audioId=tasks.audio_id)
    other = tasks.post("wav/generate", taskId=tasks.music_id, audioId=tasks.tracks[1]["id"])

    assert (again["code"], again["msg"]) == (409, "WAV record already exists")
    assert other["code"] == 200
    assert em.suno_credits == START - 2


def test_a_wav_may_be_made_again_after_a_failed_one(em: Emulator, tasks: Tasks) -> None:
    em.script_next_task("suno", final_status="GENERATE_WAV_FAILED")
    failed = tasks.on_track("wav/generate")

    assert tasks.reads("wav", failed, 3) == [
        "PENDING",
        "GENERATE_WAV_FAILED",
        "GENERATE_WAV_FAILED",
    ]
    data = tasks.read("wav", failed)["data"]
    assert (data["errorCode"], data["errorMessage"]) == (500, "WAV generation failed.")
    assert data["response"] is None
    assert tasks.post("wav/generate", taskId=tasks.music_id, audioId=tasks.audio_id)["code"] == 200


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"taskId": None}, "taskId cannot be null"),
        ({"audioId": None}, "audioId cannot be null"),
        ({"audioId": "not-a-track"}, "audioId not found"),
        ({"taskId": "f" * 32}, "taskId not found"),
        ({"callBackUrl": ""}, "Please enter callBackUrl."),
    ],
)
def test_track_endpoints_validate_task_and_track(
    em: Emulator, tasks: Tasks, body: dict[str, Any], msg: str
) -> None:
    for path in ("wav/generate", "vocal-removal/generate", "mp4/generate"):
        fields = {"taskId": tasks.music_id, "audioId": tasks.audio_id, **body}
        answer = tasks.post(path, **fields)
        assert answer["code"] == 400
        assert answer["msg"].startswith(msg)
    assert em.suno_credits == START


def test_track_endpoints_need_a_finished_song(suno: SunoAPI) -> None:
    music_id = suno.submit()  # never read: still PENDING

    answer = suno.client.post(
        "/api/v1/wav/generate",
        json={"taskId": music_id, "audioId": "any", "callBackUrl": CALLBACK},
    ).json()

    assert answer["code"] == 400
    assert answer["msg"].startswith("The music task is not finished yet")


# -- vocal removal ------------------------------------------------------------------------------


def test_vocal_separation_fills_vocals_and_instrumental_only(tasks: Tasks) -> None:
    task_id = tasks.on_track("vocal-removal/generate", type="separate_vocal")

    data = tasks.finish("vocal-removal", task_id)

    assert data["successFlag"] == "SUCCESS"
    response = data["response"]
    filled = {key for key, value in response.items() if value}
    assert filled == {"vocalUrl", "instrumentalUrl"}
    assert response["originUrl"] == ""
    assert response["drumsUrl"] is None
    for key in filled:
        assert wav_frames(tasks.download(response[key])) > 0
    assert [item["stemName"] for item in data["originData"]] == ["Vocals", "Instrumental"]
    assert all(item["id"] for item in data["originData"])


def test_separation_defaults_to_vocals(tasks: Tasks) -> None:
    task_id = tasks.on_track("vocal-removal/generate")
    assert tasks.finish("vocal-removal", task_id)["response"]["vocalUrl"]


def test_split_stem_fills_twelve_parts(tasks: Tasks) -> None:
    task_id = tasks.on_track("vocal-removal/generate", type="split_stem")

    response = tasks.finish("vocal-removal", task_id)["response"]

    filled = sorted(key for key, value in response.items() if value)
    assert len(filled) == 12
    assert "instrumentalUrl" not in filled
    assert "backingVocalsUrl" in filled
    urls = {response[key] for key in filled}
    assert len(urls) == 12


def test_advanced_split_extracts_and_removes_the_named_stem(tasks: Tasks) -> None:
    task_id = tasks.on_track(
        "vocal-removal/generate", type="split_stem_advanced", stemName="Drum Kit"
    )

    data = tasks.finish("vocal-removal", task_id)

    assert not any(data["response"].values())
    (item,) = data["originData"]
    assert item["stemName"] == "Drum Kit"
    extract = tasks.download(item["extract"]["audio_url"])
    remove = tasks.download(item["remove"]["audio_url"])
    assert extract != remove
    assert wav_frames(extract) > 0


@pytest.mark.parametrize(
    ("kind", "cost"), [("separate_vocal", 10), ("split_stem", 50), ("split_stem_advanced", 20)]
)
def test_every_separation_is_charged_again(
    em: Emulator, tasks: Tasks, kind: str, cost: int
) -> None:
    for _ in range(2):
        tasks.on_track("vocal-removal/generate", type=kind, stemName="Bass")
    assert em.suno_credits == START - 2 * cost


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"type": "karaoke"}, "type is invalid"),
        ({"type": "split_stem_advanced"}, "stemName cannot be null"),
    ],
)
def test_separation_validates_type_and_stem_name(
    tasks: Tasks, body: dict[str, Any], msg: str
) -> None:
    answer = tasks.post(
        "vocal-removal/generate", taskId=tasks.music_id, audioId=tasks.audio_id, **body
    )
    assert answer["code"] == 400
    assert answer["msg"].startswith(msg)


def test_out_of_credits_is_a_429_that_creates_nothing(em: Emulator, tasks: Tasks) -> None:
    em.suno_credits = 49
    before = em.submissions("suno")

    answer = tasks.post(
        "vocal-removal/generate", taskId=tasks.music_id, audioId=tasks.audio_id, type="split_stem"
    )

    assert answer["code"] == 429
    assert em.suno_credits == 49
    assert em.submissions("suno") == before


# -- MIDI ---------------------------------------------------------------------------------------


def separation(tasks: Tasks, kind: str = "separate_vocal") -> tuple[str, dict[str, Any]]:
    task_id = tasks.on_track("vocal-removal/generate", type=kind)
    return task_id, tasks.finish("vocal-removal", task_id)


def test_midi_walks_integer_flags_and_gives_notes_per_part(em: Emulator, tasks: Tasks) -> None:
    separation_id, _ = separation(tasks)
    credits = em.suno_credits

    task_id = tasks.start("midi/generate", taskId=separation_id)
    pending = tasks.read("midi", task_id)["data"]
    done = tasks.read("midi", task_id)["data"]

    assert (pending["successFlag"], pending["midiData"]) == (0, None)
    assert done["successFlag"] == 1
    assert done["recordTaskId"] == separation_id
    assert done["midiData"]["state"] == "complete"
    names = [instrument["name"] for instrument in done["midiData"]["instruments"]]
    assert names == ["Vocals", "Instrumental"]
    notes = done["midiData"]["instruments"][0]["notes"]
    assert {type(note["start"]) for note in notes} == {float, str}  # ⚠ as in the docs' example
    assert all(0 <= note["pitch"] <= 127 for note in notes)
    assert em.suno_credits == credits  # free


def test_midi_of_one_separated_part(tasks: Tasks) -> None:
    separation_id, data = separation(tasks)
    vocals = data["originData"][0]["id"]

    task_id = tasks.start("midi/generate", taskId=separation_id, audioId=vocals)

    done = tasks.finish("midi", task_id)
    assert done["audioId"] == vocals
    assert [i["name"] for i in done["midiData"]["instruments"]] == ["Vocals"]


def test_midi_of_a_split_stem_separation_has_no_notes(tasks: Tasks) -> None:
    separation_id, _ = separation(tasks, "split_stem")
    task_id = tasks.start("midi/generate", taskId=separation_id)
    assert tasks.finish("midi", task_id)["midiData"]["instruments"] == []


def test_midi_refuses_a_music_task_or_an_unfinished_separation(tasks: Tasks) -> None:
    unfinished = tasks.on_track("vocal-removal/generate")
    for task_id in (tasks.music_id, unfinished):
        answer = tasks.post("midi/generate", taskId=task_id)
        assert answer["code"] == 400
        assert "vocal separation" in answer["msg"]


def test_midi_refuses_an_unknown_part(tasks: Tasks) -> None:
    separation_id, _ = separation(tasks)
    answer = tasks.post("midi/generate", taskId=separation_id, audioId="nope")
    assert (answer["code"], answer["msg"]) == (400, "audioId not found")


# -- MP4 ----------------------------------------------------------------------------------------


def test_video_walks_string_flags_and_its_url_says_it_is_not_emulated(
    em: Emulator, tasks: Tasks
) -> None:
    task_id = tasks.on_track("mp4/generate", author="DJ Rain", domainName="rain.example")

    assert tasks.reads("mp4", task_id, 2) == ["PENDING", "SUCCESS"]
    data = tasks.read("mp4", task_id)["data"]
    video = tasks.client.get(data["response"]["videoUrl"])
    assert video.status_code == 501
    assert "MP4 rendering is not emulated" in video.text
    assert data["musicId"] == tasks.audio_id
    assert em.suno_credits == START - 2


@pytest.mark.parametrize("field", ["author", "domainName"])
def test_video_texts_are_at_most_50_characters(tasks: Tasks, field: str) -> None:
    answer = tasks.post(
        "mp4/generate", taskId=tasks.music_id, audioId=tasks.audio_id, **{field: "x" * 51}
    )
    assert answer["code"] == 400
    assert answer["msg"].startswith(field)


def test_an_unknown_video_url_is_not_found(tasks: Tasks) -> None:
    assert tasks.client.get(f"/video/{'0' * 32}.mp4").status_code == 404


# -- cover art ----------------------------------------------------------------------------------


def test_cover_walks_integer_flags_and_serves_two_png_images(em: Emulator, tasks: Tasks) -> None:
    task_id = tasks.start("suno/cover/generate", taskId=tasks.music_id)

    flags = tasks.reads("suno/cover", task_id, 3)
    data = tasks.read("suno/cover", task_id)["data"]

    assert flags == [0, 2, 1]
    assert data["parentTaskId"] == tasks.music_id
    images = data["response"]["images"]
    assert len(images) == 2
    contents = [tasks.download(url) for url in images]
    assert all(content.startswith(b"\x89PNG\r\n\x1a\n") for content in contents)
    assert contents[0] != contents[1]
    assert em.suno_credits == START  # free


def test_a_second_cover_of_a_music_task_names_the_first(tasks: Tasks) -> None:
    first = tasks.start("suno/cover/generate", taskId=tasks.music_id)

    again = tasks.post("suno/cover/generate", taskId=tasks.music_id)

    assert again["code"] == 400
    assert again["data"] == {"taskId": first}


def test_a_scripted_cover_failure_is_flag_3(em: Emulator, tasks: Tasks) -> None:
    em.script_next_task("suno", final_status="3")
    task_id = tasks.start("suno/cover/generate", taskId=tasks.music_id)

    assert tasks.reads("suno/cover", task_id, 3) == [0, 3, 3]
    assert tasks.read("suno/cover", task_id)["data"]["errorMessage"] == "Cover generation failed."


# -- record-info --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["lyrics", "wav", "vocal-removal", "midi", "mp4", "suno/cover"])
def test_record_info_of_an_unknown_or_other_task_is_a_body_400(tasks: Tasks, path: str) -> None:
    for task_id in ("nope", tasks.music_id):
        answer = tasks.read(path, task_id)
        assert answer["code"] == 400
        assert task_id in answer["msg"]
        assert answer["data"] is None
    missing = tasks.client.get(f"/api/v1/{path}/record-info").json()
    assert (missing["code"], missing["msg"]) == (400, "taskId cannot be null")


def test_task_kinds_show_in_the_tasks_view(em: Emulator, tasks: Tasks) -> None:
    wav = tasks.on_track("wav/generate")
    lyrics = tasks.start("lyrics", prompt="rain")

    assert (em.tasks[wav].kind, em.tasks[lyrics].kind) == ("wav", "lyrics")
    assert em.tasks[wav].model == "V4_5"
