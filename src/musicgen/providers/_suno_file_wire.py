"""sunoapi.org payloads of the files and voices family, as typed wire models.

Uploads (``endpoints.md`` §1.17), personas (§1.9), style boost (§1.16), Suno Voice (§1.18) and
recovery (§1.19). Each reader takes the decoded ``data`` member of the answer (the driver keeps
the envelope and its error codes) and raises ``WireError`` with a path starting at ``$.data``.
The leniency rules are ``_wire``'s; departures are marked where they are made.

Wire facts relied on:

* Upload answers carry ``{fileName, filePath, downloadUrl, fileSize, mimeType, uploadedAt}``;
  ``uploadedAt`` is ISO 8601 (``2025-01-01T12:00:00.000Z``) and files live 3 days after it.
* Voice statuses are lower-case: ``wait_processing``, ``processing_validate``,
  ``processing_validate_fail``, ``wait_validating``, ``success``, ``fail``. A phrase is ready at
  ``wait_validating`` with ``validateInfo``; a voice at ``success`` with ``voiceId``.
  ``errorCode`` is ``0`` and ``errorMessage`` ``""`` when nothing failed.
* Recovery items are snake_case ``{id, audio_url, title, status: success|failed, error}`` in the
  order of the original tracks; the envelope code (201/200/500) is the task's state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NewType

import attrs
import cattrs

from .._models import TaskStatus, Track
from .._results import Persona, Task, Upload, Voice, VoicePhrase
from ._suno_wire import ErrorCode, error_code, loose_number
from ._wire import Id, Text, WireError, kind, make_converter, register_object, structure

__all__ = [
    "UPLOAD_LIFETIME",
    "SunoStyleBoost",
    "read_check_voice",
    "read_persona",
    "read_recovery",
    "read_recovery_task_id",
    "read_style_boost",
    "read_upload",
    "read_voice",
    "read_voice_phrase",
]

_PROVIDER = "suno"

#: Seconds an uploaded file lives on sunoapi.org's upload host ("deleted after 3 days").
UPLOAD_LIFETIME = 3 * 24 * 3600.0

#: A size or time that is informative only: an unreadable value is None, never an error.
Loose = NewType("Loose", float)
#: ``uploadedAt``: ISO 8601 text or an epoch number, read as Unix seconds (None if unreadable).
Moment = NewType("Moment", float)


@attrs.frozen
class SunoUpload:
    """``data`` of an upload answer (URL, base64 and stream uploads answer alike)."""

    file_name: Text | None = None
    file_path: Text | None = None
    download_url: Text | None = None
    file_size: Loose | None = None
    mime_type: Text | None = None
    uploaded_at: Moment | None = None


@attrs.frozen
class SunoPersona:
    """``data`` of ``generate-persona``."""

    persona_id: Id | None = None
    name: Text | None = None
    description: Text | None = None


@attrs.frozen
class SunoStyleBoost:
    """``data`` of ``style/generate``: the driver decides what a ``successFlag`` means."""

    task_id: Id | None = None
    result: Text | None = None
    credits_consumed: Loose | None = None
    credits_remaining: Loose | None = None
    # A string in the docs ("0", "1", "2"); read as an id so a number 1 is "1" too.
    success_flag: Id | None = None
    error_code: ErrorCode | None = None
    error_message: Text | None = None


@attrs.frozen
class SunoVoiceRecord:
    """``data`` of ``voice/validate-info`` and ``voice/record-info``."""

    # Exactly as sent: it becomes Task.provider_status, which is reported unchanged.
    status: str = ""
    validate_info: Text | None = None
    voice_id: Id | None = None
    error_code: ErrorCode | None = None
    error_message: Text | None = None


@attrs.frozen
class SunoCheckVoice:
    """``data`` of ``voice/check-voice``."""

    is_available: bool | None = None


@attrs.frozen
class SunoRecovered:
    """One item of a recovery record (snake_case; camelCase accepted too)."""

    id: Id | None = None
    audio_url: Text | None = None
    title: Text | None = None
    status: Text | None = None
    error: Text | None = None


def _moment(value: Any, _: Any) -> float | None:
    """Unix seconds of an ISO 8601 string or an epoch number (milliseconds when huge)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return loose_number(text, None)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)  # the docs' samples are UTC
        try:
            return moment.timestamp()
        except (OverflowError, ValueError):
            return None
    number = loose_number(value, None)
    if number is None or number <= 0:
        return None
    return number / 1000 if number > 1e11 else number


def _make_converter() -> cattrs.Converter:
    converter = make_converter()
    converter.register_structure_hook(Loose, loose_number)
    converter.register_structure_hook(ErrorCode, error_code)
    converter.register_structure_hook(Moment, _moment)
    register_object(
        converter,
        SunoUpload,
        file_name=("fileName", "file_name"),
        file_path=("filePath", "file_path"),
        download_url=("downloadUrl", "download_url", "fileUrl", "url"),
        file_size=("fileSize", "file_size"),
        mime_type=("mimeType", "mime_type"),
        uploaded_at=("uploadedAt", "uploaded_at"),
    )
    register_object(converter, SunoPersona, persona_id=("personaId", "persona_id", "id"))
    register_object(
        converter,
        SunoStyleBoost,
        task_id=("taskId", "task_id"),
        credits_consumed=("creditsConsumed", "credits_consumed"),
        credits_remaining=("creditsRemaining", "credits_remaining"),
        success_flag=("successFlag", "success_flag"),
        error_code=("errorCode", "error_code"),
        error_message=("errorMessage", "error_message"),
    )
    register_object(
        converter,
        SunoVoiceRecord,
        validate_info=("validateInfo", "validate_info"),
        voice_id=("voiceId", "voice_id"),
        error_code=("errorCode", "error_code"),
        error_message=("errorMessage", "error_message"),
    )
    register_object(converter, SunoCheckVoice, is_available=("isAvailable", "is_available"))
    register_object(
        converter,
        SunoRecovered,
        audio_url=("audio_url", "audioUrl"),
        error=("error", "errorMessage", "error_message"),
    )
    return converter


_CONVERTER = _make_converter()


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise WireError("$.data", f"expected an object with {what}, got {kind(data)}")
    return data


# -- uploads, personas, style boost ------------------------------------------------------------


def read_upload(data: Any, *, raw: Mapping[str, Any]) -> Upload:
    """Read an upload answer's ``data``.

    Args:
        data: ``{fileName, filePath, downloadUrl, fileSize, mimeType, uploadedAt}``.
        raw: Kept as the result's ``raw`` (the whole envelope).

    Returns:
        The upload; ``expires_at`` is ``uploadedAt`` + 3 days when that is readable, else None.

    Raises:
        WireError: ``data`` is not an object, a text field is not a string, or there is no
            ``downloadUrl`` (the file cannot be used without it).
    """
    upload = structure(_CONVERTER, _object(data, "a downloadUrl"), SunoUpload, path="$.data")
    if upload.download_url is None:
        raise WireError("$.data.downloadUrl", "no download URL (downloadUrl)")
    size = upload.file_size
    return Upload(
        provider=_PROVIDER,
        url=upload.download_url,
        filename=upload.file_name,
        size=int(size) if size is not None and size >= 0 and size.is_integer() else None,
        expires_at=None if upload.uploaded_at is None else upload.uploaded_at + UPLOAD_LIFETIME,
        raw=raw,
    )


def read_persona(data: Any, *, raw: Mapping[str, Any]) -> Persona:
    """Read the ``generate-persona`` answer's ``data`` (``{personaId, name, description}``).

    Raises:
        WireError: Not an object, a field of the wrong type, or no ``personaId``.
    """
    persona = structure(_CONVERTER, _object(data, "a personaId"), SunoPersona, path="$.data")
    if persona.persona_id is None:
        raise WireError("$.data.personaId", "no persona id (personaId)")
    return Persona(
        id=persona.persona_id, name=persona.name, description=persona.description, raw=raw
    )


def read_style_boost(data: Any) -> SunoStyleBoost:
    """Read the ``style/generate`` answer's ``data``; the driver judges ``successFlag``.

    Raises:
        WireError: Not an object, or a field of the wrong type.
    """
    return structure(_CONVERTER, _object(data, "a result"), SunoStyleBoost, path="$.data")


# -- Suno Voice ----------------------------------------------------------------------------------

_VOICE_STATUSES: Mapping[str, TaskStatus] = {
    "wait_processing": TaskStatus.QUEUED,
    "processing_validate": TaskStatus.RUNNING,
    "processing_validate_fail": TaskStatus.FAILED,
    # Per task kind: the phrase is ready here, a voice still waits (see _voice_status).
    "wait_validating": TaskStatus.RUNNING,
    "success": TaskStatus.SUCCEEDED,
    "fail": TaskStatus.FAILED,
}

_VOICE_FAILURES: Mapping[str, str] = {
    "processing_validate_fail": "Suno could not validate the voice (processing_validate_fail)",
    "fail": "the voice task failed",
}


def _voice_record(data: Any) -> SunoVoiceRecord | None:
    if data is None:
        return None  # seen right after submit on the music family: read as queued
    return structure(_CONVERTER, _object(data, "a status"), SunoVoiceRecord, path="$.data")


def _voice_failure(record: SunoVoiceRecord, key: str) -> str:
    detail: str | None = record.error_message
    if detail is not None and record.error_code is not None:
        detail = f"{detail} (errorCode {record.error_code})"
    return detail or _VOICE_FAILURES.get(key, f"the task ended in {record.status}")


def read_voice_phrase(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[VoicePhrase]:
    """Read ``voice/validate-info``'s ``data``: the phrase task, with the phrase once ready.

    The phrase is ready at ``wait_validating`` (or ``success``, once the voice is made) with a
    ``validateInfo``; ready without one is a failure, since polling would never end.

    Raises:
        WireError: ``data`` is not an object (or null), or a field has the wrong type.
    """
    record = _voice_record(data)
    if record is None:
        return Task(
            task_id=task_id,
            provider=_PROVIDER,
            kind="voice_phrase",
            status=TaskStatus.QUEUED,
            provider_status="wait_processing",
            raw=raw,
        )
    key = record.status.strip().lower()
    status = _VOICE_STATUSES.get(key, TaskStatus.UNKNOWN)
    result: VoicePhrase | None = None
    error: str | None = None
    if key in ("wait_validating", "success"):
        if record.validate_info is not None:
            status = TaskStatus.SUCCEEDED
            result = VoicePhrase(task_id=task_id, text=record.validate_info, raw=raw)
        else:
            status = TaskStatus.FAILED
            error = f"Suno reported {record.status} but sent no phrase (validateInfo)"
    elif status is TaskStatus.FAILED:
        error = _voice_failure(record, key)
    return Task(
        task_id=task_id,
        provider=_PROVIDER,
        kind="voice_phrase",
        status=status,
        provider_status=record.status,
        result=result,
        error=error,
        raw=raw,
    )


def read_voice(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[Voice]:
    """Read ``voice/record-info``'s ``data``: the voice task, with the voice once made.

    Raises:
        WireError: ``data`` is not an object (or null), or a field has the wrong type.
    """
    record = _voice_record(data)
    if record is None:
        return Task(
            task_id=task_id,
            provider=_PROVIDER,
            kind="voice",
            status=TaskStatus.QUEUED,
            provider_status="wait_processing",
            raw=raw,
        )
    key = record.status.strip().lower()
    status = _VOICE_STATUSES.get(key, TaskStatus.UNKNOWN)
    result: Voice | None = None
    error: str | None = None
    if status is TaskStatus.SUCCEEDED:
        if record.voice_id is not None:
            result = Voice(id=record.voice_id, raw=raw)
        else:
            status = TaskStatus.FAILED
            error = f"Suno reported {record.status} but sent no voice id (voiceId)"
    elif status is TaskStatus.FAILED:
        error = _voice_failure(record, key)
    return Task(
        task_id=task_id,
        provider=_PROVIDER,
        kind="voice",
        status=status,
        provider_status=record.status,
        result=result,
        error=error,
        raw=raw,
    )


def read_check_voice(data: Any) -> bool:
    """Read ``voice/check-voice``'s ``data`` (``{isAvailable}``).

    Raises:
        WireError: Not an object, or ``isAvailable`` missing or not a boolean.
    """
    check = structure(_CONVERTER, _object(data, "isAvailable"), SunoCheckVoice, path="$.data")
    if check.is_available is None:
        raise WireError("$.data.isAvailable", "no availability (isAvailable)")
    return check.is_available


# -- recovery ------------------------------------------------------------------------------------

#: Envelope codes of ``suno/recovery/record-info`` that describe the task, not an error.
RECOVERY_RUNNING = 201
RECOVERY_DONE = 200
RECOVERY_ALL_FAILED = 500


def read_recovery_task_id(envelope: Mapping[str, Any]) -> str:
    """The recovery task's id from the ``suno/recovery`` answer.

    Where it sits was not captured (gap): ``data.taskId``, ``data.task_id``, a bare string
    ``data``, then a top-level ``taskId`` / ``task_id`` (the callback's place) are all read.

    Raises:
        WireError: No usable id anywhere.
    """
    data = envelope.get("data")
    if isinstance(data, Mapping):
        for key in ("taskId", "task_id"):
            found = _an_id(data.get(key))
            if found is not None:
                return found
    found = _an_id(data)
    if found is not None:
        return found
    for key in ("taskId", "task_id"):
        found = _an_id(envelope.get(key))
        if found is not None:
            return found
    raise WireError("$.data.taskId", "no task id (taskId or task_id)")


def _an_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def read_recovery(
    code: int,
    data: Any,
    *,
    task_id: str,
    music_task_id: str | None,
    message: str | None,
    raw: Mapping[str, Any],
) -> Task[tuple[Track, ...]]:
    """Read a recovery record: envelope ``code`` 201 running, 200 done, 500 all failed.

    Succeeded items become the result's tracks (``index`` = their place among the original
    tracks); failed items' reasons go to ``error``, also on success, so a partial recovery says
    what it missed.

    Args:
        code: The envelope code (the driver passes only 200, 201 and 500 here).
        data: The items (a list; null while running).
        task_id: The recovery task.
        music_task_id: The music task recovered, set as the tracks' ``task_id`` when known.
        message: The envelope's ``msg``, the failure reason when no item gives one.
        raw: Kept as the result's ``raw``.

    Raises:
        WireError: ``data`` is not a list when items are expected, or an item is malformed.
    """
    if code == RECOVERY_RUNNING:
        return Task(
            task_id=task_id,
            provider=_PROVIDER,
            kind="recovery",
            status=TaskStatus.RUNNING,
            provider_status=str(code),
            raw=raw,
        )
    items = (
        ()
        if data is None
        else structure(_CONVERTER, data, tuple[SunoRecovered, ...], path="$.data")
    )
    tracks: list[Track] = []
    failures: list[str] = []
    for index, item in enumerate(items):
        ok = (item.status or "").lower() == "success" and item.audio_url is not None
        if ok and code == RECOVERY_DONE:
            tracks.append(
                Track(
                    id=item.id or str(index),
                    audio_url=item.audio_url,
                    title=item.title,
                    index=index,
                    task_id=music_task_id,
                )
            )
        elif not ok:
            reason = item.error or item.status or "no audio_url"
            failures.append(f"track {item.id or index}: {reason}")
    error = "; ".join(failures) or None
    if code == RECOVERY_DONE and tracks:
        status = TaskStatus.SUCCEEDED
    else:
        status = TaskStatus.FAILED
        error = error or message or "no track could be recovered"
        tracks = []
    return Task(
        task_id=task_id,
        provider=_PROVIDER,
        kind="recovery",
        status=status,
        provider_status=str(code),
        result=tuple(tracks) if status is TaskStatus.SUCCEEDED else None,
        error=error,
        raw=raw,
    )
