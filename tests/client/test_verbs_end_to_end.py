"""The cross-provider verbs end to end: each on both providers, on both clients, emulated."""

from __future__ import annotations

import pytest

from musicgen import (
    Generation,
    Lyrics,
    TaskStatus,
    Track,
    UnsupportedOperationError,
)
from musicgen.testing import Emulator

from .conftest import Runner

LYRICS = "[Verse]\nHeadlights on the wet highway\n"
SONG = {
    "suno": {"lyrics": LYRICS, "style": "synthwave", "title": "Night Drive"},
    "mureka": {"lyrics": LYRICS, "prompt": "synthwave"},
}
# Emulated tracks last 2 s; Mureka extends from 8 s at the earliest (clamped to the song).
EXTEND = {
    "suno": {
        "at": 1.0,
        "lyrics": "[Chorus]\nmore",
        "style": "synthwave",
        "title": "Night Drive II",
    },
    "mureka": {"at": 8.0, "lyrics": "[Chorus]\nmore"},
}
PROVIDERS = pytest.mark.parametrize("provider", ["suno", "mureka"])


def song(client: Runner, provider: str) -> Generation:
    generation: Generation = client.generate(provider=provider, **SONG[provider])
    return generation


@PROVIDERS
def test_extend_continues_a_generation_at_its_own_provider(client: Runner, provider: str) -> None:
    source = song(client, provider)
    longer = client.extend(source, **EXTEND[provider])
    assert longer.provider == provider
    assert longer.status is TaskStatus.SUCCEEDED
    assert longer.task_id != source.task_id


@PROVIDERS
def test_extend_sends_at_in_the_providers_unit(
    client: Runner, emulator: Emulator, provider: str
) -> None:
    client.extend(song(client, provider), **EXTEND[provider])
    body = next(r.json for r in emulator.requests if r.path.endswith("extend"))
    sent = body["continueAt"] if provider == "suno" else body["extend_at"]
    assert sent == (1.0 if provider == "suno" else 8000)


@PROVIDERS
def test_lyrics_are_written_at_either_provider(client: Runner, provider: str) -> None:
    drafts = client.lyrics("a night drive along the coast", provider=provider)
    assert drafts
    assert all(isinstance(draft, Lyrics) and draft.text.strip() for draft in drafts)


def test_extend_lyrics_writes_the_next_lines_at_mureka(client: Runner) -> None:
    more = client.extend_lyrics(LYRICS, provider="mureka")
    assert more.text.strip()


def test_extend_lyrics_is_refused_by_suno_before_sending(
    client: Runner, emulator: Emulator
) -> None:
    with pytest.raises(UnsupportedOperationError):
        client.extend_lyrics(LYRICS, provider="suno")
    assert emulator.requests == []


def test_separate_names_suno_parts(client: Runner) -> None:
    stems = client.separate(song(client, "suno"), mode="vocals")
    assert set(stems.parts) == {"vocals", "instrumental"}


def test_separate_gives_mureka_one_zip(client: Runner) -> None:
    stems = client.separate(song(client, "mureka"), mode="stems")
    assert stems.zip_url is not None
    assert stems.zip_url.endswith(".zip")


@pytest.mark.parametrize(
    ("provider", "purpose"), [("suno", None), ("mureka", "audio")], ids=["suno", "mureka"]
)
def test_upload_of_bytes_is_hosted_by_either_provider(
    client: Runner, provider: str, purpose: str | None
) -> None:
    uploaded = client.upload(
        b"ID3" + bytes(64), provider=provider, purpose=purpose, filename="take.mp3"
    )
    assert uploaded.provider == provider
    assert (uploaded.url if provider == "suno" else uploaded.id) is not None


def test_convert_makes_a_suno_wav(client: Runner) -> None:
    track = song(client, "suno").tracks[0]
    converted = client.convert(track)
    assert converted.id == track.id
    assert converted.wav_url is not None


def test_convert_of_a_mureka_track_needs_no_request(client: Runner, emulator: Emulator) -> None:
    track: Track = song(client, "mureka").tracks[0]
    before = len(emulator.requests)
    assert client.convert(track, format="flac") is track
    assert len(emulator.requests) == before


def test_a_provider_only_endpoint_runs_from_the_namespace(client: Runner) -> None:
    speech = client.mureka.tts("Welcome to the night drive", voice="Emma")
    assert speech.url.startswith("http")
