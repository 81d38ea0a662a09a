"""The typed callback events: one frozen class per callback family sunoapi.org documents.

Every event says whose task it is about (``provider``, ``task_id``), how far it got (``stage``,
``is_final``, ``failed``), what the provider said (``code``, ``message``) and what it carries
(tracks, URLs...). ``raw`` keeps the decoded payload for debugging; it is never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .._models import Track
from .._results import Lyrics, MidiInstrument

__all__ = [
    "FAMILIES",
    "FINAL_STAGES",
    "STAGES",
    "CallbackEvent",
    "CoverArtCallback",
    "LyricsCallback",
    "MidiCallback",
    "MusicCallback",
    "RecoveredTrack",
    "RecoveryCallback",
    "VideoCallback",
    "VocalRemovalCallback",
    "VoiceCallback",
    "VoicePhraseCallback",
    "WavCallback",
    "stage_rank",
]

#: Stages in the order a task walks them; ``progress`` is an intermediate report of a family
#: without named stages (a voice task still processing, a recovery still running).
STAGES: tuple[str, ...] = ("progress", "text", "first", "complete", "error")
#: The stages after which nothing more comes.
FINAL_STAGES: frozenset[str] = frozenset({"complete", "error"})
_RANK = {"progress": 0, "text": 1, "first": 2, "complete": 3, "error": 3}


def stage_rank(stage: str) -> int:
    """How far ``stage`` is: a later stage has a higher rank; ``complete`` and ``error`` tie."""
    return _RANK.get(stage, 0)


def _freeze(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value or {}))


@attrs.frozen(kw_only=True)
class CallbackEvent:
    """What one callback said. Subclasses add what their family carries.

    Attributes:
        provider: Whose callback (``"suno"``: only sunoapi.org sends callbacks).
        task_id: The task it is about. None only for the 2024-era ``text``/``first`` music
            payloads that carried no id: the receiver then takes the id its URL was bound to.
        stage: ``"text"``, ``"first"``, ``"complete"``, ``"error"`` or ``"progress"``.
        code: The payload's ``code`` (200 success; 400, 451, 500, 501, 531... failures).
        message: The payload's ``msg``, or None.
        failed: The task failed (``stage`` is then ``"error"``).
        raw: The decoded payload, for debugging; not part of equality, never stored.
    """

    #: The family name, as ``CallbackAuth.url(family=...)`` takes it.
    family: ClassVar[str] = ""

    provider: str = "suno"
    task_id: str | None
    stage: str
    code: int | None = None
    message: str | None = None
    failed: bool = False
    raw: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze, eq=False, repr=False)

    @property
    def is_final(self) -> bool:
        """True for ``complete`` and ``error``: no later stage follows."""
        return self.stage in FINAL_STAGES


@attrs.frozen(kw_only=True)
class MusicCallback(CallbackEvent):
    """Music family (generate, extend, covers, add-vocals, mashup, sounds...): one callback per
    stage, ``text``, ``first``, ``complete``, or ``error``.

    Attributes:
        callback_type: ``callbackType`` as sent (a 2024-era failure says ``"complete"`` with
            code 501: ``stage`` is then ``"error"``).
        tracks: The tracks so far (before ``complete`` they may lack ``audio_url``).
    """

    family: ClassVar[str] = "music"

    callback_type: str | None = None
    tracks: tuple[Track, ...] = ()


@attrs.frozen(kw_only=True)
class LyricsCallback(CallbackEvent):
    """Lyrics: one ``complete`` (or ``error``) callback.

    Attributes:
        lyrics: The variants that succeeded.
    """

    family: ClassVar[str] = "lyrics"

    lyrics: tuple[Lyrics, ...] = ()


@attrs.frozen(kw_only=True)
class WavCallback(CallbackEvent):
    """WAV conversion. Attributes: wav_url: The WAV file (None on failure)."""

    family: ClassVar[str] = "wav"

    wav_url: str | None = None


@attrs.frozen(kw_only=True)
class VocalRemovalCallback(CallbackEvent):
    """Vocal removal / stem split.

    Attributes:
        stems: Part name (``vocals``, ``instrumental``, ``backing_vocals``, ``drums``...) to
            its URL, read from ``vocal_removal_info`` (or ``vocal_separation_info``).
    """

    family: ClassVar[str] = "vocal_removal"

    stems: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze)


@attrs.frozen(kw_only=True)
class VideoCallback(CallbackEvent):
    """MP4 music video. Attributes: video_url: The video (None on failure)."""

    family: ClassVar[str] = "mp4"

    video_url: str | None = None


@attrs.frozen(kw_only=True)
class CoverArtCallback(CallbackEvent):
    """Cover art (``taskId`` in camelCase; codes 200/400/408/500/501/531).

    Attributes:
        images: The image URLs (empty on failure).
    """

    family: ClassVar[str] = "cover_art"

    images: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class MidiCallback(CallbackEvent):
    """MIDI from separated stems (``task_id`` at the top level).

    Attributes:
        state: ``data.state`` (``"complete"``).
        instruments: The notes of each instrument (empty for a ``split_stem`` source).
    """

    family: ClassVar[str] = "midi"

    state: str | None = None
    instruments: tuple[MidiInstrument, ...] = ()


@attrs.frozen(kw_only=True)
class VoicePhraseCallback(CallbackEvent):
    """A custom-voice phrase (validate, regenerate).

    Attributes:
        phrase: ``validateInfo``: the phrase the user records next.
        status: The task's own status (``wait_validating``, ``processing_validate_fail``...).
    """

    family: ClassVar[str] = "voice_phrase"

    phrase: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class VoiceCallback(CallbackEvent):
    """A custom voice.

    Attributes:
        voice_id: The voice, to use as ``personaId`` (None until ``success``).
        status: The task's own status (``success``, ``fail``...).
    """

    family: ClassVar[str] = "voice"

    voice_id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class RecoveredTrack:
    """One item of a recovery callback.

    Attributes:
        id: The original track's id.
        audio_url: The fresh link (may be ``.m4a``), or None when this track failed.
        title: The title.
        status: ``"success"`` or ``"failed"``.
        error: Why it failed (``feed_failed``, ``clip_not_complete``...).
    """

    id: str | None = None
    audio_url: str | None = None
    title: str | None = None
    status: str | None = None
    error: str | None = None


@attrs.frozen(kw_only=True)
class RecoveryCallback(CallbackEvent):
    """Recovered audio links (``task_id`` at the top level; items in the original order).

    Attributes:
        tracks: One item per original track, recovered or not.
    """

    family: ClassVar[str] = "recovery"

    tracks: tuple[RecoveredTrack, ...] = ()


#: Family name -> event class.
FAMILIES: Mapping[str, type[CallbackEvent]] = MappingProxyType(
    {
        cls.family: cls
        for cls in (
            MusicCallback,
            LyricsCallback,
            WavCallback,
            VocalRemovalCallback,
            VideoCallback,
            CoverArtCallback,
            MidiCallback,
            VoicePhraseCallback,
            VoiceCallback,
            RecoveryCallback,
        )
    }
)
