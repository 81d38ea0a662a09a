"""Mureka's endpoints beyond generate, run end to end on both clients against the emulator."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from musicgen import GenerationFailedError, SubmissionUncertainError, TaskStatus
from musicgen._models import Generation
from musicgen._results import Task, Upload
from musicgen.providers.mureka import MurekaProvider
from musicgen.testing import Emulator, Fault
from musicgen.testing._mureka import CENTS_PER_SONG, CENTS_PER_STEM

from .conftest import MakeClient, Runner

LYRICS = "[Verse]\nHello moon\nHello stars"
MP3 = b"ID3\x04\x00" + bytes(range(256)) * 4


def mureka(client: Runner) -> MurekaProvider:
    return cast(MurekaProvider, client.providers["mureka"])


def song(client: Runner) -> Generation:
    generation = client.generate(provider="mureka", lyrics=LYRICS, n=1)
    assert generation.status is TaskStatus.SUCCEEDED
    return cast(Generation, generation)


def posts(emulator: Emulator, path: str) -> list[Any]:
    return [r.json for r in emulator.requests if r.method == "POST" and r.path == path]


def fetch(emulator: Emulator, url: str) -> bytes:
    with httpx.Client(transport=emulator.transport()) as http:
        response = http.get(url)
    assert response.status_code == 200
    return response.content


# -- extend -----------------------------------------------------------------------------------


def test_extend_of_a_generated_song_gives_the_extended_song(
    client: Runner, emulator: Emulator
) -> None:
    source = song(client)

    extended = client.run(mureka(client).extend(source, at=12.5, lyrics="[Verse]\nOnward"))

    assert extended.status is TaskStatus.SUCCEEDED
    assert extended.task_id != source.task_id
    assert extended.tracks[0].audio_url
    assert "Onward" in (extended.tracks[0].lyrics or "")
    assert posts(emulator, "/v1/song/extend") == [
        {"song_id": source.tracks[0].id, "lyrics": "[Verse]\nOnward", "extend_at": 12_500}
    ]


def test_dropped_extend_is_uncertain_and_charged_once(client: Runner, emulator: Emulator) -> None:
    source = song(client)
    emulator.inject(Fault("drop", endpoint="extend"))
    before = emulator.mureka_balance_cents

    with pytest.raises(SubmissionUncertainError):
        client.run(mureka(client).extend(source, at=10, lyrics="x"))

    assert len(posts(emulator, "/v1/song/extend")) == 1
    assert emulator.submissions("mureka") == 2  # the song and the one extension
    assert before - emulator.mureka_balance_cents == CENTS_PER_SONG


def test_rate_limited_extend_is_retried_and_charged_once(
    client: Runner, emulator: Emulator
) -> None:
    source = song(client)
    emulator.inject(Fault("rate_limit", endpoint="extend", times=2))
    before = emulator.mureka_balance_cents

    extended = client.run(mureka(client).extend(source, at=10, lyrics="x"))

    assert extended.status is TaskStatus.SUCCEEDED
    assert len(posts(emulator, "/v1/song/extend")) == 3
    assert before - emulator.mureka_balance_cents == CENTS_PER_SONG


def test_a_failed_extension_raises_with_mureka_s_reason(client: Runner, emulator: Emulator) -> None:
    source = song(client)
    emulator.script_next_task("mureka", final_status="failed", reason="lyrics rejected")

    with pytest.raises(GenerationFailedError, match="lyrics rejected"):
        client.run(mureka(client).extend(source, at=10, lyrics="x"))


# -- other song edits -------------------------------------------------------------------------


def test_remix_add_track_and_region_edit_finish_as_songs(make_client: MakeClient) -> None:
    client = make_client(Emulator(audio_seconds=30))
    source = song(client)
    driver = mureka(client)

    remix = client.run(driver.remix(source, prompt="jazz", n=2))
    drums = client.run(driver.add_track("drums", song_id=source, prompt="funk"))
    edited = client.run(driver.edit_region(source, start=12, end=16, lyrics="new words"))

    assert [len(g.tracks) for g in (remix, drums, edited)] == [2, 1, 1]
    assert all(g.status is TaskStatus.SUCCEEDED for g in (remix, drums, edited))


def test_instrumental_finishes_on_the_instrumental_path(client: Runner, emulator: Emulator) -> None:
    generation = client.run(mureka(client).instrumental("calm piano", n=1))

    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.instrumental is True
    assert any(r.path.startswith("/v1/instrumental/query/") for r in emulator.requests)


# -- stems ------------------------------------------------------------------------------------


def test_stems_of_a_song_are_a_downloadable_zip(client: Runner, emulator: Emulator) -> None:
    source = song(client)

    stems = client.run(mureka(client).separate(source, mode="stems"))

    assert stems.zip_url is not None
    assert stems.midi_zip_url is None
    with zipfile.ZipFile(io.BytesIO(fetch(emulator, stems.zip_url))) as archive:
        assert archive.testzip() is None
        assert all(name.endswith(".wav") for name in archive.namelist())
    assert posts(emulator, "/v1/song/stem") == [{"url": source.tracks[0].audio_url}]


def test_stems_with_midi_export(client: Runner, emulator: Emulator) -> None:
    stems = client.run(mureka(client).separate(song(client), model="audio-separation-2"))

    assert stems.midi_zip_url is not None
    with zipfile.ZipFile(io.BytesIO(fetch(emulator, stems.midi_zip_url))) as archive:
        assert all(archive.read(n).startswith(b"MThd") for n in archive.namelist())


def test_dropped_stem_request_is_uncertain_and_never_resent(
    client: Runner, emulator: Emulator
) -> None:
    source = song(client)
    emulator.inject(Fault("drop", endpoint="separate"))
    before = emulator.mureka_balance_cents

    with pytest.raises(SubmissionUncertainError):
        client.run(mureka(client).separate(source))

    assert len(posts(emulator, "/v1/song/stem")) == 1
    assert before - emulator.mureka_balance_cents == CENTS_PER_STEM


def test_server_error_on_a_stem_request_is_uncertain_and_never_resent(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("server_error", endpoint="separate", processed=True))

    with pytest.raises(SubmissionUncertainError):
        client.run(mureka(client).separate("https://x.test/a.mp3"))

    assert len(posts(emulator, "/v1/song/stem")) == 1


def test_rate_limited_stem_request_is_retried_and_charged_once(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("rate_limit", endpoint="separate"))
    before = emulator.mureka_balance_cents

    client.run(mureka(client).separate("https://x.test/a.mp3"))

    assert len(posts(emulator, "/v1/song/stem")) == 2
    assert before - emulator.mureka_balance_cents == CENTS_PER_STEM


# -- uploads ----------------------------------------------------------------------------------


def test_upload_of_bytes_then_recognize(client: Runner) -> None:
    uploaded = client.run(mureka(client).upload(MP3, purpose="audio"))

    lyrics = client.run(mureka(client).recognize(uploaded))

    assert (uploaded.purpose, uploaded.size, uploaded.filename) == ("audio", len(MP3), "upload.mp3")
    assert lyrics.words
    assert lyrics.duration == 2.0


def test_upload_of_a_path_then_extend_it(client: Runner, tmp_path: Path) -> None:
    path = tmp_path / "demo.m4a"
    path.write_bytes(MP3)
    driver = mureka(client)

    uploaded = client.run(driver.upload(path, purpose="audio"))
    extended = client.run(driver.extend(at=8, lyrics="more", upload_audio_id=uploaded))

    assert uploaded.filename == "demo.m4a"
    assert extended.status is TaskStatus.SUCCEEDED


def test_vocal_clone_falls_back_to_the_other_path_on_404(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("server_error", endpoint="vocal_clone", http_status=404))

    clone = client.run(mureka(client).vocal_clone(MP3, filename="me.mp3"))

    assert isinstance(clone, Upload)
    assert clone.purpose == "vocal"
    assert [r.path for r in emulator.requests if r.method == "POST"] == [
        "/v1/vocal/clone",
        "/v1/song/vocal-clone",
    ]


# -- lyrics, description, speech --------------------------------------------------------------


def test_lyrics_and_their_extension(client: Runner) -> None:
    driver = mureka(client)

    (written,) = client.run(driver.lyrics("rain on the city"))
    more = client.run(driver.extend_lyrics(written.text))

    assert written.title == "Rain On The City"
    assert written.text.startswith("[Verse]")
    assert more.text
    assert more.text not in written.text


def test_describe_a_song(client: Runner) -> None:
    description = client.run(mureka(client).describe(song(client)))

    assert description.description
    assert description.instruments
    assert description.genres


def test_speech_and_podcast_are_downloadable_wavs(client: Runner, emulator: Emulator) -> None:
    driver = mureka(client)

    speech = client.run(driver.tts("Hello there", voice="Ema"))
    podcast = client.run(driver.podcast([("Hi", "Ethan"), {"text": "Hello", "voice": "Luna"}]))

    for result in (speech, podcast):
        assert fetch(emulator, result.url)[:4] == b"RIFF"
        assert result.expires_at is not None
    assert posts(emulator, "/v1/tts/generate")[0]["voice"] == "Emma"


# -- fine-tuning ------------------------------------------------------------------------------


def test_fine_tuning_gives_a_model_name(client: Runner, emulator: Emulator) -> None:
    driver = mureka(client)
    training = client.run(driver.create_upload("my songs"))
    for _ in range(2):
        client.run(driver.add_upload_part(training, MP3))
    client.run(driver.complete_upload(training))

    task = client.run(driver.finetune(training, suffix="my-model"))

    assert isinstance(task, Task)
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result == f"lora:mureka-6:{task.task_id}:my-model"
    assert emulator.submissions("mureka") == 1
