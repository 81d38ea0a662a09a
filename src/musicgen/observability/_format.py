"""One line of text for an ``Event``: what ``LoggingHook`` logs and Sentry's breadcrumbs say.

Built from the event's typed fields only. ``free_text=False`` leaves out what may quote the
user's texts or carry unknown data (an error's message, extra ``data`` keys): the error is
named by its type only. Nothing here masks anything; the callers do what their sink needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._events import Event, EventName
from ._redact import is_sensitive_key, is_text_key

__all__ = ["describe", "error_text", "visible"]


def describe(event: Event, *, free_text: bool = True) -> str:
    """What ``event`` says, in one line (without its name or correlation id)."""
    formatter = _FORMATTERS.get(event.name)
    if formatter is None:
        return _generic(event, free_text)
    if event.error is not None:
        # Only an error's message depends on free_text: the same with or without it otherwise.
        return formatter(event, free_text)
    # Kept on the event: LoggingHook and SentryHook both describe every event they receive.
    text = event._text
    if text is None:
        text = event._text = formatter(event, free_text)
    return text


def error_text(error: BaseException | None, *, free_text: bool = True) -> str:
    """``Type: message`` (the type alone without ``free_text``); empty without an error."""
    if error is None:
        return ""
    if not free_text:
        return type(error).__name__
    # MusicGenError.message has no correlation suffix; a log record adds its own.
    text = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _s(seconds: object) -> str:
    return f"{seconds:.2f} s" if isinstance(seconds, (int, float)) else "?"


def _who(event: Event) -> str:
    if event.task_id:
        return (
            f"{event.provider} task {event.task_id}" if event.provider else f"task {event.task_id}"
        )
    return event.provider or "-"


def _http(event: Event, free_text: bool) -> str:
    code = event.status_code
    outcome = str(code) if code is not None else "no response"
    if event.error is not None:
        outcome += f" {type(event.error).__name__}"
    duration = event.duration
    took = "?" if duration is None else f"{duration * 1000:.1f} ms"
    return (
        f"{event.method or '?'} {event.path or '?'} -> {outcome} in {took} "
        f"({event.provider} {event.operation}, attempt {event.attempt})"
    )


def _retry(event: Event, free_text: bool) -> str:
    wait = "stamina's backoff" if event.wait is None else _s(event.wait)
    return (
        f"{event.provider} {event.operation}: retry {event.attempt} in {wait} "
        f"after {event.cause or '?'}"
    )


def _poll(event: Event, free_text: bool) -> str:
    elapsed = event.elapsed
    after = f"{elapsed:.2f} s" if elapsed.__class__ is float else _s(elapsed)
    return (
        f"{_who(event)}: poll {event.attempt} -> {event.status} "
        f"({event.provider_status or '?'}) after {after}"
    )


def _changed(event: Event, free_text: bool) -> str:
    return (
        f"{_who(event)}: {event.previous or '?'} -> {event.status} "
        f"({event.previous_provider_status or '?'} -> {event.provider_status or '?'})"
    )


def _unknown(event: Event, free_text: bool) -> str:
    return (
        f"{_who(event)}: unknown provider status {event.provider_status!r}, "
        "treated as still running"
    )


def _fallback(event: Event, free_text: bool) -> str:
    return (
        f"{event.provider}: unknown model {event.requested!r} replaced by "
        f"the default {event.model!r}"
    )


def _submitted(event: Event, free_text: bool) -> str:
    return f"{_who(event)} (model {event.model}): {event.status}"


def _finished(event: Event, free_text: bool) -> str:
    text = f"{_who(event)} (model {event.model}) after {_s(event.duration)}"
    if event.polls is not None:
        text += f": {event.tracks if event.tracks is not None else '?'} tracks, {event.polls} polls"
    if event.time_to_stream is not None:
        text += f", first stream after {_s(event.time_to_stream)}"
    if event.error is not None:
        text += f"; {error_text(event.error, free_text=free_text)}"
    return text


def _started(event: Event, free_text: bool) -> str:
    return f"{event.operation} ({_who(event)})"


def _call_failed(event: Event, free_text: bool) -> str:
    return (
        f"{event.operation} ({_who(event)}) after {_s(event.duration)}: "
        f"{error_text(event.error, free_text=free_text)}"
    )


def _cache(event: Event, free_text: bool) -> str:
    return f"{_who(event)}: {event.kind or '?'}"


def _generic(event: Event, free_text: bool) -> str:
    text = _who(event)
    if free_text:
        fields = " ".join(
            f"{key}={value!r}"
            for key, value in visible(event.data, include_text=False).items()
            if value is not None
        )
        text = f"{text} {fields}".rstrip()
    if event.error is not None:
        text += f"; {error_text(event.error, free_text=free_text)}"
    return text


def visible(data: Mapping[str, Any], *, include_text: bool) -> dict[str, Any]:
    """``data`` without credential keys, and without user-text keys unless ``include_text``."""
    return {
        key: value
        for key, value in data.items()
        if not is_sensitive_key(key) and (include_text or not is_text_key(key))
    }


_FORMATTERS: Mapping[str, Callable[[Event, bool], str]] = {
    EventName.CALL_STARTED: _started,
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
    EventName.CACHE_HIT: _cache,
    EventName.CACHE_MISS: _cache,
    EventName.CACHE_RESUME: _cache,
}
