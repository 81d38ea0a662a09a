"""Events: one frozen value per thing that happened, handed to every hook.

A hook is any callable taking one ``Event``. Every public call starts with a ``call.started``
event; a hook may answer it with a context manager, which the client enters for the call and
exits when the call ends, with its exception if any (as stamina's ``RetryHook`` may return one
for a retry). New fields can be added to ``Event`` without breaking hooks. A hook that raises,
on an event or in its context manager, is logged and ignored: observability must never break a
generation.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "CallScopes",
    "Event",
    "EventName",
    "Hook",
    "emit",
    "enter_call",
    "exit_call",
    "new_event",
]

logger = logging.getLogger("musicgen.observability")


class EventName(str, enum.Enum):
    """The names of the events musicgen emits.

    A ``str`` enum: ``event.name == "poll"`` and ``event.name == EventName.POLL`` are the same
    test, and a member formats as its value (``f"{EventName.POLL}"`` is ``"poll"``).
    """

    #: A public call (generate, submit, get, wait, balance, run, a verb, a namespace method)
    #: starts: ``operation`` names it, ``provider`` (and ``task_id`` when it reads a known task)
    #: are set. A hook may return a context manager, entered for the call.
    CALL_STARTED = "call.started"
    #: One HTTP attempt finished (``method``, ``path``, ``status_code``, ``endpoint``).
    HTTP_REQUEST = "http.request"
    #: A failed attempt will be retried (``cause``, ``endpoint``, and ``wait``: the seconds
    #: musicgen chose (Retry-After, or near the deadline), or None when stamina's backoff applies).
    RETRY_SCHEDULED = "retry.scheduled"
    #: A task was read while waiting (``elapsed``, ``provider_status``; ``attempt`` is the poll).
    POLL = "poll"
    #: A task's status changed (``previous``, ``previous_provider_status``, ``provider_status``).
    STATUS_CHANGED = "status.changed"
    #: A provider sent a status musicgen does not know (``provider_status``); it is treated as
    #: still running.
    STATUS_UNKNOWN = "status.unknown"
    #: An unknown model was replaced by the provider default (``requested``).
    MODEL_FALLBACK = "model.fallback"
    #: A submission was accepted; ``task_id`` is set.
    GENERATION_SUBMITTED = "generation.submitted"
    #: A task finished successfully (``polls``, ``polling_duration``, ``time_to_stream``,
    #: ``tracks``).
    GENERATION_SUCCEEDED = "generation.succeeded"
    #: A task ended in failure (the same fields).
    GENERATION_FAILED = "generation.failed"
    #: The overall deadline passed before the task finished (the same fields, when a state was
    #: read).
    GENERATION_TIMED_OUT = "generation.timed_out"
    #: A public call ended with an error (``error``).
    CALL_FAILED = "call.failed"
    #: The cache answered (``kind``: ``"result"``): no request was needed.
    CACHE_HIT = "cache.hit"
    #: The cache had nothing for the call (``kind``: ``"result"`` or ``"journal"``).
    CACHE_MISS = "cache.miss"
    #: An identical earlier request's unfinished task is resumed instead of submitting again
    #: (``kind``, ``submitted_at``).
    CACHE_RESUME = "cache.resume"

    # The value, not "EventName.POLL", wherever a name is printed; str's own C methods, as
    # every log line and breadcrumb formats one.
    __str__ = str.__str__
    __format__ = str.__format__  # type: ignore[assignment]  # the same signature, in C


_BY_VALUE: dict[str, EventName] = {member.value: member for member in EventName}

#: The typed details an event may carry beyond the common fields; ``Event.data`` shows them.
DETAIL_FIELDS: tuple[str, ...] = (
    "endpoint",
    "method",
    "path",
    "status_code",
    "wait",
    "cause",
    "elapsed",
    "provider_status",
    "previous",
    "previous_provider_status",
    "requested",
    "polls",
    "polling_duration",
    "time_to_stream",
    "tracks",
    "kind",
    "submitted_at",
)
_DETAILS = frozenset(DETAIL_FIELDS)
_OUTCOME = ("polls", "polling_duration", "time_to_stream", "tracks")
#: What ``data`` held per event before the details were attributes: these keys stay present
#: (None included), so ``event.data["status_code"]`` keeps working for every HTTP event.
DATA_KEYS: Mapping[str, tuple[str, ...]] = {
    EventName.HTTP_REQUEST: ("method", "path", "status_code", "endpoint"),
    EventName.RETRY_SCHEDULED: ("wait", "cause", "endpoint"),
    EventName.POLL: ("elapsed", "provider_status"),
    EventName.STATUS_CHANGED: ("previous", "previous_provider_status", "provider_status"),
    EventName.STATUS_UNKNOWN: ("provider_status",),
    EventName.MODEL_FALLBACK: ("requested",),
    EventName.GENERATION_SUCCEEDED: _OUTCOME,
    EventName.GENERATION_FAILED: _OUTCOME,
    EventName.GENERATION_TIMED_OUT: _OUTCOME,
    EventName.CACHE_HIT: ("kind",),
    EventName.CACHE_MISS: ("kind",),
    EventName.CACHE_RESUME: ("kind", "submitted_at"),
}
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_REPR_FIELDS = (
    "correlation_id",
    "provider",
    "model",
    "task_id",
    "operation",
    "attempt",
    "duration",
    "status",
    "error",
    *DETAIL_FIELDS,
)


class Event:
    """Something that happened during a call; read-only, and shared by every hook (do not
    change it: the next hook would see the change).

    Attributes:
        name: One of ``EventName`` (a ``str``; another string for events of your own).
        correlation_id: The id of the public call it belongs to.
        provider: The provider name, when there is one.
        model: The model, when known.
        task_id: The provider's task id, when known.
        operation: For ``http.request`` and ``retry.scheduled``, the request's part:
            ``submit`` (it starts a task) or ``status`` (it reads one), whatever the endpoint,
            else the operation's own name (``balance``...); ``endpoint`` names the endpoint.
            For other events, the public method (``generate``, ``wait``...) or, for
            ``client.run``, the operation's name.
        attempt: The attempt, retry or poll number, from 1.
        duration: Seconds the thing took (an HTTP attempt, a whole generation or call).
        status: The shared task status, or the HTTP status for HTTP events.
        error: The exception, for failures.
        endpoint: The endpoint of an HTTP attempt or retry (``generate``, ``status``...).
        method: The HTTP method of an attempt.
        path: The URL path of an attempt (never the query: it may carry tokens).
        status_code: The HTTP status of an attempt's answer, None without one.
        wait: Seconds before a retry that musicgen chose, None when stamina's backoff applies.
        cause: The error type name that made a retry necessary.
        elapsed: Seconds since the wait began, at a poll.
        provider_status: The provider's own status word.
        previous: The shared status before a change.
        previous_provider_status: The provider's status word before a change.
        requested: The model asked for, when it was replaced by the default.
        polls: Status reads of a finished wait.
        polling_duration: Seconds a finished wait polled.
        time_to_stream: Seconds from the call's start to the first playable URL, or None.
        tracks: How many tracks a finished task has.
        kind: What the cache answered from: ``"result"`` or ``"journal"``.
        submitted_at: When a resumed task was submitted (``time.time()``).
        timestamp: Wall-clock time of the event (``time.time()``).
    """

    # Slots, and no frozen machinery: an event is built for every request and poll, and a
    # frozen class's __init__ (an object.__setattr__ per field) cost twice as much.
    __slots__ = (
        "_extra",
        "_text",
        "attempt",
        "cause",
        "correlation_id",
        "duration",
        "elapsed",
        "endpoint",
        "error",
        "kind",
        "method",
        "model",
        "name",
        "operation",
        "path",
        "polling_duration",
        "polls",
        "previous",
        "previous_provider_status",
        "provider",
        "provider_status",
        "requested",
        "status",
        "status_code",
        "submitted_at",
        "task_id",
        "time_to_stream",
        "timestamp",
        "tracks",
        "wait",
    )

    name: str
    correlation_id: str
    provider: str | None
    model: str | None
    task_id: str | None
    operation: str | None
    attempt: int | None
    duration: float | None
    status: str | None
    error: BaseException | None
    endpoint: str | None
    method: str | None
    path: str | None
    status_code: int | None
    wait: float | None
    cause: str | None
    elapsed: float | None
    provider_status: str | None
    previous: str | None
    previous_provider_status: str | None
    requested: str | None
    polls: int | None
    polling_duration: float | None
    time_to_stream: float | None
    tracks: int | None
    kind: str | None
    submitted_at: float | None
    timestamp: float
    _extra: Mapping[str, Any]
    # The one-line description, kept by ``_format.describe`` for the next hook to reuse.
    _text: str | None

    def __init__(
        self,
        name: str,
        correlation_id: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        task_id: str | None = None,
        operation: str | None = None,
        attempt: int | None = None,
        duration: float | None = None,
        status: str | None = None,
        error: BaseException | None = None,
        endpoint: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status_code: int | None = None,
        wait: float | None = None,
        cause: str | None = None,
        elapsed: float | None = None,
        provider_status: str | None = None,
        previous: str | None = None,
        previous_provider_status: str | None = None,
        requested: str | None = None,
        polls: int | None = None,
        polling_duration: float | None = None,
        time_to_stream: float | None = None,
        tracks: int | None = None,
        kind: str | None = None,
        submitted_at: float | None = None,
        data: Mapping[str, Any] | None = None,
        timestamp: float | None = None,
    ) -> None:
        self.name = _BY_VALUE.get(name, name)
        self.correlation_id = correlation_id
        self.provider = provider
        self.model = model
        self.task_id = task_id
        self.operation = operation
        self.attempt = attempt
        self.duration = duration
        self.status = status
        self.error = error
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.status_code = status_code
        self.wait = wait
        self.cause = cause
        self.elapsed = elapsed
        self.provider_status = provider_status
        self.previous = previous
        self.previous_provider_status = previous_provider_status
        self.requested = requested
        self.polls = polls
        self.polling_duration = polling_duration
        self.time_to_stream = time_to_stream
        self.tracks = tracks
        self.kind = kind
        self.submitted_at = submitted_at
        self.timestamp = time.time() if timestamp is None else timestamp
        self._extra = _EMPTY if not data else _lift(self, data)
        self._text = None

    @property
    def data(self) -> Mapping[str, Any]:
        """The event's details as a read-only mapping (what hooks read before the details were
        attributes), plus anything extra it was built with. Prefer the attributes."""
        shown: dict[str, Any] = {key: getattr(self, key) for key in DATA_KEYS.get(self.name, ())}
        for key in DETAIL_FIELDS:
            value = getattr(self, key)
            if value is not None:
                shown.setdefault(key, value)
        shown.update(self._extra)
        return MappingProxyType(shown)

    @property
    def extra(self) -> Mapping[str, Any]:
        """What the event was built with in ``data`` beyond its typed details."""
        return self._extra

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, slot) for slot in _PUBLIC_SLOTS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Event:
            return NotImplemented
        return self._fields() == other._fields() and dict(self._extra) == dict(other._extra)

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{slot}={getattr(self, slot)!r}"
            for slot in _REPR_FIELDS
            if getattr(self, slot) is not None
        )
        extra = f", data={dict(self._extra)!r}" if self._extra else ""
        return f"Event({str(self.name)!r}, {shown}{extra})"


_PUBLIC_SLOTS = tuple(slot for slot in Event.__slots__ if not slot.startswith("_"))
_new_object = object.__new__
_now = time.time


def new_event(
    name: str,
    correlation_id: str,
    operation: str | None,
    provider: str | None = None,
    model: str | None = None,
    task_id: str | None = None,
    attempt: int | None = None,
    duration: float | None = None,
    status: str | None = None,
    error: BaseException | None = None,
) -> Event:
    """An ``Event`` with the common fields set and no details (set them on it before it is
    emitted): the client's own way to build one. ``name`` must be an ``EventName`` member.

    Matching some thirty keywords in ``Event(...)`` cost several times what storing every
    field does, on each request and poll of every call.
    """
    event: Event = _new_object(Event)
    event.name = name
    event.correlation_id = correlation_id
    event.provider = provider
    event.model = model
    event.task_id = task_id
    event.operation = operation
    event.attempt = attempt
    event.duration = duration
    event.status = status
    event.error = error
    event.endpoint = None
    event.method = None
    event.path = None
    event.status_code = None
    event.wait = None
    event.cause = None
    event.elapsed = None
    event.provider_status = None
    event.previous = None
    event.previous_provider_status = None
    event.requested = None
    event.polls = None
    event.polling_duration = None
    event.time_to_stream = None
    event.tracks = None
    event.kind = None
    event.submitted_at = None
    event.timestamp = _now()
    event._extra = _EMPTY
    event._text = None
    return event


def _lift(event: Event, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Move the typed details given in ``data`` (the old way to pass them) onto ``event``
    unless given as arguments; what remains is the event's extra data."""
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in _DETAILS:
            if getattr(event, key) is None:
                setattr(event, key, value)
        else:
            extra[key] = value
    return MappingProxyType(extra) if extra else _EMPTY


@runtime_checkable
class Hook(Protocol):
    """Anything callable with one ``Event``.

    For ``call.started`` it may return a context manager: the client enters it as the call
    starts and exits it when the call ends (with the exception the call raises, if any; the
    exit cannot swallow it). Every other return value is ignored.
    """

    def __call__(self, event: Event, /) -> AbstractContextManager[Any] | None:
        """Handle ``event``; exceptions are logged and swallowed."""


def emit(hooks: Sequence[Hook], event: Event) -> None:
    """Give ``event`` to every hook; a hook that raises is logged, and the others still run."""
    for hook in hooks:
        try:
            hook(event)
        except Exception:  # noqa: BLE001 - logged by _failed; a hook must not break a call
            _failed(hook, event, "failed on")


#: The context managers entered for one call, in order, with the event that opened them.
CallScopes = tuple[Event, list[AbstractContextManager[Any]]]


def enter_call(hooks: Sequence[Hook], event: Event) -> CallScopes:
    """Give the ``call.started`` ``event`` to every hook and enter the context managers they
    return; a hook that raises, or whose context manager raises on entry, is logged."""
    entered: list[AbstractContextManager[Any]] = []
    for hook in hooks:
        try:
            scope = hook(event)
            # Like stamina: only a context manager is entered; any other answer is ignored.
            if scope is not None and isinstance(scope, AbstractContextManager):
                scope.__enter__()
                entered.append(scope)
        except Exception:  # noqa: BLE001 - logged by _failed; a hook must not break a call
            _failed(hook, event, "failed on")
    return event, entered


def exit_call(scopes: CallScopes, error: BaseException | None) -> None:
    """Exit what ``enter_call`` entered, last first, with the call's ``error`` (None when it
    returned); a context manager that raises is logged, and the others still exit."""
    event, entered = scopes
    if not entered:
        return
    kind = None if error is None else type(error)
    trace = None if error is None else error.__traceback__
    for scope in reversed(entered):
        try:
            # Its answer is ignored: a hook may observe the call's error, never swallow it.
            scope.__exit__(kind, error, trace)
        except Exception:  # noqa: BLE001 - logged by _failed; a hook must not break a call
            _failed(scope, event, "failed leaving")


def _failed(hook: object, event: Event, what: str) -> None:
    logger.exception(
        "musicgen hook %r %s %s; the call goes on",
        hook,
        what,
        event.name,
        extra={"correlation_id": event.correlation_id},
    )
