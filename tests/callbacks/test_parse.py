"""parse_callback reads every documented callback shape (endpoints.md §1.0.2, PROV §1.10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from musicgen import MusicGenError, Track
from musicgen.callbacks import (
    FAMILIES,
    CallbackError,
    CoverArtCallback,
    LyricsCallback,
    MidiCallback,
    MusicCallback,
    RecoveryCallback,
    VideoCallback,
    VocalRemovalCallback,
    VoiceCallback,
    VoicePhraseCallback,
    WavCallback,
    guess_family,
    parse_callback,
)

TASK = "2fac8f2b0f7d4a1c9b3e5d6f7a8b9f72"

SNAKE_TRACK = {
    "id": "8551****662c",
    "audio_url": "https://example.cn/****.mp3",
    "source_audio_url": "https://example.cn/****.mp3",
    "stream_audio_url": "https://example.cn/****",
    "source_stream_audio_url": "https://example.cn/****",
    "image_url": "https://example.cn/****.jpeg",
    "source_image_url": "https://example.cn/****.jpeg",
    "prompt": "[Verse] Night city lights shining bright",
    "model_name": "chirp-v3-5",
    "title": "Iron Man",
    "tags": "electrifying, rock ",
    "createTime": 1736300000000,
    "duration": 198.44,
}
CAMEL_TRACK = {
    "id": "8551****662c",
    "audioUrl": "https://example.cn/****.mp3",
    "sourceAudioUrl": "https://example.cn/source.mp3",
    "streamAudioUrl": "https://example.cn/****",
    "imageUrl": "https://example.cn/****.jpeg",
    "prompt": "[Verse] Night city lights shining bright",
    "modelName": "chirp-v3-5",
    "title": "Iron Man",
    "tags": "electrifying, rock ",
    "createTime": "2025-01-01 00:00:00",
    "duration": "198.44",
}


def music(
    stage: str, tracks: Any, *, code: int = 200, msg: str = "ok", **data: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "msg": msg,
        "data": {"callbackType": stage, "task_id": TASK, "data": tracks, **data},
    }


# -- music ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [SNAKE_TRACK, CAMEL_TRACK], ids=["snake_case", "camelCase"])
def test_a_complete_music_callback_carries_its_tracks_in_either_casing(
    item: dict[str, Any],
) -> None:
    body = json.dumps(
        music("complete", [item, {**item, "id": "second"}], msg="All generated successfully.")
    )

    event = parse_callback(body.encode())

    assert isinstance(event, MusicCallback)
    assert (event.provider, event.task_id, event.stage, event.code) == (
        "suno",
        TASK,
        "complete",
        200,
    )
    assert event.is_final
    assert not event.failed
    assert event.message == "All generated successfully."
    assert event.callback_type == "complete"
    first = event.tracks[0]
    assert isinstance(first, Track)
    assert first.id == "8551****662c"
    assert first.audio_url == "https://example.cn/****.mp3"  # never the expiring source URL
    assert first.stream_url == "https://example.cn/****"
    assert first.image_url == "https://example.cn/****.jpeg"
    assert first.duration == pytest.approx(198.44)
    assert first.title == "Iron Man"
    assert first.tags == ("electrifying", "rock")
    assert (first.lyrics or "").startswith("[Verse]")
    assert first.task_id == TASK
    assert [t.index for t in event.tracks] == [0, 1]


@pytest.mark.parametrize("tracks", [None, [], "missing"], ids=["null", "empty", "absent"])
@pytest.mark.parametrize("stage", ["text", "first"])
def test_early_stages_may_carry_no_tracks(stage: str, tracks: Any) -> None:
    body = music(stage, tracks)
    if tracks == "missing":
        del body["data"]["data"]

    event = parse_callback(body)

    assert isinstance(event, MusicCallback)
    assert event.stage == stage
    assert event.tracks == ()
    assert not event.is_final
    assert not event.failed


def test_a_text_stage_track_without_audio_yet_reads_as_none() -> None:
    event = parse_callback(music("text", [{**SNAKE_TRACK, "audio_url": "", "duration": None}]))

    assert isinstance(event, MusicCallback)
    assert event.tracks[0].audio_url is None
    assert event.tracks[0].stream_url == "https://example.cn/****"


def test_the_2024_text_payload_without_a_task_id_parses_with_none() -> None:
    body = {
        "code": 200,
        "msg": "Text generation completed.",
        "data": {"callbackType": "text", "data": [SNAKE_TRACK]},
    }

    event = parse_callback(body, family="music")

    assert event.task_id is None
    assert event.stage == "text"
    assert isinstance(event, MusicCallback)
    assert event.tracks[0].task_id is None


def test_the_documented_music_failure() -> None:
    body = {
        "code": 400,
        "msg": "Music generation failed",
        "data": {"callbackType": "error", "task_id": "2fac****9f72", "data": None},
    }

    event = parse_callback(body)

    assert isinstance(event, MusicCallback)
    assert (event.stage, event.code, event.failed, event.is_final) == ("error", 400, True, True)
    assert event.message == "Music generation failed"
    assert event.task_id == "2fac****9f72"


@pytest.mark.parametrize("code", [400, 408, 413, 451, 500, 501, 531])
def test_every_failure_code_is_an_error_stage_whatever_the_callback_type(code: int) -> None:
    # The 2024 docs send code 501 with callbackType "complete".
    event = parse_callback(music("complete", None, code=code, msg="Audio generation failed."))

    assert (event.stage, event.failed, event.code) == ("error", True, code)


def test_callback_type_error_with_code_200_is_a_failure() -> None:
    event = parse_callback(music("error", None))

    assert event.failed
    assert event.stage == "error"


def test_a_string_code_is_read() -> None:
    assert parse_callback({**music("first", []), "code": "200"}).code == 200


# -- other families ------------------------------------------------------------------------------


def test_lyrics_in_camel_case_task_id() -> None:
    body = {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {
            "callbackType": "complete",
            "taskId": "11dc****8b0f",
            "data": [
                {
                    "text": "[Verse]\nLa la",
                    "title": "Song",
                    "status": "complete",
                    "errorMessage": "",
                },
                {"text": "", "title": "Bad", "status": "failed", "errorMessage": "filtered"},
            ],
        },
    }

    event = parse_callback(body)

    assert isinstance(event, LyricsCallback)
    assert (event.task_id, event.stage, event.failed) == ("11dc****8b0f", "complete", False)
    assert [(lyric.text, lyric.title) for lyric in event.lyrics] == [("[Verse]\nLa la", "Song")]


def test_old_kie_lyrics_with_snake_case_fields() -> None:
    body = {
        "code": 200,
        "msg": "success",
        "data": {
            "callbackType": "complete",
            "task_id": "t",
            "data": [{"text": "words", "title": "x", "status": "complete", "error_message": None}],
        },
    }

    event = parse_callback(body)

    assert isinstance(event, LyricsCallback)
    assert event.task_id == "t"
    assert event.lyrics[0].text == "words"


def test_a_lyrics_failure_without_items() -> None:
    body = {
        "code": 500,
        "msg": "Lyrics generation failed.",
        "data": {"callbackType": "error", "taskId": "t", "data": None},
    }

    event = parse_callback(body)

    assert isinstance(event, LyricsCallback)
    assert event.failed
    assert event.stage == "error"


def test_wav_and_its_failure() -> None:
    ok = parse_callback(
        {"code": 200, "msg": "success", "data": {"audioWavUrl": "https://x/a.wav", "task_id": "w"}}
    )
    bad = parse_callback(
        {"code": 451, "msg": "download failed", "data": {"audioWavUrl": None, "task_id": "w"}}
    )

    assert isinstance(ok, WavCallback)
    assert ok.wav_url == "https://x/a.wav"
    assert ok.stage == "complete"
    assert isinstance(bad, WavCallback)
    assert bad.wav_url is None
    assert bad.failed
    assert bad.code == 451


@pytest.mark.parametrize("key", ["vocal_removal_info", "vocal_separation_info"])
def test_vocal_removal_reads_the_nested_stems(key: str) -> None:
    body = {
        "code": 200,
        "msg": "vocal Removal generated successfully.",
        "data": {
            "task_id": "v",
            key: {
                "instrumental_url": "https://x/i.mp3",
                "origin_url": "",
                "vocal_url": "https://x/v.mp3",
                "backing_vocals_url": "https://x/b.mp3",
                "drums_url": None,
            },
        },
    }

    event = parse_callback(body)

    assert isinstance(event, VocalRemovalCallback)
    assert not event.failed
    assert dict(event.stems) == {
        "instrumental": "https://x/i.mp3",
        "vocals": "https://x/v.mp3",
        "backing_vocals": "https://x/b.mp3",
    }


def test_vocal_removal_failure_nulls_the_info() -> None:
    event = parse_callback(
        {"code": 500, "msg": "failed", "data": {"task_id": "v", "vocal_removal_info": None}}
    )

    assert isinstance(event, VocalRemovalCallback)
    assert event.failed
    assert dict(event.stems) == {}


def test_mp4() -> None:
    event = parse_callback(
        {
            "code": 200,
            "msg": "MP4 generated successfully.",
            "data": {"task_id": "m", "video_url": "https://x/v.mp4"},
        }
    )

    assert isinstance(event, VideoCallback)
    assert event.video_url == "https://x/v.mp4"
    assert event.stage == "complete"


@pytest.mark.parametrize("code", [400, 408, 500, 501, 531])
def test_cover_art_and_its_failure_codes(code: int) -> None:
    ok = parse_callback(
        {
            "code": 200,
            "msg": "success",
            "data": {"taskId": "c", "images": ["https://x/1.png", "https://x/2.png"]},
        }
    )
    bad = parse_callback({"code": code, "msg": "failed", "data": {"taskId": "c", "images": None}})

    assert isinstance(ok, CoverArtCallback)
    assert ok.images == ("https://x/1.png", "https://x/2.png")
    assert ok.task_id == "c"
    assert not ok.failed
    assert isinstance(bad, CoverArtCallback)
    assert bad.failed
    assert bad.images == ()
    assert bad.code == code


def test_midi_with_a_top_level_task_id_and_string_times() -> None:
    body = {
        "task_id": "midi-1",
        "code": 200,
        "msg": "success",
        "data": {
            "state": "complete",
            "instruments": [
                {
                    "name": "Drums",
                    "notes": [{"pitch": 36, "start": "0.0364", "end": 0.2, "velocity": 0.9}],
                }
            ],
        },
    }

    event = parse_callback(body)

    assert isinstance(event, MidiCallback)
    assert event.task_id == "midi-1"
    assert event.state == "complete"
    note = event.instruments[0].notes[0]
    assert (event.instruments[0].name, note.pitch) == ("Drums", 36)
    assert note.start == pytest.approx(0.0364)


def test_voice_phrase_and_voice() -> None:
    phrase = parse_callback(
        {
            "code": 200,
            "msg": "success",
            "data": {
                "taskId": "p",
                "validateInfo": "Sing: la la la",
                "status": "wait_validating",
                "errorCode": None,
                "errorMessage": None,
            },
        }
    )
    failed = parse_callback(
        {
            "code": 200,
            "msg": "success",
            "data": {
                "taskId": "p",
                "validateInfo": None,
                "status": "processing_validate_fail",
                "errorMessage": "too noisy",
            },
        }
    )
    voice = parse_callback(
        {
            "code": 200,
            "msg": "success",
            "data": {"taskId": "v", "voiceId": "abc123", "status": "success"},
        }
    )
    waiting = parse_callback(
        {
            "code": 200,
            "msg": "success",
            "data": {"taskId": "v", "voiceId": None, "status": "wait_processing"},
        },
        family="voice",
    )

    assert isinstance(phrase, VoicePhraseCallback)
    assert phrase.phrase == "Sing: la la la"
    assert phrase.stage == "complete"
    assert isinstance(failed, VoicePhraseCallback)
    assert failed.failed
    assert failed.message == "too noisy"
    assert isinstance(voice, VoiceCallback)
    assert voice.voice_id == "abc123"
    assert voice.is_final
    assert isinstance(waiting, VoiceCallback)
    assert waiting.stage == "progress"
    assert not waiting.is_final


def test_recovery_with_a_top_level_task_id() -> None:
    body = {
        "code": 200,
        "msg": "success",
        "task_id": "r",
        "data": [
            {
                "id": "a",
                "audio_url": "https://x/a.m4a",
                "title": "A",
                "status": "success",
                "error": None,
            },
            {
                "id": "b",
                "audio_url": None,
                "title": "B",
                "status": "failed",
                "error": "feed_failed",
            },
        ],
    }

    event = parse_callback(body)

    assert isinstance(event, RecoveryCallback)
    assert event.task_id == "r"
    assert event.stage == "complete"
    assert [(t.id, t.status, t.error) for t in event.tracks] == [
        ("a", "success", None),
        ("b", "failed", "feed_failed"),
    ]
    assert parse_callback({"code": 500, "msg": "all failed", "task_id": "r", "data": None}).failed
    assert (
        parse_callback(
            {"code": 201, "msg": "running", "task_id": "r", "data": None}, family="recovery"
        ).stage
        == "progress"
    )


# -- family: told or guessed ----------------------------------------------------------------------


def test_every_family_has_an_event_class_and_guessing_agrees_with_it() -> None:
    samples = {
        "music": music("complete", [SNAKE_TRACK]),
        "lyrics": {
            "code": 200,
            "data": {"callbackType": "complete", "taskId": "t", "data": [{"text": "x"}]},
        },
        "wav": {"code": 200, "data": {"audioWavUrl": "u", "task_id": "t"}},
        "vocal_removal": {
            "code": 200,
            "data": {"task_id": "t", "vocal_removal_info": {"vocal_url": "u"}},
        },
        "mp4": {"code": 200, "data": {"task_id": "t", "video_url": "u"}},
        "cover_art": {"code": 200, "data": {"taskId": "t", "images": ["u"]}},
        "midi": {"task_id": "t", "code": 200, "data": {"state": "complete", "instruments": []}},
        "voice_phrase": {
            "code": 200,
            "data": {"taskId": "t", "validateInfo": "x", "status": "wait_validating"},
        },
        "voice": {"code": 200, "data": {"taskId": "t", "voiceId": "v", "status": "success"}},
        "recovery": {"code": 200, "task_id": "t", "data": []},
    }
    assert set(samples) == set(FAMILIES)
    for family, body in samples.items():
        assert guess_family(body) == family
        told = parse_callback(body, family=family)
        assert type(told) is FAMILIES[family]
        assert told.family == family
        assert parse_callback(body) == told


def test_the_family_told_wins_over_the_keys() -> None:
    # A music error without items would be guessed as music; told it is lyrics, it is lyrics.
    body = {
        "code": 500,
        "msg": "failed",
        "data": {"callbackType": "error", "task_id": "t", "data": None},
    }

    assert isinstance(parse_callback(body, family="lyrics"), LyricsCallback)


def test_raw_keeps_the_payload_and_is_not_part_of_equality() -> None:
    body = music("complete", [SNAKE_TRACK])

    event = parse_callback(body)

    assert event.raw["data"]["task_id"] == TASK
    assert event == parse_callback({**body, "extra": 1})


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "family", "words"),
    [
        (b"not json", None, "not valid JSON"),
        (b"\xff\xfe", None, "not valid JSON"),
        (b"[1, 2]", None, "expected a JSON object"),
        (b"{}", None, "unknown callback"),
        ({"code": 200, "data": {"something": 1}}, None, "unknown callback"),
        ({"code": 200, "data": {}}, "karaoke", "unknown callback family"),
        ({"msg": "no code", "data": {"callbackType": "complete", "task_id": "t"}}, "music", "code"),
        ({"code": True, "data": {"callbackType": "complete", "task_id": "t"}}, "music", "code"),
        (
            {"code": 200, "data": {"callbackType": "complete", "task_id": "t", "data": "x"}},
            "music",
            "list",
        ),
        (
            {"code": 200, "data": {"callbackType": "halfway", "task_id": "t"}},
            "music",
            "callbackType",
        ),
        ({"code": 200, "data": {"callbackType": "complete", "task_id": ["t"]}}, "music", "task id"),
        (
            {
                "code": 200,
                "data": {"callbackType": "complete", "task_id": "t", "data": [{"title": 5}]},
            },
            "music",
            "$.data.data[0]",
        ),
        ({"code": 200, "data": {"audioWavUrl": "u"}}, "wav", "no task id"),
        ({"code": 200, "data": [1]}, "wav", "expected an object at $.data"),
        ({"code": 200, "data": {"taskId": "t", "images": "u"}}, "cover_art", "list"),
        (
            {"task_id": "t", "code": 200, "data": {"instruments": [{"notes": [{"start": 1}]}]}},
            "midi",
            "pitch",
        ),
    ],
)
def test_malformed_or_unknown_payloads_are_a_callback_error(
    body: Any, family: str | None, words: str
) -> None:
    with pytest.raises(CallbackError) as caught:
        parse_callback(body, family=family)

    assert words in caught.value.message
    assert isinstance(caught.value, MusicGenError)
    assert repr(caught.value).startswith("musicgen.callbacks.CallbackError(")


def test_an_error_message_never_quotes_a_long_body_value() -> None:
    secret_prompt = "my very private prompt that nobody should see in a log line" * 3
    body = {"code": 200, "data": {"callbackType": secret_prompt, "task_id": "t"}}

    with pytest.raises(CallbackError) as caught:
        parse_callback(body, family="music")

    assert secret_prompt not in caught.value.message
