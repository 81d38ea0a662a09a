"""Generated media: playable, deterministic WAV audio and PNG cover art."""

from __future__ import annotations

import io
import wave
from typing import Any

from musicgen.testing import Emulator


def _suno_urls(api: Any, **overrides: Any) -> list[dict[str, Any]]:
    task_id = api.submit(**overrides)
    tracks: list[dict[str, Any]] = api.finish(task_id)["response"]["sunoData"]
    return tracks


def test_audio_is_a_valid_16_bit_mono_wav_of_the_configured_length(suno_for: Any) -> None:
    api = suno_for(Emulator(audio_seconds=1.5))
    url = _suno_urls(api)[0]["audioUrl"]

    response = api.client.get(url)

    assert response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getframerate() == 22050
        assert wav.getnframes() == round(1.5 * 22050)
        assert any(wav.readframes(wav.getnframes()))  # not silence


def test_same_prompt_gives_the_same_audio_across_emulators(suno_for: Any) -> None:
    first_api, second_api = suno_for(Emulator()), suno_for(Emulator())
    first = first_api.client.get(_suno_urls(first_api)[0]["audioUrl"]).content
    second = second_api.client.get(_suno_urls(second_api)[0]["audioUrl"]).content

    assert first == second


def test_tracks_and_prompts_give_different_audio(suno: Any) -> None:
    one, two = _suno_urls(suno)
    other = _suno_urls(suno, prompt="[Verse]\nSomething else entirely")[0]

    audio = {suno.client.get(t["audioUrl"]).content for t in (one, two, other)}

    assert len(audio) == 3


def test_every_audio_variant_serves_the_same_wav(suno: Any) -> None:
    track = _suno_urls(suno)[0]

    bodies = {
        suno.client.get(track[key]).content
        for key in ("audioUrl", "streamAudioUrl", "sourceAudioUrl", "sourceStreamAudioUrl")
    }

    assert len(bodies) == 1


def test_mureka_url_flac_and_wav_variants_are_wav_files(mureka: Any) -> None:
    task_id = mureka.submit()
    mureka.statuses(task_id, 3)
    choice = mureka.query(task_id)["choices"][0]

    for key in ("url", "flac_url", "wav_url"):
        assert choice[key].endswith(".wav")
        with wave.open(io.BytesIO(mureka.client.get(choice[key]).content)) as wav:
            assert wav.getnframes() > 0


def test_cover_art_is_a_png(suno: Any) -> None:
    track = _suno_urls(suno)[0]

    response = suno.client.get(track["imageUrl"])

    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_media_needs_no_authorization(suno: Any) -> None:
    url = _suno_urls(suno)[0]["audioUrl"]

    response = suno.client.get(url, headers={"Authorization": ""})

    assert response.status_code == 200


def test_unknown_track_is_404(suno: Any) -> None:
    response = suno.client.get("/audio/does-not-exist.wav")

    assert response.status_code == 404


def test_audio_base_url_overrides_the_request_host(suno_for: Any) -> None:
    api = suno_for(Emulator(audio_base_url="https://cdn.example.com/"))

    track = _suno_urls(api)[0]

    assert track["audioUrl"].startswith("https://cdn.example.com/audio/")
    assert api.client.get(track["audioUrl"]).status_code == 200
