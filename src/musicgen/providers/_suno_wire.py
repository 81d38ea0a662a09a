"""sunoapi.org payloads as typed wire models, read through one cattrs converter.

Every function takes the decoded ``data`` member of Suno's ``{code, msg, data}`` envelope; the
driver keeps the envelope, the HTTP status and the error codes. Wrong shapes raise ``WireError``
with paths that start at ``$.data``. The leniency rules are ``_wire``'s; departures are marked.

Wire facts relied on (``providers.md`` part 1): ``data`` can be null right after submit,
``response`` is null while PENDING, ``param`` echoes the request as a JSON *string* (rarely an
object), tracks come camelCase from record-info and snake_case from callbacks, ``tags`` is one
comma string, ``duration`` is float seconds, and ``sourceAudioUrl`` is deprecated and expires.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, NewType

import attrs
import cattrs

from .._models import Generation, TaskStatus, Track
from ._wire import Id, Text, WireError, kind, make_converter, mismatch, register_object, structure

__all__ = [
    "SunoParam",
    "SunoRecord",
    "SunoResult",
    "SunoSubmit",
    "SunoTrack",
    "read_credits",
    "read_record",
    "read_submit",
]

_PROVIDER = "suno"

#: Seconds, where an unreadable value is None rather than an error (see ``SunoTrack.duration``).
LooseSeconds = NewType("LooseSeconds", float)
#: Comma-separated tags (or, leniently, a list of strings), split and stripped.
Tags = NewType("Tags", tuple[str, ...])
#: ``errorCode``: documented as a number; a string is kept too. Only ever shown in a message.
ErrorCode = NewType("ErrorCode", str)


@attrs.frozen
class SunoSubmit:
    """``data`` of the ``generate`` answer."""

    task_id: Id | None = None


@attrs.frozen
class SunoTrack:
    """One ``response.sunoData`` item (camelCase) or callback-shaped item (snake_case)."""

    id: Id | None = None
    audio_url: Text | None = None
    stream_url: Text | None = None
    source_stream_url: Text | None = None
    image_url: Text | None = None
    source_image_url: Text | None = None
    # Departs from _wire's number rule: test_suno pins "n/a" and true as None, not an error.
    duration: LooseSeconds | None = None
    title: Text | None = None
    prompt: Text | None = None
    tags: Tags = Tags(())


@attrs.frozen
class SunoResult:
    """``data.response``: the tracks so far."""

    tracks: tuple[SunoTrack, ...] = ()


@attrs.frozen
class SunoParam:
    """What ``data.param`` echoes of the original request; empty when unreadable."""

    model: str | None = None
    instrumental: bool | None = None


@attrs.frozen
class SunoRecord:
    """``data`` of a ``record-info`` answer."""

    # Exactly as sent: it becomes Generation.provider_status, which is reported unchanged.
    status: str = ""
    response: SunoResult | None = None
    param: SunoParam = SunoParam()
    error_message: Text | None = None
    error_code: ErrorCode | None = None


def _make_converter() -> cattrs.Converter:
    converter = make_converter()
    converter.register_structure_hook(LooseSeconds, loose_number)
    converter.register_structure_hook(ErrorCode, error_code)
    converter.register_structure_hook(SunoParam, _param)

    def tags(value: Any, _: Any) -> tuple[str, ...]:
        # Live tags are one comma string, sometimes with a trailing space ("rock, pop ").
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list):
            items = converter.structure(value, tuple[Text | None, ...])
            return tuple(item for item in items if item is not None)
        raise mismatch(f"expected a comma-separated string, got {kind(value)}")

    converter.register_structure_hook(Tags, tags)
    # Nested classes first: a class's hook is generated with its fields' hooks at hand.
    register_object(
        converter,
        SunoTrack,
        audio_url=("audioUrl", "audio_url"),
        stream_url=("streamAudioUrl", "stream_audio_url"),
        source_stream_url=("sourceStreamAudioUrl", "source_stream_audio_url"),
        image_url=("imageUrl", "image_url"),
        source_image_url=("sourceImageUrl", "source_image_url"),
    )
    # sunoData is the live shape; suno_data and the docs' Quick Start data[] are accepted too.
    register_object(converter, SunoResult, tracks=("sunoData", "suno_data", "data"))
    register_object(
        converter,
        SunoRecord,
        error_message=("errorMessage", "error_message"),
        error_code=("errorCode", "error_code"),
    )
    register_object(converter, SunoSubmit, task_id=("taskId", "task_id"))
    return converter


def loose_number(value: Any, _: Any = None) -> float | None:
    """A finite number from a number or a numeric string; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def error_code(value: Any, _: Any = None) -> str | None:
    """An ``errorCode`` as text (only ever shown in a message); 0 means nothing failed.

    Raises:
        Exception: A mismatch naming the type, for anything but a string or a finite number.
    """
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return None if value == 0 else str(value)
    if isinstance(value, float) and math.isfinite(value):
        return None if value == 0 else str(value)
    raise mismatch(f"expected a finite number, got {kind(value)}")


def _param(value: Any, _: Any) -> SunoParam:
    # The echo of musicgen's own request: useful, never worth failing a poll over.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return SunoParam()
    if not isinstance(value, Mapping):
        return SunoParam()
    model = value.get("model")
    instrumental = value.get("instrumental")
    return SunoParam(
        model=(model.strip() or None) if isinstance(model, str) else None,
        instrumental=instrumental if isinstance(instrumental, bool) else None,
    )


_CONVERTER = _make_converter()

# Explicit for every value seen in docs, live captures and third-party code (providers.md §1.5).
_STATUSES: Mapping[str, TaskStatus] = {
    "PENDING": TaskStatus.QUEUED,
    "TEXT_SUCCESS": TaskStatus.RUNNING,
    "FIRST_SUCCESS": TaskStatus.RUNNING,
    "SUCCESS": TaskStatus.SUCCEEDED,
    "CREATE_TASK_FAILED": TaskStatus.FAILED,
    "GENERATE_AUDIO_FAILED": TaskStatus.FAILED,
    "SENSITIVE_WORD_ERROR": TaskStatus.FAILED,
    # Decided by the tracks in _status_of: only the webhook ping may have failed.
    "CALLBACK_EXCEPTION": TaskStatus.UNKNOWN,
    # The docs' Quick Start only; not in the OpenAPI enum.
    "GENERATING": TaskStatus.RUNNING,
    "FAILED": TaskStatus.FAILED,
    # Seen in third-party code.
    "RUNNING": TaskStatus.RUNNING,
    "PROCESSING": TaskStatus.RUNNING,
}

_FAILURE_TEXT: Mapping[str, str] = {
    "CREATE_TASK_FAILED": "Suno could not create the task",
    "GENERATE_AUDIO_FAILED": "Suno failed to generate the audio",
    "CALLBACK_EXCEPTION": "the task ended in CALLBACK_EXCEPTION before every track had audio",
    "FAILED": "the task failed",
}


def read_submit(data: Any) -> str:
    """Read the new task's id from the ``generate`` answer's ``data``.

    Args:
        data: ``{"taskId": ...}`` or ``{"task_id": ...}``; an int id becomes a string.

    Returns:
        The task id.

    Raises:
        WireError: ``data`` is not an object, or holds no usable task id.
    """
    if not isinstance(data, Mapping):
        raise WireError("$.data", f"expected an object with a taskId, got {kind(data)}")
    submit = structure(_CONVERTER, data, SunoSubmit, path="$.data")
    if submit.task_id is None:
        raise WireError("$.data.taskId", "no task id (taskId)")
    return submit.task_id


def read_record(
    data: Any,
    *,
    task_id: str,
    instrumental: bool | None,
    raw: Mapping[str, Any] | None = None,
) -> Generation:
    """Read a ``record-info`` answer's ``data``: status, tracks so far, failure reason.

    Args:
        data: The record; None (seen right after submit) reads as a queued ``PENDING`` task.
        task_id: The task polled.
        instrumental: What the caller knows; ``param.instrumental`` wins when readable.
        raw: Kept as the result's ``raw`` (the driver passes the whole envelope); defaults to
            ``{"data": data}``.

    Returns:
        The generation as last seen.

    Raises:
        WireError: ``data``, ``status``, ``response``, its track list or a track field has the
            wrong shape.
    """
    kept: Mapping[str, Any] = raw if raw is not None else {"data": data}
    if data is None:
        return Generation(
            task_id=task_id,
            provider=_PROVIDER,
            model=None,
            status=TaskStatus.QUEUED,
            provider_status="PENDING",
            instrumental=instrumental,
            raw=kept,
        )
    record = structure(_CONVERTER, data, SunoRecord, path="$.data")
    items = record.response.tracks if record.response is not None else ()
    tracks = tuple(_track(item, index, task_id) for index, item in enumerate(items))
    status = _status_of(record.status, tracks)
    param = record.param
    return Generation(
        task_id=task_id,
        provider=_PROVIDER,
        model=param.model,
        status=status,
        provider_status=record.status,
        tracks=tracks,
        error=_failure_text(record) if status is TaskStatus.FAILED else None,
        instrumental=param.instrumental if param.instrumental is not None else instrumental,
        raw=kept,
    )


def read_credits(data: Any) -> float:
    """Read the remaining credits from the ``credit`` answer's ``data``.

    The driver builds the ``Balance`` (with the envelope as ``raw``) from the number.

    Args:
        data: A number, or a numeric string.

    Returns:
        The credits, finite.

    Raises:
        WireError: ``data`` is not a finite number.
    """
    return structure(_CONVERTER, data, float, path="$.data")


def _track(item: SunoTrack, index: int, task_id: str) -> Track:
    return Track(
        # The audio id (needed to extend a track); the index only when a partial item lacks one.
        id=item.id or str(index),
        # Never sourceAudioUrl: the docs call it deprecated and it expires.
        audio_url=item.audio_url,
        stream_url=item.stream_url or item.source_stream_url,
        image_url=item.image_url or item.source_image_url,
        duration=item.duration,
        title=item.title,
        lyrics=item.prompt,
        tags=item.tags,
        index=index,
        task_id=task_id,
    )


def _status_of(provider_status: str, tracks: tuple[Track, ...]) -> TaskStatus:
    key = provider_status.strip().upper()
    if key == "CALLBACK_EXCEPTION":
        # musicgen sends a placeholder callback URL, so a failed webhook ping is expected and
        # says nothing about the music: succeed when every track is downloadable.
        complete = bool(tracks) and all(track.audio_url for track in tracks)
        return TaskStatus.SUCCEEDED if complete else TaskStatus.FAILED
    return _STATUSES.get(key, TaskStatus.UNKNOWN)


def _failure_text(record: SunoRecord) -> str:
    key = record.status.strip().upper()
    detail: str | None = record.error_message
    if detail is not None and record.error_code is not None:
        detail = f"{detail} (errorCode {record.error_code})"
    if key == "SENSITIVE_WORD_ERROR":
        text = (
            "content-filter refusal: Suno's content filter rejected the request "
            "(SENSITIVE_WORD_ERROR); rephrase the lyrics, style, title or prompt"
        )
        return f"{text}: {detail}" if detail else text
    return detail or _FAILURE_TEXT.get(key, f"the task ended in {record.status}")
