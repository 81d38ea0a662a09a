"""Sans-I/O tests of Mureka's endpoints beyond generate: requests built, answers read."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen._errors import (
    APIError,
    BadRequestError,
    InsufficientCreditsError,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen._models import Generation, TaskStatus, Track
from musicgen._operations import Operation
from musicgen._results import (
    AlignedLyrics,
    AlignedWord,
    Lyrics,
    SongDescription,
    Speech,
    Stems,
    Task,
    Upload,
)
from musicgen.providers.mureka import MurekaProvider

KEY = "sk-mureka-test-0123456789abcdef"
BASE = "https://api.mureka.ai/v1"
MP3 = b"ID3\x04\x00" + bytes(range(256)) * 4
SONG = Track(id="song-1", audio_url="https://cdn.mureka.ai/song-1.mp3", duration=180.0)


@pytest.fixture
def provider() -> MurekaProvider:
    return MurekaProvider(api_key=KEY)


def sent(operation: Operation[Any]) -> Any:
    return json.loads(operation.request.content)


def respond(body: Any, status: int = 200) -> httpx.Response:
    request = httpx.Request("POST", f"{BASE}/anything")
    return httpx.Response(status, json=body, request=request)


def upload_of(purpose: str, file_id: str = "f-1") -> Upload:
    return Upload(provider="mureka", id=file_id, purpose=purpose)


def refused(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


def form_fields(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart body: name -> (file name, content)."""
    boundary = re.search(r"boundary=([^;]+)", request.headers["content-type"])
    assert boundary is not None
    parts: dict[str, tuple[str | None, bytes]] = {}
    for chunk in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, _, body = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        filename = re.search(rb'filename="([^"]*)"', head)
        assert name is not None
        parts[name.group(1).decode()] = (
            None if filename is None else filename.group(1).decode(),
            body[:-2],
        )
    return parts


# -- files/upload -----------------------------------------------------------------------------


def test_upload_posts_the_file_and_purpose_as_multipart(provider: MurekaProvider) -> None:
    operation = provider.upload(MP3, purpose="audio", filename="take.mp3")

    assert (operation.request.method, str(operation.request.url)) == (
        "POST",
        f"{BASE}/files/upload",
    )
    assert operation.request.headers["content-type"].startswith("multipart/form-data")
    assert form_fields(operation.request) == {
        "purpose": (None, b"audio"),
        "file": ("take.mp3", MP3),
    }
    assert (operation.name, operation.paid, operation.task) == ("upload", False, None)


def test_upload_reads_a_path_at_once(provider: MurekaProvider, tmp_path: Path) -> None:
    path = tmp_path / "voice.m4a"
    path.write_bytes(MP3)

    operation = provider.upload(path, purpose="voice")
    path.unlink()

    assert form_fields(operation.request)["file"] == ("voice.m4a", MP3)


def test_upload_takes_a_path_given_as_a_string(provider: MurekaProvider, tmp_path: Path) -> None:
    path = tmp_path / "ref.mp3"
    path.write_bytes(MP3)

    assert (
        form_fields(provider.upload(str(path), purpose="reference").request)["file"][0] == "ref.mp3"
    )


def test_upload_of_content_without_a_name_is_named_after_its_format(
    provider: MurekaProvider,
) -> None:
    request = provider.upload(MP3, purpose="audio").request

    assert form_fields(request)["file"][0] == "upload.mp3"
    assert b"Content-Type: audio/mpeg" in request.content


@pytest.mark.parametrize("purpose", [None, "", "song", "fine-tuning"])
def test_upload_needs_a_known_purpose_and_lists_them(
    provider: MurekaProvider, purpose: str | None
) -> None:
    error = refused(lambda: provider.upload(MP3, purpose=purpose))

    assert error.field == "purpose"
    for name in ("reference", "vocal", "melody", "instrumental", "voice", "audio", "remix"):
        assert name in str(error)


def test_upload_purpose_is_case_insensitive(provider: MurekaProvider) -> None:
    assert form_fields(provider.upload(MP3, purpose=" Audio ").request)["purpose"][1] == b"audio"


def test_upload_of_a_url_is_refused_with_advice_to_download_it(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.upload("https://example.com/a.mp3", purpose="audio"))

    assert error.field == "source"
    assert "Download it first" in str(error)


def test_upload_over_10_mb_is_refused(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.upload(b"ID3" + bytes(10 * 1024 * 1024), purpose="audio"))

    assert (error.field, "10 MB" in str(error)) == ("source", True)


def test_upload_of_a_file_over_10_mb_is_refused_by_its_size(
    provider: MurekaProvider, tmp_path: Path
) -> None:
    path = tmp_path / "big.mp3"
    with path.open("wb") as out:
        out.truncate(11 * 1024 * 1024)  # sparse: cheap to make

    assert "11.0 MB" in str(refused(lambda: provider.upload(path, purpose="audio")))


def test_upload_of_a_missing_path_is_refused(provider: MurekaProvider, tmp_path: Path) -> None:
    error = refused(lambda: provider.upload(tmp_path / "nope.mp3", purpose="audio"))

    assert "nope.mp3" in str(error)


def test_upload_of_empty_content_is_refused(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.upload(b"", purpose="audio")).field == "source"


@pytest.mark.parametrize(
    ("name", "purpose", "ok"),
    [
        ("a.mp3", "audio", True),
        ("a.M4A", "remix", True),
        ("a.mid", "melody", True),
        ("a.mid", "audio", False),
        ("a.wav", "reference", False),
    ],
)
def test_upload_format_follows_the_purpose(
    provider: MurekaProvider, name: str, purpose: str, ok: bool
) -> None:
    def call() -> object:
        return provider.upload(MP3, purpose=purpose, filename=name)

    if ok:
        call()
    else:
        assert "Convert it first" in str(refused(call))


def test_upload_of_wav_content_is_refused_by_what_it_is(provider: MurekaProvider) -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "

    assert "wav" in str(refused(lambda: provider.upload(wav, purpose="audio")))


@pytest.mark.parametrize("file_id", ["542321", 542321, "file-123456"])
def test_upload_answer_becomes_an_upload(provider: MurekaProvider, file_id: object) -> None:
    body = {
        "id": file_id,
        "filename": "take.mp3",
        "bytes": 1234,
        "created_at": 1_750_000_000,
        "purpose": "audio",
    }

    upload = provider.upload(MP3, purpose="audio").parse(respond(body))

    assert upload == Upload(
        provider="mureka", id=str(file_id), purpose="audio", filename="take.mp3", size=1234
    )
    assert upload.raw["created_at"] == 1_750_000_000


def test_upload_answer_without_an_id_is_unexpected_and_names_it(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        provider.upload(MP3, purpose="audio").parse(respond({"filename": "x.mp3"}))

    assert "$.id" in str(caught.value)


def test_upload_refusal_is_a_bad_request(provider: MurekaProvider) -> None:
    body = {"error": {"message": "Invalid Request, purpose"}, "trace_id": "t"}

    with pytest.raises(BadRequestError):
        provider.upload(MP3, purpose="audio").parse(respond(body, 400))


# -- vocal/clone ------------------------------------------------------------------------------


def test_vocal_clone_posts_to_the_spec_path_and_falls_back_to_the_example_path(
    provider: MurekaProvider,
) -> None:
    operation = provider.vocal_clone(MP3, filename="me.mp3")

    assert str(operation.request.url) == f"{BASE}/vocal/clone"
    assert form_fields(operation.request) == {"file": ("me.mp3", MP3)}
    assert operation.if_missing is not None
    assert str(operation.if_missing.request.url) == f"{BASE}/song/vocal-clone"
    assert not operation.paid  # else the client would never try the fallback


def test_vocal_clone_answer_is_a_vocal_upload(provider: MurekaProvider) -> None:
    body = {"id": "77", "filename": "me.mp3", "bytes": 9, "created_at": 1}

    upload = provider.vocal_clone(MP3).parse(respond(body))

    assert (upload.id, upload.purpose, upload.size) == ("77", "vocal", 9)


def test_vocal_clone_sends_a_bare_file_name(provider: MurekaProvider) -> None:
    operation = provider.vocal_clone(MP3, filename="/home/me/take")

    assert form_fields(operation.request)["file"][0] == "take.mp3"


# -- lyrics -----------------------------------------------------------------------------------


def test_lyrics_posts_the_prompt_and_is_paid(provider: MurekaProvider) -> None:
    operation = provider.lyrics("  a song about rain ")

    assert str(operation.request.url) == f"{BASE}/lyrics/generate"
    assert sent(operation) == {"prompt": "a song about rain"}
    assert (operation.paid, operation.task) == (True, None)


def test_lyrics_answer_is_a_one_tuple_with_the_title(provider: MurekaProvider) -> None:
    answer = {"title": "Rain", "lyrics": "[Verse]\nDrops"}

    assert provider.lyrics("rain").parse(respond(answer)) == (
        Lyrics(text="[Verse]\nDrops", title="Rain"),
    )


def test_lyrics_answer_without_lyrics_is_unexpected(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.lyrics("rain").parse(respond({"title": "Rain", "lyrics": " "}))


def test_lyrics_need_a_prompt(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.lyrics("  ")).field == "prompt"


def test_extend_lyrics_posts_the_lyrics_and_reads_the_next_lines(provider: MurekaProvider) -> None:
    operation = provider.extend_lyrics("[Verse]\nHello")

    assert str(operation.request.url) == f"{BASE}/lyrics/extend"
    assert sent(operation) == {"lyrics": "[Verse]\nHello"}
    assert operation.paid
    assert operation.parse(respond({"lyrics": "Goodbye"})) == Lyrics(text="Goodbye")


# -- song/extend ------------------------------------------------------------------------------


def test_extend_sends_the_song_lyrics_and_position_in_milliseconds(
    provider: MurekaProvider,
) -> None:
    operation = provider.extend(SONG, at=12.3456, lyrics=" [Verse]\nMore ")

    assert str(operation.request.url) == f"{BASE}/song/extend"
    assert sent(operation) == {"song_id": "song-1", "lyrics": "[Verse]\nMore", "extend_at": 12346}
    assert operation.paid
    assert operation.task is not None


def test_extend_is_followed_on_the_song_query_path(provider: MurekaProvider) -> None:
    operation = provider.extend(SONG, at=10, lyrics="x")
    assert operation.task is not None

    read = operation.task.read("42")

    assert str(read.request.url) == f"{BASE}/song/query/42"
    assert read.if_missing is None
    assert operation.task.result_type is Generation


def test_extend_answer_is_a_preparing_generation(provider: MurekaProvider) -> None:
    answer = {"id": "9", "created_at": 1, "model": "mureka-8", "status": "preparing"}

    generation = provider.extend(SONG, at=10, lyrics="x").parse(respond(answer))

    assert (generation.task_id, generation.status, generation.model) == (
        "9",
        TaskStatus.PREPARING,
        "mureka-8",
    )
    assert generation.instrumental is False


def test_extend_takes_a_generation_and_a_song_id(provider: MurekaProvider) -> None:
    generation = Generation(
        task_id="t", provider="mureka", model=None, status=TaskStatus.SUCCEEDED,
        provider_status="succeeded", tracks=(SONG,),
    )  # fmt: skip

    assert sent(provider.extend(generation, at=9, lyrics="x"))["song_id"] == "song-1"
    assert sent(provider.extend("abc", at=9, lyrics="x"))["song_id"] == "abc"


def test_extend_at_defaults_to_the_track_duration(provider: MurekaProvider) -> None:
    track = Track(id="s", duration=61.5)

    assert sent(provider.extend(track, lyrics="x"))["extend_at"] == 61_500


def test_extend_at_defaults_to_at_most_420_seconds(provider: MurekaProvider) -> None:
    assert (
        sent(provider.extend(SONG.__class__(id="s", duration=600.0), lyrics="x"))["extend_at"]
        == 420_000
    )


def test_extend_without_at_or_a_duration_is_refused_naming_at(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.extend("abc", lyrics="x"))

    assert error.field == "at"
    assert "8-420" in str(error)


@pytest.mark.parametrize("at", [7.9, 420.1, -1.0, float("nan"), True, "10"])
def test_extend_at_outside_8_to_420_seconds_is_refused(provider: MurekaProvider, at: Any) -> None:
    assert refused(lambda: provider.extend(SONG, at=at, lyrics="x")).field == "at"


def test_extend_at_bounds_are_accepted(provider: MurekaProvider) -> None:
    assert sent(provider.extend(SONG, at=8, lyrics="x"))["extend_at"] == 8000
    assert sent(provider.extend(SONG, at=420, lyrics="x"))["extend_at"] == 420_000


def test_extend_needs_lyrics(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.extend(SONG, at=10)).field == "lyrics"


@pytest.mark.parametrize("field", ["prompt", "style", "title"])
def test_extend_refuses_what_mureka_does_not_take(provider: MurekaProvider, field: str) -> None:
    error = refused(lambda: provider.extend(SONG, at=10, lyrics="x", **{field: "jazz"}))

    assert error.field == field
    assert f"Remove {field}" in str(error)


@pytest.mark.parametrize(("model", "wire"), [("mureka-8", "mureka-8"), ("7.6", "mureka-7.6")])
def test_extend_model_is_resolved_through_the_catalog(
    provider: MurekaProvider, model: str, wire: str
) -> None:
    assert sent(provider.extend(SONG, at=10, lyrics="x", model=model))["model"] == wire


@pytest.mark.parametrize("model", ["mureka-9", "auto", "nonsense"])
def test_extend_refuses_models_other_than_7_6_and_8(provider: MurekaProvider, model: str) -> None:
    error = refused(lambda: provider.extend(SONG, at=10, lyrics="x", model=model))

    assert error.field == "model"
    assert "mureka-7.6 or mureka-8" in str(error)


def test_extend_head_needs_mureka_8(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.extend(SONG, at=10, lyrics="x", extend_type="head")).field == (
        "extend_type"
    )
    body = sent(provider.extend(SONG, at=10, lyrics="x", extend_type="HEAD", model="mureka-8"))
    assert (body["extend_type"], body["model"]) == ("head", "mureka-8")


def test_extend_of_an_upload_sends_upload_audio_id(provider: MurekaProvider) -> None:
    body = sent(provider.extend(at=10, lyrics="x", upload_audio_id=upload_of("audio", "u-1")))

    assert body == {"upload_audio_id": "u-1", "lyrics": "x", "extend_at": 10_000}


def test_extend_refuses_an_upload_of_another_purpose(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.extend(at=10, lyrics="x", upload_audio_id=upload_of("remix")))

    assert "purpose='audio'" in str(error)


def test_extend_refuses_a_track_and_an_upload_together(provider: MurekaProvider) -> None:
    assert (
        refused(lambda: provider.extend(SONG, at=10, lyrics="x", upload_audio_id="u")).field
        == "upload_audio_id"
    )


def test_extend_refuses_neither_a_track_nor_an_upload(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.extend(at=10, lyrics="x")).field == "track"


def test_extend_refuses_unknown_options_naming_the_accepted_ones(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.extend(SONG, at=10, lyrics="x", n=2))

    assert error.field == "n"
    assert "upload_audio_id, extend_type" in str(error)


# -- track/generate ---------------------------------------------------------------------------


def test_add_track_sends_the_type_window_and_source(provider: MurekaProvider) -> None:
    operation = provider.add_track("drums", song_id=SONG, start=1.5, end=30, prompt="funk")

    assert str(operation.request.url) == f"{BASE}/track/generate"
    assert sent(operation) == {
        "generate_type": "Drums",
        "song_id": "song-1",
        "generate_start": 1500,
        "generate_end": 30_000,
        "prompt": "funk",
    }
    assert operation.paid
    assert operation.task is not None


def test_add_track_vocals_sends_lyrics_and_gender(provider: MurekaProvider) -> None:
    body = sent(
        provider.add_track(
            "VOCALS", upload_audio_id=upload_of("audio", "u"), lyrics="la", vocal_gender="Female"
        )
    )

    assert body == {
        "generate_type": "Vocals",
        "upload_audio_id": "u",
        "lyrics": "la",
        "vocal_gender": "female",
    }


def test_add_track_refuses_an_unknown_kind_listing_the_kinds(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.add_track("kazoo", prompt="x"))

    assert error.field == "kind"
    assert "Woodwinds" in str(error)


def test_add_track_vocals_need_lyrics(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.add_track("Vocals", song_id="s")).field == "lyrics"


def test_add_track_refuses_lyrics_for_an_instrument(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.add_track("Bass", song_id="s", lyrics="la")).field == "lyrics"


def test_add_track_refuses_vocal_gender_for_an_instrument(provider: MurekaProvider) -> None:
    error = refused(lambda: provider.add_track("Bass", song_id="s", vocal_gender="male"))

    assert error.field == "vocal_gender"


def test_add_track_without_a_source_needs_a_prompt(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.add_track("Synth")).field == "prompt"


def test_add_track_refuses_a_window_ending_before_it_starts(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.add_track("FX", prompt="x", start=5, end=5)).field == "end"


# -- song/region-edit -------------------------------------------------------------------------


def test_edit_region_sends_the_window_in_milliseconds(provider: MurekaProvider) -> None:
    operation = provider.edit_region(SONG, start=20, end=25.5, lyrics="new words")

    assert str(operation.request.url) == f"{BASE}/song/region-edit"
    assert sent(operation) == {
        "song_id": "song-1",
        "edit_start": 20_000,
        "edit_end": 25_500,
        "lyrics": "new words",
    }
    assert operation.paid
    assert operation.task is not None


def test_edit_region_window_must_be_three_seconds(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.edit_region(SONG, start=20, end=22.9)).field == "end"


def test_edit_region_needs_twelve_seconds_before(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.edit_region(SONG, start=11.9, end=20)).field == "start"


def test_edit_region_needs_twelve_seconds_after_when_the_duration_is_known(
    provider: MurekaProvider,
) -> None:
    error = refused(lambda: provider.edit_region(SONG, start=100, end=168.1))

    assert error.field == "end"
    assert "168 s" in str(error)
    provider.edit_region(SONG, start=100, end=168)


def test_edit_region_of_an_unknown_length_only_checks_the_start(provider: MurekaProvider) -> None:
    assert sent(provider.edit_region("s", start=12, end=999))["edit_end"] == 999_000


# -- song/remix -------------------------------------------------------------------------------


def test_remix_sends_what_is_given(provider: MurekaProvider) -> None:
    operation = provider.remix(SONG, lyrics="new", prompt="jazz", n=3)

    assert str(operation.request.url) == f"{BASE}/song/remix"
    assert sent(operation) == {"song_id": "song-1", "lyrics": "new", "prompt": "jazz", "n": 3}


def test_remix_of_an_upload_needs_the_remix_purpose(provider: MurekaProvider) -> None:
    assert sent(provider.remix(upload_audio_id=upload_of("remix", "r")))["upload_audio_id"] == "r"
    assert "purpose='remix'" in str(
        refused(lambda: provider.remix(upload_audio_id=upload_of("audio")))
    )


@pytest.mark.parametrize("n", [0, 4, True])
def test_remix_n_is_one_to_three(provider: MurekaProvider, n: Any) -> None:
    assert refused(lambda: provider.remix(SONG, n=n)).field == "n"


# -- song/stem --------------------------------------------------------------------------------


def test_separate_sends_the_track_audio_url_and_is_paid_sync(provider: MurekaProvider) -> None:
    operation = provider.separate(SONG)

    assert str(operation.request.url) == f"{BASE}/song/stem"
    assert sent(operation) == {"url": "https://cdn.mureka.ai/song-1.mp3"}
    assert (operation.paid, operation.task) == (True, None)


def test_separate_uses_the_wav_url_when_there_is_no_mp3(provider: MurekaProvider) -> None:
    track = Track(id="t", wav_url="https://cdn/t.wav", flac_url="https://cdn/t.flac")

    assert sent(provider.separate(track))["url"] == "https://cdn/t.wav"


@pytest.mark.parametrize("source", ["https://x.test/a.mp3", "data:audio/mpeg;base64,SUQz"])
def test_separate_takes_urls_and_data_urls(provider: MurekaProvider, source: str) -> None:
    assert sent(provider.separate(source, mode="stems"))["url"] == source


def test_separate_refuses_a_bare_track_id(provider: MurekaProvider) -> None:
    assert "bare track id" in str(refused(lambda: provider.separate("song-1")))


def test_separate_refuses_a_track_without_audio(provider: MurekaProvider) -> None:
    assert "no audio URL" in str(refused(lambda: provider.separate(Track(id="t"))))


def test_separate_refuses_a_data_url_over_10_mb(provider: MurekaProvider) -> None:
    big = "data:audio/mpeg;base64," + "A" * (14 * 1024 * 1024)

    assert "10 MB" in str(refused(lambda: provider.separate(big)))


def test_separate_refuses_an_unknown_mode(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.separate(SONG, mode="drums")).field == "mode"


def test_separate_sends_a_known_model_and_refuses_others(provider: MurekaProvider) -> None:
    assert sent(provider.separate(SONG, model="audio-separation-2"))["model"] == (
        "audio-separation-2"
    )
    assert refused(lambda: provider.separate(SONG, model="demucs")).field == "model"


def test_stem_answer_becomes_stems(provider: MurekaProvider) -> None:
    answer = {"zip_url": "https://cdn/s.zip", "midi_zip_url": None, "expires_at": 1_800_000_000}

    stems = provider.separate(SONG).parse(respond(answer))

    assert stems == Stems(zip_url="https://cdn/s.zip", expires_at=1_800_000_000)
    assert stems.parts == {}


def test_stem_answer_with_midi(provider: MurekaProvider) -> None:
    answer = {"zip_url": "https://cdn/s.zip", "midi_zip_url": "https://cdn/m.zip"}

    assert provider.separate(SONG).parse(respond(answer)).midi_zip_url == "https://cdn/m.zip"


def test_stem_answer_without_a_zip_is_unexpected(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        provider.separate(SONG).parse(respond({"expires_at": 1}))

    assert "$.zip_url" in str(caught.value)


def test_stem_refusal_for_quota_is_out_of_credits(provider: MurekaProvider) -> None:
    body = {"error": {"message": "You exceeded your current quota"}, "trace_id": "t"}

    with pytest.raises(InsufficientCreditsError):
        provider.separate(SONG).parse(respond(body, 429))


# -- song/describe ----------------------------------------------------------------------------


def test_describe_posts_the_url(provider: MurekaProvider) -> None:
    operation = provider.describe(SONG)

    assert str(operation.request.url) == f"{BASE}/song/describe"
    assert sent(operation) == {"url": "https://cdn.mureka.ai/song-1.mp3"}
    assert operation.paid


@pytest.mark.parametrize("key", ["instrument", "instruments"])
def test_describe_answer_becomes_a_song_description(provider: MurekaProvider, key: str) -> None:
    answer = {
        key: ["piano", None, " ", "drums"],
        "genres": ["pop"],
        "tags": ["calm"],
        "description": "A calm pop song.",
    }

    assert provider.describe(SONG).parse(respond(answer)) == SongDescription(
        description="A calm pop song.",
        instruments=("piano", "drums"),
        genres=("pop",),
        tags=("calm",),
    )


def test_describe_answer_with_a_string_for_a_list_is_unexpected(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        provider.describe(SONG).parse(respond({"genres": "pop"}))

    assert "$.genres" in str(caught.value)


# -- song/recognize ---------------------------------------------------------------------------


def test_recognize_posts_the_upload_id(provider: MurekaProvider) -> None:
    operation = provider.recognize(upload_of("audio", "a-1"))

    assert str(operation.request.url) == f"{BASE}/song/recognize"
    assert sent(operation) == {"upload_audio_id": "a-1"}
    assert operation.paid


def test_recognize_refuses_an_upload_of_another_purpose(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.recognize(upload_of("voice"))).field == "upload_audio_id"


def test_recognize_answer_gives_words_in_seconds_with_their_section(
    provider: MurekaProvider,
) -> None:
    answer = {
        "duration": 90_000,
        "lyrics_sections": [
            {"section_type": "intro", "start": 0, "end": 5000},
            {
                "section_type": "verse",
                "start": 5000,
                "end": 9000,
                "lines": [
                    {
                        "start": 5000,
                        "end": 7000,
                        "text": "hello moon",
                        "words": [
                            {"start": 5000, "end": 6000, "text": "hello"},
                            {"start": 6000, "end": 7000, "text": "moon"},
                        ],
                    },
                    {"start": 7000, "end": 9000, "text": "goodbye"},
                ],
            },
        ],
    }

    lyrics = provider.recognize("a").parse(respond(answer))

    assert lyrics == AlignedLyrics(
        words=(
            AlignedWord(text="hello", start=5.0, end=6.0, section="verse"),
            AlignedWord(text="moon", start=6.0, end=7.0, section="verse"),
            AlignedWord(text="goodbye", start=7.0, end=9.0, section="verse"),
        ),
        duration=90.0,
    )
    assert lyrics.text == "hello moon goodbye"


def test_recognize_reads_the_flat_section_variant(provider: MurekaProvider) -> None:
    answer = {"duration": 4000, "lyrics_sections": [{"start": 0, "end": 4000, "text": "la la"}]}

    lyrics = provider.recognize("a").parse(respond(answer))

    assert lyrics.words == (AlignedWord(text="la la", start=0.0, end=4.0),)


def test_recognize_word_without_times_takes_its_line_times(provider: MurekaProvider) -> None:
    answer = {
        "lyrics_sections": [
            {"lines": [{"start": 1000, "end": 2000, "text": "x", "words": [{"text": "x"}]}]}
        ]
    }

    assert provider.recognize("a").parse(respond(answer)).words == (
        AlignedWord(text="x", start=1.0, end=2.0),
    )


def test_recognize_entry_without_any_time_is_unexpected(provider: MurekaProvider) -> None:
    answer = {"lyrics_sections": [{"lines": [{"text": "x"}]}]}

    with pytest.raises(UnexpectedResponseError) as caught:
        provider.recognize("a").parse(respond(answer))

    assert "$.lyrics_sections[0].lines[0]" in str(caught.value)


# -- tts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("voice", "wire"), [("luna", "Luna"), ("Emma", "Emma"), ("Ema", "Emma")])
def test_tts_sends_the_preset_voice_spelled_as_the_spec_does(
    provider: MurekaProvider, voice: str, wire: str
) -> None:
    operation = provider.tts("Hello there", voice=voice)

    assert str(operation.request.url) == f"{BASE}/tts/generate"
    assert sent(operation) == {"text": "Hello there", "voice": wire}
    assert operation.paid


def test_tts_with_an_uploaded_voice(provider: MurekaProvider) -> None:
    assert sent(provider.tts("hi", voice_id=upload_of("voice", "v-1"))) == {
        "text": "hi",
        "voice_id": "v-1",
    }


@pytest.mark.parametrize(
    "voices", [{}, {"voice": "Luna", "voice_id": "v"}], ids=["neither", "both"]
)
def test_tts_needs_exactly_one_voice(provider: MurekaProvider, voices: dict[str, str]) -> None:
    assert "exactly one" in str(refused(lambda: provider.tts("hi", **voices)))


def test_tts_refuses_an_unknown_voice(provider: MurekaProvider) -> None:
    assert "Victoria" in str(refused(lambda: provider.tts("hi", voice="Bob")))


def test_tts_text_is_at_most_500_characters(provider: MurekaProvider) -> None:
    provider.tts("x" * 500, voice="Jake")

    assert refused(lambda: provider.tts("x" * 501, voice="Jake")).field == "text"


def test_speech_answer(provider: MurekaProvider) -> None:
    answer = {"url": "https://cdn/speech.mp3", "expires_at": 1_800_000_000}

    assert provider.tts("hi", voice="Jake").parse(respond(answer)) == Speech(
        url="https://cdn/speech.mp3", expires_at=1_800_000_000
    )


def test_speech_answer_without_a_url_is_unexpected(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.tts("hi", voice="Jake").parse(respond({"expires_at": 1}))


# -- podcast ----------------------------------------------------------------------------------


def test_podcast_takes_pairs_and_dicts(provider: MurekaProvider) -> None:
    operation = provider.podcast([("Hi", "ethan"), {"text": "Hello", "voice": "Luna"}])

    assert str(operation.request.url) == f"{BASE}/tts/podcast"
    assert sent(operation) == {
        "conversations": [{"text": "Hi", "voice": "Ethan"}, {"text": "Hello", "voice": "Luna"}]
    }
    assert operation.paid


@pytest.mark.parametrize(
    ("conversations", "where"),
    [
        ([], "conversations"),
        ([("x", "Luna")] * 11, "conversations"),
        ([("x" * 401, "Luna")], "conversations[0]"),
        ([("x", "Luna"), ("y", "Bob")], "conversations[1] voice"),
        ([("x", "Luna", "extra")], "conversations[0]"),
        ([{"text": " ", "voice": "Luna"}], "conversations[0]"),
        ("Hi Luna", "conversations"),
    ],
)
def test_podcast_refuses_bad_conversations(
    provider: MurekaProvider, conversations: Any, where: str
) -> None:
    error = refused(lambda: provider.podcast(conversations))

    assert str(error).startswith(where) or error.field == where


# -- fine-tuning ------------------------------------------------------------------------------


def test_create_upload_sends_the_name_purpose_and_size(provider: MurekaProvider) -> None:
    operation = provider.create_upload("my set", size=1024)

    assert str(operation.request.url) == f"{BASE}/uploads/create"
    assert sent(operation) == {"upload_name": "my set", "purpose": "fine-tuning", "bytes": 1024}
    assert not operation.paid


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_create_upload_refuses_a_bad_size(provider: MurekaProvider, size: Any) -> None:
    assert refused(lambda: provider.create_upload("s", size=size)).field == "size"


def test_uploads_task_answer_becomes_an_upload(provider: MurekaProvider) -> None:
    answer = {
        "id": "u-1",
        "upload_name": "my set",
        "purpose": "fine-tuning",
        "bytes": 0,
        "created_at": 1,
        "expires_at": 2,
        "status": "pending",
        "parts": [],
    }

    upload = provider.create_upload("my set").parse(respond(answer))

    assert upload == Upload(
        provider="mureka",
        id="u-1",
        purpose="fine-tuning",
        filename="my set",
        size=0,
        expires_at=2,
    )


def test_add_upload_part_sends_the_file_and_upload_id(provider: MurekaProvider) -> None:
    operation = provider.add_upload_part(upload_of("fine-tuning", "u-1"), MP3)

    assert str(operation.request.url) == f"{BASE}/uploads/add"
    assert form_fields(operation.request) == {
        "upload_id": (None, b"u-1"),
        "file": ("upload.mp3", MP3),
    }
    answer = {"id": "p-1", "upload_id": "u-1", "created_at": 1}
    assert operation.parse(respond(answer)).id == "p-1"


def test_complete_upload_sends_the_parts_in_order(provider: MurekaProvider) -> None:
    part = Upload(provider="mureka", id="p-2", purpose="fine-tuning")
    operation = provider.complete_upload("u-1", part_ids=["p-1", part])

    assert str(operation.request.url) == f"{BASE}/uploads/complete"
    assert sent(operation) == {"upload_id": "u-1", "part_ids": ["p-1", "p-2"]}


def test_finetune_sends_the_upload_and_suffix_and_is_a_paid_task(
    provider: MurekaProvider,
) -> None:
    operation = provider.finetune("u-1", suffix="my-model-2")

    assert str(operation.request.url) == f"{BASE}/finetuning/create"
    assert sent(operation) == {"upload_id": "u-1", "suffix": "my-model-2"}
    assert operation.paid
    assert operation.task is not None
    assert operation.task.result_type == Task[str]
    assert str(operation.task.read("7").request.url) == f"{BASE}/finetuning/query/7"


@pytest.mark.parametrize("suffix", ["", "My-Model", "a" * 33, "with space", "under_score"])
def test_finetune_suffix_is_lowercase_letters_digits_and_hyphens(
    provider: MurekaProvider, suffix: str
) -> None:
    assert refused(lambda: provider.finetune("u", suffix=suffix)).field == "suffix"


def test_finetune_answers_become_tasks_whose_result_is_the_model_name(
    provider: MurekaProvider,
) -> None:
    created = provider.finetune("u", suffix="m").parse(
        respond({"id": "7", "upload_id": "u", "model": "mureka-6", "status": "preparing"})
    )
    done = provider.finetune_status("7").parse(
        respond({"id": "7", "status": "succeeded", "fine_tuned_model": "lora:mureka-6:7:m"})
    )

    assert (created.task_id, created.status, created.result) == ("7", TaskStatus.PREPARING, None)
    assert (done.kind, done.status, done.result) == (
        "finetune",
        TaskStatus.SUCCEEDED,
        "lora:mureka-6:7:m",
    )


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        (
            {"status": "failed", "failed_reason": "too few songs"},
            TaskStatus.FAILED,
            "too few songs",
        ),
        ({"status": "succeeded"}, TaskStatus.FAILED, "fine_tuned_model"),
        ({"status": "training"}, TaskStatus.UNKNOWN, None),
    ],
)
def test_finetune_status_maps_failures_and_unknown_statuses(
    provider: MurekaProvider, answer: dict[str, Any], status: TaskStatus, error: str | None
) -> None:
    task = provider.finetune_status("7").parse(respond(answer))

    assert task.status is status
    assert (task.error is None) if error is None else (error in (task.error or ""))


def test_finetune_status_without_a_status_is_unexpected(provider: MurekaProvider) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider.finetune_status("7").parse(respond({"id": "7"}))


# -- instrumental -----------------------------------------------------------------------------


def test_instrumental_posts_to_the_instrumental_path_under_its_own_name(
    provider: MurekaProvider,
) -> None:
    operation = provider.instrumental("lofi piano", n=1, model="mureka-7.6")

    assert operation.name == "instrumental"
    assert str(operation.request.url) == f"{BASE}/instrumental/generate"
    assert sent(operation) == {"model": "mureka-7.6", "prompt": "lofi piano", "n": 1}
    assert operation.task is not None
    assert str(operation.task.read("5").request.url) == f"{BASE}/instrumental/query/5"


def test_instrumental_from_an_upload(provider: MurekaProvider) -> None:
    body = sent(provider.instrumental(instrumental_id=upload_of("instrumental", "i-1")))

    assert body == {"model": "auto", "instrumental_id": "i-1"}


def test_instrumental_needs_a_prompt_or_an_upload(provider: MurekaProvider) -> None:
    assert refused(lambda: provider.instrumental()).field == "prompt"


# -- no parser ever crashes -------------------------------------------------------------------

SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALAR,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
TIMED = st.fixed_dictionaries(
    {}, optional={key: JSON for key in ("start", "end", "text", "section_type")}
)
LINE = st.fixed_dictionaries(
    {}, optional={"start": JSON, "end": JSON, "text": JSON, "words": st.lists(TIMED) | JSON}
)
SECTION = st.fixed_dictionaries(
    {},
    optional={
        "section_type": JSON,
        "start": JSON,
        "end": JSON,
        "text": JSON,
        "lines": st.lists(LINE, max_size=3) | JSON,
    },
)
_KEYS = (
    "id", "filename", "bytes", "purpose", "title", "lyrics", "zip_url", "midi_zip_url",
    "expires_at", "instrument", "instruments", "genres", "tags", "description", "duration",
    "url", "upload_name", "status", "parts", "upload_id", "model", "failed_reason",
    "fine_tuned_model", "choices",
)  # fmt: skip
BODY = (
    st.fixed_dictionaries(
        {},
        optional={
            **{key: JSON for key in _KEYS},
            "status": st.sampled_from(["preparing", "succeeded", "failed", "odd"]) | JSON,
            "lyrics_sections": st.lists(SECTION, max_size=3) | JSON,
        },
    )
    | JSON
)


def _operations(provider: MurekaProvider) -> list[Operation[Any]]:
    """One operation per distinct parser (remix, add_track... read their answer like extend)."""
    extend = provider.extend(SONG, at=10, lyrics="x")
    assert extend.task is not None
    finetune = provider.finetune("u", suffix="m")
    assert finetune.task is not None
    return [
        provider.upload(MP3, purpose="audio"),
        provider.vocal_clone(MP3),
        provider.lyrics("x"),
        provider.extend_lyrics("x"),
        extend,
        extend.task.read("1"),
        provider.separate(SONG),
        provider.describe(SONG),
        provider.recognize("a"),
        provider.tts("x", voice="Luna"),
        provider.create_upload("x"),
        provider.add_upload_part("u", MP3),
        finetune,
        finetune.task.read("1"),
    ]


OPERATIONS = _operations(MurekaProvider(api_key=KEY))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODY, status=st.sampled_from([200, 200, 200, 400, 429, 500]))
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name + op.request.method)
def test_any_answer_is_a_value_or_an_api_error(
    operation: Operation[Any], body: Any, status: int
) -> None:
    try:
        value = operation.parse(respond(body, status))
    except APIError:
        return
    assert value is not None
