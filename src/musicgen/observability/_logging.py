"""Logging: a hook that writes every ``Event`` to the standard ``logging`` tree.

musicgen logs under the ``musicgen`` logger. Its package ``__init__`` installs a
``logging.NullHandler`` there, as libraries should, so nothing is printed unless the application
configures logging, or sets ``MUSICGEN_LOG=debug`` / ``MUSICGEN_LOG=info`` in the environment
(read once by ``configure_logging_from_env()`` when musicgen is imported).

``LoggingHook`` turns events into records with a readable message and structured ``extra``
fields, so JSON formatters and log shippers can index them::

    client = MusicGenClient(hooks=[LoggingHook()])
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import GenerationFailedError, GenerationTimeoutError
from ._events import Event, EventName
from ._redact import redact_content, user_texts

__all__ = ["LoggingHook", "configure_logging_from_env"]

#: The level each event is logged at; names not listed (future events) use DEBUG.
EVENT_LEVELS: Mapping[str, int] = {
    EventName.HTTP_REQUEST: logging.DEBUG,
    EventName.POLL: logging.DEBUG,
    EventName.RETRY_SCHEDULED: logging.INFO,
    EventName.STATUS_CHANGED: logging.INFO,
    EventName.GENERATION_SUBMITTED: logging.INFO,
    EventName.GENERATION_SUCCEEDED: logging.INFO,
    EventName.MODEL_FALLBACK: logging.WARNING,
    EventName.STATUS_UNKNOWN: logging.WARNING,
    EventName.GENERATION_FAILED: logging.WARNING,
    EventName.GENERATION_TIMED_OUT: logging.WARNING,
    EventName.CALL_FAILED: logging.ERROR,
}

#: Events the client logs itself (on ``musicgen``), so the hook does not repeat them.
LOGGED_BY_CLIENT = frozenset(
    {EventName.MODEL_FALLBACK, EventName.STATUS_UNKNOWN, EventName.RETRY_SCHEDULED}
)

# Data keys that would hold the user's own text: dropped unless include_text=True.
_TEXT_KEYS = frozenset({"prompt", "lyrics", "style", "title"})
# Words that mark a credential: such keys are dropped always, whatever include_text says.
_SECRET_MARKERS = ("key", "token", "secret", "authorization", "password", "cookie")

_ENV_VAR = "MUSICGEN_LOG"
_ENV_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_ENV_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_ENV_HANDLER_NAME = "musicgen-env"


class LoggingHook:
    """Log every musicgen event, with structured fields, on the ``musicgen`` logger tree.

    Each record's ``extra`` holds ``musicgen_event`` (the event name), ``correlation_id``,
    ``provider``, ``model``, ``task_id``, ``operation``, ``attempt``, ``duration``, ``status``,
    ``musicgen_error`` (the exception type name, or None) and every data key prefixed with
    ``musicgen_`` (e.g. ``musicgen_status_code``).

    Levels: ``http.request`` and ``poll`` are DEBUG; ``status.changed``,
    ``generation.submitted`` and ``generation.succeeded`` are INFO; ``generation.failed`` and
    ``generation.timed_out`` are WARNING.
    ``call.failed`` is WARNING when the error is ``GenerationFailedError`` or
    ``GenerationTimeoutError`` (the task's outcome, already logged by ``generation.failed`` /
    ``generation.timed_out``), and ERROR otherwise (the provider, the network, the
    configuration or the input stopped the call).

    Each fact is logged once: ``model.fallback`` and ``status.unknown`` (WARNING) and
    ``retry.scheduled`` (INFO) are logged by the client itself on the ``musicgen`` logger, with
    the same structured fields, whether or not this hook is attached, so the hook skips them.

    Prompts, lyrics, styles and titles are never logged unless ``include_text=True``: neither
    as data keys nor inside an error message (a provider's failure reason that quotes the
    lyrics, a validation error): the call's texts are found in its own frames and masked by
    content. Keys that look like credentials are never logged at all.

    Args:
        logger: A logger, or the name of one (default ``"musicgen.events"``).
        level: The lowest level this hook logs at: events whose own level is lower are raised
            to it, e.g. ``level=logging.INFO`` shows every HTTP attempt at INFO.
        include_text: Also log data keys holding user text (prompt, lyrics, style, title).
    """

    __slots__ = ("include_text", "level", "logger")

    def __init__(
        self,
        *,
        logger: logging.Logger | str = "musicgen.events",
        level: int = logging.DEBUG,
        include_text: bool = False,
    ) -> None:
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.level = level
        self.include_text = include_text

    def __repr__(self) -> str:
        return (
            f"LoggingHook(logger={self.logger.name!r}, level={logging.getLevelName(self.level)}, "
            f"include_text={self.include_text})"
        )

    def __call__(self, event: Event, /) -> None:
        """Log ``event`` (nothing is formatted when the level is disabled)."""
        if event.name in LOGGED_BY_CLIENT:
            return
        level = max(self.level, _level_of(event))
        if not self.logger.isEnabledFor(level):
            return
        data = self._visible_data(event.data)
        extra: dict[str, Any] = {
            "musicgen_event": event.name,
            "correlation_id": event.correlation_id,
            "provider": event.provider,
            "model": event.model,
            "task_id": event.task_id,
            "operation": event.operation,
            "attempt": event.attempt,
            "duration": event.duration,
            "status": event.status,
            "musicgen_error": None if event.error is None else type(event.error).__name__,
        }
        for key, value in data.items():
            extra[f"musicgen_{key}"] = value
        # Formatted now: the level check above already ruled out the disabled case, and a plain
        # string message survives any handler (queues, pickling, JSON formatters).
        message = _message(event, data)
        if not self.include_text and event.error is not None:
            # An error's message is free text: it may quote the user's texts (data never does).
            texts = user_texts(frame=sys._getframe(1), error=event.error)
            if texts:
                message = redact_content(message, texts)
                for key, value in extra.items():
                    if isinstance(value, str):
                        extra[key] = redact_content(value, texts)
        self.logger.log(level, message, extra=extra)

    def _visible_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        visible: dict[str, Any] = {}
        for key, value in data.items():
            lowered = key.lower()
            if any(marker in lowered for marker in _SECRET_MARKERS):
                continue
            if lowered in _TEXT_KEYS and not self.include_text:
                continue
            visible[key] = value
        return visible


def configure_logging_from_env(environ: Mapping[str, str] = os.environ) -> None:
    """Print musicgen's logs to stderr when ``MUSICGEN_LOG`` is ``debug`` or ``info``.

    Attaches one ``StreamHandler`` to the ``musicgen`` logger and sets that logger's level.
    Calling it again adds no second handler (it only updates the level). Any other value, or
    none, leaves logging untouched.

    Args:
        environ: Where to read ``MUSICGEN_LOG`` (default: the process environment).
    """
    level = _ENV_LEVELS.get(environ.get(_ENV_VAR, "").strip().lower())
    if level is None:
        return
    root = logging.getLogger("musicgen")
    root.setLevel(level)
    for existing in root.handlers:
        if existing.get_name() == _ENV_HANDLER_NAME:
            existing.setLevel(level)
            return
    handler = logging.StreamHandler(sys.stderr)
    # The name marks the handler as ours, so a second call finds it instead of adding one.
    handler.set_name(_ENV_HANDLER_NAME)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(_ENV_FORMAT))
    root.addHandler(handler)


def _level_of(event: Event) -> int:
    if event.name == EventName.CALL_FAILED and _is_outcome(event.error):
        return logging.WARNING
    return EVENT_LEVELS.get(event.name, logging.DEBUG)


def _is_outcome(error: BaseException | None) -> bool:
    return isinstance(error, (GenerationFailedError, GenerationTimeoutError))


def _message(event: Event, data: Mapping[str, Any]) -> str:
    body = _FORMATTERS.get(event.name, _generic)(event, data)
    return f"{event.name} {body} [corr={event.correlation_id}]"


def _ms(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds * 1000:.1f} ms"


def _s(seconds: Any) -> str:
    return f"{seconds:.2f} s" if isinstance(seconds, (int, float)) else "?"


def _who(event: Event) -> str:
    parts = [p for p in (event.provider, f"task {event.task_id}" if event.task_id else None) if p]
    return " ".join(parts) or "-"


def _error_text(error: BaseException | None) -> str:
    if error is None:
        return ""
    # MusicGenError.message has no correlation suffix; the record's message adds its own.
    text = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _http(event: Event, data: Mapping[str, Any]) -> str:
    code = data.get("status_code")
    outcome = str(code) if code is not None else "no response"
    if event.error is not None:
        outcome += f" {type(event.error).__name__}"
    return (
        f"{data.get('method', '?')} {data.get('path', '?')} -> {outcome} in {_ms(event.duration)} "
        f"({event.provider} {event.operation}, attempt {event.attempt})"
    )


def _retry(event: Event, data: Mapping[str, Any]) -> str:
    return (
        f"{event.provider} {event.operation}: retry {event.attempt} in {_s(data.get('wait'))} "
        f"after {data.get('cause', '?')}"
    )


def _poll(event: Event, data: Mapping[str, Any]) -> str:
    return (
        f"{_who(event)}: poll {event.attempt} -> {event.status} "
        f"({data.get('provider_status', '?')}) after {_s(data.get('elapsed'))}"
    )


def _changed(event: Event, data: Mapping[str, Any]) -> str:
    return (
        f"{_who(event)}: {data.get('previous', '?')} -> {event.status} "
        f"({data.get('previous_provider_status', '?')} -> {data.get('provider_status', '?')})"
    )


def _unknown(event: Event, data: Mapping[str, Any]) -> str:
    return (
        f"{_who(event)}: unknown provider status {data.get('provider_status')!r}, "
        "treated as still running"
    )


def _fallback(event: Event, data: Mapping[str, Any]) -> str:
    return (
        f"{event.provider}: unknown model {data.get('requested')!r} replaced by "
        f"the default {event.model!r}"
    )


def _submitted(event: Event, data: Mapping[str, Any]) -> str:
    return f"{_who(event)} (model {event.model}): {event.status}"


def _finished(event: Event, data: Mapping[str, Any]) -> str:
    text = (
        f"{_who(event)} (model {event.model}) after {_s(event.duration)}: "
        f"{data.get('tracks', '?')} tracks, {data.get('polls', '?')} polls"
    )
    if data.get("time_to_stream") is not None:
        text += f", first stream after {_s(data['time_to_stream'])}"
    if event.error is not None:
        text += f"; {_error_text(event.error)}"
    return text


def _call_failed(event: Event, data: Mapping[str, Any]) -> str:
    where = f"{event.operation} ({_who(event)})"
    return f"{where} after {_s(event.duration)}: {_error_text(event.error)}"


def _generic(event: Event, data: Mapping[str, Any]) -> str:
    fields = " ".join(f"{key}={value!r}" for key, value in data.items())
    text = f"{_who(event)} {fields}".rstrip()
    if event.error is not None:
        text += f"; {_error_text(event.error)}"
    return text


_FORMATTERS: Mapping[str, Callable[[Event, Mapping[str, Any]], str]] = {
    EventName.HTTP_REQUEST: _http,
    EventName.RETRY_SCHEDULED: _retry,
    EventName.POLL: _poll,
    EventName.STATUS_CHANGED: _changed,
    EventName.STATUS_UNKNOWN: _unknown,
    EventName.MODEL_FALLBACK: _fallback,
    EventName.GENERATION_SUBMITTED: _submitted,
    EventName.GENERATION_SUCCEEDED: _finished,
    EventName.GENERATION_FAILED: _finished,
    EventName.GENERATION_TIMED_OUT: _finished,
    EventName.CALL_FAILED: _call_failed,
}
