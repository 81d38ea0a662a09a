"""Frozen value objects shared by the clients and the providers."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["Balance", "Generation", "GenerationRequest", "TaskStatus", "Track"]


class TaskStatus(str, enum.Enum):
    """Where a generation task stands, shared across providers.

    Every documented provider status maps to one of these; an undocumented one becomes
    ``UNKNOWN``, which is not terminal, so polling goes on instead of crashing.
    """

    PREPARING = "preparing"
    QUEUED = "queued"
    RUNNING = "running"
    STREAMING = "streaming"
    REVIEWING = "reviewing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """True when the task will not change any more."""
        return self in _TERMINAL

    @property
    def is_failure(self) -> bool:
        """True for the terminal states that produced no usable tracks."""
        return self in _FAILURES


_FAILURES = frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.TIMED_OUT})
_TERMINAL = _FAILURES | {TaskStatus.SUCCEEDED}


def _freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(value, MappingProxyType):
        return value  # frozen already (attrs.evolve passes it again): no copy
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Track:
    """One generated piece of audio.

    Attributes:
        id: The provider's track id (Suno ``audioId``; Mureka song id, else its index).
        audio_url: Downloadable audio (mp3), or None while it is not ready yet.
        stream_url: Audio that plays while the task still runs, if the provider gives one.
        image_url: Cover art (Suno only).
        flac_url: Lossless audio (Mureka only).
        wav_url: WAV audio (Mureka only).
        duration: Length in seconds (Mureka's milliseconds are converted); None until the
            provider reports it (a track still streaming may have none yet).
        title: The title (Suno only; Mureka returns none).
        lyrics: The lyrics sung, if the provider returns them.
        tags: Style tags (Suno only).
        index: Position within the task's results, from 0.
        task_id: The task that made it, when known (Suno's endpoints that work on a track,
            such as WAV or stems, need it besides the track id). Not part of equality.
    """

    id: str
    audio_url: str | None = None
    stream_url: str | None = None
    image_url: str | None = None
    flac_url: str | None = None
    wav_url: str | None = None
    duration: float | None = None
    title: str | None = None
    lyrics: str | None = None
    tags: tuple[str, ...] = ()
    index: int = 0
    # Context, not content: a track equals itself however it was reached.
    task_id: str | None = attrs.field(default=None, eq=False)

    def url_for(self, format: str) -> str | None:
        """Return the URL serving ``format`` (``"mp3"``, ``"flac"``, ``"wav"``, ``"stream"``)."""
        return {
            "mp3": self.audio_url,
            "flac": self.flac_url,
            "wav": self.wav_url,
            "stream": self.stream_url,
        }.get(format)


@attrs.frozen
class Generation:
    """A generation task as last seen: its status and, once done, its tracks.

    Attributes:
        task_id: The provider's task id; keep it to resume with ``client.wait``.
        provider: The provider name.
        model: The model that runs the task (resolved: Mureka answers ``auto`` with the real id).
        status: The shared status.
        provider_status: The provider's own status string, unchanged.
        tracks: The tracks known so far (complete once ``status`` is ``SUCCEEDED``).
        correlation_id: The id of the call that produced this value.
        error: The provider's failure reason, or None.
        instrumental: Whether this is an instrumental task (Mureka polls another path for those).
        raw: The last raw payload, for debugging. Not part of equality.
    """

    task_id: str
    provider: str
    model: str | None
    status: TaskStatus
    provider_status: str
    tracks: tuple[Track, ...] = ()
    correlation_id: str | None = None
    error: str | None = None
    instrumental: bool | None = None
    raw: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_freeze_mapping, eq=False, repr=False
    )

    @property
    def is_done(self) -> bool:
        """True when the task is terminal."""
        return self.status.is_terminal


@attrs.frozen
class Balance:
    """What is left to spend at a provider.

    Attributes:
        provider: The provider name.
        amount: The amount in ``unit``.
        unit: ``"credits"`` (Suno) or ``"cents"`` (Mureka, US cents).
        concurrent_limit: Tasks the account may run at once, when the provider says (Mureka's
            ``concurrent_request_limit``); None otherwise.
        raw: The raw payload. Not part of equality.
    """

    provider: str
    amount: float
    unit: str
    concurrent_limit: int | None = None
    raw: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_freeze_mapping, eq=False, repr=False
    )


@attrs.frozen
class GenerationRequest:
    """What the user asked for, after validation: the input to a provider's ``submit_request``.

    Attributes:
        provider: The provider name.
        model: The resolved model id (never None or an alias).
        prompt: A description of the music (Suno simple mode; Mureka ``prompt``).
        lyrics: Lyrics to sing.
        style: Style tags (Suno custom mode).
        title: Title (Suno custom mode).
        instrumental: No vocals.
        options: Provider-specific extras (e.g. Suno ``negative_tags``, Mureka ``n``).
    """

    provider: str
    model: str
    prompt: str | None = None
    lyrics: str | None = None
    style: str | None = None
    title: str | None = None
    instrumental: bool = False
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_mapping, hash=False)

    def fingerprint(self) -> str:
        """A stable digest of every generation parameter, equal for equal requests."""
        payload = attrs.asdict(self, value_serializer=_plain)
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(_inst: object, _field: object, value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    return value
