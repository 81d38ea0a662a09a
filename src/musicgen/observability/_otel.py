"""OpenTelemetry: a hook that makes each public call a span (``pip install 'musicgen-sdk[otel]'``).

::

    client = MusicGenClient(hooks=[OpenTelemetryHook()])

Each public call (``generate``, ``wait``, ``balance``, ``client.run``...) is one
``musicgen.<call>`` span, a child of whatever span is current when the call starts, opened when
the call starts and ended when it returns or raises (with the exception recorded). While the
call runs its span is the current one, so spans of an httpx instrumentation nest under it.
Every HTTP attempt is a ``musicgen.http <operation>`` child span timed from the event's
timestamp and duration; polls, status changes, retries, cache answers and model fallbacks are
span events. Nothing is kept once a call ends: there is no table of open spans to bound.

Only the opentelemetry API is used; the application configures the SDK and exporters.
"""

from __future__ import annotations

import contextvars
import threading
import time
import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._errors import ConfigurationError
from .._version import __version__
from ._events import DETAIL_FIELDS, Event, EventName
from ._redact import is_sensitive_key, is_text_key

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

__all__ = ["OpenTelemetryHook"]

# Bound once and compared by identity (``Event`` makes every known name its member): an
# ``EventName.X == name`` test cost more than the rest of a hook's dispatch.
_CALL_FAILED = EventName.CALL_FAILED
_CALL_STARTED = EventName.CALL_STARTED
_GENERATION_SUCCEEDED = EventName.GENERATION_SUCCEEDED
_HTTP_REQUEST = EventName.HTTP_REQUEST

#: The span of a ``generate`` call (every call's span is ``musicgen.<call>``).
GENERATION_SPAN = "musicgen.generate"
CALL_SPAN_PREFIX = "musicgen."
HTTP_SPAN_PREFIX = "musicgen.http"

_FINISHED = frozenset(
    {
        EventName.GENERATION_SUCCEEDED,
        EventName.GENERATION_FAILED,
        EventName.GENERATION_TIMED_OUT,
    }
)
# Which event fields become span attributes of a finished task.
_OUTCOME = ("status", "polls", "tracks", "polling_duration", "time_to_stream")


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    # OpenTelemetry attributes may not be None.
    return {key: value for key, value in values.items() if value is not None}


class _CallSpan:
    """The span of one call: opened on entry, current while the call runs, ended on exit."""

    __slots__ = ("_hook", "_token", "_var_token", "span", "task_id")

    def __init__(self, hook: OpenTelemetryHook, event: Event) -> None:
        self._hook = hook
        self.task_id = event.task_id
        self.span: Span = hook._tracer.start_span(
            f"{CALL_SPAN_PREFIX}{event.operation}",
            start_time=_ns(event.timestamp),
            attributes=_attributes(
                {
                    "musicgen.correlation_id": event.correlation_id,
                    "musicgen.provider": event.provider,
                    "musicgen.operation": event.operation,
                    "musicgen.task_id": event.task_id,
                }
            ),
        )
        self._token: object = None
        self._var_token: contextvars.Token[_CallSpan | None] | None = None

    def __enter__(self) -> _CallSpan:
        hook = self._hook
        self._token = hook._context_api.attach(hook._trace.set_span_in_context(self.span))
        self._var_token = self._hook._current.set(self)
        self._hook._opened(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        hook = self._hook
        try:
            if error is not None:
                hook._fail(self.span, error, time.time())
            self.span.end()
        finally:
            hook._closed(self)
            if self._var_token is not None:
                hook._current.reset(self._var_token)
            hook._context_api.detach(self._token)


class OpenTelemetryHook:
    """Trace musicgen calls with OpenTelemetry spans: one span per public call, opened and
    closed with the call (the hook's context manager for ``call.started``).

    Args:
        tracer_provider: The provider to get the tracer from (default: the global one).
        max_open_spans: Deprecated and ignored: spans end with their calls, none is kept.
        idle_timeout: Deprecated and ignored, for the same reason.

    Raises:
        ConfigurationError: opentelemetry-api is not installed.
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        *,
        max_open_spans: int | None = None,
        idle_timeout: float | None = None,
    ) -> None:
        try:
            from opentelemetry import context as context_api
            from opentelemetry import trace
        except ImportError as error:
            msg = (
                "OpenTelemetryHook needs the OpenTelemetry API: pip install 'musicgen-sdk[otel]' "
                "(or opentelemetry-api)"
            )
            raise ConfigurationError(msg) from error
        if max_open_spans is not None or idle_timeout is not None:
            warnings.warn(
                "OpenTelemetryHook's max_open_spans= and idle_timeout= do nothing any more: each "
                "call's span ends with the call; remove them",
                DeprecationWarning,
                stacklevel=2,
            )
        self._trace: Any = trace
        self._context_api: Any = context_api
        self._tracer: Tracer = trace.get_tracer(
            "musicgen", __version__, tracer_provider=tracer_provider
        )
        # The call span of the running call, for this hook (two hooks keep two spans).
        self._current: contextvars.ContextVar[_CallSpan | None] = contextvars.ContextVar(
            "musicgen_otel_call", default=None
        )
        self._lock = threading.Lock()
        self._open: set[_CallSpan] = set()

    def __repr__(self) -> str:
        return "OpenTelemetryHook()"

    @property
    def open_spans(self) -> int:
        """How many call spans are open now (calls still running)."""
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        """Nothing to do: every span ends with its call. Kept for older code that called it."""

    def __call__(self, event: Event, /) -> _CallSpan | None:
        """Open the call's span (``call.started``), or turn ``event`` into a child span or a
        span event of it."""
        name = event.name
        if name is _CALL_STARTED:
            return _CallSpan(self, event)
        call = self._current.get()
        if name is _HTTP_REQUEST:
            self._http(event, call)
            return None
        if call is None:
            return None  # not within a call: nothing to attach it to
        span = call.span
        if event.task_id is not None and call.task_id is None:
            call.task_id = event.task_id
            span.set_attribute("musicgen.task_id", event.task_id)
        if event.model is not None:
            span.set_attribute("musicgen.model", event.model)
        if name in _FINISHED:
            self._finished(span, event)
        elif name is not _CALL_FAILED:  # the exit records the call's error
            self._add_event(span, event)
        return None

    # -- per event ------------------------------------------------------------------------------

    def _http(self, event: Event, call: _CallSpan | None) -> None:
        end = event.timestamp
        start = end - (event.duration or 0.0)
        context = None if call is None else self._trace.set_span_in_context(call.span)
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
                    "musicgen.endpoint": event.endpoint,
                    "musicgen.attempt": event.attempt,
                    "http.request.method": event.method,
                    "url.path": event.path,
                    "http.response.status_code": event.status_code,
                    "http.request.resend_count": None
                    if not event.attempt or event.attempt < 2
                    else event.attempt - 1,
                }
            ),
        )
        if event.error is not None:
            self._fail(span, event.error, end)
        span.end(end_time=_ns(end))

    def _finished(self, span: Span, event: Event) -> None:
        span.set_attributes(
            _attributes({f"musicgen.{key}": getattr(event, key) for key in _OUTCOME})
        )
        self._add_event(span, event)
        if event.error is None and event.name is not _GENERATION_SUCCEEDED:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, str(event.name)))

    # -- bookkeeping ----------------------------------------------------------------------------

    def _opened(self, call: _CallSpan) -> None:
        with self._lock:
            self._open.add(call)

    def _closed(self, call: _CallSpan) -> None:
        with self._lock:
            self._open.discard(call)

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
        for key in DETAIL_FIELDS:
            value = getattr(event, key)
            if isinstance(value, (str, bool, int, float)):
                values[f"musicgen.{key}"] = value
        for key, value in event.extra.items():
            # Extra data is nobody's contract: no credentials, no user text in a span.
            if is_sensitive_key(key) or is_text_key(key):
                continue
            if isinstance(value, (str, bool, int, float)):
                values[f"musicgen.{key}"] = value
        if event.error is not None:
            values["error.type"] = type(event.error).__name__
        span.add_event(
            f"musicgen.{event.name}", attributes=_attributes(values), timestamp=_ns(event.timestamp)
        )
