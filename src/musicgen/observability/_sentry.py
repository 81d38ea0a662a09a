"""Sentry: failed musicgen calls as issues, everything else as breadcrumbs, secrets kept out.

Two ways in:

- an app that already calls ``sentry_sdk.init`` passes ``hooks=[SentryHook()]`` to its client.
  The hook reports through the app's own Sentry client and chains musicgen's scrubber in front
  of the app's ``before_send`` and ``before_send_transaction``. It adds nothing to the path of
  breadcrumbs that are not musicgen's: its own are scrubbed as it builds them;
- a script that owns its process calls ``init_sentry()`` once (DSN from ``SENTRY_DSN``).

What is sent: one error event per failed public call (``call.failed``), grouped by provider and
error kind; a warning for an unknown model or task status; breadcrumbs for requests, retries and
polls. What is never sent: API keys (explicit ``secrets``, ``MUSICGEN_*_API_KEY``,
``SUNO_API_KEY``, ``MUREKA_API_KEY`` and anything shaped like a key), Authorization headers,
credential query parameters, e-mail addresses and, unless ``send_default_pii`` is on, prompts
and lyrics. This module is imported lazily: ``import musicgen`` never imports ``sentry_sdk``.
"""

from __future__ import annotations

import contextvars
import logging
import operator
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from itertools import compress, repeat
from operator import is_not
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from sentry_sdk import Scope
from sentry_sdk.utils import BadDsn

from .._errors import (
    APIError,
    ConfigurationError,
    GenerationFailedError,
    SubmissionUncertainError,
)
from .._version import __version__
from ._events import DATA_KEYS, DETAIL_FIELDS, Event, EventName
from ._format import describe
from ._redact import (
    FILTERED,
    mask_exact,
    redact_content_deep,
    redact_mapping,
    redact_query,
    redact_text,
    redact_url,
    user_texts,
)

if TYPE_CHECKING:
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Hint
    from sentry_sdk.types import Event as SentryEvent

__all__ = [
    "SentryHook",
    "init_sentry",
    "install_scrubber",
    "musicgen_before_breadcrumb",
    "musicgen_before_send",
    "scrub_event",
]

# Bound once and compared by identity (``Event`` makes every known name its member): an
# ``EventName.X == name`` test cost more than the rest of a hook's dispatch.
_CALL_FAILED = EventName.CALL_FAILED
_CALL_STARTED = EventName.CALL_STARTED
_MODEL_FALLBACK = EventName.MODEL_FALLBACK
_STATUS_UNKNOWN = EventName.STATUS_UNKNOWN
# What sentry_sdk.get_isolation_scope() calls, less a frame per breadcrumb.
_isolation_scope = Scope.get_isolation_scope

logger = logging.getLogger("musicgen")

_ENV_KEY_NAMES = frozenset({"SUNO_API_KEY", "MUREKA_API_KEY"})
# Sentry drops tag values longer than 200 characters.
_MAX_TAG = 200
_MAX_TEXT = 500

_secrets_lock = threading.Lock()
_registered_secrets: frozenset[str] = frozenset()
# (registered set, environment size, their union): the union is rebuilt only when either
# changes, so every event sees the same frozenset and the patterns cached for it.
_known_cache: tuple[frozenset[str], int, frozenset[str]] = (frozenset(), -1, frozenset())


def _register_secrets(secrets: Iterable[str]) -> None:
    # Process-wide on purpose: whichever client reports, no musicgen key may leave.
    global _registered_secrets
    with _secrets_lock:
        _registered_secrets = _registered_secrets | frozenset(secrets)


def _known_secrets() -> frozenset[str]:
    """The registered secrets plus the provider keys in the environment."""
    global _known_cache
    registered, size, known = _known_cache
    if registered is not _registered_secrets or size != len(os.environ):
        registered = _registered_secrets
        known = registered | _env_secrets()
        _known_cache = (registered, len(os.environ), known)
    return known


_env_cache: tuple[int, frozenset[str]] = (-1, frozenset())


def _env_secrets() -> frozenset[str]:
    # Scanning os.environ on every event cost more than the rest of the hook; the scan is kept
    # until a variable is added or removed (keys are set at start-up, not changed in place).
    global _env_cache
    size, found = _env_cache
    if size != len(os.environ):
        found = frozenset(
            value.strip()
            for name, value in os.environ.items()
            if value.strip()
            and (
                name in _ENV_KEY_NAMES
                or (name.startswith("MUSICGEN_") and name.endswith("_API_KEY"))
            )
        )
        _env_cache = (len(os.environ), found)
    return found


def _keeps_pii() -> bool:
    return bool(sentry_sdk.get_client().should_send_default_pii())


# --------------------------------------------------------------------------------------------
# Scrubbing whole Sentry events
# --------------------------------------------------------------------------------------------

# Protocol fields that carry no user data; scrubbing them could only break grouping or routing.
# `user` is the host's own decision, governed by Sentry's send_default_pii.
_UNTOUCHED = frozenset(
    {
        "_meta",
        "debug_meta",
        "dist",
        "environment",
        "event_id",
        "level",
        "modules",
        "platform",
        "release",
        "sdk",
        "start_timestamp",
        "timestamp",
        "type",
        "user",
    }
)
# Frame fields that locate code; masking them would only break grouping and source links.
_FRAME_LOCATION = frozenset(
    {"filename", "abs_path", "function", "module", "lineno", "colno", "in_app", "package"}
)


def _scrub_frames(stacktrace: Any, secrets: frozenset[str], drop_pii: bool) -> Any:
    if not isinstance(stacktrace, Mapping):
        return redact_mapping(stacktrace, secrets)
    result: dict[str, Any] = {}
    for key, value in stacktrace.items():
        if key == "frames" and isinstance(value, list):
            result[key] = [_scrub_frame(frame, secrets, drop_pii) for frame in value]
        else:
            result[key] = redact_mapping(value, secrets)
    return result


def _scrub_frame(frame: Any, secrets: frozenset[str], drop_pii: bool) -> Any:
    if not isinstance(frame, Mapping):
        return redact_mapping(frame, secrets)
    result: dict[str, Any] = {}
    for key, value in frame.items():
        if key in _FRAME_LOCATION:
            result[key] = value
        elif key == "vars":
            # Local variables: sentry captures them by default, and a musicgen frame may hold
            # headers, request bodies (prompts, callback URLs) or a key read from the env.
            result[key] = redact_mapping(value, secrets, drop_pii=drop_pii)
        else:
            # Source lines too: a key hard-coded in a script is still a key.
            result[key] = redact_mapping(value, secrets)
    return result


def _scrub_values(container: Any, secrets: frozenset[str], drop_pii: bool) -> Any:
    """Scrub ``exception`` or ``threads``: ``{"values": [{..., "stacktrace": ...}]}``."""
    if not isinstance(container, Mapping):
        return redact_mapping(container, secrets)
    result: dict[str, Any] = {}
    for key, value in container.items():
        if key == "values" and isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, Mapping):
                    items.append(
                        {
                            k: _scrub_frames(v, secrets, drop_pii)
                            if k == "stacktrace"
                            else redact_mapping(v, secrets)
                            for k, v in item.items()
                        }
                    )
                else:
                    items.append(redact_mapping(item, secrets))
            result[key] = items
        else:
            result[key] = redact_mapping(value, secrets)
    return result


def _scrub_request(request: Any, secrets: frozenset[str], drop_pii: bool) -> Any:
    if not isinstance(request, Mapping):
        return redact_mapping(request, secrets)
    result: dict[str, Any] = {}
    for key, value in request.items():
        if key == "url" and isinstance(value, str):
            result[key] = redact_url(value, secrets)
        elif key == "query_string" and isinstance(value, str):
            result[key] = redact_query(value, secrets)
        elif key == "cookies":
            # Cookies are sessions: none of them is needed to debug a musicgen failure.
            result[key] = None if value is None else FILTERED
        elif key == "data":
            result[key] = redact_mapping(value, secrets, drop_pii=drop_pii)
        else:
            result[key] = redact_mapping(value, secrets)
    return result


def _scrub_section(key: str, value: Any, secrets: frozenset[str], drop_pii: bool) -> Any:
    if key in ("exception", "threads"):
        return _scrub_values(value, secrets, drop_pii)
    if key == "stacktrace":
        return _scrub_frames(value, secrets, drop_pii)
    if key == "request":
        return _scrub_request(value, secrets, drop_pii)
    if key in ("extra", "breadcrumbs"):
        return redact_mapping(value, secrets, drop_pii=drop_pii)
    return redact_mapping(value, secrets)


def scrub_event(
    event: dict[str, Any],
    secrets: Iterable[str] = (),
    *,
    drop_pii: bool = True,
    texts: Iterable[str] = (),
) -> dict[str, Any]:
    """Scrub a serialised Sentry event in place (and return it).

    Args:
        event: The event as ``before_send`` receives it.
        secrets: Exact strings to mask, on top of the patterns of ``_redact``.
        drop_pii: Also remove prompts, lyrics, styles and titles from frame variables, extra,
            request bodies and breadcrumbs (by name), and ``texts`` wherever they are.
        texts: The user's texts of the call being reported (``user_texts``), masked by
            content in every string of the event: a variable named ``value``, an error
            message, a breadcrumb, a source line.

    Returns:
        ``event``: exception values, messages, breadcrumbs, request, extra, contexts, tags and
        stack frames (local variables and source lines) scrubbed.
    """
    secret_set = frozenset(secrets)
    text_set = frozenset(texts) if drop_pii else frozenset()
    for key in list(event):
        if key in _UNTOUCHED:
            continue
        try:
            event[key] = _scrub_section(key, event[key], secret_set, drop_pii)
            if text_set:
                event[key] = redact_content_deep(event[key], text_set)
        except Exception:  # noqa: BLE001 - any failure must mask, never send unscrubbed
            # Fail closed for this part only: the rest of the report still helps.
            event[key] = FILTERED
    return event


def _hint_error(hint: Any) -> BaseException | None:
    """The exception a Sentry hint carries: ``exc_info``, or a log record's."""
    if not isinstance(hint, Mapping):
        return None
    exc_info = hint.get("exc_info")
    record = hint.get("log_record")
    if exc_info is None and record is not None:
        exc_info = getattr(record, "exc_info", None)
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        exc_info = exc_info[1]
    return exc_info if isinstance(exc_info, BaseException) else None


def musicgen_before_send(event: SentryEvent, hint: Hint) -> SentryEvent | None:
    """A Sentry ``before_send`` that removes musicgen secrets and, without PII, the user's
    prompts, lyrics, styles and titles.

    Without ``send_default_pii`` the texts are found in the frames of the call being reported
    (this callback runs on its stack) and of the exception in ``hint`` (the host may capture
    it after the call returned), then masked wherever they appear in the event.

    Args:
        event: The serialised event.
        hint: Sentry's hint: its ``exc_info`` (or log record) leads to the texts to mask.

    Returns:
        The scrubbed event. It is never dropped: a report without secrets is still a report.
    """
    if not isinstance(event, dict):
        return event
    drop_pii = not _keeps_pii()
    texts: Iterable[str] = ()
    if drop_pii and _holds_musicgen_data(event):
        # Walking the frames for the call's texts is the costly part: only an event musicgen
        # may have put its texts into is worth it. The rest is scrubbed for keys all the same.
        texts = user_texts(frame=sys._getframe(1), error=_hint_error(hint))
    return cast(
        "SentryEvent",
        scrub_event(
            cast("dict[str, Any]", event), _known_secrets(), drop_pii=drop_pii, texts=texts
        ),
    )


def _holds_musicgen_data(event: Mapping[str, Any]) -> bool:
    """Whether ``event`` may hold a musicgen call's data: musicgen's tags or context, its
    breadcrumbs, or a musicgen frame or exception (a failure inside a call, or raised by one)."""
    tags = event.get("tags")
    if isinstance(tags, Mapping) and any(str(key).startswith("musicgen.") for key in tags):
        return True
    contexts = event.get("contexts")
    if isinstance(contexts, Mapping) and "musicgen" in contexts:
        return True
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, Mapping) else crumbs
    if isinstance(values, list) and any(
        isinstance(c, Mapping) and str(c.get("category", "")).startswith("musicgen.")
        for c in values
    ):
        return True
    for section in ("exception", "threads"):
        container = event.get(section)
        items = container.get("values") if isinstance(container, Mapping) else None
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, Mapping):
                continue
            if str(item.get("module") or "").startswith("musicgen"):
                return True
            stacktrace = item.get("stacktrace")
            frames = stacktrace.get("frames") if isinstance(stacktrace, Mapping) else None
            if isinstance(frames, list) and any(
                isinstance(f, Mapping) and str(f.get("module") or "").startswith("musicgen")
                for f in frames
            ):
                return True
    # A message captured while a call runs (a log record, a host's capture_message) has no
    # stack trace to tell by: the live stack does.
    return _musicgen_on_stack(sys._getframe(2))


def _musicgen_on_stack(frame: Any) -> bool:
    # The observability modules run here for any event (this scrubber); the client's do not.
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.startswith("musicgen.") and not name.startswith("musicgen.observability"):
            return True
        frame = frame.f_back
    return False


def musicgen_before_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb | None:
    """A Sentry ``before_breadcrumb`` that masks secrets in every breadcrumb, not just ours.

    Not installed by ``SentryHook``, ``install_scrubber`` or ``init_sentry``: musicgen's own
    breadcrumbs are scrubbed as they are built, and a library must not slow down the host's.
    An app that wants every breadcrumb scrubbed may pass it as ``before_breadcrumb`` itself.

    Args:
        crumb: The breadcrumb (``message``, ``data``, ``category``, ...).
        hint: Sentry's hint (unused).

    Returns:
        The scrubbed breadcrumb; never None.
    """
    if not isinstance(crumb, dict):
        return crumb
    secrets = _known_secrets()
    drop_pii = not _keeps_pii()
    for key in list(crumb):
        if key not in ("timestamp", "type", "level"):
            crumb[key] = redact_mapping(crumb[key], secrets, drop_pii=drop_pii)
    return crumb


class _Chained:
    """A ``before_send``-style callback: musicgen's scrubber first, then the host's own.

    Scrubbing first means the host's callback sees what Sentry will receive, as it already does
    with Sentry's own ``event_scrubber``, and keeps the last word: it can still drop, regroup or
    tag the event. It also cannot leak a key if it forwards events elsewhere (a log, a queue).
    """

    def __init__(self, scrub: Callable[[Any, Any], Any], host: Callable[[Any, Any], Any] | None):
        self.scrub = scrub
        self.host = host
        # What `inspect.unwrap` and debuggers follow to the host's own callback.
        self.__wrapped__ = host

    def __call__(self, item: Any, hint: Any) -> Any:
        scrubbed = self.scrub(item, hint)
        if scrubbed is None or self.host is None:
            return scrubbed
        return self.host(scrubbed, hint)

    def __repr__(self) -> str:
        return f"<musicgen scrubber then {self.host!r}>"


_SCRUBBERS: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = (
    ("before_send", musicgen_before_send),
    # Transactions skip before_send; their spans carry URLs and data too.
    ("before_send_transaction", musicgen_before_send),
    # No before_breadcrumb: it would run for every breadcrumb of the host (each httpx request,
    # each log line), and the breadcrumbs a sent event carries are scrubbed by before_send.
)
_install_lock = threading.Lock()


def _chain_options(options: dict[str, Any]) -> None:
    for name, scrub in _SCRUBBERS:
        current = options.get(name)
        if not isinstance(current, _Chained):
            options[name] = _Chained(scrub, current)


def install_scrubber(client: Any = None) -> bool:
    """Chain musicgen's scrubber in front of a Sentry client's own callbacks.

    ``before_send`` and ``before_send_transaction`` each become "musicgen's scrubber, then the
    host's callback" (see ``_Chained`` for why in that order). ``before_breadcrumb`` is left
    alone: the host's breadcrumbs pass as they are, and those a sent event carries are
    scrubbed with it.
    Idempotent: a client is wrapped once. The client reads these options on every event, so
    this works on a client that already runs; ``event_scrubber`` is left as it is.

    Args:
        client: A sentry_sdk client; None uses ``sentry_sdk.get_client()``.

    Returns:
        True when the client is active and now scrubs, False when there is no active client.
    """
    client = sentry_sdk.get_client() if client is None else client
    if not client.is_active():
        return False
    options = getattr(client, "options", None)
    if not isinstance(options, dict):
        return False
    # Cheap check first: this runs on every hook call.
    if all(isinstance(options.get(name), _Chained) for name, _ in _SCRUBBERS):
        return True
    with _install_lock:
        _chain_options(options)
    return True


# --------------------------------------------------------------------------------------------
# The hook
# --------------------------------------------------------------------------------------------

# The event fields that become breadcrumb data: ids, names, numbers, methods, paths, statuses;
# per event name, the details it carries (looking at all of them costs a third of the hook).
_COMMON = ("provider", "model", "task_id", "operation", "attempt", "status", "duration")
_Fields = tuple[tuple[str, ...], Callable[[Event], tuple[Any, ...]]]


def _fields(names: tuple[str, ...]) -> _Fields:
    # attrgetter reads them all in one C call: the loop it replaces was a third of the hook.
    return ("correlation_id", *names), operator.attrgetter("correlation_id", *names)


_CAPTURED_WARNINGS = frozenset({EventName.MODEL_FALLBACK, EventName.STATUS_UNKNOWN})
_LEVELS: dict[str, str] = {
    EventName.RETRY_SCHEDULED: "warning",
    EventName.STATUS_UNKNOWN: "warning",
    EventName.MODEL_FALLBACK: "warning",
    EventName.GENERATION_FAILED: "error",
    EventName.GENERATION_TIMED_OUT: "error",
    EventName.CALL_FAILED: "error",
}
#: Per event name, what its breadcrumb is made of: the data keys and what reads them off the
#: event, its category, type and level. One lookup per event instead of four.
_Crumb = tuple[tuple[str, ...], Callable[[Event], tuple[Any, ...]], str, str, str]
_CRUMBS: dict[str, _Crumb] = {
    name: (
        *_fields((*_COMMON, *DATA_KEYS.get(name, ()))),
        f"musicgen.{name.value}",
        "http" if name is EventName.HTTP_REQUEST else "default",
        _LEVELS.get(name, "info"),
    )
    for name in EventName
}
_ALL_FIELDS = _fields((*_COMMON, *DETAIL_FIELDS))
# For map(is_not, values, _NONES): which values are set, tested in C. Endless, so shared.
_NONES = repeat(None)


def _error_kind(error: BaseException) -> str:
    # An uncertain submission (UncertainTimeoutError, ...) is grouped by the kind of failure it
    # wraps (APITimeoutError); the uncertainty has a tag and a fingerprint part of its own.
    for cls in type(error).__mro__:
        if not issubclass(cls, SubmissionUncertainError):
            return cls.__name__
    return type(error).__name__


def _short(value: object, secrets: frozenset[str], limit: int = _MAX_TEXT) -> str:
    text = redact_text(value, secrets)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tag(value: object, secrets: frozenset[str]) -> str:
    return " ".join(_short(value, secrets, _MAX_TAG).split())


class _Call:
    """What one call's events told so far (provider, model, task id), current while it runs.

    The hook's context manager for ``call.started``: the events of the call find it in a
    context variable, so the facts live exactly as long as the call (no table to bound).
    """

    __slots__ = ("_token", "_var", "facts", "warned")

    def __init__(self, var: contextvars.ContextVar[_Call | None], event: Event) -> None:
        self._var = var
        self._token: contextvars.Token[_Call | None] | None = None
        self.facts: dict[str, str] = {}
        # Unknown statuses are seen on every poll: warn once per task and status.
        self.warned: set[tuple[str | None, str | None]] = set()
        self.learn(event)

    def learn(self, event: Event) -> None:
        facts = self.facts
        if event.provider:
            facts["provider"] = event.provider
        if event.model:
            facts["model"] = event.model
        if event.task_id:
            facts["task_id"] = event.task_id

    def __enter__(self) -> _Call:
        self._token = self._var.set(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            self._var.reset(self._token)


def _facts_of(event: Event) -> dict[str, str]:
    """The facts of an event met outside any call (a hook called directly)."""
    return {
        key: str(value)
        for key in ("provider", "model", "task_id")
        if (value := getattr(event, key))
    }


class SentryHook:
    """A musicgen hook that reports to the Sentry client the host application set up.

    ``call.failed`` becomes one error event (with ``musicgen.*`` tags, a ``musicgen`` context
    and a fingerprint of provider and error kind); ``model.fallback`` and ``status.unknown``
    become warnings; every other event becomes a breadcrumb, built from the event's typed
    fields with the known secrets masked. Tags live in a scope of their own, so none leaks into
    the host's other events. Without an active Sentry client the hook does nothing. It never
    calls ``sentry_sdk.init``; it chains musicgen's scrubber in front of the client's
    ``before_send`` and ``before_send_transaction`` (see ``install_scrubber``), and adds
    nothing to the path of the host's own breadcrumbs.

    For each call the hook returns a context manager (``call.started``) that keeps what the
    call's events told (provider, model, task id) for the tags of its failure.

    Args:
        secrets: Strings to mask in everything Sentry receives (e.g. your provider API keys);
            ``MUSICGEN_*_API_KEY``, ``SUNO_API_KEY`` and ``MUREKA_API_KEY`` are always masked.
        capture_failures: Report failed calls as error events. False records them as error
            breadcrumbs only, e.g. when your app captures the exceptions it catches itself.
    """

    def __init__(self, *, secrets: Iterable[str] = (), capture_failures: bool = True) -> None:
        _register_secrets(s for s in secrets if isinstance(s, str) and s.strip())
        self.capture_failures = capture_failures
        self._current: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
            "musicgen_sentry_call", default=None
        )
        install_scrubber()

    def __repr__(self) -> str:
        # Never the secrets.
        return f"SentryHook(capture_failures={self.capture_failures!r})"

    def __call__(self, event: Event, /) -> _Call | None:
        """Report ``event`` to the active Sentry client, if there is one; for ``call.started``,
        return the call's context manager."""
        name = event.name
        if name is _CALL_STARTED:
            client = sentry_sdk.get_client()
            if not client.is_active():
                return None
            # The app may have called sentry_sdk.init after building the hook, or again.
            install_scrubber(client)
            return _Call(self._current, event)
        call = self._current.get()
        if call is None:
            if not sentry_sdk.get_client().is_active():
                return None
            facts = _facts_of(event)
        else:
            # Sentry was active when the call started; should it stop meanwhile, Sentry's own
            # calls below do nothing. (What _Call.learn does, without a call per event.)
            facts = call.facts
            if event.provider:
                facts["provider"] = event.provider
            if event.model:
                facts["model"] = event.model
            if event.task_id:
                facts["task_id"] = event.task_id
        if name is _CALL_FAILED and self.capture_failures and event.error is not None:
            self._capture_failure(event, dict(facts), event.error, _known_secrets())
        elif name in _CAPTURED_WARNINGS and _first_warning(event, call):
            self._capture_warning(event, facts, _known_secrets())
        else:
            self._breadcrumb(event, facts)
        return None

    # -- what is sent -----------------------------------------------------------------------------

    def _tags(
        self, event: Event, facts: Mapping[str, str], secrets: frozenset[str]
    ) -> dict[str, str]:
        raw = {
            "musicgen.provider": facts.get("provider"),
            "musicgen.model": facts.get("model"),
            "musicgen.task_id": facts.get("task_id"),
            "musicgen.correlation_id": event.correlation_id,
            "musicgen.operation": event.operation,
        }
        return {key: _tag(value, secrets) for key, value in raw.items() if value}

    def _capture_failure(
        self,
        event: Event,
        facts: dict[str, str],
        error: BaseException,
        secrets: frozenset[str],
    ) -> None:
        kind = _error_kind(error)
        model = getattr(getattr(error, "generation", None), "model", None)
        if "model" not in facts and model:
            facts["model"] = str(model)
        if "task_id" not in facts and getattr(error, "task_id", None):
            facts["task_id"] = str(getattr(error, "task_id", None))
        provider = facts.get("provider") or str(getattr(error, "provider", None) or "unknown")
        facts["provider"] = provider
        tags = self._tags(event, facts, secrets)
        tags["musicgen.error_kind"] = _tag(kind, secrets)
        uncertain = isinstance(error, SubmissionUncertainError)
        if uncertain:
            tags["musicgen.submission_uncertain"] = "true"

        context: dict[str, Any] = {
            "provider": provider,
            "model": facts.get("model"),
            "task_id": facts.get("task_id"),
            "correlation_id": event.correlation_id,
            "operation": event.operation,
            "duration": event.duration,
            "error_kind": kind,
        }
        # One issue per provider, error kind and provider-side reason; never one per task.
        fingerprint = ["musicgen", provider, kind]
        if isinstance(error, APIError):
            context.update(
                status_code=error.status_code,
                provider_code=error.code,
                request_id=error.request_id,
                retry_after=error.retry_after,
            )
            detail = error.code if error.code is not None else error.status_code
            if detail is not None:
                fingerprint.append(str(detail))
        elif isinstance(error, GenerationFailedError):
            context.update(
                status=error.generation.status.value,
                provider_status=error.generation.provider_status,
            )
            if error.generation.provider_status:
                fingerprint.append(str(error.generation.provider_status))
        if uncertain:
            context["submission_uncertain"] = True
            fingerprint.append("submission-uncertain")

        with sentry_sdk.new_scope() as scope:
            scope.set_tags(tags)
            scope.set_context("musicgen", self._context(context, secrets))
            scope.fingerprint = [_tag(part, secrets) for part in fingerprint]
            sentry_sdk.capture_exception(error)

    def _capture_warning(
        self, event: Event, facts: Mapping[str, str], secrets: frozenset[str]
    ) -> None:
        provider = facts.get("provider") or "unknown"
        fingerprint = ["musicgen", provider, event.name]
        if event.name is _MODEL_FALLBACK:
            requested = event.requested
            message = (
                f"musicgen: unknown {provider} model {requested!r}; "
                f"used the default {facts.get('model')!r} instead"
            )
        else:
            status = event.provider_status
            fingerprint.append(str(status))
            message = (
                f"musicgen: {provider} sent an unknown task status {status!r}; "
                "treated as still running"
            )
        context = {
            "provider": provider,
            "model": facts.get("model"),
            "task_id": facts.get("task_id"),
            "correlation_id": event.correlation_id,
            "operation": event.operation,
            **{key: getattr(event, key) for key in DETAIL_FIELDS},
        }
        with sentry_sdk.new_scope() as scope:
            scope.set_tags(self._tags(event, facts, secrets))
            scope.set_context("musicgen", self._context(context, secrets))
            scope.fingerprint = [_tag(part, secrets) for part in fingerprint]
            sentry_sdk.capture_message(_short(message, secrets), level="warning")

    @staticmethod
    def _context(values: Mapping[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
        kept = {
            key: (_short(value, secrets) if isinstance(value, str) else value)
            for key, value in values.items()
            if value is not None and isinstance(value, (str, int, float, bool))
        }
        return cast("dict[str, Any]", redact_mapping(kept, secrets))

    def _breadcrumb(self, event: Event, facts: Mapping[str, str]) -> None:
        """Add ``event`` as a breadcrumb, scrubbed here: exact secrets only, as it holds
        nothing but the event's typed fields (no header, URL query, prompt or free text)."""
        name = event.name
        crumb = _CRUMBS.get(name)
        if crumb is None:
            keys, values = _ALL_FIELDS
            category, kind, level = f"musicgen.{name}", "default", "info"
        else:
            keys, values, category, kind, level = crumb
        read = values(event)
        # The set fields, in order: compress and is_not run in C, a comprehension did not.
        data: dict[str, Any] = dict(
            compress(zip(keys, read, strict=True), map(is_not, read, _NONES))
        )
        if "provider" not in data and "provider" in facts:
            data["provider"] = facts["provider"]
        error = event.error
        if error is not None:
            data["error"] = _error_kind(error)
        message = describe(event, free_text=False)[:_MAX_TEXT]
        secrets = _known_secrets()
        if secrets:
            texts = [message, *[value for value in data.values() if value.__class__ is str]]
            if mask_exact(texts, secrets) is not texts:
                # Rare: a known key in an id, a model name or a status. Mask it everywhere.
                message = mask_exact([message], secrets)[0]
                data = redact_mapping(data, secrets)
        if kind == "http":
            code = event.status_code
            if error is not None or (code is not None and code >= 400):
                level = "warning"
        # The scope's own method with a ready dict: what sentry_sdk.add_breadcrumb does, less
        # its keyword merging. The host's before_breadcrumb, if any, still sees it.
        _isolation_scope().add_breadcrumb(
            {"category": category, "type": kind, "level": level, "message": message, "data": data}
        )


def _first_warning(event: Event, call: _Call | None) -> bool:
    """Warn about an unknown status once per task and status within a call."""
    if event.name is not _STATUS_UNKNOWN or call is None:
        return True
    key = (call.facts.get("task_id"), event.provider_status)
    if key in call.warned:
        return False
    call.warned.add(key)
    return True


# --------------------------------------------------------------------------------------------
# For scripts that own the process
# --------------------------------------------------------------------------------------------


def init_sentry(
    dsn: str | None = None,
    *,
    environment: str | None = None,
    release: str | None = None,
    **options: Any,
) -> bool:
    """Initialise Sentry for a script, with musicgen's scrubber installed.

    Args:
        dsn: The project DSN; None reads ``SENTRY_DSN``. No DSN anywhere leaves Sentry off.
        environment: Default: ``SENTRY_ENVIRONMENT``, else ``MUSICGEN_ENV``, else
            ``"production"``.
        release: Default: ``musicgen@<version>``.
        **options: Passed to ``sentry_sdk.init``. A ``before_send``,
            ``before_send_transaction`` or ``before_breadcrumb`` given here runs after
            musicgen's scrubber; Sentry's default ``event_scrubber`` stays on.
            ``send_default_pii`` stays off unless given, so prompts and lyrics are removed.

    Returns:
        True when Sentry was initialised, False when no DSN was found (logged at INFO).

    Raises:
        ConfigurationError: The DSN is malformed.
    """
    chosen = dsn if dsn is not None else os.environ.get("SENTRY_DSN", "")
    chosen = chosen.strip()
    if not chosen:
        logger.info("Sentry is off: no DSN (pass dsn= to init_sentry or set SENTRY_DSN)")
        return False
    environment = (
        environment
        or os.environ.get("SENTRY_ENVIRONMENT")
        or os.environ.get("MUSICGEN_ENV")
        or "production"
    )
    release = release or f"musicgen@{__version__}"
    # send_default_pii is deliberately not set: it already defaults to off, and passing it
    # explicitly is deprecated in recent sentry-sdk releases (data_collection replaces it).
    _chain_options(options)
    try:
        sentry_sdk.init(dsn=chosen, environment=environment, release=release, **options)
    except BadDsn as error:
        msg = (
            f"the Sentry DSN is malformed ({redact_text(error)}); copy it from the project's "
            "Client Keys page"
        )
        raise ConfigurationError(msg) from None
    return True
