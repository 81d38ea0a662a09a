"""Reporting what a call does: events to the hooks, and the few facts logged on ``musicgen``.

The core decides; this module only tells: one ``Reporter`` per client builds an ``Event`` only
when there are hooks, opens and closes each public call's scope (``call.started``, and the
context managers hooks return for it), and names the structured fields of the records the
client logs itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._effects import CallContext
from ._errors import MusicGenError
from ._operations import TaskSnapshot
from .observability._events import (
    _BY_VALUE,
    CallScopes,
    EventName,
    Hook,
    emit,
    enter_call,
    exit_call,
    new_event,
)

if TYPE_CHECKING:
    import httpx

    from .observability._metrics import MetricsHook

__all__ = ["PollTally", "Reporter", "log_extra"]

# Bound once and compared by identity (``Event`` makes every known name its member): an
# ``EventName.X == name`` test cost more than the rest of a hook's dispatch.
_GENERATION_TIMED_OUT = EventName.GENERATION_TIMED_OUT
_RETRY_SCHEDULED = EventName.RETRY_SCHEDULED
_HTTP_REQUEST = EventName.HTTP_REQUEST
_POLL = EventName.POLL
_STATUS_CHANGED = EventName.STATUS_CHANGED
_CALL_STARTED = EventName.CALL_STARTED


@attrs.define
class PollTally:
    """What one wait has seen so far, for metrics."""

    started: float
    polls: int = 0
    first_audio_at: float | None = None

    def summary(self, now: float, call_started: float, *, tracks: int) -> dict[str, Any]:
        """The ``Event`` fields of a finished wait."""
        return {
            "polls": self.polls,
            "polling_duration": now - self.started,
            "time_to_stream": None
            if self.first_audio_at is None
            else self.first_audio_at - call_started,
            "tracks": tracks,
        }


class Reporter:
    """Hands events to the hooks, with the call's correlation id, and to the client's metrics.

    The client's own metrics (``metrics=True``, the default) are recorded through
    ``MetricsHook``'s recording methods rather than as a hook: a client with no other hooks
    then builds no ``Event`` at all, which is most of what observability costs a call.

    Args:
        hooks: Callables that receive every ``Event``.
        clock: A monotonic clock, for durations.
        metrics: The client's own ``MetricsHook``, or None.
    """

    def __init__(
        self,
        hooks: Sequence[Hook],
        clock: Callable[[], float] = time.monotonic,
        metrics: MetricsHook | None = None,
    ) -> None:
        self.hooks = tuple(hooks)
        self.clock = clock
        self.metrics = metrics
        #: Whether anything listens: the hooks or the metrics.
        self.active = bool(self.hooks) or metrics is not None

    def emit(self, name: str, ctx: CallContext, **fields: Any) -> None:
        """Hand an ``Event`` to the hooks (nothing is built when there are none)."""
        metrics = self.metrics
        if metrics is not None:
            if name is _RETRY_SCHEDULED:
                metrics.retry(fields.get("cause"))
            elif name is _GENERATION_TIMED_OUT:
                metrics.finished(name, None, None, None, fields.get("duration"))
            else:
                metrics.count(name)
        if self.hooks:
            event = new_event(
                _BY_VALUE.get(name, name),
                ctx.correlation_id,
                fields.pop("operation", ctx.operation),
            )
            for key, value in fields.items():
                setattr(event, key, value)
            emit(self.hooks, event)

    def http(
        self,
        ctx: CallContext,
        provider: str,
        role: str,
        endpoint: str,
        attempt: int,
        duration: float,
        request: httpx.Request,
        response: httpx.Response | None,
        error: MusicGenError | None,
    ) -> None:
        """Report one HTTP attempt (``http.request``)."""
        if self.metrics is not None:
            self.metrics.http(provider, role, duration, error is not None)
        if not self.hooks:
            return
        code = None if response is None else response.status_code
        event = new_event(
            _HTTP_REQUEST,
            ctx.correlation_id,
            role,
            provider,
            None,
            None,
            attempt,
            duration,
            None if code is None else str(code),
            error,
        )
        event.method = request.method
        # The path only: query strings can carry tokens, and hosts are in the config.
        event.path = request.url.path
        event.status_code = code
        event.endpoint = endpoint
        emit(self.hooks, event)

    def start(
        self, ctx: CallContext, *, provider: str | None, task_id: str | None = None
    ) -> CallScopes | None:
        """Report ``call.started`` and enter the context managers hooks return for the call;
        None when there are no hooks."""
        if self.metrics is not None:
            self.metrics.count(EventName.CALL_STARTED)
        if not self.hooks:
            return None
        event = new_event(_CALL_STARTED, ctx.correlation_id, ctx.operation, provider, None, task_id)
        return enter_call(self.hooks, event)

    @staticmethod
    def finish(scopes: CallScopes | None, error: BaseException | None) -> None:
        """Exit the call's context managers, with the error it ends with (or None)."""
        if scopes is not None:
            exit_call(scopes, error)

    def outcome(
        self,
        name: str,
        snapshot: TaskSnapshot,
        ctx: CallContext,
        progress: PollTally,
        error: MusicGenError | None,
    ) -> None:
        """Report how a task ended (``name``), with what its wait measured."""
        if not self.active:
            return
        now = self.clock()
        tracks = getattr(snapshot, "tracks", ())
        summary = progress.summary(now, ctx.started, tracks=len(tracks))
        duration = now - ctx.started
        if self.metrics is not None:
            self.metrics.finished(
                name,
                summary["polls"],
                summary["polling_duration"],
                summary["time_to_stream"],
                duration,
            )
        if self.hooks:
            self._about(name, snapshot, ctx, duration, error, **summary)

    def about(self, name: str, snapshot: TaskSnapshot, ctx: CallContext, **fields: Any) -> None:
        """``emit`` with the provider, model, task and status of ``snapshot`` filled in."""
        if self.metrics is not None:
            self.metrics.count(name)
        if self.hooks:
            self._about(name, snapshot, ctx, None, None, **fields)

    def _about(
        self,
        name: str,
        snapshot: TaskSnapshot,
        ctx: CallContext,
        duration: float | None,
        error: BaseException | None,
        **fields: Any,
    ) -> None:
        event = new_event(
            _BY_VALUE.get(name, name),
            ctx.correlation_id,
            ctx.operation,
            snapshot.provider,
            getattr(snapshot, "model", None),
            snapshot.task_id,
            None,
            duration,
            snapshot.status.value,
            error,
        )
        for key, value in fields.items():
            setattr(event, key, value)
        emit(self.hooks, event)

    def poll(self, previous: Any, current: Any, ctx: CallContext, progress: PollTally) -> None:
        """Count a status read in ``progress``; report it, and a change of status."""
        now = self.clock()
        progress.polls += 1
        snapshot = _state(current)
        if progress.first_audio_at is None and _playable(current):
            progress.first_audio_at = now
        if not self.active:
            return
        changed = previous is not None and snapshot.provider_status != previous.provider_status
        metrics = self.metrics
        if metrics is not None:
            metrics.count(_POLL)
            if changed:
                metrics.count(_STATUS_CHANGED)
        hooks = self.hooks
        if not hooks:
            return
        # Built here rather than through emit(): this runs on every status read.
        event = new_event(
            _POLL,
            ctx.correlation_id,
            ctx.operation,
            snapshot.provider,
            getattr(current, "model", None),
            snapshot.task_id,
            progress.polls,
            None,
            snapshot.status.value,
        )
        event.elapsed = now - progress.started
        event.provider_status = snapshot.provider_status
        emit(hooks, event)
        if changed:
            before = _state(previous)
            changed_event = new_event(
                _STATUS_CHANGED,
                ctx.correlation_id,
                ctx.operation,
                event.provider,
                event.model,
                event.task_id,
                None,
                None,
                event.status,
            )
            changed_event.previous = before.status.value
            changed_event.previous_provider_status = before.provider_status
            changed_event.provider_status = event.provider_status
            emit(hooks, changed_event)


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
