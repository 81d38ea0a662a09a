"""Sentry: failed musicgen calls as issues, everything else as breadcrumbs, secrets kept out.

Two ways in:

- an app that already calls ``sentry_sdk.init`` passes ``hooks=[SentryHook()]`` to its client.
  The hook reports through the app's own Sentry client and chains musicgen's scrubber in front
  of the app's ``before_send``, ``before_send_transaction`` and ``before_breadcrumb``;
- a script that owns its process calls ``init_sentry()`` once (DSN from ``SENTRY_DSN``).

What is sent: one error event per failed public call (``call.failed``), grouped by provider and
error kind; a warning for an unknown model or task status; breadcrumbs for requests, retries and
polls. What is never sent: API keys (explicit ``secrets``, ``MUSICGEN_*_API_KEY``,
``SUNO_API_KEY``, ``MUREKA_API_KEY`` and anything shaped like a key), Authorization headers,
credential query parameters, e-mail addresses and, unless ``send_default_pii`` is on, prompts
and lyrics. This module is imported lazily: ``import musicgen`` never imports ``sentry_sdk``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from sentry_sdk.utils import BadDsn

from .._errors import (
    APIError,
    ConfigurationError,
    GenerationFailedError,
    SubmissionUncertainError,
)
from .._version import __version__
from ._events import Event, EventName
from ._redact import (
    FILTERED,
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

logger = logging.getLogger("musicgen")

_ENV_KEY_NAMES = frozenset({"SUNO_API_KEY", "MUREKA_API_KEY"})
# Sentry drops tag values longer than 200 characters.
_MAX_TAG = 200
_MAX_TEXT = 500
# How many calls (correlation ids) the hook remembers model and task id for.
_MAX_CALLS = 1024

_secrets_lock = threading.Lock()
_registered_secrets: frozenset[str] = frozenset()


def _register_secrets(secrets: Iterable[str]) -> None:
    # Process-wide on purpose: whichever client reports, no musicgen key may leave.
    global _registered_secrets
    with _secrets_lock:
        _registered_secrets = _registered_secrets | frozenset(secrets)


def _known_secrets() -> frozenset[str]:
    """The registered secrets plus the provider keys in the environment."""
    return _registered_secrets | _env_secrets()


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
    texts = user_texts(frame=sys._getframe(1), error=_hint_error(hint)) if drop_pii else ()
    return cast(
        "SentryEvent",
        scrub_event(
            cast("dict[str, Any]", event), _known_secrets(), drop_pii=drop_pii, texts=texts
        ),
    )


def musicgen_before_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb | None:
    """A Sentry ``before_breadcrumb`` that masks secrets in every breadcrumb, not just ours.

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
    ("before_breadcrumb", musicgen_before_breadcrumb),
)
_install_lock = threading.Lock()


def _chain_options(options: dict[str, Any]) -> None:
    for name, scrub in _SCRUBBERS:
        current = options.get(name)
        if not isinstance(current, _Chained):
            options[name] = _Chained(scrub, current)


def install_scrubber(client: Any = None) -> bool:
    """Chain musicgen's scrubber in front of a Sentry client's own callbacks.

    ``before_send``, ``before_send_transaction`` and ``before_breadcrumb`` each become
    "musicgen's scrubber, then the host's callback" (see ``_Chained`` for why in that order).
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

# The `Event.data` fields that may become breadcrumb data: numbers, methods, paths, statuses.
_SAFE_DATA = frozenset(
    {
        "cause",
        "elapsed",
        "method",
        "path",
        "polling_duration",
        "polls",
        "previous",
        "previous_provider_status",
        "provider_status",
        "requested",
        "status_code",
        "time_to_stream",
        "tracks",
        "wait",
    }
)
_CAPTURED_WARNINGS = frozenset({EventName.MODEL_FALLBACK, EventName.STATUS_UNKNOWN})
_LEVELS = {
    EventName.RETRY_SCHEDULED: "warning",
    EventName.STATUS_UNKNOWN: "warning",
    EventName.MODEL_FALLBACK: "warning",
    EventName.GENERATION_FAILED: "error",
    EventName.GENERATION_TIMED_OUT: "error",
    EventName.CALL_FAILED: "error",
}


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


class SentryHook:
    """A musicgen hook that reports to the Sentry client the host application set up.

    ``call.failed`` becomes one error event (with ``musicgen.*`` tags, a ``musicgen`` context
    and a fingerprint of provider and error kind); ``model.fallback`` and ``status.unknown``
    become warnings; every other event becomes a breadcrumb. Tags live in a scope of their own,
    so none leaks into the host's other events. Without an active Sentry client the hook does
    nothing. It never calls ``sentry_sdk.init``; it chains musicgen's scrubber in front of the
    client's ``before_send``, ``before_send_transaction`` and ``before_breadcrumb`` (see
    ``install_scrubber``).

    Args:
        secrets: Strings to mask in everything Sentry receives (e.g. your provider API keys);
            ``MUSICGEN_*_API_KEY``, ``SUNO_API_KEY`` and ``MUREKA_API_KEY`` are always masked.
        capture_failures: Report failed calls as error events. False records them as error
            breadcrumbs only, e.g. when your app captures the exceptions it catches itself.
    """

    def __init__(self, *, secrets: Iterable[str] = (), capture_failures: bool = True) -> None:
        _register_secrets(s for s in secrets if isinstance(s, str) and s.strip())
        self.capture_failures = capture_failures
        self._lock = threading.Lock()
        # What earlier events of a call told (model, task id): `call.failed` carries neither.
        self._calls: OrderedDict[str, dict[str, str]] = OrderedDict()
        # Unknown statuses are seen on every poll; warn once per task and status.
        self._warned: OrderedDict[tuple[str | None, ...], None] = OrderedDict()
        install_scrubber()

    def __repr__(self) -> str:
        # Never the secrets.
        return f"SentryHook(capture_failures={self.capture_failures!r})"

    def __call__(self, event: Event, /) -> None:
        """Report ``event`` to the active Sentry client, if there is one."""
        client = sentry_sdk.get_client()
        if not client.is_active():
            return
        # The app may have called sentry_sdk.init after building the hook, or again.
        install_scrubber(client)
        facts = self._remember(event)
        secrets = _known_secrets()
        name = event.name
        if name == EventName.CALL_FAILED and self.capture_failures and event.error is not None:
            self._capture_failure(event, facts, event.error, secrets)
        elif name in _CAPTURED_WARNINGS and self._first_warning(event, facts):
            self._capture_warning(event, facts, secrets)
        else:
            self._breadcrumb(event, facts, secrets)

    # -- bookkeeping ------------------------------------------------------------------------------

    def _remember(self, event: Event) -> dict[str, str]:
        """Merge what this event says about its call with what earlier ones said."""
        with self._lock:
            known = self._calls.pop(event.correlation_id, {})
            if event.provider and known.get("provider") not in (None, event.provider):
                # The same ambient correlation id on a call to another provider: start afresh.
                known = {}
            for field in ("provider", "model", "task_id"):
                value = getattr(event, field)
                if value:
                    known[field] = str(value)
            finished = event.name in (EventName.CALL_FAILED, EventName.GENERATION_SUCCEEDED)
            if not finished:
                self._calls[event.correlation_id] = known
                while len(self._calls) > _MAX_CALLS:
                    self._calls.popitem(last=False)
            return dict(known)

    def _first_warning(self, event: Event, facts: Mapping[str, str]) -> bool:
        if event.name != EventName.STATUS_UNKNOWN:
            return True
        key = (
            event.correlation_id,
            facts.get("task_id"),
            str(event.data.get("provider_status")),
        )
        with self._lock:
            if key in self._warned:
                return False
            self._warned[key] = None
            while len(self._warned) > _MAX_CALLS:
                self._warned.popitem(last=False)
        return True

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
        if event.name == EventName.MODEL_FALLBACK:
            requested = event.data.get("requested")
            message = (
                f"musicgen: unknown {provider} model {requested!r}; "
                f"used the default {facts.get('model')!r} instead"
            )
        else:
            status = event.data.get("provider_status")
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
            **{k: v for k, v in event.data.items() if k in _SAFE_DATA},
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

    def _breadcrumb(self, event: Event, facts: Mapping[str, str], secrets: frozenset[str]) -> None:
        data: dict[str, Any] = {
            "provider": event.provider or facts.get("provider"),
            "model": event.model,
            "task_id": event.task_id,
            "operation": event.operation,
            "attempt": event.attempt,
            "duration": None if event.duration is None else round(event.duration, 3),
            "status": event.status,
            "correlation_id": event.correlation_id,
        }
        if event.error is not None:
            data["error"] = _error_kind(event.error)
        for key, value in event.data.items():
            if key not in _SAFE_DATA or not (value is None or isinstance(value, (str, int, float))):
                continue
            if key == "path" and isinstance(value, str):
                value = value.split("?", 1)[0].split("#", 1)[0]
            if isinstance(value, float):
                value = round(value, 3)
            data[key] = value
        level = _LEVELS.get(event.name, "info")
        if event.name == EventName.HTTP_REQUEST:
            code = data.get("status_code")
            if event.error is not None or (isinstance(code, int) and code >= 400):
                level = "warning"
        # Not scrubbed here: the before_breadcrumb scrubber that __call__ keeps installed
        # scrubs every breadcrumb, ours included, and doing it twice doubled the hook's cost.
        sentry_sdk.add_breadcrumb(
            category=f"musicgen.{event.name}",
            type="http" if event.name == EventName.HTTP_REQUEST else "default",
            level=level,
            message=_describe(event, data)[:_MAX_TEXT],
            data={key: value for key, value in data.items() if value is not None},
        )


def _describe(event: Event, data: Mapping[str, Any]) -> str:
    """A one-line breadcrumb message built from safe fields only."""
    provider = data.get("provider") or "musicgen"
    task = f"{provider} task {event.task_id}" if event.task_id else str(provider)
    name = event.name
    if name == EventName.HTTP_REQUEST:
        outcome = data.get("status_code") or data.get("error") or "no response"
        return f"{data.get('method', '?')} {data.get('path', '?')} -> {outcome}"
    if name == EventName.RETRY_SCHEDULED:
        wait = data.get("wait")
        after = f" in {wait:.2f}s" if isinstance(wait, (int, float)) else ""
        return (
            f"{provider} {event.operation}: retry {event.attempt}{after} after {data.get('cause')}"
        )
    if name == EventName.POLL:
        return f"{task}: {event.status} ({data.get('provider_status')}), poll {event.attempt}"
    if name == EventName.STATUS_CHANGED:
        return f"{task}: {data.get('previous')} -> {event.status}"
    if name == EventName.CALL_FAILED:
        return f"musicgen {event.operation} failed: {data.get('error')}"
    if name.startswith("generation."):
        return f"{task} {name.partition('.')[2].replace('_', ' ')}"
    return f"{task}: {name}"


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
