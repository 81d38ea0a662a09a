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
        plan = _PLANS.get(name, _GENERIC)
        if plan is None:
            return
        own, keys, values = plan
        error = event.error
        if name is _CALL_FAILED and _is_outcome(error):
            own = logging.WARNING
        level = self.level
        if own > level:
            level = own
        logger = self.logger
        if not logger.isEnabledFor(level) or logger.disabled:
            return
        # Formatted now: the level check above already ruled out the disabled case, and a plain
        # string message survives any handler (queues, pickling, JSON formatters).
        message = f"{name} {describe(event)} [corr={event.correlation_id}]"
        texts: frozenset[str] | None = None
        if error is not None and not self.include_text:
            # An error's message is free text: it may quote the user's texts (data never does).
            texts = user_texts(frame=sys._getframe(1), error=error)
            if texts:
                message = redact_content(message, texts)
        # makeRecord + handle is what Logger.log does, minus the stack walk that finds the
        # caller: that caller would be this method, which tells a reader nothing, and the walk
        # was the largest part of the hook's cost.
        record = logger.makeRecord(logger.name, level, __file__, 0, message, (), None, "__call__")
        # What makeRecord does with extra=, written straight into the record (no dict to build
        # and merge, no per-key check: these names are fixed and none is a record attribute).
        fields = record.__dict__
        fields["musicgen_event"] = name
        fields["correlation_id"] = event.correlation_id
        fields["provider"] = event.provider
        fields["model"] = event.model
        fields["task_id"] = event.task_id
        fields["operation"] = event.operation
        fields["attempt"] = event.attempt
        fields["duration"] = event.duration
        fields["status"] = event.status
        fields["musicgen_error"] = None if error is None else type(error).__name__
        # The details its name carries (None included, so a formatter sees stable keys),
        # every set one for other names.
        if keys:
            fields.update(zip(keys, values(event), strict=True))
        else:
            _add_set_details(fields, event)
        if event._extra:
            for key, value in visible(event._extra, include_text=self.include_text).items():
                fields[f"musicgen_{key}"] = value
        if texts:
            for key, value in fields.items():
                if isinstance(value, str) and (key in _EXTRA_KEYS or key.startswith("musicgen_")):
                    fields[key] = redact_content(value, texts)
        logger.handle(record)


def _add_set_details(extra: dict[str, Any], event: Event) -> None:
    """Every set detail of an event whose name musicgen does not know, as ``musicgen_<field>``."""
    for key in DETAIL_FIELDS:
        value = getattr(event, key)
        if value is not None:
            extra[f"musicgen_{key}"] = value


def _getter(names: tuple[str, ...]) -> Callable[[Event], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda event: (getattr(event, name),)
    return operator.attrgetter(*names)  # one C call for all of them


_Plan = tuple[int, tuple[str, ...], Callable[[Event], tuple[Any, ...]]]
#: The record attributes the hook sets besides its ``musicgen_`` ones.
_EXTRA_KEYS = frozenset(
    {"correlation_id", "provider", "model", "task_id", "operation", "attempt", "duration", "status"}
)


def _no_details(event: Event) -> tuple[Any, ...]:
    return ()


def _plan(name: str) -> _Plan | None:
    if name in _SKIPPED:
        return None
    keys = DATA_KEYS.get(name, ())
    # An empty key tuple means "every set detail": a known name without details has none set.
    return (
        EVENT_LEVELS.get(name, logging.DEBUG),
        tuple(f"musicgen_{key}" for key in keys),
        _getter(keys) if keys else _no_details,
    )


# Per event name: its level, the record keys of its details and what reads them off the event
# (None: the hook does not log it). One lookup per event instead of three.
_PLANS: dict[str, _Plan | None] = {name: _plan(name) for name in EventName}
#: Names musicgen does not know: DEBUG, with every detail that is set.
_GENERIC: _Plan = (logging.DEBUG, (), _no_details)


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


def _is_outcome(error: BaseException | None) -> bool:
    return isinstance(error, (GenerationFailedError, GenerationTimeoutError))
