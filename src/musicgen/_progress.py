"""Live progress of a wait: the frozen ``Progress`` value ``on_progress`` and ``watch`` deliver."""

from __future__ import annotations

from typing import Any

import attrs

from ._models import TaskStatus, Track

__all__ = ["UNTIL", "Progress", "progress_of"]

#: What ``until=`` accepts: ``"done"`` (the default: a terminal status) or ``"stream"`` (the
#: first playable stream URL).
UNTIL = ("done", "stream")


@attrs.frozen(kw_only=True)
class Progress:
    """Where a task stands, sent on every change while a call waits for it.

    Attributes:
        task_id: The provider's task id (keep it to resume with ``client.wait``).
        provider: The provider name.
        status: The shared status.
        provider_status: The provider's own status string.
        elapsed: Seconds since the call began.
        polls: Status reads so far in this wait.
        stream_url: The first URL that plays while the task still runs, once there is one.
        tracks: The tracks known so far (for tasks that make songs; empty otherwise).
        state: The task's last state itself (a ``Generation``, a ``Task``...).
    """

    task_id: str
    provider: str
    status: TaskStatus
    provider_status: str
    elapsed: float
    polls: int
    stream_url: str | None = None
    tracks: tuple[Track, ...] = ()
    state: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def is_done(self) -> bool:
        """True when the task is terminal (the last update of a wait)."""
        return self.status.is_terminal


def stream_url_of(state: Any) -> str | None:
    """The first playable stream URL of a task's state, if it has tracks with one."""
    for track in getattr(state, "tracks", None) or ():
        url = getattr(track, "stream_url", None)
        if url:
            return str(url)
    return None


def progress_of(state: Any, *, elapsed: float, polls: int) -> Progress:
    """The ``Progress`` of a task's state (anything that answers like a ``TaskSnapshot``)."""
    tracks = getattr(state, "tracks", None)
    return Progress(
        task_id=state.task_id,
        provider=state.provider,
        status=state.status,
        provider_status=state.provider_status,
        elapsed=elapsed,
        polls=polls,
        stream_url=stream_url_of(state),
        tracks=tuple(tracks) if isinstance(tracks, tuple) else (),
        state=state,
    )
