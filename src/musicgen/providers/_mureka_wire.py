"""Mureka payloads as typed wire models, read through one cattrs converter.

Every function takes the decoded JSON body of a 2xx answer (Mureka has no envelope); the driver
keeps the HTTP status and error bodies. Wrong shapes raise ``WireError`` with paths that start
at ``$``. The leniency rules are ``_wire``'s; departures are marked.

Wire facts relied on (``providers.md`` part 2): the first choice may lack ``index``, 2025-era
choices lack ``id`` and ``wav_url``, ``duration`` is in milliseconds, ``finished_at`` is absent
or 0 until the task ends, and lyrics come as timed ``lyrics_sections[].lines[].text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

from .._models import Balance, Generation, TaskStatus, Track
from ._wire import Id, Text, WireError, make_converter, register_object, structure

__all__ = [
    "MurekaBilling",
    "MurekaChoice",
    "MurekaLine",
    "MurekaSection",
    "MurekaTask",
    "MurekaTaskId",
    "read_billing",
    "read_task",
    "read_task_id",
]

_PROVIDER = "mureka"


@attrs.frozen
class MurekaLine:
    """One timed line of ``lyrics_sections[].lines``; its ``words`` are not read."""

    text: Text | None = None


@attrs.frozen
class MurekaSection:
    """One ``lyrics_sections`` item; an intro may have no ``lines``."""

    lines: tuple[MurekaLine, ...] = ()


@attrs.frozen
class MurekaChoice:
    """One ``choices`` item: a generated song or instrumental."""

    # Strictly an integer (not "1"): test_mureka pins a string index as an error.
    index: int | None = None
    id: Id | None = None
    url: Text | None = None
    flac_url: Text | None = None
    wav_url: Text | None = None
    stream_url: Text | None = None
    duration: float | None = None  # milliseconds
    lyrics_sections: tuple[MurekaSection, ...] = ()


@attrs.frozen
class MurekaTask:
    """A SongTask or InstrumentalTask (submit and query answers alike)."""

    model: Text | None = None
    # Exactly as sent: it becomes Generation.provider_status, which is reported unchanged.
    status: str | None = None
    failed_reason: Text | None = None
    choices: tuple[MurekaChoice, ...] = ()


@attrs.frozen
class MurekaTaskId:
    """The task id of a submit answer (``id``, not ``task_id``)."""

    id: Id | None = None


@attrs.frozen
class MurekaBilling:
    """``/v1/account/billing``; only the balance (US cents) is read."""

    balance: float | None = None


def _make_converter() -> cattrs.Converter:
    converter = make_converter()
    # Nested classes first: a class's hook is generated with its fields' hooks at hand.
    for cls in (MurekaLine, MurekaSection, MurekaChoice, MurekaTask, MurekaTaskId, MurekaBilling):
        register_object(converter, cls)
    return converter


_CONVERTER = _make_converter()

# Explicit on purpose: an undocumented status (third-party docs invent "processing" and
# "completed") must become UNKNOWN, which keeps polling, rather than be guessed at.
_STATUSES: Mapping[str, TaskStatus] = {
    "preparing": TaskStatus.PREPARING,
    "queued": TaskStatus.QUEUED,
    "running": TaskStatus.RUNNING,
    "streaming": TaskStatus.STREAMING,
    "reviewing": TaskStatus.REVIEWING,
    "succeeded": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    "timeouted": TaskStatus.TIMED_OUT,
    "cancelled": TaskStatus.CANCELLED,
}

# What to say when Mureka ends a task in failure without a failed_reason.
_DEFAULT_FAILURE_REASONS: Mapping[TaskStatus, str] = {
    TaskStatus.FAILED: "Mureka reported the task as failed without giving a reason",
    TaskStatus.TIMED_OUT: "the task timed out at Mureka",
    TaskStatus.CANCELLED: "the task was cancelled at Mureka",
}

_NO_AUDIO = "succeeded without any audio"


def read_task_id(body: Any) -> str:
    """Read the task id (``id``) of a submit answer.

    Args:
        body: The decoded answer.

    Returns:
        The id; an int id becomes a string.

    Raises:
        WireError: ``body`` is not an object, or has no usable ``id``.
    """
    found = structure(_CONVERTER, body, MurekaTaskId, path="$")
    if found.id is None:
        raise WireError("$.id", "no task id")
    return found.id


def read_task(
    body: Any,
    *,
    task_id: str | None,
    model: str | None,
    instrumental: bool | None,
    status_required: bool,
) -> Generation:
    """Read a task answer (submit or query): status, tracks, failure reason.

    Args:
        body: The decoded answer.
        task_id: The task's id; None reads it from ``body["id"]`` (submit answers).
        model: Used when the answer names no model: the submitted model for a submit answer,
            None for a poll. An answer's model is the resolved one (``auto`` -> ``mureka-8``).
        instrumental: Copied to the result (Mureka's answer does not say).
        status_required: False for submit answers, where a missing status reads as unknown
            rather than losing a paid task's id; True for polls.

    Returns:
        The generation as last seen. ``succeeded`` without any downloadable audio is FAILED.

    Raises:
        WireError: A field musicgen reads has the wrong type, the status is missing while
            required, or ``task_id`` is None and the answer has no usable ``id``.
    """
    if task_id is None:
        task_id = read_task_id(body)
    task = structure(_CONVERTER, body, MurekaTask, path="$")
    raw_status = task.status
    if raw_status is None:
        if status_required:
            raise WireError("$.status", "no status")
        raw_status = ""
    status = _STATUSES.get(raw_status.strip().lower(), TaskStatus.UNKNOWN)
    tracks = tuple(
        _track(choice, position, task_id) for position, choice in enumerate(task.choices)
    )
    error: str | None = None
    if status.is_failure:
        error = task.failed_reason or _DEFAULT_FAILURE_REASONS[status]
    elif status is TaskStatus.SUCCEEDED and not any(_has_audio(track) for track in tracks):
        # Like the official MCP: "succeeded" with nothing to download is a failure to the user.
        status, error = TaskStatus.FAILED, _NO_AUDIO
    return Generation(
        task_id=task_id,
        provider=_PROVIDER,
        model=task.model or model,
        status=status,
        provider_status=raw_status,
        tracks=tracks,
        error=error,
        instrumental=instrumental,
        raw=body,
    )


def read_billing(body: Any) -> Balance:
    """Read ``/v1/account/billing``.

    Args:
        body: The decoded answer.

    Returns:
        The balance in US cents, with ``body`` as ``raw``.

    Raises:
        WireError: ``body`` is not an object, or ``balance`` is missing or not a finite number.
    """
    billing = structure(_CONVERTER, body, MurekaBilling, path="$")
    if billing.balance is None:
        raise WireError("$.balance", "no balance")
    return Balance(provider=_PROVIDER, amount=billing.balance, unit="cents", raw=body)


def _has_audio(track: Track) -> bool:
    # A stream_url alone expires minutes after the task ends, so it does not count as audio.
    return any((track.audio_url, track.flac_url, track.wav_url))


def _track(choice: MurekaChoice, position: int, task_id: str) -> Track:
    # Live answers leave "index" out of the first choice, so fall back to the position.
    index = position if choice.index is None else choice.index
    lines = (line.text for section in choice.lyrics_sections for line in section.lines)
    return Track(
        # 2025-era answers have no choice id; the task id plus index is stable and unique.
        id=choice.id or f"{task_id}-{index}",
        index=index,
        audio_url=choice.url,
        flac_url=choice.flac_url,
        wav_url=choice.wav_url,
        stream_url=choice.stream_url,
        duration=None if choice.duration is None else choice.duration / 1000,
        lyrics="\n".join(text for text in lines if text is not None) or None,
        task_id=task_id,
    )
