"""Frozen results of the endpoints beyond ``generate``: lyrics, stems, uploads, media...

Endpoints that answer at once parse into one of these values directly. Endpoints that start a
task (Suno's WAV, vocal removal, MIDI, video, cover art, lyrics...) parse into ``Task[R]``: the
task's state, with ``result`` set once it succeeded. The client's verbs and provider namespaces
(``client.separate``, ``client.suno.midi``) wait and hand back ``result``; ``client.run`` hands
back the ``Task`` itself. Every value keeps the provider's payload as ``raw`` (not part of
equality). Times are seconds everywhere; providers' milliseconds are converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from ._models import TaskStatus, _freeze_mapping

__all__ = [
    "AlignedLyrics",
    "AlignedWord",
    "CoverArt",
    "Lyrics",
    "Midi",
    "MidiInstrument",
    "MidiNote",
    "Persona",
    "SongDescription",
    "Speech",
    "Stems",
    "StyleBoost",
    "Task",
    "Upload",
    "Video",
    "Voice",
    "VoicePhrase",
    "result_of",
]

R = TypeVar("R")


def _raw() -> Any:
    return attrs.field(factory=dict, converter=_freeze_mapping, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Task(Generic[R]):
    """A provider task whose result is not a song: its state, and ``result`` once done.

    Attributes:
        task_id: The provider's task id; keep it to resume with ``client.run``.
        provider: The provider name.
        kind: What the task makes (``"wav"``, ``"stems"``, ``"midi"``, ``"video"``...).
        status: The shared status; ``is_terminal`` ends the polling.
        provider_status: The provider's own status, unchanged (as a string).
        result: The finished value, or None until the task succeeded.
        error: The provider's failure reason, or None.
        correlation_id: The id of the call that produced this value.
        raw: The last raw payload. Not part of equality.
    """

    task_id: str
    provider: str
    kind: str
    status: TaskStatus
    provider_status: str
    result: R | None = None
    error: str | None = None
    correlation_id: str | None = None
    raw: Mapping[str, Any] = _raw()

    @property
    def is_done(self) -> bool:
        """True when the task is terminal."""
        return self.status.is_terminal


def result_of(value: Any) -> Any:
    """What a verb or namespace call hands back: a ``Task``'s result, any other value itself."""
    return value.result if isinstance(value, Task) else value


@attrs.frozen(kw_only=True)
class Lyrics:
    """Lyrics written by a provider.

    Attributes:
        text: The lyrics, with section tags such as ``[Verse]`` and line breaks.
        title: A title for them, when the provider gives one.
        raw: The raw item. Not part of equality.
    """

    text: str
    title: str | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class AlignedWord:
    """One word (or line) of lyrics with its place in the audio.

    Attributes:
        text: The word as the provider gives it (Suno's may carry a section tag and newline).
        start: Seconds from the start of the track.
        end: Seconds from the start of the track.
        section: The section it belongs to (``"verse"``...), when known.
    """

    text: str
    start: float
    end: float
    section: str | None = None


@attrs.frozen(kw_only=True)
class AlignedLyrics:
    """Lyrics aligned to time (Suno's timestamped lyrics, Mureka's recognition).

    Attributes:
        words: The words (or lines) in order, with their times in seconds.
        duration: The audio's length in seconds, when given.
        waveform: Suno's waveform samples, when given.
        raw: The raw payload. Not part of equality.
    """

    words: tuple[AlignedWord, ...] = ()
    duration: float | None = None
    waveform: tuple[float, ...] = ()
    raw: Mapping[str, Any] = _raw()

    @property
    def text(self) -> str:
        """The words joined as plain text."""
        return " ".join(word.text.strip() for word in self.words if word.text.strip())


@attrs.frozen(kw_only=True)
class Stems:
    """A track split into parts.

    Attributes:
        parts: URL of each part by name (``"vocals"``, ``"instrumental"``, ``"drums"``...),
            when the provider names them (Suno). Empty when only a ZIP is given.
        zip_url: One ZIP with every part (Mureka), or None.
        midi_zip_url: A ZIP of MIDI files (Mureka's ``audio-separation-2``), or None.
        expires_at: Unix time the URLs stop working, when the provider says.
        raw: The raw payload. Not part of equality.
    """

    parts: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_mapping)
    zip_url: str | None = None
    midi_zip_url: str | None = None
    expires_at: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Upload:
    """A file a provider now hosts, to pass to other endpoints.

    Attributes:
        provider: The provider name.
        id: The id to pass on (Mureka's purpose-bound file id), or None (Suno uses URLs).
        url: Where the provider serves the file (Suno's ``downloadUrl``), or None.
        purpose: What it may be used for (Mureka's ``purpose``), or None.
        filename: The stored file name, when given.
        size: Bytes, when given.
        expires_at: Unix time the file is deleted, when known (Suno: 3 days after upload).
        raw: The raw payload. Not part of equality.
    """

    provider: str
    id: str | None = None
    url: str | None = None
    purpose: str | None = None
    filename: str | None = None
    size: int | None = None
    expires_at: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Video:
    """A music video (Suno's MP4).

    Attributes:
        url: The MP4 file.
        raw: The raw payload. Not part of equality.
    """

    url: str
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class MidiNote:
    """One note: MIDI pitch 0-127, start and end in seconds, velocity 0-1."""

    pitch: int
    start: float
    end: float
    velocity: float


@attrs.frozen(kw_only=True)
class MidiInstrument:
    """One instrument's notes."""

    name: str
    notes: tuple[MidiNote, ...] = ()


@attrs.frozen(kw_only=True)
class Midi:
    """Notes transcribed from separated stems (Suno's MIDI endpoint).

    Attributes:
        instruments: Every instrument with its notes; may be empty (Suno warns that
            ``split_stem`` separations can give none).
        raw: The raw payload. Not part of equality.
    """

    instruments: tuple[MidiInstrument, ...] = ()
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class CoverArt:
    """Cover images made for a song (Suno).

    Attributes:
        images: The image URLs (usually two).
        raw: The raw payload. Not part of equality.
    """

    images: tuple[str, ...] = ()
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Persona:
    """A Suno persona: a singer's style to reuse with ``persona_id=``.

    Attributes:
        id: The ``personaId``.
        name: Its name.
        description: Its description.
        raw: The raw payload. Not part of equality.
    """

    id: str
    name: str | None = None
    description: str | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class StyleBoost:
    """A style description expanded by Suno's "boost style".

    Attributes:
        text: The expanded style.
        credits_consumed: Credits it cost, when given.
        credits_remaining: Credits left, when given.
        raw: The raw payload. Not part of equality.
    """

    text: str
    credits_consumed: float | None = None
    credits_remaining: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class SongDescription:
    """What Mureka hears in a song.

    Attributes:
        description: A sentence about it.
        instruments: Instruments heard.
        genres: Genres.
        tags: Style tags.
        raw: The raw payload. Not part of equality.
    """

    description: str | None = None
    instruments: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Speech:
    """Spoken audio (Mureka's text-to-speech and podcast).

    Attributes:
        url: The audio file.
        expires_at: Unix time the URL stops working, when given.
        raw: The raw payload. Not part of equality.
    """

    url: str
    expires_at: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class VoicePhrase:
    """The phrase Suno asks the voice's owner to record, to prove consent.

    Attributes:
        task_id: The validation task; pass it to ``create_voice``.
        text: The phrase to record.
        raw: The raw payload. Not part of equality.
    """

    task_id: str
    text: str
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Voice:
    """A custom Suno voice, used as ``persona_id`` with ``persona_model="voice_persona"``.

    Attributes:
        id: The ``voiceId``.
        raw: The raw payload. Not part of equality.
    """

    id: str
    raw: Mapping[str, Any] = _raw()
