"""``parse_callback``: any documented sunoapi.org callback body -> a typed event.

Wire facts relied on (``providers.md`` §1.7, §1.8, §1.10; ``endpoints.md`` §1.0.2, §1.12-§1.19):

* Every body is ``{code, msg, data}``; MIDI and recovery put ``task_id`` at the top level,
  lyrics, cover art and the voice families ``data.taskId``, the rest ``data.task_id``.
* Music stages come in ``data.callbackType``: ``text``, ``first``, ``complete``, ``error``
  ("text and first may be skipped"). Before ``complete``, ``data.data`` may be null, empty or
  partial; the 2024-era text/first payloads carry no ``task_id``. Track items are snake_case in
  the docs; camelCase items (record-info's casing) are read too.
* Failure: a ``code`` other than 200 (400, 408, 413, 451, 500, 501, 531...), or
  ``callbackType: "error"``; the 2024 docs send ``code 501`` with ``callbackType: "complete"``.
  Family payloads null their result on failure (``audioWavUrl``, ``vocal_removal_info``,
  ``images``). Recovery reports ``201`` while still running.
* The family cannot always be told from the body; a per-task callback URL names it
  (``CallbackAuth.url``). Without one it is guessed from the keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._models import Track
from .._results import Lyrics, MidiInstrument
from ..providers._wire import WireError, kind
from ._errors import CallbackError
from ._events import (
    FAMILIES,
    CallbackEvent,
    CoverArtCallback,
    LyricsCallback,
    MidiCallback,
    MusicCallback,
    RecoveredTrack,
    RecoveryCallback,
    VideoCallback,
    VocalRemovalCallback,
    VoiceCallback,
    VoicePhraseCallback,
    WavCallback,
)

__all__ = ["guess_family", "parse_callback"]

_PROVIDER = "suno"
_MUSIC_STAGES = frozenset({"text", "first", "complete", "error"})
_VOICE_FAILED = frozenset({"processing_validate_fail", "fail", "failed"})
_SEPARATION_KEYS = ("vocal_removal_info", "vocal_separation_info", "vocalRemovalInfo")


def parse_callback(
    body: bytes | str | Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    *,
    family: str | None = None,
) -> CallbackEvent:
    """Read one callback body into its typed event.

    Args:
        body: The request body (JSON bytes or text), or the decoded object.
        headers: The request headers; accepted for symmetry with ``CallbackAuth.verify`` (a
            body is read the same whatever they say).
        family: The family the callback URL was minted for (``"music"``, ``"wav"``...; see
            ``FAMILIES``); None guesses it from the keys.

    Returns:
        A ``MusicCallback``, ``WavCallback``... (a ``CallbackEvent``).

    Raises:
        CallbackError: Not JSON, not an object, no usable ``code``, an unknown family, or a
            documented field of the wrong type. Never any other exception.
    """
    del headers  # nothing in them changes how a body reads
    payload = _decode(body)
    if family is None:
        family = guess_family(payload)
    elif family not in FAMILIES:
        known = ", ".join(sorted(FAMILIES))
        raise CallbackError(f"unknown callback family {family!r}; use one of {known}")
    try:
        return _PARSERS[family](payload)
    except WireError as error:
        raise CallbackError(f"unreadable {family} callback: {error}") from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        # The readers check every type they touch; this is the backstop the contract promises.
        msg = f"unreadable {family} callback ({type(error).__name__})"
        raise CallbackError(msg) from None


def guess_family(payload: Mapping[str, Any]) -> str:
    """Tell a decoded callback's family from its keys.

    Raises:
        CallbackError: No documented family has those keys.
    """
    data = payload.get("data")
    top_level_id = "task_id" in payload or "taskId" in payload
    if isinstance(data, Mapping):
        if "callbackType" in data or "callback_type" in data:
            return "lyrics" if _looks_like_lyrics(data) else "music"
        if "audioWavUrl" in data or "audio_wav_url" in data:
            return "wav"
        if any(key in data for key in _SEPARATION_KEYS):
            return "vocal_removal"
        if "video_url" in data or "videoUrl" in data:
            return "mp4"
        if "images" in data:
            return "cover_art"
        if "validateInfo" in data or "validate_info" in data:
            return "voice_phrase"
        if "voiceId" in data or "voice_id" in data:
            return "voice"
        if top_level_id and ("instruments" in data or "state" in data):
            return "midi"
    if top_level_id and (isinstance(data, list) or (data is None and "code" in payload)):
        return "recovery"
    raise CallbackError("unknown callback: its keys match no documented callback family")


def _looks_like_lyrics(data: Mapping[str, Any]) -> bool:
    items = data.get("data")
    if isinstance(items, list) and items:
        first = items[0]
        return isinstance(first, Mapping) and "text" in first and "audio_url" not in first
    # No items (failure, or nothing yet): lyrics spell the id taskId, music task_id.
    return "taskId" in data and "task_id" not in data


# -- decoding and common fields ----------------------------------------------------------------


def _decode(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        payload: Any = body
    else:
        if not isinstance(body, (bytes, bytearray, memoryview, str)):
            raise CallbackError(f"a callback body is bytes, text or a mapping, not {kind(body)}")
        try:
            payload = json.loads(bytes(body) if not isinstance(body, str) else body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise CallbackError("the callback body is not valid JSON") from None
    if not isinstance(payload, Mapping):
        raise CallbackError(f"expected a JSON object, got {kind(payload)}")
    return payload


def _code(payload: Mapping[str, Any]) -> int:
    value = payload.get("code")
    if isinstance(value, bool):
        raise CallbackError(f"expected an integer code at $.code, got {kind(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 7:
        return int(value.strip())
    raise CallbackError(f"expected an integer code at $.code, got {kind(value)}")


def _text(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CallbackError(f"expected a string at {path}, got {kind(value)}")
    return value.strip() or None


def _message(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("msg", payload.get("message"))
    return (value.strip() or None) if isinstance(value, str) else None


def _id(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise CallbackError(f"expected a task id string at {path}, got {kind(value)}")


def _first_id(sources: list[tuple[Mapping[str, Any], str, str]]) -> str | None:
    """The first usable id among ``(object, key, path)`` places."""
    for source, key, path in sources:
        found = _id(source.get(key), path)
        if found is not None:
            return found
    return None


def _data(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """``data`` as an object; null (seen on failures) reads as empty."""
    data = payload.get("data")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise CallbackError(f"expected an object at $.data, got {kind(data)}")
    return data


def _data_task_id(payload: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    return _first_id(
        [
            (data, "task_id", "$.data.task_id"),
            (data, "taskId", "$.data.taskId"),
            (payload, "task_id", "$.task_id"),
            (payload, "taskId", "$.taskId"),
        ]
    )


def _required_id(task_id: str | None, family: str) -> str:
    if task_id is None:
        raise CallbackError(f"the {family} callback has no task id")
    return task_id


def _outcome(code: int, ok: bool) -> tuple[str, bool]:
    """(stage, failed) of a single-stage family: ``ok`` is whether the result is there."""
    if code == 200 and ok:
        return "complete", False
    return "error", True


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CallbackError(f"expected a list at {path}, got {kind(value)}")
    return value


# -- families ----------------------------------------------------------------------------------


def _music(payload: Mapping[str, Any]) -> MusicCallback:
    code = _code(payload)
    data = _data(payload)
    task_id = _data_task_id(payload, data)
    raw_type = data.get("callbackType", data.get("callback_type"))
    callback_type = _text(raw_type, "$.data.callbackType")
    stage = callback_type.lower() if callback_type else None
    failed = code != 200 or stage == "error"
    if failed:
        stage = "error"
    elif stage not in _MUSIC_STAGES:
        shown = "none" if callback_type is None else repr(callback_type[:40])
        raise CallbackError(f"unknown music callbackType {shown} at $.data.callbackType")
    items = _list(data.get("data"), "$.data.data")
    return MusicCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        callback_type=callback_type,
        tracks=_tracks(items, task_id),
        raw=payload,
    )


def _tracks(items: list[Any], task_id: str | None) -> tuple[Track, ...]:
    from ..providers._suno_wire import _CONVERTER, SunoTrack, _track
    from ..providers._wire import structure

    tracks = []
    for index, item in enumerate(items):
        wire = structure(_CONVERTER, item, SunoTrack, path=f"$.data.data[{index}]")
        # The same reading as record-info's tracks (never the expiring sourceAudioUrl).
        track = _track(wire, index, task_id or "")
        tracks.append(track if task_id else attrs.evolve(track, task_id=None))
    return tuple(tracks)


def _lyrics(payload: Mapping[str, Any]) -> LyricsCallback:
    from ..providers._suno_task_wire import _CONVERTER, LyricsItem
    from ..providers._wire import structure

    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), "lyrics")
    raw_type = _text(data.get("callbackType", data.get("callback_type")), "$.data.callbackType")
    items = structure(
        _CONVERTER,
        _list(data.get("data"), "$.data.data"),
        tuple[LyricsItem, ...],
        path="$.data.data",
    )
    lyrics = tuple(
        Lyrics(text=item.text, title=item.title)
        for item in items
        if item.text is not None and (item.status or "complete").lower() != "failed"
    )
    failed = code != 200 or (raw_type or "").lower() == "error" or not lyrics
    return LyricsCallback(
        task_id=task_id,
        stage="error" if failed else "complete",
        code=code,
        message=_message(payload),
        failed=failed,
        lyrics=lyrics,
        raw=payload,
    )


def _wav(payload: Mapping[str, Any]) -> WavCallback:
    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), "wav")
    url = _text(data.get("audioWavUrl", data.get("audio_wav_url")), "$.data.audioWavUrl")
    stage, failed = _outcome(code, url is not None)
    return WavCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        wav_url=url,
        raw=payload,
    )


def _vocal_removal(payload: Mapping[str, Any]) -> VocalRemovalCallback:
    from ..providers._suno_task_wire import _stem_urls

    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), "vocal_removal")
    stems: dict[str, str] = {}
    for key in _SEPARATION_KEYS:
        info = data.get(key)
        if info is not None:
            stems.update(_stem_urls(info, f"$.data.{key}"))
    stage, failed = _outcome(code, bool(stems))
    return VocalRemovalCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        stems=stems,
        raw=payload,
    )


def _video(payload: Mapping[str, Any]) -> VideoCallback:
    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), "mp4")
    url = _text(data.get("video_url", data.get("videoUrl")), "$.data.video_url")
    stage, failed = _outcome(code, url is not None)
    return VideoCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        video_url=url,
        raw=payload,
    )


def _cover_art(payload: Mapping[str, Any]) -> CoverArtCallback:
    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), "cover_art")
    items = _list(data.get("images"), "$.data.images")
    images = tuple(
        url
        for index, item in enumerate(items)
        if (url := _text(item, f"$.data.images[{index}]")) is not None
    )
    stage, failed = _outcome(code, bool(images))
    return CoverArtCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        images=images,
        raw=payload,
    )


def _midi(payload: Mapping[str, Any]) -> MidiCallback:
    from ..providers._suno_task_wire import _CONVERTER, WireMidi, _note
    from ..providers._wire import structure

    code = _code(payload)
    data = _data(payload)
    # Top-level task_id is the documented place; data's is accepted too.
    task_id = _required_id(
        _first_id(
            [
                (payload, "task_id", "$.task_id"),
                (payload, "taskId", "$.taskId"),
                (data, "task_id", "$.data.task_id"),
                (data, "taskId", "$.data.taskId"),
            ]
        ),
        "midi",
    )
    midi = structure(_CONVERTER, data, WireMidi, path="$.data")
    instruments = tuple(
        MidiInstrument(
            name=instrument.name or f"instrument {i + 1}",
            notes=tuple(
                _note(note, f"$.data.instruments[{i}].notes[{j}]")
                for j, note in enumerate(instrument.notes)
            ),
        )
        for i, instrument in enumerate(midi.instruments)
    )
    state = midi.state
    ok = state is None or state.lower() in ("complete", "completed", "success")
    stage, failed = _outcome(code, ok)
    return MidiCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        state=state,
        instruments=instruments,
        raw=payload,
    )


def _voice_state(code: int, status: str | None, ready: bool) -> tuple[str, bool]:
    lowered = (status or "").lower()
    if code != 200 or lowered in _VOICE_FAILED:
        return "error", True
    if ready:
        return "complete", False
    return "progress", False


def _voice_fields(
    payload: Mapping[str, Any], family: str
) -> tuple[int, Mapping[str, Any], str, str | None, str | None]:
    """What both voice callbacks carry: code, data, task id, status and message."""
    code = _code(payload)
    data = _data(payload)
    task_id = _required_id(_data_task_id(payload, data), family)
    status = _text(data.get("status"), "$.data.status")
    message = _text(data.get("errorMessage"), "$.data.errorMessage") or _message(payload)
    return code, data, task_id, status, message


def _voice_phrase(payload: Mapping[str, Any]) -> VoicePhraseCallback:
    code, data, task_id, status, message = _voice_fields(payload, "voice_phrase")
    phrase = _text(data.get("validateInfo", data.get("validate_info")), "$.data.validateInfo")
    stage, failed = _voice_state(code, status, phrase is not None)
    return VoicePhraseCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=message,
        failed=failed,
        phrase=phrase,
        status=status,
        raw=payload,
    )


def _voice(payload: Mapping[str, Any]) -> VoiceCallback:
    code, data, task_id, status, message = _voice_fields(payload, "voice")
    voice_id = _id(data.get("voiceId", data.get("voice_id")), "$.data.voiceId")
    stage, failed = _voice_state(code, status, voice_id is not None)
    return VoiceCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=message,
        failed=failed,
        voice_id=voice_id,
        status=status,
        raw=payload,
    )


def _recovery(payload: Mapping[str, Any]) -> RecoveryCallback:
    code = _code(payload)
    data = payload.get("data")
    task_id = _required_id(
        _first_id([(payload, "task_id", "$.task_id"), (payload, "taskId", "$.taskId")])
        or (_data_task_id(payload, data) if isinstance(data, Mapping) else None),
        "recovery",
    )
    if isinstance(data, Mapping):  # tolerated: the items one level deeper
        data = data.get("data")
    tracks = []
    for index, item in enumerate(_list(data, "$.data")):
        path = f"$.data[{index}]"
        if not isinstance(item, Mapping):
            raise CallbackError(f"expected an object at {path}, got {kind(item)}")
        tracks.append(
            RecoveredTrack(
                id=_id(item.get("id"), f"{path}.id"),
                audio_url=_text(item.get("audio_url", item.get("audioUrl")), f"{path}.audio_url"),
                title=_text(item.get("title"), f"{path}.title"),
                status=_text(item.get("status"), f"{path}.status"),
                error=_text(item.get("error"), f"{path}.error"),
            )
        )
    if code == 201:
        stage, failed = "progress", False
    else:
        recovered = any((t.status or "success").lower() == "success" for t in tracks)
        stage, failed = _outcome(code, recovered)
    return RecoveryCallback(
        task_id=task_id,
        stage=stage,
        code=code,
        message=_message(payload),
        failed=failed,
        tracks=tuple(tracks),
        raw=payload,
    )


_PARSERS: Mapping[str, Callable[[Mapping[str, Any]], CallbackEvent]] = {
    "music": _music,
    "lyrics": _lyrics,
    "wav": _wav,
    "vocal_removal": _vocal_removal,
    "mp4": _video,
    "cover_art": _cover_art,
    "midi": _midi,
    "voice_phrase": _voice_phrase,
    "voice": _voice,
    "recovery": _recovery,
}
