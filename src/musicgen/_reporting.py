"""Reporting what a call does: events to the hooks, and the few facts logged on ``musicgen``.

The core decides; this module only tells: one ``Reporter`` per client builds an ``Event`` only
when there are hooks, and names the structured fields of the records the client logs itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ._effects import CallContext
from ._errors import MusicGenError
from ._operations import TaskSnapshot
from .observability._events import Event, EventName, Hook, emit

__all__ = ["PollTally", "Reporter", "log_extra"]


@attrs.define
class PollTally:
    """What one wait has seen so far, for metrics."""

    started: float
    polls: int = 0
    first_audio_at: float | None = None

    def summary(self, now: float, call_started: float, *, tracks: int) -> dict[str, Any]:
        return {
            "polls": self.polls,
            "polling_duration": now - self.started,
            "time_to_stream": None
            if self.first_audio_at is None
            else self.first_audio_at - call_started,
            "tracks": tracks,
        }


class Reporter:
    """Hands events to the hooks, with the call's correlation id.

    Args:
        hooks: Callables that receive every ``Event``.
        clock: A monotonic clock, for durations.
    """

    def __init__(self, hooks: Sequence[Hook], clock: Callable[[], float] = time.monotonic) -> None:
        self.hooks = tuple(hooks)
        self.clock = clock

    def emit(self, name: str, ctx: CallContext, **fields: Any) -> None:
        """Hand an ``Event`` to the hooks (nothing is built when there are none)."""
        if self.hooks:
            fields.setdefault("operation", ctx.operation)
            emit(self.hooks, Event(name, ctx.correlation_id, **fields))

    def outcome(
        self,
        name: str,
        snapshot: TaskSnapshot,
        ctx: CallContext,
        progress: PollTally,
        error: MusicGenError | None,
    ) -> None:
        """Report how a task ended (``name``), with what its wait measured."""
        if not self.hooks:
            return
        now = self.clock()
        tracks = getattr(snapshot, "tracks", ())
        self.about(
            name,
            snapshot,
            ctx,
            duration=now - ctx.started,
            error=error,
            data=progress.summary(now, ctx.started, tracks=len(tracks)),
        )

    def about(self, name: str, snapshot: TaskSnapshot, ctx: CallContext, **fields: Any) -> None:
        """``emit`` with the provider, model, task and status of ``snapshot`` filled in."""
        if self.hooks:
            self.emit(
                name,
                ctx,
                provider=snapshot.provider,
                model=getattr(snapshot, "model", None),
                task_id=snapshot.task_id,
                status=snapshot.status.value,
                **fields,
            )

    def poll(self, previous: Any, current: Any, ctx: CallContext, progress: PollTally) -> None:
        """Count a status read in ``progress``; report it, and a change of status."""
        now = self.clock()
        progress.polls += 1
        snapshot = _state(current)
        if progress.first_audio_at is None and _playable(current):
            progress.first_audio_at = now
        if not self.hooks:
            return
        self.emit(
            EventName.POLL,
            ctx,
            provider=snapshot.provider,
            model=getattr(current, "model", None),
            task_id=snapshot.task_id,
            attempt=progress.polls,
            status=snapshot.status.value,
            data={"elapsed": now - progress.started, "provider_status": snapshot.provider_status},
        )
        if previous is None:
            return
        before = _state(previous)
        if snapshot.provider_status != before.provider_status:
            self.about(
                EventName.STATUS_CHANGED,
                snapshot,
                ctx,
                data={
                    "previous": before.status.value,
                    "previous_provider_status": before.provider_status,
                    "provider_status": snapshot.provider_status,
                },
            )


def log_extra(
    ctx: CallContext,
    provider: str,
    event: str,
    *,
    task_id: str | None = None,
    model: str | None = None,
    attempt: int | None = None,
    **data: Any,
) -> dict[str, Any]:
    """The structured fields of a record the client logs itself, named as ``LoggingHook``
    names an event's (which, for that reason, does not log these events again)."""
    return {
        "musicgen_event": event,
        "correlation_id": ctx.correlation_id,
        "provider": provider,
        "operation": ctx.operation,
        "task_id": task_id,
        "model": model,
        "attempt": attempt,
        **{f"musicgen_{key}": value for key, value in data.items()},
    }


def _playable(state: Any) -> bool:
    return any(
        getattr(track, "stream_url", None) or getattr(track, "audio_url", None)
        for track in getattr(state, "tracks", ())
    )


def _state(value: Any) -> TaskSnapshot:
    """``value`` seen as a task's state (a task operation's result is one)."""
    return value  # type: ignore[no-any-return]
