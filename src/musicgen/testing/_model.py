"""Mutable internal state of emulated tasks and tracks, plus the public read-only views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the emulator received, kept for assertions.

    Attributes:
        method: HTTP method, upper case.
        url: The full URL as the client sent it.
        path: The URL path.
        headers: Request headers with lower-case names (the last value wins on repeats).
        json: The decoded JSON body, or None when the body was empty or not JSON.
    """

    method: str
    url: str
    path: str
    headers: dict[str, str]
    json: Any


@dataclass(frozen=True)
class TaskInfo:
    """A snapshot of one emulated task.

    Attributes:
        id: The provider task id.
        provider: ``"suno"`` or ``"mureka"``.
        kind: ``"music"`` (Suno), ``"song"`` or ``"instrumental"`` (Mureka), or the kind of
            another task (``"wav"``, ``"vocal_removal"``, ``"lyrics"``...).
        model: The model as the provider reports it (Suno API value, Mureka resolved id).
        status: The status reached: by the latest status read (the initial one before any
            read) or, for a task that posts callbacks, by the emulator's stage clock.
        status_reads: How many status reads the task has answered.
    """

    id: str
    provider: str
    kind: str
    model: str
    status: str
    status_reads: int


@dataclass
class Track:
    """One generated track (Suno ``sunoData`` item / Mureka choice)."""

    id: str
    index: int
    seed: str  # Drives the audio content, so equal requests give equal audio.
    title: str
    lyrics: str
    tags: str


@dataclass
class Task:
    """One emulated generation task and its scripted progression."""

    id: str
    provider: str
    kind: str
    model: str
    stages: tuple[str, ...]
    error_code: int | None
    error_message: str | None
    created_ms: int
    base_url: str
    request: dict[str, Any]
    duration_s: float
    stream: bool = False
    tracks: list[Track] = field(default_factory=list)
    reads: int = 0
    status: str = ""
    finished_at: int | None = None
    # The index in ``stages`` reached, by status reads or (callbacks) by the clock: reads never
    # report an earlier stage than one already reached.
    stage: int = 0
    # Where its callbacks go, when they go anywhere (a real callBackUrl), and the index of the
    # last stage whose callback was posted.
    callback_url: str | None = None
    posted: int = 0
    # What a task of another kind needs (the source track, the stems made...), by its kind.
    extra: dict[str, Any] = field(default_factory=dict)

    def info(self) -> TaskInfo:
        """Return the public snapshot of this task."""
        return TaskInfo(self.id, self.provider, self.kind, self.model, self.status, self.reads)


def media_url(base_url: str, track_id: str, variant: str = "", ext: str = "wav") -> str:
    """Build the URL of a track's media file.

    The scheme is ``<base>/audio/<track-id>[.<variant>].wav`` for audio and
    ``<base>/image/<track-id>[.<variant>].png`` for cover art; every variant of a track
    serves the same bytes.
    """
    folder = "image" if ext == "png" else "audio"
    suffix = f".{variant}" if variant else ""
    return f"{base_url.rstrip('/')}/{folder}/{track_id}{suffix}.{ext}"
