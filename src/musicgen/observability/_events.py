"""Events: one frozen value per thing that happened, handed to every hook.

A hook is any callable taking one ``Event``. New fields can be added to ``Event`` without
breaking hooks, as stamina does with ``RetryDetails``. A hook that raises is logged and ignored:
observability must never break a generation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

__all__ = ["Event", "EventName", "Hook", "emit"]

logger = logging.getLogger("musicgen.observability")


class EventName:
    """The names of the events musicgen emits."""

    #: One HTTP attempt finished (data: method, path, status_code, endpoint).
    HTTP_REQUEST = "http.request"
    #: A failed attempt will be retried (data: cause, endpoint, and wait: the seconds musicgen
    #: chose (Retry-After, or near the deadline), or None when stamina's backoff applies).
    RETRY_SCHEDULED = "retry.scheduled"
    #: A task was read while waiting (data: elapsed, poll).
    POLL = "poll"
    #: A task's status changed (data: previous).
    STATUS_CHANGED = "status.changed"
    #: A provider sent a status musicgen does not know; it is treated as still running.
    STATUS_UNKNOWN = "status.unknown"
    #: An unknown model was replaced by the provider default (data: requested).
    MODEL_FALLBACK = "model.fallback"
    #: A submission was accepted; ``task_id`` is set.
    GENERATION_SUBMITTED = "generation.submitted"
    #: A task finished successfully (data: polls, polling_duration, time_to_stream, tracks).
    GENERATION_SUCCEEDED = "generation.succeeded"
    #: A task ended in failure.
    GENERATION_FAILED = "generation.failed"
    #: The overall deadline passed before the task finished.
    GENERATION_TIMED_OUT = "generation.timed_out"
    #: A public call (generate, submit, get, wait, balance, run) ended with an error.
    CALL_FAILED = "call.failed"
    #: The cache answered (data: kind, ``"result"``): no request was needed.
    CACHE_HIT = "cache.hit"
    #: The cache had nothing for the call (data: kind, ``"result"`` or ``"journal"``).
    CACHE_MISS = "cache.miss"
    #: An identical earlier request's unfinished task is resumed instead of submitting again.
    CACHE_RESUME = "cache.resume"


def _freeze(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Event:
    """Something that happened during a call.

    Attributes:
        name: One of ``EventName``.
        correlation_id: The id of the public call it belongs to.
        provider: The provider name, when there is one.
        model: The model, when known.
        task_id: The provider's task id, when known.
        operation: For ``http.request`` and ``retry.scheduled``, the request's part:
            ``submit`` (it starts a task) or ``status`` (it reads one), whatever the endpoint,
            else the operation's own name (``balance``...); ``data["endpoint"]`` names the
            endpoint. For other events, the public method (``generate``, ``wait``...) or, for
            ``client.run``, the operation's name.
        attempt: The attempt or poll number, from 1.
        duration: Seconds the thing took (an HTTP attempt, a whole generation).
        status: The shared task status, or the HTTP status for HTTP events.
        error: The exception, for failures.
        data: A few more details, per event name (never secrets, prompts or lyrics).
        timestamp: Wall-clock time of the event (``time.time()``).
    """

    name: str
    correlation_id: str
    provider: str | None = None
    model: str | None = None
    task_id: str | None = None
    operation: str | None = None
    attempt: int | None = None
    duration: float | None = None
    status: str | None = None
    error: BaseException | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze, hash=False)
    timestamp: float = attrs.field(factory=time.time)


@runtime_checkable
class Hook(Protocol):
    """Anything callable with one ``Event``."""

    def __call__(self, event: Event, /) -> None:
        """Handle ``event``; exceptions are logged and swallowed."""


def emit(hooks: Sequence[Hook], event: Event) -> None:
    """Give ``event`` to every hook; a hook that raises is logged, and the others still run."""
    for hook in hooks:
        try:
            hook(event)
        except Exception:
            logger.exception(
                "musicgen hook %r failed on %s; the call goes on",
                hook,
                event.name,
                extra={"correlation_id": event.correlation_id},
            )
