"""Mureka payloads as typed wire models, read through one cattrs converter.

Every function takes the decoded JSON body of a 2xx answer (Mureka has no envelope); the driver
keeps the HTTP status and error bodies. Wrong shapes raise ``WireError`` with paths that start
at ``$``. The leniency rules are ``_wire``'s; departures are marked.

Wire facts relied on (``providers.md`` part 2, ``endpoints.md`` part 2): the first choice may
lack ``index``, 2025-era choices lack ``id`` and ``wav_url``, ``duration`` is in milliseconds,
``finished_at`` is absent or 0 until the task ends, and lyrics come as timed
``lyrics_sections[].lines[].text``. Sync answers carry ``expires_at`` in Unix seconds; file ids
are numeric strings in one source and ``"file-..."`` in another (both are ``Id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

from .._models import Balance, Generation, TaskStatus, Track
from .._results import (
    AlignedLyrics,
    AlignedWord,
    Lyrics,
    SongDescription,
    Speech,
    Stems,
    Task,
    Upload,
)
from ._wire import Id, Text, WireError, make_converter, register_object, structure

__all__ = [
    "MurekaBilling",
    "MurekaChoice",
    "MurekaDescription",
    "MurekaFile",
    "MurekaFinetune",
    "MurekaLine",
    "MurekaLyrics",
    "MurekaRecognition",
    "MurekaSection",
    "MurekaSpeech",
    "MurekaStems",
    "MurekaTask",
    "MurekaTaskId",
    "MurekaTimedLine",
    "MurekaTimedSection",
    "MurekaUploadPart",
    "MurekaUploadsTask",
    "MurekaWord",
    "read_billing",
    "read_description",
    "read_finetune",
    "read_lyrics",
    "read_recognition",
    "read_speech",
    "read_stems",
    "read_task",
    "read_task_id",
    "read_upload",
    "read_upload_part",
    "read_uploads_task",
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
    """``/v1/account/billing``: the balance (US cents) and the account's concurrency limit."""

    balance: float | None = None
    concurrent_request_limit: float | None = None


@attrs.frozen
class MurekaFile:
    """``files/upload`` and ``vocal/clone``: ``{id, filename, bytes, created_at, purpose}``."""

    id: Id | None = None
    filename: Text | None = None
    size: float | None = None  # "bytes"
    purpose: Text | None = None


@attrs.frozen
class MurekaLyrics:
    """``lyrics/generate`` (``{title, lyrics}``) and ``lyrics/extend`` (``{lyrics}``)."""

    title: Text | None = None
    lyrics: Text | None = None


@attrs.frozen
class MurekaStems:
    """``song/stem``: ``{zip_url, expires_at, midi_zip_url?}``."""

    zip_url: Text | None = None
    midi_zip_url: Text | None = None
    expires_at: float | None = None


@attrs.frozen
class MurekaDescription:
    """``song/describe``: ``{instrument[], genres[], tags[], description}``."""

    instruments: tuple[Text | None, ...] = ()
    genres: tuple[Text | None, ...] = ()
    tags: tuple[Text | None, ...] = ()
    description: Text | None = None


@attrs.frozen
class MurekaWord:
    """One ``words`` item of a recognised line: ``{start, end, text}`` in milliseconds."""

    text: Text | None = None
    start: float | None = None
    end: float | None = None


@attrs.frozen
class MurekaTimedLine:
    """One recognised line with its times and, when given, its words."""

    text: Text | None = None
    start: float | None = None
    end: float | None = None
    words: tuple[MurekaWord, ...] = ()


@attrs.frozen
class MurekaTimedSection:
    """One recognised section: the spec's ``LyricsSection`` (``lines``), or the flat
    ``{start, end, text}`` of another write-up (⚠ endpoints.md §2.5)."""

    section_type: Text | None = None
    text: Text | None = None
    start: float | None = None
    end: float | None = None
    lines: tuple[MurekaTimedLine, ...] = ()


@attrs.frozen
class MurekaRecognition:
    """``song/recognize``: ``{duration, lyrics_sections[]}`` (milliseconds)."""

    duration: float | None = None
    lyrics_sections: tuple[MurekaTimedSection, ...] = ()


@attrs.frozen
class MurekaSpeech:
    """``tts/generate`` and ``tts/podcast``: ``{url, expires_at}``."""

    url: Text | None = None
    expires_at: float | None = None


@attrs.frozen
class MurekaUploadsTask:
    """``uploads/create`` and ``uploads/complete``: an UploadsTask."""

    id: Id | None = None
    upload_name: Text | None = None
    purpose: Text | None = None
    size: float | None = None  # "bytes"
    expires_at: float | None = None
    status: Text | None = None
    parts: tuple[Id | None, ...] = ()


@attrs.frozen
class MurekaUploadPart:
    """``uploads/add``: ``{id, upload_id, created_at}``."""

    id: Id | None = None
    upload_id: Id | None = None


@attrs.frozen
class MurekaFinetune:
    """``finetuning/create`` and ``finetuning/query``: a FinetuningTask."""

    id: Id | None = None
    upload_id: Id | None = None
    model: Text | None = None
    # Exactly as sent: it becomes Task.provider_status, which is reported unchanged.
    status: str | None = None
    failed_reason: Text | None = None
    fine_tuned_model: Text | None = None


def _make_converter() -> cattrs.Converter:
    converter = make_converter()
    # Nested classes first: a class's hook is generated with its fields' hooks at hand.
    for cls in (MurekaLine, MurekaSection, MurekaChoice, MurekaTask, MurekaTaskId, MurekaBilling):
        register_object(converter, cls)
    register_object(converter, MurekaFile, size=("bytes",))
    register_object(converter, MurekaUploadsTask, size=("bytes",))
    # The spec says "instrument"; a plural spelling costs nothing to accept.
    register_object(converter, MurekaDescription, instruments=("instrument", "instruments"))
    plain: tuple[type[Any], ...] = (
        MurekaLyrics,
        MurekaStems,
        MurekaWord,
        MurekaTimedLine,
        MurekaTimedSection,
        MurekaRecognition,
        MurekaSpeech,
        MurekaUploadPart,
        MurekaFinetune,
    )
    for cls in plain:
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
    limit = billing.concurrent_request_limit
    return Balance(
        provider=_PROVIDER,
        amount=billing.balance,
        unit="cents",
        # A limit that is not a positive whole number tells nothing usable: left out.
        concurrent_limit=int(limit)
        if limit is not None and limit >= 1 and limit % 1 == 0
        else None,
        raw=body,
    )


def read_upload(body: Any, *, purpose: str | None = None) -> Upload:
    """Read a ``files/upload`` or ``vocal/clone`` answer.

    Args:
        body: The decoded answer.
        purpose: Used when the answer names none (``vocal/clone`` answers have no purpose).

    Returns:
        The upload; ``size`` is the answer's ``bytes``.

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or there is no ``id``.
    """
    found = structure(_CONVERTER, body, MurekaFile, path="$")
    if found.id is None:
        raise WireError("$.id", "no file id")
    return Upload(
        provider=_PROVIDER,
        id=found.id,
        purpose=found.purpose or purpose,
        filename=found.filename,
        size=_size(found.size, "$.bytes"),
        raw=body,
    )


def read_lyrics(body: Any) -> Lyrics:
    """Read a ``lyrics/generate`` (``{title, lyrics}``) or ``lyrics/extend`` answer.

    Raises:
        WireError: ``body`` is not an object, a field is not a string, or ``lyrics`` is missing
            or blank.
    """
    found = structure(_CONVERTER, body, MurekaLyrics, path="$")
    if found.lyrics is None:
        raise WireError("$.lyrics", "no lyrics")
    return Lyrics(text=found.lyrics, title=found.title, raw=body)


def read_stems(body: Any) -> Stems:
    """Read a ``song/stem`` answer: one ZIP of every stem, and a MIDI ZIP when asked for.

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or ``zip_url`` is
            missing.
    """
    found = structure(_CONVERTER, body, MurekaStems, path="$")
    if found.zip_url is None:
        raise WireError("$.zip_url", "no zip_url")
    return Stems(
        zip_url=found.zip_url,
        midi_zip_url=found.midi_zip_url,
        expires_at=found.expires_at,
        raw=body,
    )


def read_description(body: Any) -> SongDescription:
    """Read a ``song/describe`` answer; null and blank items of the lists are dropped.

    Raises:
        WireError: ``body`` is not an object, a list is not a list of strings, or the
            description is not a string.
    """
    found = structure(_CONVERTER, body, MurekaDescription, path="$")
    return SongDescription(
        description=found.description,
        instruments=_texts(found.instruments),
        genres=_texts(found.genres),
        tags=_texts(found.tags),
        raw=body,
    )


def read_recognition(body: Any) -> AlignedLyrics:
    """Read a ``song/recognize`` answer into words (or lines) timed in seconds.

    A line's words are used when it has any, else the line itself; a section without
    ``lines`` but with ``text`` (the flat variant) is one entry. An entry without times takes
    those of the line or section it belongs to. The section type is kept on each entry.

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or an entry with text
            has no start or end anywhere above it.
    """
    found = structure(_CONVERTER, body, MurekaRecognition, path="$")
    words: list[AlignedWord] = []
    for s_index, section in enumerate(found.lyrics_sections):
        kind = section.section_type
        where = f"$.lyrics_sections[{s_index}]"
        if not section.lines:
            if section.text is not None:
                words.append(_aligned(section.text, (section,), kind, where))
            continue
        for l_index, line in enumerate(section.lines):
            line_where = f"{where}.lines[{l_index}]"
            texts = [word for word in line.words if word.text is not None]
            if not texts:
                if line.text is not None:
                    words.append(_aligned(line.text, (line, section), kind, line_where))
                continue
            for w_index, word in enumerate(line.words):
                if word.text is not None:
                    word_where = f"{line_where}.words[{w_index}]"
                    words.append(_aligned(word.text, (word, line, section), kind, word_where))
    duration = None if found.duration is None else found.duration / 1000
    return AlignedLyrics(words=tuple(words), duration=duration, raw=body)


def read_speech(body: Any) -> Speech:
    """Read a ``tts/generate`` or ``tts/podcast`` answer.

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or ``url`` is missing.
    """
    found = structure(_CONVERTER, body, MurekaSpeech, path="$")
    if found.url is None:
        raise WireError("$.url", "no url")
    return Speech(url=found.url, expires_at=found.expires_at, raw=body)


def read_uploads_task(body: Any) -> Upload:
    """Read an ``uploads/create`` or ``uploads/complete`` answer (an UploadsTask).

    Its status (``pending``, ``completed``, ``cancelled``) and ``parts`` stay in ``raw``.

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or there is no ``id``.
    """
    found = structure(_CONVERTER, body, MurekaUploadsTask, path="$")
    if found.id is None:
        raise WireError("$.id", "no upload id")
    return Upload(
        provider=_PROVIDER,
        id=found.id,
        purpose=found.purpose or "fine-tuning",
        filename=found.upload_name,
        size=_size(found.size, "$.bytes"),
        expires_at=found.expires_at,
        raw=body,
    )


def read_upload_part(body: Any) -> Upload:
    """Read an ``uploads/add`` answer: the part's id (its upload's id stays in ``raw``).

    Raises:
        WireError: ``body`` is not an object, a field has the wrong type, or there is no ``id``.
    """
    found = structure(_CONVERTER, body, MurekaUploadPart, path="$")
    if found.id is None:
        raise WireError("$.id", "no part id")
    return Upload(provider=_PROVIDER, id=found.id, purpose="fine-tuning", raw=body)


def read_finetune(body: Any, *, task_id: str | None, status_required: bool) -> Task[str]:
    """Read a fine-tuning task (create or query answer); its result is the model's name.

    Args:
        body: The decoded answer.
        task_id: The task's id; None reads it from ``body["id"]`` (create answers).
        status_required: False for create answers (a missing status reads as unknown rather
            than losing a paid task's id); True for polls.

    Returns:
        The task; ``succeeded`` without ``fine_tuned_model`` is FAILED.

    Raises:
        WireError: A field has the wrong type, the status is missing while required, or
            ``task_id`` is None and the answer has no usable ``id``.
    """
    found = structure(_CONVERTER, body, MurekaFinetune, path="$")
    if task_id is None:
        if found.id is None:
            raise WireError("$.id", "no task id")
        task_id = found.id
    raw_status = found.status
    if raw_status is None:
        if status_required:
            raise WireError("$.status", "no status")
        raw_status = ""
    status = _STATUSES.get(raw_status.strip().lower(), TaskStatus.UNKNOWN)
    error: str | None = None
    result: str | None = None
    if status.is_failure:
        error = found.failed_reason or _DEFAULT_FAILURE_REASONS[status]
    elif status is TaskStatus.SUCCEEDED:
        result = found.fine_tuned_model
        if result is None:
            status, error = TaskStatus.FAILED, "succeeded without a fine_tuned_model name"
    return Task(
        task_id=task_id,
        provider=_PROVIDER,
        kind="finetune",
        status=status,
        provider_status=raw_status,
        result=result,
        error=error,
        raw=body,
    )


def _texts(items: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(item for item in items if item is not None)


def _size(value: float | None, path: str) -> int | None:
    if value is None:
        return None
    if value < 0 or not value.is_integer():
        raise WireError(path, f"expected a whole number of bytes, got {value!r}")
    return int(value)


def _aligned(text: str, chain: tuple[Any, ...], section: str | None, where: str) -> AlignedWord:
    """An entry timed by the first of ``chain`` (itself, then its line, its section) that has
    each time; Mureka's milliseconds become seconds."""
    start = next((item.start for item in chain if item.start is not None), None)
    end = next((item.end for item in chain if item.end is not None), None)
    if start is None or end is None:
        raise WireError(where, f"no {'start' if start is None else 'end'} time for {text[:40]!r}")
    return AlignedWord(text=text, start=start / 1000, end=end / 1000, section=section)


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
