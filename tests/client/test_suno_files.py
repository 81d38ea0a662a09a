"""Suno's files and voices end to end, on both clients, through the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicgen import (
    BadRequestError,
    GenerationFailedError,
    SubmissionUncertainError,
    TaskStatus,
    Track,
    ValidationError,
)
from musicgen._results import Persona, StyleBoost, Task, Upload, Voice, VoicePhrase
from musicgen.cache import MemoryCache
from musicgen.providers._suno_files import MAX_UPLOAD_BYTES
from musicgen.testing import Emulator, Fault
from musicgen.testing._media import render_wav
from musicgen.testing._suno_files import STYLE_BOOST_CREDITS, VOICE_PHRASE_CREDITS

from .conftest import MakeClient, Runner

WAV = render_wav("a voice to upload", 0.5)


def posts(emulator: Emulator, path: str) -> int:
    return sum(1 for r in emulator.requests if r.method == "POST" and r.path == path)


def downloaded(client: Runner, url: str, tmp_path: Path) -> bytes:
    path = client.download(Track(id="upload", audio_url=url), tmp_path / "copy.bin")
    return Path(path).read_bytes()


# -- uploads ---------------------------------------------------------------------------------------


def test_uploaded_bytes_come_back_from_the_upload_url(client: Runner, tmp_path: Path) -> None:
    upload = client.run(client.providers["suno"].upload(WAV))
    assert isinstance(upload, Upload)
    assert upload.provider == "suno"
    assert upload.size == len(WAV)
    assert upload.filename is not None
    assert upload.filename.endswith(".wav")
    assert upload.expires_at is not None
    assert upload.url is not None
    assert downloaded(client, upload.url, tmp_path) == WAV


def test_an_uploaded_file_path_keeps_its_name_and_bytes(client: Runner, tmp_path: Path) -> None:
    path = tmp_path / "my take.wav"
    path.write_bytes(WAV)
    upload = client.run(client.providers["suno"].upload(path))
    assert upload.filename is not None
    assert upload.filename.startswith("my_take-")
    assert upload.url is not None
    assert downloaded(client, upload.url, tmp_path) == WAV


def test_a_url_upload_of_a_generated_track_copies_its_audio(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    track = client.generate(provider="suno", prompt="a calm tune").tracks[0]
    assert track.audio_url is not None
    upload = client.run(client.providers["suno"].upload(track.audio_url, filename="copy.wav"))
    assert upload.filename == "copy.wav"
    assert upload.url is not None
    assert downloaded(client, upload.url, tmp_path) == downloaded(client, track.audio_url, tmp_path)
    assert posts(emulator, "/api/file-url-upload") == 1


def test_a_base64_upload_comes_back_too(client: Runner, tmp_path: Path) -> None:
    upload = client.run(client.providers["suno"].upload_base64(WAV, filename="b.wav"))
    assert upload.url is not None
    assert downloaded(client, upload.url, tmp_path) == WAV


def test_an_oversized_file_is_refused_before_anything_is_sent(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "huge.wav"
    with path.open("wb") as file:
        file.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ValidationError, match="limit"):
        client.run(client.providers["suno"].upload(path))
    assert emulator.requests == []


def test_a_lost_upload_answer_is_resent_and_replaces_itself(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    # Uploads are free, so a lost answer is resent; the name derives from the content, so the
    # second upload replaces the first with the same bytes at the same URL.
    emulator.inject(Fault("drop", endpoint="upload"))
    upload = client.run(client.providers["suno"].upload(WAV))
    assert posts(emulator, "/api/file-stream-upload") == 2
    assert upload.url is not None
    assert downloaded(client, upload.url, tmp_path) == WAV


def test_a_refused_upload_is_a_bad_request(client: Runner, emulator: Emulator) -> None:
    emulator.inject(Fault("server_error", endpoint="upload", code=400, message="bad file"))
    with pytest.raises(BadRequestError, match="bad file"):
        client.run(client.providers["suno"].upload(WAV))


# -- persona and style -----------------------------------------------------------------------------


def test_a_persona_is_made_once_per_track(make_client: MakeClient) -> None:
    client = make_client(Emulator(audio_seconds=40))
    generation = client.generate(provider="suno", prompt="a calm tune")
    provider = client.providers["suno"]
    persona = client.run(provider.persona(generation, name="Nova", description="airy"))
    assert isinstance(persona, Persona)
    assert (persona.name, persona.description) == ("Nova", "airy")
    with pytest.raises(BadRequestError, match="already exists") as info:
        client.run(provider.persona(generation, name="Nova", description="airy"))
    assert info.value.code == 409


def test_a_persona_past_the_end_of_a_short_track_is_refused_before_sending(
    client: Runner, emulator: Emulator
) -> None:
    generation = client.generate(provider="suno", prompt="a calm tune")  # 2-second tracks
    sent = len(emulator.requests)
    with pytest.raises(ValidationError, match="past the end"):
        client.run(client.providers["suno"].persona(generation, name="a", description="b"))
    assert len(emulator.requests) == sent


def test_style_boost_answers_and_is_charged_once(client: Runner, emulator: Emulator) -> None:
    before = emulator.suno_credits
    boost = client.run(client.providers["suno"].boost_style("Pop, Mysterious"))
    assert isinstance(boost, StyleBoost)
    assert boost.text.startswith("pop, mysterious")
    assert boost.credits_consumed == STYLE_BOOST_CREDITS
    assert emulator.suno_credits == before - STYLE_BOOST_CREDITS


def test_a_rate_limited_style_boost_is_retried_and_charged_once(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("rate_limit", endpoint="boost_style", times=2))
    client.run(client.providers["suno"].boost_style("pop"))
    assert posts(emulator, "/api/v1/style/generate") == 3
    assert emulator.submissions() == 1


def test_a_failed_style_boost_is_a_bad_request(client: Runner, emulator: Emulator) -> None:
    emulator.script_next_task("suno", final_status="failed", reason="sensitive words")
    with pytest.raises(BadRequestError, match="sensitive words"):
        client.run(client.providers["suno"].boost_style("pop"))


# -- Suno Voice ------------------------------------------------------------------------------------


def test_the_voice_flow_ends_with_an_available_voice(client: Runner, emulator: Emulator) -> None:
    provider = client.providers["suno"]
    sample = client.run(provider.upload(WAV))
    phrase_task = client.run(provider.validate_voice(sample, start=0, end=0.5, language="en"))
    assert isinstance(phrase_task, Task)
    assert phrase_task.status is TaskStatus.SUCCEEDED
    phrase = phrase_task.result
    assert isinstance(phrase, VoicePhrase)
    assert phrase.text
    recording = client.run(provider.upload(render_wav(phrase.text, 0.5)))
    voice_task = client.run(provider.create_voice(phrase, recording, name="Me"))
    assert voice_task.status is TaskStatus.SUCCEEDED
    assert isinstance(voice_task.result, Voice)
    assert client.run(provider.check_voice(voice_task)) is True


def test_a_new_phrase_can_be_asked_for(client: Runner) -> None:
    provider = client.providers["suno"]
    first = client.run(provider.validate_voice("https://a.test/v.wav", start=0, end=10))
    second = client.run(provider.regenerate_voice_phrase(first))
    assert second.task_id != first.task_id
    assert second.result is not None
    assert first.result is not None
    assert second.result.text != first.result.text


def test_a_failed_phrase_raises_with_the_reason(client: Runner, emulator: Emulator) -> None:
    emulator.script_next_task("suno", final_status="processing_validate_fail", reason="no voice")
    with pytest.raises(GenerationFailedError, match="no voice"):
        client.run(client.providers["suno"].validate_voice("https://a.test/v", start=0, end=10))


def test_a_phrase_task_is_read_by_id(client: Runner) -> None:
    provider = client.providers["suno"]
    submitted = client.run(provider.validate_voice("https://a.test/v", start=0, end=10), wait=False)
    assert submitted.status is TaskStatus.QUEUED
    done = client.run(provider.voice_validation_status(submitted.task_id))
    assert done.status is TaskStatus.SUCCEEDED


def test_a_lost_voice_validation_is_never_resent(client: Runner, emulator: Emulator) -> None:
    before = emulator.suno_credits
    emulator.inject(Fault("drop", endpoint="validate_voice"))
    with pytest.raises(SubmissionUncertainError):
        client.run(client.providers["suno"].validate_voice("https://a.test/v", start=0, end=10))
    assert posts(emulator, "/api/v1/voice/validate") == 1
    assert emulator.submissions() == 1
    assert emulator.suno_credits == before - VOICE_PHRASE_CREDITS


def test_with_a_cache_an_identical_voice_validation_is_paid_once(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(cache=MemoryCache())
    provider = client.providers["suno"]
    first = client.run(provider.validate_voice("https://a.test/v", start=0, end=10))
    again = client.run(provider.validate_voice("https://a.test/v", start=0, end=10))
    assert again.task_id == first.task_id
    assert again.result == first.result
    assert emulator.submissions() == 1


# -- recovery --------------------------------------------------------------------------------------


def test_recovery_polls_through_201_and_returns_fresh_links(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    generation = client.generate(provider="suno", prompt="a calm tune")
    task = client.run(client.providers["suno"].recover(generation))
    reads = [r for r in emulator.requests if r.path == "/api/v1/suno/recovery/record-info"]
    assert len(reads) == 2  # the first answered code 201: running, not an error
    assert task.status is TaskStatus.SUCCEEDED
    assert task.error is None
    assert task.result is not None
    assert [t.id for t in task.result] == [t.id for t in generation.tracks]
    assert {t.task_id for t in task.result} == {generation.task_id}
    fresh, old = task.result[0], generation.tracks[0]
    assert fresh.audio_url != old.audio_url
    assert downloaded(client, fresh.audio_url or "", tmp_path) == downloaded(
        client, old.audio_url or "", tmp_path
    )


def test_a_running_recovery_reads_as_running_not_as_an_error(client: Runner) -> None:
    generation = client.generate(provider="suno", prompt="a calm tune")
    provider = client.providers["suno"]
    submitted = client.run(provider.recover(generation), wait=False)
    first_read = client.run(provider.recovery_status(submitted.task_id), wait=False)
    assert first_read.status is TaskStatus.RUNNING
    assert first_read.provider_status == "201"


def test_a_partial_recovery_names_what_it_missed(client: Runner, emulator: Emulator) -> None:
    generation = client.generate(provider="suno", prompt="a calm tune")
    emulator.script_next_task("suno", final_status="partial", reason="clip_error")
    task = client.run(client.providers["suno"].recover(generation))
    assert task.status is TaskStatus.SUCCEEDED
    assert task.result is not None
    assert len(task.result) == 1
    assert task.error == f"track {generation.tracks[1].id}: clip_error"


def test_a_recovery_where_every_track_fails_raises_with_the_reasons(
    client: Runner, emulator: Emulator
) -> None:
    submitted = client.submit(provider="suno", prompt="a calm tune")  # never polled: unfinished
    with pytest.raises(GenerationFailedError, match="clip_not_complete"):
        client.run(client.providers["suno"].recover(submitted.task_id))


def test_a_recovery_lost_after_the_server_took_it_is_never_resent(
    client: Runner, emulator: Emulator
) -> None:
    generation = client.generate(provider="suno", prompt="a calm tune")
    emulator.inject(Fault("server_error", endpoint="recover", processed=True))
    with pytest.raises(SubmissionUncertainError):
        client.run(client.providers["suno"].recover(generation))
    assert posts(emulator, "/api/v1/suno/recovery") == 1
