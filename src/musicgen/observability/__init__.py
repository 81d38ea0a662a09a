"""Observability: events and hooks, logging, metrics, Sentry and OpenTelemetry.

Every public call runs under a correlation id (``correlation_id=``, else the one set with
``musicgen.observability.correlation_id(...)``, else a fresh one) that is sent on every request
and put on every event, log record, result and error. Hooks receive one frozen ``Event`` per
thing that happened. Integrations with optional dependencies (Sentry, OpenTelemetry) are
imported only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import correlation_id, current_correlation_id, new_correlation_id
from ._events import Event, EventName, Hook, emit

if TYPE_CHECKING:
    from ._logging import LoggingHook
    from ._metrics import MetricsHook, MetricsSnapshot
    from ._otel import OpenTelemetryHook
    from ._sentry import SentryHook, init_sentry, install_scrubber

__all__ = [
    "Event",
    "EventName",
    "Hook",
    "LoggingHook",
    "MetricsHook",
    "MetricsSnapshot",
    "OpenTelemetryHook",
    "SentryHook",
    "correlation_id",
    "current_correlation_id",
    "emit",
    "init_sentry",
    "install_scrubber",
    "new_correlation_id",
]

_LAZY = {
    "LoggingHook": "._logging",
    "MetricsHook": "._metrics",
    "MetricsSnapshot": "._metrics",
    "OpenTelemetryHook": "._otel",
    "SentryHook": "._sentry",
    "init_sentry": "._sentry",
    "install_scrubber": "._sentry",
}

# The optional module a lazy name may miss: its distribution, and the extra that installs it.
_EXTRAS = {"sentry_sdk": ("sentry-sdk", "sentry")}


def __getattr__(name: str) -> Any:
    # Lazy so that `import musicgen` never imports sentry_sdk or opentelemetry.
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib

    try:
        imported = importlib.import_module(module, __name__)
    except ModuleNotFoundError as error:
        if error.name not in _EXTRAS:
            raise
        distribution, extra = _EXTRAS[error.name]
        msg = f"{name} needs {distribution}: pip install 'musicgen-sdk[{extra}]'"
        raise ModuleNotFoundError(msg, name=error.name) from error
    return getattr(imported, name)
