"""download(): streamed, atomic, named sensibly, and never given the provider's API key."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from musicgen import Generation, NotFoundError, Track, ValidationError
from musicgen.testing import Emulator, Fault

from .conftest import Runner


def _finished_track(client: Runner) -> Track:
    generation: Generation = client.generate("a calm tune", provider="suno")
    return generation.tracks[0]


def test_download_writes_playable_audio(client: Runner, tmp_path: Path) -> None:
    path = client.download(_finished_track(client), tmp_path / "song.wav")
    with wave.open(str(path)) as audio:
        assert audio.getnframes() > 0


def test_download_into_a_directory_names_the_file_after_the_track(
    client: Runner, tmp_path: Path
) -> None:
    track = _finished_track(client)
    path = client.download(track, tmp_path)
    assert path.parent == tmp_path
    assert track.id in path.name
    assert path.suffix == ".wav"  # the emulator serves WAV bytes: the bytes name the file


def test_download_never_sends_the_api_key(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    client.download(_finished_track(client), tmp_path)
    [audio_request] = [r for r in emulator.requests if r.path.startswith("/audio/")]
    assert "authorization" not in {name.lower() for name in audio_request.headers}


def test_failed_download_leaves_no_file(client: Runner, emulator: Emulator, tmp_path: Path) -> None:
    track = _finished_track(client)
    emulator.inject(Fault("drop", operation="audio", times=10))
    with pytest.raises(Exception, match="download"):
        client.download(track, tmp_path / "song.wav")
    assert list(tmp_path.iterdir()) == []


def test_download_is_retried_after_a_server_error(
    client: Runner, emulator: Emulator, tmp_path: Path
) -> None:
    track = _finished_track(client)
    emulator.inject(Fault("server_error", operation="audio"))
    assert client.download(track, tmp_path / "a.wav").stat().st_size > 44


def test_expired_link_raises_not_found(client: Runner, tmp_path: Path) -> None:
    track = _finished_track(client)
    gone = Track(id=track.id, audio_url=track.audio_url + "-expired")  # type: ignore[operator]
    with pytest.raises(NotFoundError):
        client.download(gone, tmp_path / "a.wav")


def test_a_format_without_url_is_refused(client: Runner, tmp_path: Path) -> None:
    track = _finished_track(client)  # Suno has no FLAC
    with pytest.raises(ValidationError) as info:
        client.download(track, tmp_path, format="flac")
    assert info.value.field == "format"


def test_download_into_a_new_directory_creates_it(client: Runner, tmp_path: Path) -> None:
    generation = client.generate("a calm tune", provider="suno")
    paths = {client.download(track, tmp_path / "out") for track in generation.tracks}
    assert len(paths) == 2
    assert all(path.parent == tmp_path / "out" for path in paths)
