"""The emulated Mureka endpoints beyond generate: shapes, validation, costs, files, tasks."""

from __future__ import annotations

import io
import struct
import time
import wave
import zipfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from musicgen.testing import Emulator, Fault
from musicgen.testing._mureka import (
    CENTS_PER_DESCRIBE,
    CENTS_PER_FINETUNE,
    CENTS_PER_LYRICS,
    CENTS_PER_PODCAST,
    CENTS_PER_SONG,
    CENTS_PER_STEM,
    CENTS_PER_TTS,
)

from .conftest import MurekaAPI

MP3 = b"ID3\x04\x00" + bytes(range(256)) * 8
DAY = 24 * 3600


def post(api: MurekaAPI, path: str, **body: Any) -> httpx.Response:
    return api.client.post(path, json=body)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    message: str = response.json()["error"]["message"]
    assert message.startswith("Invalid Request, ")
    return message


def upload(api: MurekaAPI, purpose: str, name: str = "take.mp3", content: bytes = MP3) -> str:
    response = api.client.post(
        "/v1/files/upload", data={"purpose": purpose}, files={"file": (name, content)}
    )
    return str(ok(response)["id"])


def finished(api: MurekaAPI, task_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(4):
        body = api.query(task_id)
    assert body["status"] == "succeeded", body
    return body


def song(api: MurekaAPI) -> dict[str, Any]:
    """A finished generated song's first choice."""
    choice: dict[str, Any] = finished(api, api.submit(n=1))["choices"][0]
    return choice


def download(em: Emulator, url: str) -> bytes:
    with httpx.Client(transport=em.transport()) as client:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return response.content


def spent(em: Emulator, call: Callable[[], object]) -> int:
    before = em.mureka_balance_cents
    call()
    return before - em.mureka_balance_cents


def is_midi(content: bytes) -> bool:
    length, kind, tracks, _ = struct.unpack(">IHHH", content[4:14])
    chunk_size = struct.unpack(">I", content[18:22])[0]
    return (
        content[:4] == b"MThd"
        and (length, kind, tracks) == (6, 0, 1)
        and content[14:18] == b"MTrk"
        and len(content) == 22 + chunk_size
        and content.endswith(b"\xff\x2f\x00")
    )


# -- files/upload and vocal/clone -------------------------------------------------------------


def test_upload_answers_the_documented_fields(mureka: MurekaAPI) -> None:
    response = mureka.client.post(
        "/v1/files/upload", data={"purpose": "audio"}, files={"file": ("take.mp3", MP3)}
    )

    body = ok(response)
    assert body["id"].isdigit()
    assert (body["filename"], body["bytes"], body["purpose"]) == ("take.mp3", len(MP3), "audio")
    assert abs(body["created_at"] - time.time()) < 60


def test_upload_is_free(em: Emulator, mureka: MurekaAPI) -> None:
    assert spent(em, lambda: upload(mureka, "reference")) == 0


def test_upload_without_purpose_is_refused_naming_it(mureka: MurekaAPI) -> None:
    response = mureka.client.post("/v1/files/upload", files={"file": ("a.mp3", MP3)})

    assert "purpose" in refusal(response)


@pytest.mark.parametrize(
    ("purpose", "name", "word"),
    [
        ("song", "a.mp3", "purpose"),
        ("audio", "a.wav", "format"),
        ("audio", "a.mid", "format"),
    ],
)
def test_upload_refuses_bad_purposes_and_formats(
    mureka: MurekaAPI, purpose: str, name: str, word: str
) -> None:
    response = mureka.client.post(
        "/v1/files/upload", data={"purpose": purpose}, files={"file": (name, MP3)}
    )

    assert word in refusal(response)


def test_melody_upload_takes_midi(mureka: MurekaAPI) -> None:
    assert upload(mureka, "melody", "tune.mid", b"MThd\x00\x00\x00\x06")


def test_upload_over_10_mb_is_refused(mureka: MurekaAPI) -> None:
    response = mureka.client.post(
        "/v1/files/upload",
        data={"purpose": "audio"},
        files={"file": ("a.mp3", bytes(10 * 1024 * 1024 + 1))},
    )

    assert "10 MB" in refusal(response)


def test_upload_that_is_not_multipart_is_refused(mureka: MurekaAPI) -> None:
    assert "multipart" in refusal(post(mureka, "/v1/files/upload", purpose="audio"))


@pytest.mark.parametrize("path", ["/v1/vocal/clone", "/v1/song/vocal-clone"])
def test_vocal_clone_is_served_on_both_documented_paths(mureka: MurekaAPI, path: str) -> None:
    body = ok(mureka.client.post(path, files={"file": ("me.m4a", MP3)}))

    assert set(body) == {"id", "filename", "bytes", "created_at", "trace_id"}
    assert (body["filename"], body["bytes"]) == ("me.m4a", len(MP3))


# -- song edits -------------------------------------------------------------------------------


def test_extend_starts_a_song_task_that_song_query_serves(em: Emulator, mureka: MurekaAPI) -> None:
    source = song(mureka)
    response = post(
        mureka, "/v1/song/extend", song_id=source["id"], lyrics="[Verse]\nOnward", extend_at=8000
    )

    task_id = ok(response)["id"]
    body = finished(mureka, task_id)
    assert len(body["choices"]) == 1
    lines = [
        line["text"]
        for section in body["choices"][0]["lyrics_sections"]
        for line in section.get("lines", ())
    ]
    assert lines[-1] == "Onward"
    assert em.tasks[task_id].kind == "extend"


def test_extend_task_is_not_on_the_instrumental_path(mureka: MurekaAPI) -> None:
    source = song(mureka)
    task_id = ok(post(mureka, "/v1/song/extend", song_id=source["id"], lyrics="x", extend_at=9000))[
        "id"
    ]

    assert mureka.client.get(f"/v1/instrumental/query/{task_id}").status_code == 404


def test_extend_costs_one_song(em: Emulator, mureka: MurekaAPI) -> None:
    source = song(mureka)

    cost = spent(
        em,
        lambda: ok(
            post(mureka, "/v1/song/extend", song_id=source["id"], lyrics="x", extend_at=8000)
        ),
    )

    assert cost == CENTS_PER_SONG


def test_extend_head_on_mureka_8_prepends_the_lyrics(mureka: MurekaAPI) -> None:
    source = song(mureka)
    task_id = ok(
        post(
            mureka,
            "/v1/song/extend",
            song_id=source["id"],
            lyrics="First",
            extend_at=8000,
            extend_type="head",
            model="mureka-8",
        )
    )["id"]

    choice = finished(mureka, task_id)["choices"][0]
    first = next(s["lines"][0]["text"] for s in choice["lyrics_sections"] if s.get("lines"))
    assert first == "First"


@pytest.mark.parametrize(
    ("changes", "word"),
    [
        ({"extend_at": 7999}, "extend_at"),
        ({"extend_at": 420_001}, "extend_at"),
        ({"extend_at": 9.5}, "extend_at"),
        ({"lyrics": ""}, "lyrics"),
        ({"model": "mureka-9"}, "model"),
        ({"extend_type": "middle"}, "extend_type"),
        ({"song_id": "404"}, "song_id"),
    ],
)
def test_extend_refusals_name_the_field(
    mureka: MurekaAPI, changes: dict[str, Any], word: str
) -> None:
    body = {"song_id": song(mureka)["id"], "lyrics": "x", "extend_at": 8000, **changes}

    assert word in refusal(post(mureka, "/v1/song/extend", **body))


def test_extend_of_an_upload_needs_the_audio_purpose(mureka: MurekaAPI) -> None:
    good, wrong = upload(mureka, "audio"), upload(mureka, "remix")

    ok(post(mureka, "/v1/song/extend", upload_audio_id=good, lyrics="x", extend_at=8000))
    message = refusal(
        post(mureka, "/v1/song/extend", upload_audio_id=wrong, lyrics="x", extend_at=8000)
    )
    assert "remix" in message


def test_extend_refuses_both_sources(mureka: MurekaAPI) -> None:
    body = {"song_id": song(mureka)["id"], "upload_audio_id": upload(mureka, "audio")}

    assert "together" in refusal(
        post(mureka, "/v1/song/extend", lyrics="x", extend_at=8000, **body)
    )


def test_track_generate_makes_one_track_from_a_prompt(em: Emulator, mureka: MurekaAPI) -> None:
    task_id = ok(post(mureka, "/v1/track/generate", generate_type="Drums", prompt="funk"))["id"]

    assert len(finished(mureka, task_id)["choices"]) == 1
    assert em.tasks[task_id].kind == "track"


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"generate_type": "drums", "prompt": "x"}, "generate_type"),
        ({"generate_type": "Vocals", "prompt": "x"}, "lyrics"),
        ({"generate_type": "Synth"}, "prompt"),
        ({"generate_type": "Bass", "prompt": "x", "vocal_gender": "male"}, "vocal_gender"),
        (
            {"generate_type": "FX", "prompt": "x", "generate_start": 5000, "generate_end": 5000},
            "generate_end",
        ),
    ],
)
def test_track_generate_refusals_name_the_field(
    mureka: MurekaAPI, body: dict[str, Any], word: str
) -> None:
    assert word in refusal(post(mureka, "/v1/track/generate", **body))


def test_region_edit_keeps_twelve_seconds_around_the_window(
    mureka_for: Callable[[Emulator], MurekaAPI],
) -> None:
    api = mureka_for(Emulator(audio_seconds=30))
    song_id = song(api)["id"]

    def edit(start: int, end: int) -> httpx.Response:
        return post(api, "/v1/song/region-edit", song_id=song_id, edit_start=start, edit_end=end)

    ok(edit(12_000, 18_000))
    assert "edit_start" in refusal(edit(11_999, 17_000))
    assert "edit_end" in refusal(edit(12_000, 18_001))
    assert "3000" in refusal(edit(12_000, 14_999))


def test_remix_makes_n_songs_and_charges_each(em: Emulator, mureka: MurekaAPI) -> None:
    song_id = song(mureka)["id"]
    before = em.mureka_balance_cents

    task_id = ok(post(mureka, "/v1/song/remix", song_id=song_id, prompt="jazz", n=3))["id"]

    assert len(finished(mureka, task_id)["choices"]) == 3
    assert before - em.mureka_balance_cents == 3 * CENTS_PER_SONG


def test_remix_of_an_audio_upload_is_refused(mureka: MurekaAPI) -> None:
    message = refusal(post(mureka, "/v1/song/remix", upload_audio_id=upload(mureka, "audio")))

    assert "remix" in message


def test_edits_are_refused_when_the_balance_is_short(
    mureka_for: Callable[[Emulator], MurekaAPI],
) -> None:
    poor = Emulator(mureka_balance_cents=CENTS_PER_SONG)
    api = mureka_for(poor)
    song_id = song(api)["id"]

    response = post(api, "/v1/song/extend", song_id=song_id, lyrics="x", extend_at=8000)

    assert response.status_code == 429
    assert "quota" in response.json()["error"]["message"]
    assert poor.submissions("mureka") == 1


# -- sync endpoints ---------------------------------------------------------------------------


def test_lyrics_generate_answers_title_and_lyrics(em: Emulator, mureka: MurekaAPI) -> None:
    before = em.mureka_balance_cents

    body = ok(post(mureka, "/v1/lyrics/generate", prompt="rain on the city"))

    assert body["title"] == "Rain On The City"
    assert body["lyrics"].startswith("[Verse]\n")
    assert before - em.mureka_balance_cents == CENTS_PER_LYRICS


def test_lyrics_extend_answers_only_new_lines(mureka: MurekaAPI) -> None:
    body = ok(post(mureka, "/v1/lyrics/extend", lyrics="[Verse]\nHello"))

    assert set(body) == {"lyrics", "trace_id"}
    assert "Hello" not in body["lyrics"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/v1/lyrics/generate", "prompt"), ("/v1/lyrics/extend", "lyrics")],
)
def test_lyrics_endpoints_need_their_field(mureka: MurekaAPI, path: str, field: str) -> None:
    assert field in refusal(post(mureka, path))


def test_stem_answers_a_zip_of_wavs_valid_for_a_day(em: Emulator, mureka: MurekaAPI) -> None:
    source = song(mureka)
    before = em.mureka_balance_cents

    body = ok(post(mureka, "/v1/song/stem", url=source["url"]))

    assert before - em.mureka_balance_cents == CENTS_PER_STEM
    assert body["midi_zip_url"] is None
    assert abs(body["expires_at"] - (time.time() + DAY)) < 60
    with zipfile.ZipFile(io.BytesIO(download(em, body["zip_url"]))) as archive:
        names = archive.namelist()
        assert "vocals.wav" in names
        with wave.open(io.BytesIO(archive.read("vocals.wav"))) as audio:
            assert audio.getnframes() > 0


def test_stem_with_separation_2_adds_a_zip_of_midi_files(em: Emulator, mureka: MurekaAPI) -> None:
    body = ok(post(mureka, "/v1/song/stem", url="https://x.test/a.mp3", model="audio-separation-2"))

    with zipfile.ZipFile(io.BytesIO(download(em, body["midi_zip_url"]))) as archive:
        files = [archive.read(name) for name in archive.namelist()]
    assert files
    assert all(is_midi(content) for content in files)


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({}, "url"),
        ({"url": "song.mp3"}, "url"),
        ({"url": "data:audio/mpeg,xyz"}, "url"),
        ({"url": "https://x.test/a.mp3", "model": "demucs"}, "model"),
    ],
)
def test_stem_refusals_name_the_field(
    em: Emulator, mureka: MurekaAPI, body: dict[str, Any], word: str
) -> None:
    before = em.mureka_balance_cents

    assert word in refusal(post(mureka, "/v1/song/stem", **body))
    assert em.mureka_balance_cents == before


def test_stem_is_refused_when_the_balance_is_short(em: Emulator, mureka: MurekaAPI) -> None:
    em.mureka_balance_cents = CENTS_PER_STEM - 1

    response = post(mureka, "/v1/song/stem", url="https://x.test/a.mp3")

    assert response.status_code == 429
    assert em.mureka_balance_cents == CENTS_PER_STEM - 1


def test_describe_answers_lists_and_a_sentence(em: Emulator, mureka: MurekaAPI) -> None:
    before = em.mureka_balance_cents

    body = ok(post(mureka, "/v1/song/describe", url="data:audio/mpeg;base64,SUQz"))

    assert {"instrument", "genres", "tags", "description"} <= set(body)
    assert all(isinstance(x, str) for x in body["instrument"] + body["genres"] + body["tags"])
    assert before - em.mureka_balance_cents == CENTS_PER_DESCRIBE


def test_recognize_answers_timed_sections_with_words(mureka: MurekaAPI) -> None:
    body = ok(post(mureka, "/v1/song/recognize", upload_audio_id=upload(mureka, "audio")))

    assert body["duration"] == 2000
    line = next(s["lines"][0] for s in body["lyrics_sections"] if s.get("lines"))
    assert " ".join(w["text"] for w in line["words"]) == line["text"]
    assert line["start"] <= line["words"][0]["start"] < line["words"][-1]["end"] <= line["end"]


def test_recognize_needs_an_audio_upload(mureka: MurekaAPI) -> None:
    message = refusal(post(mureka, "/v1/song/recognize", upload_audio_id=upload(mureka, "voice")))

    assert "upload_audio_id" in message


def test_tts_answers_a_wav_url_valid_for_a_day(em: Emulator, mureka: MurekaAPI) -> None:
    before = em.mureka_balance_cents

    body = ok(post(mureka, "/v1/tts/generate", text="Hello there", voice="Emma"))

    assert before - em.mureka_balance_cents == CENTS_PER_TTS
    assert abs(body["expires_at"] - (time.time() + DAY)) < 60
    with wave.open(io.BytesIO(download(em, body["url"]))) as audio:
        assert audio.getnframes() > 0


def test_tts_with_an_uploaded_voice(mureka: MurekaAPI) -> None:
    ok(post(mureka, "/v1/tts/generate", text="hi", voice_id=upload(mureka, "voice")))


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"text": "hi"}, "voice"),
        ({"text": "hi", "voice": "Luna", "voice_id": "1"}, "voice"),
        ({"text": "hi", "voice": "Ema"}, "voice"),
        ({"text": "x" * 501, "voice": "Luna"}, "text"),
    ],
)
def test_tts_refusals_name_the_field(mureka: MurekaAPI, body: dict[str, Any], word: str) -> None:
    assert word in refusal(post(mureka, "/v1/tts/generate", **body))


def test_podcast_answers_a_wav(em: Emulator, mureka: MurekaAPI) -> None:
    before = em.mureka_balance_cents
    turns = [{"text": "Hi", "voice": "Ethan"}, {"text": "Hello", "voice": "Luna"}]

    body = ok(post(mureka, "/v1/tts/podcast", conversations=turns))

    assert download(em, body["url"])[:4] == b"RIFF"
    assert before - em.mureka_balance_cents == CENTS_PER_PODCAST


@pytest.mark.parametrize(
    ("turns", "word"),
    [
        ([], "conversations"),
        ([{"text": "x", "voice": "Luna"}] * 11, "conversations"),
        ([{"text": "x" * 401, "voice": "Luna"}], "text"),
        ([{"text": "x", "voice": "Bob"}], "conversations[0].voice"),
    ],
)
def test_podcast_refuses_bad_conversations(mureka: MurekaAPI, turns: list[Any], word: str) -> None:
    assert word in refusal(post(mureka, "/v1/tts/podcast", conversations=turns))


# -- fine-tuning ------------------------------------------------------------------------------


def training_set(api: MurekaAPI, parts: int = 2, size: int | None = None) -> str:
    body: dict[str, Any] = {"upload_name": "set", "purpose": "fine-tuning"}
    if size is not None:
        body["bytes"] = size
    created = ok(post(api, "/v1/uploads/create", **body))
    assert (created["status"], created["parts"]) == ("pending", [])
    for _ in range(parts):
        added = ok(
            api.client.post(
                "/v1/uploads/add", data={"upload_id": created["id"]}, files={"file": ("s.mp3", MP3)}
            )
        )
        assert added["upload_id"] == created["id"]
    return str(created["id"])


def test_fine_tuning_from_upload_to_model_name(em: Emulator, mureka: MurekaAPI) -> None:
    upload_id = training_set(mureka)
    completed = ok(post(mureka, "/v1/uploads/complete", upload_id=upload_id))
    before = em.mureka_balance_cents

    task = ok(post(mureka, "/v1/finetuning/create", upload_id=upload_id, suffix="my-model"))

    assert (completed["status"], len(completed["parts"])) == ("completed", 2)
    assert before - em.mureka_balance_cents == CENTS_PER_FINETUNE
    statuses = [mureka.client.get(f"/v1/finetuning/query/{task['id']}").json() for _ in range(4)]
    assert [s["status"] for s in statuses] == ["preparing", "queued", "running", "succeeded"]
    assert statuses[-1]["fine_tuned_model"].endswith(":my-model")
    assert "fine_tuned_model" not in statuses[0]


def test_complete_checks_the_declared_size(mureka: MurekaAPI) -> None:
    upload_id = training_set(mureka, parts=1, size=5)

    assert "bytes" in refusal(post(mureka, "/v1/uploads/complete", upload_id=upload_id))


def test_fine_tuning_needs_a_completed_upload_and_a_good_suffix(mureka: MurekaAPI) -> None:
    upload_id = training_set(mureka)

    assert "completed" in refusal(
        post(mureka, "/v1/finetuning/create", upload_id=upload_id, suffix="ok")
    )
    ok(post(mureka, "/v1/uploads/complete", upload_id=upload_id))
    assert "suffix" in refusal(
        post(mureka, "/v1/finetuning/create", upload_id=upload_id, suffix="Bad Suffix")
    )


def test_fine_tuning_task_is_not_a_song(mureka: MurekaAPI) -> None:
    upload_id = training_set(mureka)
    ok(post(mureka, "/v1/uploads/complete", upload_id=upload_id))
    task_id = ok(post(mureka, "/v1/finetuning/create", upload_id=upload_id, suffix="m"))["id"]

    assert mureka.client.get(f"/v1/song/query/{task_id}").status_code == 404


# -- routes -----------------------------------------------------------------------------------


ENDPOINTS = (
    "upload", "vocal_clone", "lyrics", "extend_lyrics", "extend", "add_track", "edit_region",
    "remix", "instrumental", "separate", "describe", "recognize", "tts", "podcast",
    "create_upload", "add_upload_part", "complete_upload", "finetune", "finetune_status",
)  # fmt: skip


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_is_named_after_its_provider_method(em: Emulator, endpoint: str) -> None:
    em.inject(Fault("server_error", provider="mureka", endpoint=endpoint))  # unknown: ValueError


def test_a_fault_on_one_endpoint_leaves_the_others_working(em: Emulator, mureka: MurekaAPI) -> None:
    em.inject(Fault("server_error", endpoint="separate"))

    ok(post(mureka, "/v1/song/describe", url="https://x.test/a.mp3"))
    assert post(mureka, "/v1/song/stem", url="https://x.test/a.mp3").status_code == 500
