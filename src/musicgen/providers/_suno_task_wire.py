"""sunoapi.org's task records beyond music, as typed wire models: lyrics, WAV, stems, MIDI,
video, cover art, and the timestamped lyrics answer.

Every reader takes the decoded ``data`` member of the ``{code, msg, data}`` envelope; the driver
keeps the envelope (as ``raw``), the HTTP status and the error codes. Wrong shapes raise
``WireError`` with paths from ``$.data``. The leniency rules are ``_wire``'s.

Wire facts relied on (``endpoints.md`` §1.0.1, §1.10-§1.15, §1.20; ``providers.md`` §1.7/§1.8):

* Each family reports its state in its own field: lyrics in ``status`` (like music), WAV, vocal
  removal and MP4 in a *string* ``successFlag``, cover art and MIDI in an *integer*
  ``successFlag`` whose values mean different things (cover art 2 is "generating", MIDI 2 is
  "create-task failed" ⚠). A flag is read as a string or an integer either way.
* Results: lyrics in ``response.data[]`` (a kie note shows ``response.lyricsData[]``; a peer
  falls back to the record's own ``data[]``), WAV in ``response.audioWavUrl``, stems in
  camelCase ``response.<stem>Url`` fields (callbacks nest snake_case ones in
  ``vocal_removal_info``), the advanced split in ``originData[]`` items ``{extract, remove}``,
  MIDI in ``midiData`` (note times are numbers or numeric strings ⚠), video in
  ``response.videoUrl``, cover art in ``response.images[]``.
* Times (``createTime``, ``completeTime``) are epoch-ms numbers in most examples and date strings
  in the WAV one ⚠; musicgen reads neither, so both pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, NewType, TypeVar

import attrs
import cattrs

from .._models import TaskStatus, Track
from .._results import (
    AlignedLyrics,
    AlignedWord,
    CoverArt,
    Lyrics,
    Midi,
    MidiInstrument,
    MidiNote,
    Stems,
    Task,
    Video,
)
from ._suno_wire import ErrorCode, error_code
from ._wire import Id, Text, WireError, kind, make_converter, mismatch, register_object, structure

__all__ = [
    "COVER_ART",
    "LYRICS",
    "MIDI",
    "SEPARATION",
    "VIDEO",
    "WAV",
    "Family",
    "read_aligned_lyrics",
    "read_cover_art",
    "read_existing_task_id",
    "read_lyrics",
    "read_midi",
    "read_separation",
    "read_video",
    "read_wav",
    "stem_name",
]

_PROVIDER = "suno"

R = TypeVar("R")

#: A state flag sent as a string (``"SUCCESS"``) or an integer (``1``); kept as a string.
Flag = NewType("Flag", str)
#: A value kept exactly as decoded, read later by a family's own model (with its own path).
Raw = NewType("Raw", object)
#: A MIDI pitch: an integer, or a whole number sent as a float or numeric string.
Pitch = NewType("Pitch", int)


# -- wire models --------------------------------------------------------------------------------


@attrs.frozen
class TaskRecord:
    """``data`` of a task family's ``record-info`` answer (the fields musicgen reads)."""

    success_flag: Flag | None = None
    status: Flag | None = None
    response: Raw | None = None
    error_code: ErrorCode | None = None
    error_message: Text | None = None
    music_id: Id | None = None
    midi_data: Raw | None = None
    origin_data: Raw | None = None
    images: Raw | None = None
    # Callback-shaped records: the stems one level deeper, the lyrics in ``data[]``.
    separation_info: Raw | None = None
    items: Raw | None = None


@attrs.frozen
class WavResult:
    """``response`` of a WAV record."""

    wav_url: Text | None = None


@attrs.frozen
class VideoResult:
    """``response`` of an MP4 record."""

    video_url: Text | None = None


@attrs.frozen
class CoverResult:
    """``response`` of a cover-art record."""

    images: tuple[Text | None, ...] = ()


@attrs.frozen
class LyricsItem:
    """One lyrics variant."""

    text: Text | None = None
    title: Text | None = None
    status: Text | None = None
    error_message: Text | None = None


@attrs.frozen
class LyricsResult:
    """``response`` of a lyrics record."""

    items: tuple[LyricsItem, ...] = ()


@attrs.frozen
class WireNote:
    """One MIDI note."""

    pitch: Pitch | None = None
    start: float | None = None
    end: float | None = None
    velocity: float | None = None


@attrs.frozen
class WireInstrument:
    """One instrument of ``midiData``."""

    name: Text | None = None
    notes: tuple[WireNote, ...] = ()


@attrs.frozen
class WireMidi:
    """``midiData`` of a MIDI record."""

    state: Text | None = None
    instruments: tuple[WireInstrument, ...] = ()


@attrs.frozen
class Piece:
    """``extract`` or ``remove`` of an advanced split's ``originData`` item."""

    audio_url: Text | None = None


@attrs.frozen
class OriginItem:
    """One ``originData`` item: a separated track (its id feeds MIDI's ``audioId``)."""

    id: Id | None = None
    name: Text | None = None
    audio_url: Text | None = None
    extract: Piece | None = None
    remove: Piece | None = None


@attrs.frozen
class WireWord:
    """One ``alignedWords`` item."""

    word: str = ""
    start: float | None = None
    end: float | None = None


@attrs.frozen
class WireAligned:
    """``data`` of the timestamped-lyrics answer."""

    words: tuple[WireWord, ...] = ()
    waveform: tuple[float, ...] = ()


@attrs.frozen
class WireExisting:
    """``data`` of a refusal that names an existing task (a repeated cover-art request)."""

    task_id: Id | None = None


def _make_converter() -> cattrs.Converter:
    converter = make_converter()
    converter.register_structure_hook(Flag, _flag)
    converter.register_structure_hook(Raw, lambda value, _: value)
    converter.register_structure_hook(ErrorCode, error_code)
    converter.register_structure_hook(Pitch, _pitch)
    register_object(
        converter,
        TaskRecord,
        success_flag=("successFlag", "success_flag"),
        error_code=("errorCode", "error_code"),
        error_message=("errorMessage", "error_message"),
        music_id=("musicId", "music_id", "audioId", "audio_id"),
        midi_data=("midiData", "midi_data"),
        origin_data=("originData", "origin_data"),
        separation_info=("vocal_removal_info", "vocalRemovalInfo", "vocal_separation_info"),
        items=("data",),
    )
    register_object(converter, WavResult, wav_url=("audioWavUrl", "audio_wav_url"))
    register_object(converter, VideoResult, video_url=("videoUrl", "video_url"))
    register_object(converter, CoverResult)
    register_object(converter, LyricsItem, error_message=("errorMessage", "error_message"))
    register_object(converter, LyricsResult, items=("data", "lyricsData", "lyrics_data"))
    register_object(converter, WireNote)
    register_object(converter, WireInstrument)
    register_object(converter, WireMidi)
    register_object(converter, Piece, audio_url=("audio_url", "audioUrl"))
    register_object(
        converter,
        OriginItem,
        name=("stemName", "stem_name", "name"),
        audio_url=("audioUrl", "audio_url"),
    )
    register_object(converter, WireWord, start=("startS", "start_s"), end=("endS", "end_s"))
    register_object(
        converter,
        WireAligned,
        words=("alignedWords", "aligned_words"),
        waveform=("waveformData", "waveform_data"),
    )
    register_object(converter, WireExisting, task_id=("taskId", "task_id"))
    return converter


def _flag(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # more digits than int -> str allows
            raise mismatch("the flag is too long") from None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise mismatch(f"expected a status string or integer flag, got {kind(value)}")


def _pitch(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise mismatch(f"expected a MIDI pitch, got {kind(value)}")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise mismatch(f"expected a MIDI pitch, got {kind(value)}") from None
    if not math.isfinite(number) or not number.is_integer() or not 0 <= number <= 127:
        raise mismatch(f"expected a MIDI pitch 0-127, got {kind(value)}")
    return int(number)


_CONVERTER = _make_converter()


# -- families -----------------------------------------------------------------------------------


@attrs.frozen
class Family:
    """How one task family reports its state.

    Attributes:
        kind: ``Task.kind`` of its results.
        field: The record field holding the state (``"status"`` or ``"success_flag"``).
        statuses: Flag (upper case, integers as digits) -> shared status.
        failures: Flag -> what to say when the record gives no reason.
        made: What the result is, for a message ("the WAV file").
    """

    kind: str
    field: str
    statuses: Mapping[str, TaskStatus]
    failures: Mapping[str, str]
    made: str


_CREATE_FAILED = "Suno could not create the task"
# The string successFlag of WAV, vocal removal and MP4 (one table: each family documents its own
# GENERATE_*_FAILED, and a value of a sibling family is read the same way).
_STRING_FLAGS: Mapping[str, TaskStatus] = {
    "PENDING": TaskStatus.QUEUED,
    "SUCCESS": TaskStatus.SUCCEEDED,
    "CREATE_TASK_FAILED": TaskStatus.FAILED,
    "GENERATE_WAV_FAILED": TaskStatus.FAILED,
    "GENERATE_AUDIO_FAILED": TaskStatus.FAILED,
    "GENERATE_MP4_FAILED": TaskStatus.FAILED,
    "SENSITIVE_WORD_ERROR": TaskStatus.FAILED,
    # Decided by the result in _status: only the webhook ping may have failed.
    "CALLBACK_EXCEPTION": TaskStatus.UNKNOWN,
}

LYRICS = Family(
    kind="lyrics",
    field="status",
    statuses={
        "PENDING": TaskStatus.QUEUED,
        # Music's intermediate stages, should a lyrics record ever show them.
        "TEXT_SUCCESS": TaskStatus.RUNNING,
        "FIRST_SUCCESS": TaskStatus.RUNNING,
        "SUCCESS": TaskStatus.SUCCEEDED,
        "CREATE_TASK_FAILED": TaskStatus.FAILED,
        "GENERATE_LYRICS_FAILED": TaskStatus.FAILED,
        "SENSITIVE_WORD_ERROR": TaskStatus.FAILED,
        "CALLBACK_EXCEPTION": TaskStatus.UNKNOWN,
    },
    failures={
        "CREATE_TASK_FAILED": _CREATE_FAILED,
        "GENERATE_LYRICS_FAILED": "Suno failed to write the lyrics",
        "SENSITIVE_WORD_ERROR": (
            "content-filter refusal: Suno's content filter rejected the prompt "
            "(SENSITIVE_WORD_ERROR); rephrase it"
        ),
    },
    made="lyrics",
)
WAV = Family(
    kind="wav",
    field="success_flag",
    statuses=_STRING_FLAGS,
    failures={
        "CREATE_TASK_FAILED": _CREATE_FAILED,
        "GENERATE_WAV_FAILED": "Suno failed to convert the track to WAV",
    },
    made="audioWavUrl",
)
SEPARATION = Family(
    kind="stems",
    field="success_flag",
    statuses=_STRING_FLAGS,
    failures={
        "CREATE_TASK_FAILED": _CREATE_FAILED,
        "GENERATE_AUDIO_FAILED": "Suno failed to separate the track",
    },
    made="stem URLs",
)
VIDEO = Family(
    kind="video",
    field="success_flag",
    statuses=_STRING_FLAGS,
    failures={
        "CREATE_TASK_FAILED": _CREATE_FAILED,
        "GENERATE_MP4_FAILED": "Suno failed to render the video",
    },
    made="videoUrl",
)
COVER_ART = Family(
    kind="cover_art",
    field="success_flag",
    statuses={
        "0": TaskStatus.QUEUED,
        "1": TaskStatus.SUCCEEDED,
        "2": TaskStatus.RUNNING,  # "generating"
        "3": TaskStatus.FAILED,
        # The string family's words, in case a record uses them.
        "PENDING": TaskStatus.QUEUED,
        "GENERATING": TaskStatus.RUNNING,
        "SUCCESS": TaskStatus.SUCCEEDED,
    },
    failures={"3": "Suno failed to make the cover art"},
    made="images",
)
MIDI = Family(
    kind="midi",
    field="success_flag",
    statuses={
        "0": TaskStatus.QUEUED,
        "1": TaskStatus.SUCCEEDED,
        # ⚠ The kie copy of the docs: 2 is "create task failed" (for cover art it is
        # "generating"); midiData.state == "complete" wins over the flag anyway.
        "2": TaskStatus.FAILED,
        "3": TaskStatus.FAILED,
        "PENDING": TaskStatus.QUEUED,
        "SUCCESS": TaskStatus.SUCCEEDED,
    },
    failures={
        "2": "Suno could not create the MIDI task",
        "3": "Suno failed to transcribe the MIDI",
    },
    made="midiData",
)


# -- readers ------------------------------------------------------------------------------------


def read_lyrics(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[tuple[Lyrics, ...]]:
    """Read a lyrics ``record-info`` ``data``: the status and, once done, the variants.

    Items come from ``response.data[]`` (or ``response.lyricsData[]``), else from the record's
    own ``data[]``; variants marked ``failed`` or without text are left out.

    Raises:
        WireError: ``data`` or an item has the wrong shape.
    """

    def result(record: TaskRecord) -> tuple[Lyrics, ...] | None:
        items: tuple[LyricsItem, ...] = ()
        if record.response is not None:
            found = structure(_CONVERTER, record.response, LyricsResult, path="$.data.response")
            items = found.items
        if not items and record.items is not None:
            items = structure(_CONVERTER, record.items, tuple[LyricsItem, ...], path="$.data.data")
        lyrics = tuple(
            Lyrics(text=item.text, title=item.title)
            for item in items
            if item.text is not None and (item.status or "").lower() != "failed"
        )
        return lyrics or None

    return _read(data, task_id=task_id, raw=raw, family=LYRICS, result=result)


def read_wav(
    data: Any, *, task_id: str, raw: Mapping[str, Any], track: Track | None = None
) -> Task[Track]:
    """Read a WAV ``record-info`` ``data``; the result is ``track`` (or a track named by the
    record's ``musicId``) with ``wav_url`` set.

    Raises:
        WireError: ``data`` or ``response`` has the wrong shape.
    """

    def result(record: TaskRecord) -> Track | None:
        if record.response is None:
            return None
        found = structure(_CONVERTER, record.response, WavResult, path="$.data.response")
        if found.wav_url is None:
            return None
        source = track if track is not None else Track(id=record.music_id or "")
        return attrs.evolve(source, wav_url=found.wav_url)

    return _read(data, task_id=task_id, raw=raw, family=WAV, result=result)


def read_separation(
    data: Any, *, task_id: str, raw: Mapping[str, Any], stem: str | None = None
) -> Task[Stems]:
    """Read a vocal-removal ``record-info`` ``data``: the parts by short name.

    ``<stem>Url`` fields become parts (``vocalUrl`` -> ``vocals``, ``backingVocalsUrl`` ->
    ``backing_vocals``...); ``originUrl`` (the source) and null or empty URLs are left out. An
    advanced split's ``originData[]`` items give ``<stem>`` (``extract``) and
    ``without_<stem>`` (``remove``); ``stem`` names them when the items do not.

    Raises:
        WireError: ``data``, ``response`` or an ``originData`` item has the wrong shape.
    """

    def result(record: TaskRecord) -> Stems | None:
        parts: dict[str, str] = {}
        for value, path in (
            (record.response, "$.data.response"),
            (record.separation_info, "$.data.vocal_removal_info"),
        ):
            if value is not None:
                parts.update(_stem_urls(value, path))
        if record.origin_data is not None:
            items = structure(
                _CONVERTER, record.origin_data, tuple[OriginItem, ...], path="$.data.originData"
            )
            for name, url in _origin_parts(items, stem):
                parts.setdefault(name, url)
        return Stems(parts=parts) if parts else None

    return _read(data, task_id=task_id, raw=raw, family=SEPARATION, result=result)


def read_midi(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[Midi]:
    """Read a MIDI ``record-info`` ``data``: the notes of each instrument.

    Done when ``successFlag`` is 1 or ``midiData.state`` is ``"complete"``. Note times may be
    numbers or numeric strings (⚠ the docs' example mixes both).

    Raises:
        WireError: ``data``, ``midiData`` or a note has the wrong shape (a note without a
            pitch, start or end).
    """

    def result(record: TaskRecord) -> Midi | None:
        if record.midi_data is None:
            return None
        midi = structure(_CONVERTER, record.midi_data, WireMidi, path="$.data.midiData")
        instruments = tuple(
            MidiInstrument(
                name=instrument.name or f"instrument {index + 1}",
                notes=tuple(
                    _note(note, f"$.data.midiData.instruments[{index}].notes[{at}]")
                    for at, note in enumerate(instrument.notes)
                ),
            )
            for index, instrument in enumerate(midi.instruments)
        )
        # Suno warns that a split_stem separation may give no notes: still a finished result.
        return Midi(instruments=instruments)

    def complete(record: TaskRecord) -> bool:
        # Read after ``result``, which checked midiData's shape.
        midi = record.midi_data
        state = midi.get("state") if isinstance(midi, Mapping) else None
        return isinstance(state, str) and state.strip().lower() == "complete"

    return _read(data, task_id=task_id, raw=raw, family=MIDI, result=result, complete=complete)


def read_video(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[Video]:
    """Read an MP4 ``record-info`` ``data``: the video's URL once done.

    Raises:
        WireError: ``data`` or ``response`` has the wrong shape.
    """

    def result(record: TaskRecord) -> Video | None:
        if record.response is None:
            return None
        found = structure(_CONVERTER, record.response, VideoResult, path="$.data.response")
        return None if found.video_url is None else Video(url=found.video_url)

    return _read(data, task_id=task_id, raw=raw, family=VIDEO, result=result)


def read_cover_art(data: Any, *, task_id: str, raw: Mapping[str, Any]) -> Task[CoverArt]:
    """Read a cover-art ``record-info`` ``data`` (integer ``successFlag``): the image URLs.

    Images come from ``response.images[]``, else (callback shape) from ``images[]``.

    Raises:
        WireError: ``data``, ``response`` or ``images`` has the wrong shape.
    """

    def result(record: TaskRecord) -> CoverArt | None:
        images: tuple[str | None, ...] = ()
        if record.response is not None:
            found = structure(_CONVERTER, record.response, CoverResult, path="$.data.response")
            images = found.images
        if not images and record.images is not None:
            images = structure(
                _CONVERTER, record.images, tuple[Text | None, ...], path="$.data.images"
            )
        kept = tuple(image for image in images if image is not None)
        return CoverArt(images=kept) if kept else None

    return _read(data, task_id=task_id, raw=raw, family=COVER_ART, result=result)


def read_aligned_lyrics(data: Any, *, raw: Mapping[str, Any]) -> AlignedLyrics:
    """Read the timestamped-lyrics answer's ``data``: words with their times in seconds.

    A word that opens a section carries its tag (``"[Verse]\\nWaggin'"``); the section it
    names (``"verse"``) is given to it and to the words after it.

    Raises:
        WireError: ``data`` is not an object, or a word has no start or end time.
    """
    aligned = structure(_CONVERTER, data, WireAligned, path="$.data")
    words = []
    section: str | None = None
    for index, word in enumerate(aligned.words):
        path = f"$.data.alignedWords[{index}]"
        if word.start is None:
            raise WireError(f"{path}.startS", "no start time")
        if word.end is None:
            raise WireError(f"{path}.endS", "no end time")
        tag = _SECTION.match(word.word)
        if tag:
            section = tag.group(1).strip().lower() or section
        words.append(AlignedWord(text=word.word, start=word.start, end=word.end, section=section))
    return AlignedLyrics(words=tuple(words), waveform=aligned.waveform, raw=raw)


def read_existing_task_id(data: Any) -> str | None:
    """The task id a refusal's ``data`` names (a repeated cover-art request), if any."""
    if not isinstance(data, Mapping):
        return None
    try:
        return structure(_CONVERTER, data, WireExisting, path="$.data").task_id
    except WireError:
        return None


def stem_name(name: str) -> str:
    """The short lower-case name of a part: ``"backingVocals"``, ``"Backing Vocals"`` and
    ``"backing_vocals"`` give ``"backing_vocals"``; ``"vocal"`` gives ``"vocals"``."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    snake = re.sub(r"[^0-9a-z]+", "_", snake.lower()).strip("_")
    return _ALIASES.get(snake, snake)


# -- helpers ------------------------------------------------------------------------------------

_SECTION = re.compile(r"\s*\[([^\]\n]*)\]")
_ALIASES = {"vocal": "vocals", "backing_vocal": "backing_vocals", "lead_vocals": "lead_vocal"}
# URL fields of a separation record that are not a part: the source itself.
_NOT_PARTS = frozenset({"origin", "source"})


def _read(
    data: Any,
    *,
    task_id: str,
    raw: Mapping[str, Any],
    family: Family,
    result: Callable[[TaskRecord], R | None],
    complete: Callable[[TaskRecord], bool] | None = None,
) -> Task[R]:
    if data is None:
        # Seen for music right after a submit; the other families are read the same way.
        return Task(
            task_id=task_id,
            provider=_PROVIDER,
            kind=family.kind,
            status=TaskStatus.QUEUED,
            provider_status="PENDING",
            raw=raw,
        )
    record = structure(_CONVERTER, data, TaskRecord, path="$.data")
    value = result(record)
    other = "status" if family.field == "success_flag" else "success_flag"
    flag = getattr(record, family.field) or getattr(record, other) or ""
    key = flag.strip().upper()
    status = family.statuses.get(key, TaskStatus.UNKNOWN)
    if complete is not None and complete(record):
        status = TaskStatus.SUCCEEDED
    error: str | None = None
    if key == "CALLBACK_EXCEPTION":
        # musicgen sends a placeholder callback URL, so a failed webhook ping is expected and
        # says nothing about the work: done when the result is there.
        status = TaskStatus.SUCCEEDED if value is not None else TaskStatus.FAILED
        if value is None:
            error = _detail(record) or f"the task ended in {flag} without {family.made}"
    elif status is TaskStatus.SUCCEEDED and value is None:
        status = TaskStatus.FAILED
        error = f"Suno reported {flag or 'completion'} but sent no {family.made}"
    elif status is TaskStatus.FAILED:
        error = _failure(record, family, key, flag)
    return Task(
        task_id=task_id,
        provider=_PROVIDER,
        kind=family.kind,
        status=status,
        provider_status=flag,
        result=value if status is TaskStatus.SUCCEEDED else None,
        error=error,
        raw=raw,
    )


def _detail(record: TaskRecord) -> str | None:
    detail: str | None = record.error_message
    if detail is not None and record.error_code is not None:
        detail = f"{detail} (errorCode {record.error_code})"
    return detail


def _failure(record: TaskRecord, family: Family, key: str, flag: str) -> str:
    detail = _detail(record)
    text = family.failures.get(key)
    if key == "SENSITIVE_WORD_ERROR" and text is not None:
        return f"{text}: {detail}" if detail else text
    return detail or text or f"the task ended in {flag}"


def _stem_urls(value: Any, path: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise WireError(path, f"expected an object, got {kind(value)}")
    parts: dict[str, str] = {}
    for key, url in value.items():
        if not isinstance(key, str):
            continue
        match = re.fullmatch(r"(.+?)(?:Url|_url|URL)", key)
        if match is None or url is None:
            continue
        name = stem_name(match.group(1))
        if not name or name in _NOT_PARTS:
            continue
        if not isinstance(url, str):
            raise WireError(f"{path}.{key}", f"expected a URL string, got {kind(url)}")
        if url.strip():
            parts[name] = url.strip()
    return parts


def _origin_parts(items: tuple[OriginItem, ...], stem: str | None) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        label = item.name or stem or "stem"
        name = stem_name(label) or "stem"
        if len(items) > 1 and item.name is None:
            name = f"{name}_{index + 1}"
        if item.extract is not None and item.extract.audio_url is not None:
            parts.append((name, item.extract.audio_url))
        if item.remove is not None and item.remove.audio_url is not None:
            parts.append((f"without_{name}", item.remove.audio_url))
        if item.audio_url is not None:
            parts.append((name, item.audio_url))
    return parts


def _note(note: WireNote, path: str) -> MidiNote:
    pitch, start, end = note.pitch, note.start, note.end
    if pitch is None:
        raise WireError(f"{path}.pitch", "the note has no pitch")
    if start is None:
        raise WireError(f"{path}.start", "the note has no start")
    if end is None:
        raise WireError(f"{path}.end", "the note has no end")
    # A note without a velocity is played at full strength rather than refused.
    velocity = 1.0 if note.velocity is None else note.velocity
    return MidiNote(pitch=pitch, start=start, end=end, velocity=velocity)
