"""OpenTelemetry: a hook that turns events into spans (``pip install 'musicgen-sdk[otel]'``).

::

    client = MusicGenClient(hooks=[OpenTelemetryHook()])

Each generation becomes one ``musicgen.generate`` span, a child of whatever span is current when
the call starts. Every HTTP attempt of it is a ``musicgen.http <operation>`` child span timed
from the event's timestamp and duration; polls, status changes, retries and model fallbacks are
span events. Calls that are not generations (``get``, ``balance``) produce standalone HTTP spans.

Only the opentelemetry API is used; the application configures the SDK and exporters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._effects import STATUS, SUBMIT
from .._errors import ConfigurationError
from .._version import __version__
from ._events import Event, EventName

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

__all__ = ["OpenTelemetryHook"]

DEFAULT_MAX_OPEN_SPANS = 10_000
DEFAULT_IDLE_TIMEOUT = 900.0

GENERATION_SPAN = "musicgen.generate"
HTTP_SPAN_PREFIX = "musicgen.http"

_FINISHED = frozenset(
    {
        EventName.GENERATION_SUCCEEDED,
        EventName.GENERATION_FAILED,
        EventName.GENERATION_TIMED_OUT,
    }
)
# Events that only happen inside a generation: they open its span when none is open yet
# (e.g. ``wait()`` on an existing task, which emits no ``generation.submitted``).
_OPENS_GENERATION = frozenset(
    {
        EventName.MODEL_FALLBACK,
        EventName.GENERATION_SUBMITTED,
        EventName.POLL,
        EventName.STATUS_CHANGED,
        EventName.STATUS_UNKNOWN,
        *_FINISHED,
    }
)
_TEXT_KEYS = frozenset({"prompt", "lyrics", "style", "title"})
# The parts a request plays in any task (whatever its endpoint): such HTTP spans are children
# of the task's span; plain requests (balance, ...) stay standalone.
_TASK_ROLES = frozenset({SUBMIT, STATUS})


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    # OpenTelemetry attributes may not be None.
    return {key: value for key, value in values.items() if value is not None}


class _Open:
    """One generation span still running, and when it last saw an event."""

    __slots__ = ("last_seen", "span", "task_id")

    def __init__(self, span: Span, task_id: str | None, last_seen: float) -> None:
        self.span = span
        self.task_id = task_id
        self.last_seen = last_seen


class OpenTelemetryHook:
    """Trace musicgen calls with OpenTelemetry spans.

    Generation spans are kept in a table by correlation id until their generation ends
    (``generation.succeeded``/``failed``/``timed_out`` or a failed ``generate``/``submit``/
    ``wait`` call). A span that never gets such an event (e.g. after ``submit()``, which returns
    as soon as the task is accepted) cannot leak: it is ended, at the time of its last event,
    once no event touched it for ``idle_timeout`` seconds (checked as later events arrive), or
    when more than ``max_open_spans`` are open (least recently touched first), or by
    ``close()``. Such spans carry ``musicgen.span_closed_by`` (``idle``, ``evicted``, ``close``).

    Args:
        tracer_provider: The provider to get the tracer from (default: the global one).
        max_open_spans: How many generation spans may be open at once (default 10,000).
        idle_timeout: Seconds without events after which an open span is ended (default 900);
            None never ends spans for idleness.

    Raises:
        ConfigurationError: opentelemetry-api is not installed.
        ValueError: ``max_open_spans`` is below 1 or ``idle_timeout`` is not positive.
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        *,
        max_open_spans: int = DEFAULT_MAX_OPEN_SPANS,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        try:
            from opentelemetry import trace
        except ImportError as error:
            msg = (
                "OpenTelemetryHook needs the OpenTelemetry API: pip install 'musicgen-sdk[otel]' "
                "(or opentelemetry-api)"
            )
            raise ConfigurationError(msg) from error
        if max_open_spans < 1:
            msg = f"max_open_spans must be at least 1, got {max_open_spans}"
            raise ValueError(msg)
        if idle_timeout is not None and idle_timeout <= 0:
            msg = f"idle_timeout must be > 0 seconds or None, got {idle_timeout!r}"
            raise ValueError(msg)
        self._trace = trace
        self._tracer: Tracer = trace.get_tracer(
            "musicgen", __version__, tracer_provider=tracer_provider
        )
        self._max_open = max_open_spans
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        # Ordered by last touch, so the stalest span is always first: eviction and idle checks
        # look at the front only.
        self._open: OrderedDict[str, _Open] = OrderedDict()

    def __repr__(self) -> str:
        return f"OpenTelemetryHook(max_open_spans={self._max_open})"

    @property
    def open_spans(self) -> int:
        """How many generation spans are open now."""
        with self._lock:
            return len(self._open)

    def __call__(self, event: Event, /) -> None:
        """Turn ``event`` into spans or span events."""
        name = event.name
        stale = self._collect_stale(event.timestamp)
        if name == EventName.HTTP_REQUEST:
            self._http(event, stale)
        elif name in _OPENS_GENERATION:
            self._generation_event(event, stale)
        elif name == EventName.CALL_FAILED:
            self._call_failed(event)
        else:
            opened = self._get(event)
            if opened is not None:
                self._add_event(opened.span, event)
        self._close_all(stale)

    def close(self) -> None:
        """End every open generation span (e.g. at shutdown, before flushing exporters)."""
        with self._lock:
            stale = [(opened, "close") for opened in self._open.values()]
            self._open.clear()
        self._close_all(stale)

    # -- per event ------------------------------------------------------------------------------

    def _http(self, event: Event, stale: list[tuple[_Open, str]]) -> None:
        data = event.data
        end = event.timestamp
        start = end - (event.duration or 0.0)
        parent: Span | None = None
        if event.operation == SUBMIT:
            # A submission starts a generation: the span begins with its first attempt. A span
            # already open with a task id belongs to an earlier call of the same correlation id.
            parent = self._generation(event, start, stale, new_task=True).span
        elif event.operation in _TASK_ROLES:
            opened = self._get(event)
            parent = None if opened is None else opened.span
        context = None if parent is None else self._trace.set_span_in_context(parent)
        span = self._tracer.start_span(
            f"{HTTP_SPAN_PREFIX} {event.operation}",
            context=context,
            kind=self._trace.SpanKind.CLIENT,
            start_time=_ns(start),
            attributes=_attributes(
                {
                    "musicgen.correlation_id": event.correlation_id,
                    "musicgen.provider": event.provider,
                    "musicgen.operation": event.operation,
                    "musicgen.attempt": event.attempt,
                    "http.request.method": data.get("method"),
                    "url.path": data.get("path"),
                    "http.response.status_code": data.get("status_code"),
                    "http.request.resend_count": None
                    if not event.attempt or event.attempt < 2
                    else event.attempt - 1,
                }
            ),
        )
        if event.error is not None:
            self._fail(span, event.error, end)
        span.end(end_time=_ns(end))

    def _generation_event(self, event: Event, stale: list[tuple[_Open, str]]) -> None:
        name = event.name
        if name == EventName.POLL and isinstance(event.data.get("elapsed"), (int, float)):
            start = event.timestamp - float(event.data["elapsed"])
        elif name in _FINISHED and event.duration is not None:
            start = event.timestamp - event.duration
        else:
            start = event.timestamp
        opened = self._generation(
            event, start, stale, new_task=name == EventName.GENERATION_SUBMITTED
        )
        span = opened.span
        if event.task_id is not None and opened.task_id is None:
            opened.task_id = event.task_id
        span.set_attributes(
            _attributes(
                {
                    "musicgen.provider": event.provider,
                    "musicgen.model": event.model,
                    "musicgen.task_id": event.task_id,
                }
            )
        )
        if name not in _FINISHED:
            self._add_event(span, event)
            return
        data = event.data
        span.set_attributes(
            _attributes(
                {
                    "musicgen.status": event.status,
                    "musicgen.polls": data.get("polls"),
                    "musicgen.tracks": data.get("tracks"),
                    "musicgen.polling_duration": data.get("polling_duration"),
                    "musicgen.time_to_stream": data.get("time_to_stream"),
                }
            )
        )
        if event.error is not None:
            self._fail(span, event.error, event.timestamp)
        elif name != EventName.GENERATION_SUCCEEDED:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, event.name))
        self._end(event.correlation_id, opened, event.timestamp)

    def _call_failed(self, event: Event) -> None:
        opened = self._get(event)
        # The failed call ends the open span when it was that task's call: the span has no task
        # yet (its submission failed) or the same one. A failed read of something else (a
        # balance after a submit under one correlation id) leaves it open.
        if opened is None or opened.task_id not in (None, event.task_id):
            return
        if event.error is not None:
            self._fail(opened.span, event.error, event.timestamp)
        self._end(event.correlation_id, opened, event.timestamp)

    # -- the open-span table --------------------------------------------------------------------

    def _get(self, event: Event) -> _Open | None:
        with self._lock:
            opened = self._open.get(event.correlation_id)
            if opened is not None:
                opened.last_seen = event.timestamp
                self._open.move_to_end(event.correlation_id)
            return opened

    def _generation(
        self, event: Event, start: float, stale: list[tuple[_Open, str]], *, new_task: bool
    ) -> _Open:
        """The open generation span of ``event``'s correlation id, started if there is none.

        One correlation id can run several calls one after another, so an open span that has a
        task id is ended first when ``event`` is about another task, or starts one
        (``new_task``: a submission, whose task id is not known yet).
        """
        key = event.correlation_id
        with self._lock:
            opened = self._open.get(key)
            if (
                opened is not None
                and opened.task_id is not None
                and opened.task_id != event.task_id
                and (new_task or event.task_id is not None)
            ):
                del self._open[key]
                stale.append((opened, "next_call"))
                opened = None
            if opened is not None:
                opened.last_seen = event.timestamp
                self._open.move_to_end(key)
                return opened
            # Started under the lock, so two threads sharing a correlation id cannot both
            # start one (the loser's span would never end). Starting exports nothing.
            span = self._tracer.start_span(
                GENERATION_SPAN,
                start_time=_ns(start),
                attributes=_attributes(
                    {
                        "musicgen.correlation_id": key,
                        "musicgen.provider": event.provider,
                        "musicgen.model": event.model,
                        "musicgen.task_id": event.task_id,
                    }
                ),
            )
            opened = self._open[key] = _Open(span, event.task_id, event.timestamp)
            while len(self._open) > self._max_open:
                _, evicted = self._open.popitem(last=False)
                stale.append((evicted, "evicted"))
            return opened

    def _end(self, key: str, opened: _Open, at: float) -> None:
        with self._lock:
            if self._open.get(key) is opened:
                del self._open[key]
        opened.span.end(end_time=_ns(at))

    def _collect_stale(self, now: float) -> list[tuple[_Open, str]]:
        stale: list[tuple[_Open, str]] = []
        if self._idle_timeout is None:
            return stale
        limit = now - self._idle_timeout
        with self._lock:
            while self._open:
                key, oldest = next(iter(self._open.items()))
                if oldest.last_seen >= limit:
                    break
                del self._open[key]
                stale.append((oldest, "idle"))
        return stale

    @staticmethod
    def _close_all(stale: list[tuple[_Open, str]]) -> None:
        # Ended outside the lock: a synchronous exporter may take its time.
        for opened, reason in stale:
            if reason != "next_call":
                opened.span.set_attribute("musicgen.span_closed_by", reason)
            opened.span.end(end_time=_ns(opened.last_seen))

    # -- span helpers ---------------------------------------------------------------------------

    def _fail(self, span: Span, error: BaseException, at: float) -> None:
        span.record_exception(error, timestamp=_ns(at))
        text = getattr(error, "message", None) or str(error)
        span.set_status(
            self._trace.Status(self._trace.StatusCode.ERROR, f"{type(error).__name__}: {text}")
        )
        span.set_attribute("error.type", type(error).__name__)

    @staticmethod
    def _add_event(span: Span, event: Event) -> None:
        values: dict[str, Any] = {
            "musicgen.attempt": event.attempt,
            "musicgen.status": event.status,
            "musicgen.operation": event.operation,
        }
        for key, value in event.data.items():
            # Events carry no user text today; keep it that way should one ever slip in.
            if key in _TEXT_KEYS:
                continue
            if isinstance(value, (str, bool, int, float)):
                values[f"musicgen.{key}"] = value
        if event.error is not None:
            values["error.type"] = type(event.error).__name__
        span.add_event(
            f"musicgen.{event.name}", attributes=_attributes(values), timestamp=_ns(event.timestamp)
        )
