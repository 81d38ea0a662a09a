"""Suno's task endpoints end to end, on both clients, through the emulator: each operation on a
generated song, money safety under faults, and finished results served from the cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from musicgen import (
    BadRequestError,
    Generation,
    GenerationFailedError,
    NotFoundError,
    SubmissionUncertainError,
    TaskStatus,
    Track,
)
from musicgen._results import Task
from musicgen.cache import MemoryCache
from musicgen.testing import SUNO_CREDITS_PER_GENERATE, Emulator, Fault

from .conftest import MakeClient, Runner

START = 500 - SUNO_CREDITS_PER_GENERATE  # credits left after the song each test makes


@pytest.fixture
def song(client: Runner) -> Generation:
    generation: Generation = client.generate(provider="suno", prompt="a calm tune about rain")
    return generation


def suno(client: Runner) -> Any:
    return client.providers["suno"]


def posts(emulator: Emulator, path: str) -> int:
    return sum(1 for r in emulator.requests if r.method == "POST" and r.path == path)


# -- each operation -----------------------------------------------------------------------------


def test_lyrics_are_written_in_two_variants(client: Runner, emulator: Emulator) -> None:
    task = client.run(suno(client).lyrics("a song about autumn leaves"))

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "lyrics"
    assert len(task.result) == 2
    assert all("autumn leaves" in lyrics.text and lyrics.title for lyrics in task.result)
    assert emulator.suno_credits == 500 - 1


def test_timestamped_lyrics_time_the_tracks_words(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    aligned = client.run(suno(client).timestamped_lyrics(song.tracks[1]))

    assert aligned.words[0].section == "verse"
    sung = [word.text.split("\n")[-1] for word in aligned.words]
    lines = (song.tracks[1].lyrics or "").splitlines()
    assert sung == [word for line in lines if not line.startswith("[") for word in line.split()]
    assert all(0 <= word.start < word.end <= 2.0 for word in aligned.words)
    assert aligned.waveform
    assert emulator.suno_credits == START - 1


def test_convert_gives_the_track_back_with_its_wav(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    task = client.run(suno(client).convert(song))

    assert task.status is TaskStatus.SUCCEEDED
    assert task.kind == "wav"
    assert task.result.id == song.tracks[0].id
    assert task.result.title == song.tracks[0].title
    assert task.result.audio_url == song.tracks[0].audio_url
    assert task.result.wav_url.endswith(".wav")
    assert emulator.suno_credits == START - 1


def test_converting_a_track_twice_is_refused_with_the_reason(
    client: Runner, song: Generation
) -> None:
    client.run(suno(client).convert(song.tracks[0]))

    with pytest.raises(BadRequestError, match="one WAV per track"):
        client.run(suno(client).convert(song.tracks[0]))


@pytest.mark.parametrize(
    ("mode", "parts", "cost"),
    [
        ("vocals", {"vocals", "instrumental"}, 10),
        (
            "stems",
            {
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
            },
            50,
        ),
    ],
)
def test_separate_names_every_part(
    client: Runner,
    emulator: Emulator,
    song: Generation,
    mode: str,
    parts: set[str],
    cost: int,
) -> None:
    task = client.run(suno(client).separate(song, mode=mode))

    assert task.kind == "stems"
    assert set(task.result.parts) == parts
    assert emulator.suno_credits == START - cost


def test_isolate_stem_gives_the_part_and_the_rest(client: Runner, song: Generation) -> None:
    task = client.run(suno(client).isolate_stem(song, "Drum Kit"))

    assert set(task.result.parts) == {"drum_kit", "without_drum_kit"}


def test_midi_transcribes_a_separation(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    separation = client.run(suno(client).separate(song))

    task = client.run(suno(client).midi(separation))

    assert task.kind == "midi"
    assert [instrument.name for instrument in task.result.instruments] == [
        "Vocals",
        "Instrumental",
    ]
    notes = task.result.instruments[0].notes
    assert notes
    assert all(isinstance(note.start, float) and note.start < note.end for note in notes)
    assert emulator.suno_credits == START - 10  # MIDI itself is free


def test_midi_of_one_part_takes_its_id_from_the_separation_record(
    client: Runner, song: Generation
) -> None:
    separation = client.run(suno(client).separate(song))
    vocals = separation.raw["data"]["originData"][0]["id"]

    task = client.run(suno(client).midi(separation.task_id, audio_id=vocals))

    assert [instrument.name for instrument in task.result.instruments] == ["Vocals"]


def test_music_video_gives_its_url(client: Runner, emulator: Emulator, song: Generation) -> None:
    task = client.run(suno(client).music_video(song, author="DJ Rain"))

    assert task.kind == "video"
    assert task.result.url.endswith(f"/video/{task.task_id}.mp4")
    sent = [r.json for r in emulator.requests if r.path == "/api/v1/mp4/generate"]
    assert sent[0]["author"] == "DJ Rain"
    assert emulator.suno_credits == START - 2


def test_cover_art_gives_two_images_and_a_repeat_names_the_first_task(
    client: Runner, song: Generation
) -> None:
    task = client.run(suno(client).cover_art(song))

    assert task.kind == "cover_art"
    assert len(task.result.images) == 2
    with pytest.raises(BadRequestError) as info:
        client.run(suno(client).cover_art(song.task_id))
    assert task.task_id in info.value.message


def test_a_failed_task_raises_with_the_providers_reason(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    with pytest.raises(GenerationFailedError, match="Vocal removal failed"):
        client.run(suno(client).separate(song))


def test_a_task_can_be_started_and_read_later(client: Runner, song: Generation) -> None:
    started = client.run(suno(client).music_video(song), wait=False)

    assert started.status is TaskStatus.QUEUED
    done = client.run(suno(client).video_status(started.task_id))
    assert done.status is TaskStatus.SUCCEEDED
    assert done.result is not None


def test_reading_an_unknown_task_is_not_found(client: Runner) -> None:
    with pytest.raises(NotFoundError):
        client.run(suno(client).cover_art_status("f" * 32))


# -- money safety -------------------------------------------------------------------------------

# endpoint -> (the operation, given the client and a finished song; its POST path; its cost)
PAID: dict[str, tuple[Callable[[Any, Generation], Any], str, int]] = {
    "lyrics": (lambda s, g: s.lyrics("rain"), "/api/v1/lyrics", 1),
    "timestamped_lyrics": (
        lambda s, g: s.timestamped_lyrics(g),
        "/api/v1/generate/get-timestamped-lyrics",
        1,
    ),
    "convert": (lambda s, g: s.convert(g), "/api/v1/wav/generate", 1),
    "separate": (lambda s, g: s.separate(g), "/api/v1/vocal-removal/generate", 10),
    "music_video": (lambda s, g: s.music_video(g), "/api/v1/mp4/generate", 2),
    "cover_art": (lambda s, g: s.cover_art(g), "/api/v1/suno/cover/generate", 0),
}


@pytest.mark.parametrize("endpoint", sorted(PAID))
def test_a_dropped_submission_is_uncertain_and_never_resent(
    client: Runner, emulator: Emulator, song: Generation, endpoint: str
) -> None:
    build, path, cost = PAID[endpoint]
    emulator.inject(Fault("drop", endpoint=endpoint))

    with pytest.raises(SubmissionUncertainError):
        client.run(build(suno(client), song))

    assert posts(emulator, path) == 1
    assert emulator.submissions("suno") == 2  # the song, and this one
    assert emulator.suno_credits == START - cost


def test_a_dropped_isolate_stem_is_charged_once(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    emulator.inject(Fault("drop", endpoint="separate"))

    with pytest.raises(SubmissionUncertainError):
        client.run(suno(client).isolate_stem(song, "Bass"))

    assert emulator.suno_credits == START - 20


def test_a_dropped_midi_submission_is_never_resent(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    separation = client.run(suno(client).separate(song))
    emulator.inject(Fault("drop", endpoint="midi"))

    with pytest.raises(SubmissionUncertainError):
        client.run(suno(client).midi(separation))

    assert posts(emulator, "/api/v1/midi/generate") == 1


@pytest.mark.parametrize("endpoint", ["convert", "separate", "lyrics"])
def test_a_rate_limited_submission_is_retried_and_charged_once(
    client: Runner, emulator: Emulator, song: Generation, endpoint: str
) -> None:
    build, path, cost = PAID[endpoint]
    emulator.inject(Fault("rate_limit", endpoint=endpoint, times=2))

    task = client.run(build(suno(client), song))

    assert task.status is TaskStatus.SUCCEEDED
    assert posts(emulator, path) == 3
    assert emulator.suno_credits == START - cost


def test_a_failed_status_read_does_not_end_the_wait(
    client: Runner, emulator: Emulator, song: Generation
) -> None:
    emulator.inject(Fault("server_error", endpoint="wav_status"))

    task = client.run(suno(client).convert(song))

    assert task.status is TaskStatus.SUCCEEDED
    assert emulator.suno_credits == START - 1


# -- the cache ----------------------------------------------------------------------------------


@pytest.fixture
def cached(make_client: MakeClient) -> Runner:
    return make_client(cache=MemoryCache())


def test_a_finished_result_is_read_from_the_cache(cached: Runner, emulator: Emulator) -> None:
    song = cached.generate(provider="suno", prompt="a calm tune")
    task = cached.run(suno(cached).convert(song))
    before = len(emulator.requests)

    again = cached.run(suno(cached).wav_status(task.task_id))

    assert len(emulator.requests) == before
    assert again.result == task.result
    assert isinstance(again.result, Track)
    assert isinstance(again, Task)


@pytest.mark.parametrize(
    "build",
    [
        lambda s, g: s.separate(g),
        lambda s, g: s.cover_art(g),
        lambda s, g: s.lyrics("rain"),
        lambda s, g: s.music_video(g),
    ],
    ids=["separate", "cover_art", "lyrics", "music_video"],
)
def test_an_identical_request_reuses_the_finished_task(
    cached: Runner, emulator: Emulator, build: Callable[[Any, Generation], Any]
) -> None:
    song = cached.generate(provider="suno", prompt="a calm tune")
    first = cached.run(build(suno(cached), song))
    before = len(emulator.requests)

    second = cached.run(build(suno(cached), song))

    assert second.task_id == first.task_id
    assert second.result == first.result
    assert len(emulator.requests) == before
    assert emulator.submissions("suno") == 2
