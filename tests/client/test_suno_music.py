"""Suno's music edits end to end, on both clients, through the emulator: they finish like a
generation, and a paid edit is never sent (or charged) twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from musicgen import (
    Generation,
    GenerationFailedError,
    InsufficientCreditsError,
    Operation,
    SubmissionUncertainError,
    TaskStatus,
)
from musicgen.cache import MemoryCache
from musicgen.providers.suno import SunoProvider
from musicgen.testing import Emulator, Fault

from .conftest import MakeClient, Runner

UPLOAD = "https://files.example.com/song.mp3"
UPLOAD2 = "https://files.example.com/other.mp3"

Edit = Callable[[SunoProvider, Generation], Operation[Generation]]

# One call of every edit on a finished generation (the upload edits ignore it). The emulator's
# tracks are 120 s long here, so a section of 10-30 s fits.
EDITS: dict[str, Edit] = {
    "extend": lambda p, g: p.extend(g, at=30, lyrics="[Verse]\nMore", style="indie", title="II"),
    "upload_cover": lambda p, g: p.upload_cover(UPLOAD, prompt="a jazz cover"),
    "upload_extend": lambda p, g: p.upload_extend(UPLOAD, prompt="a longer outro"),
    "add_vocals": lambda p, g: p.add_vocals(
        UPLOAD, prompt="a duet", title="Duet", style="soul", negative_tags="metal"
    ),
    "add_instrumental": lambda p, g: p.add_instrumental(
        UPLOAD, title="Backed", tags="acoustic", negative_tags="drums"
    ),
    "mashup": lambda p, g: p.mashup([UPLOAD, UPLOAD2], prompt="blend them"),
    "replace_section": lambda p, g: p.replace_section(
        g, start=10, end=30, prompt="a drum break", tags="funk", title="Rain"
    ),
    "sounds": lambda p, g: p.sounds("rain on a tin roof", loop=True, tempo=90, key="Am"),
}
COSTS = {name: 5 if name == "replace_section" else 12 for name in EDITS}
NAMES = sorted(EDITS)
PATHS = {
    "extend": "/api/v1/generate/extend",
    "upload_cover": "/api/v1/generate/upload-cover",
    "upload_extend": "/api/v1/generate/upload-extend",
    "add_vocals": "/api/v1/generate/add-vocals",
    "add_instrumental": "/api/v1/generate/add-instrumental",
    "mashup": "/api/v1/generate/mashup",
    "replace_section": "/api/v1/generate/replace-section",
    "sounds": "/api/v1/generate/sounds",
}


@pytest.fixture
def emulator() -> Emulator:
    # Long enough for replace_section's 6-60 s window at no more than half the track.
    return Emulator(audio_seconds=120)


def suno(client: Runner) -> SunoProvider:
    provider: SunoProvider = client.providers["suno"]
    return provider


def song(client: Runner, **options: Any) -> Generation:
    generation: Generation = client.generate(provider="suno", prompt="a calm tune", **options)
    assert generation.status is TaskStatus.SUCCEEDED
    return generation


def posts_to(emulator: Emulator, path: str) -> int:
    return sum(1 for r in emulator.requests if r.method == "POST" and r.path == path)


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------


def test_a_generated_track_is_extended_to_new_tracks(client: Runner, emulator: Emulator) -> None:
    source = song(client)
    extension = client.run(
        suno(client).extend(source, at=30, lyrics="[Verse]\nMore", style="indie", title="II")
    )
    assert isinstance(extension, Generation)
    assert extension.status is TaskStatus.SUCCEEDED
    assert extension.task_id != source.task_id
    assert extension.model == source.model
    assert [t.title for t in extension.tracks] == ["II", "II"]
    assert all(t.audio_url and t.task_id == extension.task_id for t in extension.tracks)
    assert extension.raw["data"]["parentMusicId"] == source.tracks[0].id
    assert emulator.submissions() == 2


def test_extend_with_the_source_settings_keeps_its_title(client: Runner) -> None:
    source = song(client)
    extension = client.run(suno(client).extend(source.tracks[1]))
    assert extension.status is TaskStatus.SUCCEEDED
    assert {t.title for t in extension.tracks} == {source.tracks[1].title}


def test_an_extension_is_extended_again(client: Runner) -> None:
    first = client.run(suno(client).extend(song(client)))
    second = client.run(suno(client).extend(first, at=60, lyrics="la", style="pop", title="III"))
    assert second.status is TaskStatus.SUCCEEDED
    assert second.raw["data"]["parentMusicId"] == first.tracks[0].id


@pytest.mark.parametrize("name", NAMES)
def test_each_edit_finishes_with_tracks_and_charges_its_price(
    client: Runner, emulator: Emulator, name: str
) -> None:
    source = song(client)
    before = emulator.suno_credits
    result = client.run(EDITS[name](suno(client), source))
    assert result.status is TaskStatus.SUCCEEDED
    assert len(result.tracks) == 2
    assert result.raw["data"]["operationType"] == name
    assert before - emulator.suno_credits == COSTS[name]


def test_wait_false_returns_the_edit_as_submitted(client: Runner) -> None:
    queued = client.run(suno(client).sounds("a beat"), wait=False)
    assert queued.status is TaskStatus.QUEUED
    assert client.wait(queued.task_id, provider="suno").status is TaskStatus.SUCCEEDED


def test_a_failed_edit_raises_with_the_providers_reason(client: Runner, emulator: Emulator) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED", reason="no audio")
    with pytest.raises(GenerationFailedError) as caught:
        client.run(suno(client).upload_cover(UPLOAD, prompt="a jazz cover"))
    assert caught.value.generation.provider_status == "GENERATE_AUDIO_FAILED"
    assert caught.value.generation.error is not None
    assert "no audio" in caught.value.generation.error


def test_an_identical_edit_resumes_from_the_journal(
    make_client: MakeClient, emulator: Emulator
) -> None:
    cache = MemoryCache()
    source = song(make_client(cache=cache))
    first = make_client(cache=cache).run(EDITS["extend"](suno(make_client()), source))
    again = make_client(cache=cache).run(EDITS["extend"](suno(make_client()), source))
    assert again.task_id == first.task_id
    assert emulator.submissions() == 2  # the song and one extension


def test_an_edit_of_the_provider_refusing_is_reported(make_client: MakeClient) -> None:
    poor = Emulator(suno_credits=11)
    client = make_client(poor)
    with pytest.raises(InsufficientCreditsError):
        client.run(suno(client).mashup([UPLOAD, UPLOAD2], prompt="blend"))
    assert poor.submissions() == 0


# ---------------------------------------------------------------------------------------------
# Money safety
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_lost_answer_to_an_edit_is_never_resent(
    client: Runner, emulator: Emulator, name: str
) -> None:
    source = song(client)
    emulator.inject(Fault("drop", endpoint=name))
    with pytest.raises(SubmissionUncertainError):
        client.run(EDITS[name](suno(client), source))
    assert emulator.submissions() == 2  # the song, and the edit whose answer was lost
    assert posts_to(emulator, PATHS[name]) == 1


@pytest.mark.parametrize("name", NAMES)
def test_a_server_error_after_an_edit_is_never_resent(
    client: Runner, emulator: Emulator, name: str
) -> None:
    source = song(client)
    emulator.inject(Fault("server_error", endpoint=name, processed=True))
    with pytest.raises(SubmissionUncertainError):
        client.run(EDITS[name](suno(client), source))
    assert posts_to(emulator, PATHS[name]) == 1


@pytest.mark.parametrize("name", NAMES)
def test_a_rate_limited_edit_is_retried_and_charged_once(
    client: Runner, emulator: Emulator, name: str
) -> None:
    source = song(client)
    before = emulator.suno_credits
    emulator.inject(Fault("rate_limit", operation="submit", endpoint=name, times=2))
    result = client.run(EDITS[name](suno(client), source))
    assert result.status is TaskStatus.SUCCEEDED
    assert posts_to(emulator, PATHS[name]) == 3
    assert emulator.submissions() == 2
    assert before - emulator.suno_credits == COSTS[name]


def test_a_connection_never_made_is_retried(client: Runner, emulator: Emulator) -> None:
    source = song(client)
    emulator.inject(Fault("connect_error", endpoint="extend"))
    assert client.run(suno(client).extend(source)).status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 2


def test_status_reads_of_an_edit_survive_transient_faults(
    client: Runner, emulator: Emulator
) -> None:
    source = song(client)
    emulator.inject(Fault("server_error", operation="status", times=2))
    assert client.run(suno(client).extend(source)).status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 2
