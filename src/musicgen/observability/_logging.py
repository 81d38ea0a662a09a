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
import operator
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import GenerationFailedError, GenerationTimeoutError
from ._events import DATA_KEYS, DETAIL_FIELDS, Event, EventName
from ._format import describe, visible
from ._redact import redact_content, user_texts

__all__ = ["LoggingHook", "configure_logging_from_env"]

# Bound once and compared by identity (``Event`` makes every known name its member): an
# ``EventName.X == name`` test cost more than the rest of a hook's dispatch.
_CALL_FAILED = EventName.CALL_FAILED

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

#: Events the hook does not log: those the client logs itself (on ``musicgen``), and
#: ``call.started``, which only opens the call (its first request or its failure is logged).
LOGGED_BY_CLIENT = frozenset(
    {EventName.MODEL_FALLBACK, EventName.STATUS_UNKNOWN, EventName.RETRY_SCHEDULED}
)
_SKIPPED = LOGGED_BY_CLIENT | {EventName.CALL_STARTED}

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
    ``call.started`` is not logged either: the call's first request, or its failure, says it.

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
        name = event.name
        if name in _SKIPPED:
            return
        level = self.level
        own = _level_of(event)
        if own > level:
            level = own
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        extra: dict[str, Any] = {
            "musicgen_event": name,
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
        _add_details(extra, event, self.include_text)
        # Formatted now: the level check above already ruled out the disabled case, and a plain
        # string message survives any handler (queues, pickling, JSON formatters).
        message = f"{name} {describe(event)} [corr={event.correlation_id}]"
        if not self.include_text and event.error is not None:
            # An error's message is free text: it may quote the user's texts (data never does).
            texts = user_texts(frame=sys._getframe(1), error=event.error)
            if texts:
                message = redact_content(message, texts)
                for key, value in extra.items():
                    if isinstance(value, str):
                        extra[key] = redact_content(value, texts)
        # makeRecord + handle is what Logger.log does, minus the stack walk that finds the
        # caller: that caller would be this method, which tells a reader nothing, and the walk
        # was the largest part of the hook's cost.
        if logger.disabled:
            return
        record = logger.makeRecord(logger.name, level, __file__, 0, message, (), None, "__call__")
        # What makeRecord does with extra=, less its per-key check against the record's own
        # attributes: these names are fixed and none of them is one.
        record.__dict__.update(extra)
        logger.handle(record)


def _add_details(extra: dict[str, Any], event: Event, include_text: bool) -> None:
    """The event's details as ``musicgen_<field>`` keys: those its name carries (None
    included, so a formatter sees stable keys; every set one for other names), and its extra
    data without credentials (and without user text unless ``include_text``)."""
    known = _DETAILS_OF.get(event.name)
    if known is not None:
        keys, values = known
        extra.update(zip(keys, values(event), strict=True))
    else:
        for key in DETAIL_FIELDS:
            value = getattr(event, key)
            if value is not None:
                extra[f"musicgen_{key}"] = value
    if event.extra:
        for key, value in visible(event.extra, include_text=include_text).items():
            extra[f"musicgen_{key}"] = value


def _getter(names: tuple[str, ...]) -> Callable[[Event], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda event: (getattr(event, name),)
    return operator.attrgetter(*names)  # one C call for all of them


# Per event name: the record keys of its details, and what reads them off the event.
_DETAILS_OF: dict[str, tuple[tuple[str, ...], Callable[[Event], tuple[Any, ...]]]] = {
    name: (tuple(f"musicgen_{key}" for key in keys), _getter(keys))
    for name, keys in DATA_KEYS.items()
}


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
    if event.name is _CALL_FAILED and _is_outcome(event.error):
        return logging.WARNING
    return EVENT_LEVELS.get(event.name, logging.DEBUG)


def _is_outcome(error: BaseException | None) -> bool:
    return isinstance(error, (GenerationFailedError, GenerationTimeoutError))
