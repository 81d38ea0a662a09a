"""What both clients share: configuration, and the typed sugar that builds operations and flows.

``generate``, ``submit``, ``get``, ``wait`` and ``balance`` pick the provider's operation and
hand it to the core, exactly as ``client.run(operation)`` does with any other. The two client
classes differ only in how they perform the flows' effects (``_client``, ``_async_client``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import httpx

from ._core import ClientCore, provider_map
from ._effects import CallContext, Flow
from ._errors import ConfigurationError, ValidationError
from ._exchange import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    check_max_concurrency,
    check_max_response_bytes,
)
from ._models import Generation, Track
from ._operations import Operation
from ._polling import PollPolicy
from ._progress import Progress
from ._retry import RetryPolicy
from .observability._events import Hook
from .providers._base import Provider, track_of
from .providers._options import ProviderOptions
from .providers._registry import configure_providers

if TYPE_CHECKING:
    from .cache import Cache
    from .limits import Limiter
    from .observability._metrics import MetricsHook, MetricsSnapshot

__all__ = ["BaseClient", "ProviderOptions"]

T = TypeVar("T")


class BaseClient:
    """Configuration, the core, and the flows of the typed methods (no I/O)."""

    def __init__(
        self,
        *,
        providers: Sequence[Provider] | Mapping[str, Provider] | None,
        default_provider: str | None,
        retry: RetryPolicy | None,
        poll: PollPolicy | None,
        strict_models: bool,
        headers: Mapping[str, str] | None,
        request_timeout: float | httpx.Timeout | None,
        timeout: float | httpx.Timeout | None,
        correlation_header: str,
        hooks: Sequence[Hook],
        metrics: bool,
        cache: Cache | None,
        max_response_bytes: int,
        callbacks: bool = False,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        limiter: Limiter | None = None,
    ) -> None:
        request_timeout = _request_timeout(request_timeout, timeout)
        unavailable: dict[str, str] = {}
        if providers is None:
            found = configure_providers()
            providers, unavailable = found.providers, found.unavailable
        configured = provider_map(providers)
        self._metrics = _new_metrics_hook() if metrics else None
        self._options: dict[str, Any] = {
            "providers": configured,
            "default_provider": default_provider,
            "retry": retry or RetryPolicy(),
            "poll": poll or PollPolicy(),
            "strict_models": strict_models,
            "headers": dict(headers or {}),
            "request_timeout": request_timeout,
            "correlation_header": correlation_header,
            "hooks": tuple(hooks),
            "metrics": metrics,
            "cache": cache,
            "max_response_bytes": check_max_response_bytes(max_response_bytes),
            "callbacks": _check_callbacks(callbacks, cache),
            "max_concurrency": check_max_concurrency(max_concurrency),
            "limiter": limiter,
        }
        self._core = ClientCore(
            providers=configured,
            unavailable=unavailable,
            default_provider=default_provider,
            retry=self._options["retry"],
            poll=self._options["poll"],
            strict_models=strict_models,
            headers=headers,
            request_timeout=_as_timeout(request_timeout),
            correlation_header=correlation_header,
            hooks=tuple(hooks),
            metrics=self._metrics,
            cache=cache,
            max_response_bytes=max_response_bytes,
            callbacks=callbacks,
            limiter=limiter,
        )

    @property
    def providers(self) -> Mapping[str, Provider]:
        """The configured providers by name."""
        return dict(self._core.providers)

    @property
    def default_provider(self) -> str:
        """The provider used when a call names none."""
        return self._core.default_provider

    def metrics(self) -> MetricsSnapshot:
        """What this client has measured: latency per provider and operation, errors, retries
        by cause, polls per generation, time to first stream URL and to the result.

        Raises:
            ConfigurationError: The client was made with ``metrics=False``.
        """
        if self._metrics is None:
            msg = "this client was made with metrics=False; pass metrics=True to measure"
            raise ConfigurationError(msg)
        snapshot = self._metrics.snapshot()
        cache = self._core.cache
        return snapshot if cache is None else attrs.evolve(snapshot, cache=cache.stats())

    # -- the flows of the public methods --------------------------------------------------------

    def _run_flow(
        self,
        operation: Operation[T],
        *,
        timeout: float | None,
        correlation_id: str | None,
        cache: bool,
        fresh: bool,
        wait: bool,
    ) -> Flow[T]:
        if not isinstance(operation, Operation):
            msg = (
                f"run() takes a musicgen.Operation (what a provider's endpoint method returns), "
                f"got {type(operation).__name__}"
            )
            raise ValidationError(msg, field="operation")
        self._core.provider(operation.provider)  # it must be one of this client's providers
        ctx = self._context(operation.name, correlation_id, timeout, cache)
        return self._core.run(operation, ctx, wait=wait, fresh=fresh)

    def _generation_flow(
        self,
        call: str,
        prompt: str | None,
        *,
        provider: str | None,
        model: str | None,
        lyrics: str | None,
        style: str | None,
        title: str | None,
        instrumental: bool,
        timeout: float | None,
        correlation_id: str | None,
        fresh: bool,
        cache: bool,
        options: ProviderOptions | Mapping[str, Any] | None,
        extra: Mapping[str, Any],
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
    ) -> Flow[Generation]:
        fields = {
            "prompt": prompt,
            "model": model,
            "lyrics": lyrics,
            "style": style,
            "title": title,
            "instrumental": instrumental,
            "options": {**_options_dict(options), **extra},
        }
        return self._guarded(
            call,
            provider,
            correlation_id,
            timeout,
            cache,
            lambda driver, ctx: self._generation_steps(driver, ctx, fields, call, fresh),
            on_progress=on_progress,
            until=until,
        )

    def _generation_steps(
        self, driver: Provider, ctx: CallContext, fields: dict[str, Any], call: str, fresh: bool
    ) -> Flow[Generation]:
        # Inside the guarded flow, so a refusal of the input is reported like any failure.
        request = self._core.generation_request(driver, ctx, **fields)
        operation: Operation[Generation] = self._core.endpoint(driver, "generate")(request)
        wait = call != "submit"
        return (yield from self._core.operation_flow(operation, ctx, wait=wait, fresh=fresh))

    def _task_flow(
        self,
        call: str,
        target: Generation | str,
        provider: str | None,
        timeout: float | None,
        correlation_id: str | None,
        *,
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
    ) -> Flow[Generation]:
        if isinstance(target, Generation):
            provider = target.provider if provider is None else provider
        return self._guarded(
            call,
            provider,
            correlation_id,
            timeout,
            True,
            lambda driver, ctx: self._task_steps(driver, ctx, call, target),
            on_progress=on_progress,
            until=until,
            task_id=target.task_id if isinstance(target, Generation) else _task_id(target),
        )

    def _task_steps(
        self, driver: Provider, ctx: CallContext, call: str, target: Generation | str
    ) -> Flow[Generation]:
        status = self._core.endpoint(driver, "status")
        if isinstance(target, Generation):
            # Wait from what the caller already holds: no read of it again before the first poll.
            reader: Operation[Generation] = status(target.task_id, instrumental=target.instrumental)
            state = self._core.stamp(target, ctx)
            return (yield from self._core.follow(reader, state, ctx))
        if not isinstance(target, str) or not target.strip():
            msg = f"task_id must be a non-empty string, got {target!r}"
            raise ValidationError(msg, field="task_id")
        operation: Operation[Generation] = status(target)
        return (yield from self._core.operation_flow(operation, ctx, wait=call == "wait"))

    def _balance_flow(self, provider: str | None, correlation_id: str | None) -> Flow[Any]:
        return self._guarded("balance", provider, correlation_id, None, True, self._balance_steps)

    def _balance_steps(self, driver: Provider, ctx: CallContext) -> Flow[Any]:
        operation = self._core.endpoint(driver, "balance")()
        return (yield from self._core.operation_flow(operation, ctx))

    # -- the verbs every provider may offer (extend, lyrics, separate, upload, convert) ----------

    def _endpoint_flow(
        self,
        call: str,
        provider: str | None,
        target: object,
        correlation_id: str | None,
        timeout: float | None,
        cache: bool,
        build: Callable[[Provider, CallContext], Operation[Any]],
        *,
        fresh: bool = False,
    ) -> Flow[Any]:
        """The flow of a cross-provider verb: the provider named, else the one that made
        ``target`` (a ``Generation``), else the default; its ``call`` endpoint (a provider
        without it is refused before anything is sent); the result once done."""
        if provider is None and isinstance(target, Generation):
            provider = target.provider

        def steps(driver: Provider, ctx: CallContext) -> Flow[Any]:
            self._core.endpoint(driver, call)  # UnsupportedOperationError names the fix
            operation = build(driver, ctx)
            value = yield from self._core.operation_flow(operation, ctx, fresh=fresh)
            from ._results import result_of

            return result_of(value)

        return self._guarded(call, provider, correlation_id, timeout, cache, steps)

    def _extend_flow(
        self,
        track: Track | Generation | str,
        *,
        at: float | None,
        lyrics: str | None,
        prompt: str | None,
        style: str | None,
        title: str | None,
        model: str | None,
        provider: str | None,
        timeout: float | None,
        correlation_id: str | None,
        fresh: bool,
        cache: bool,
        options: ProviderOptions | Mapping[str, Any] | None,
        extra: Mapping[str, Any],
    ) -> Flow[Generation]:
        settings = {**_options_dict(options), **extra}

        # With no model given, the driver picks one that fits the source (Suno reuses the
        # generation's own; Mureka's extend takes only some models).
        def build(driver: Provider, ctx: CallContext) -> Operation[Any]:
            resolved = None if model is None else self._core.resolve_model(driver, model, ctx)
            return self._core.endpoint(driver, "extend")(
                track,
                at=at,
                lyrics=lyrics,
                prompt=prompt,
                style=style,
                title=title,
                model=resolved,
                **settings,
            )

        return self._endpoint_flow(
            "extend", provider, track, correlation_id, timeout, cache, build, fresh=fresh
        )

    def _verb_flow(
        self,
        call: str,
        provider: str | None,
        target: object,
        *args: Any,
        timeout: float | None = None,
        correlation_id: str | None = None,
        cache: bool = True,
        **kwargs: Any,
    ) -> Flow[Any]:
        """A verb whose arguments go to the provider's ``call`` endpoint as they are."""

        def build(driver: Provider, ctx: CallContext) -> Operation[Any]:
            return self._core.endpoint(driver, call)(*args, **kwargs)

        return self._endpoint_flow(call, provider, target, correlation_id, timeout, cache, build)

    def _convert_flow(
        self,
        track: Track | Generation,
        *,
        format: str,
        provider: str | None,
        timeout: float | None,
        correlation_id: str | None,
        cache: bool,
    ) -> Flow[Any]:
        source = track_of(track)
        if isinstance(format, str) and source.url_for(format.lower()) is not None:
            # The provider gave this format with the track (Mureka's WAV and FLAC): no request.
            return _done(source)
        return self._verb_flow(
            "convert",
            provider,
            track,
            track,
            format=format,
            timeout=timeout,
            correlation_id=correlation_id,
            cache=cache,
        )

    def _guarded(
        self,
        call: str,
        provider: str | None,
        correlation_id: str | None,
        timeout: float | None,
        cache: bool,
        steps: Callable[[Provider, CallContext], Flow[T]],
        *,
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
        task_id: str | None = None,
    ) -> Flow[T]:
        """The flow of a typed method: its provider (a missing one is refused at once), its
        call context, and ``steps``, guarded as one call (``call.started``, the hooks' context
        managers, ``call.failed``); ``task_id`` when the call reads a known task."""
        driver = self._core.provider(provider)
        ctx = self._context(
            call, correlation_id, timeout, cache, on_progress=on_progress, until=until
        )
        return self._core.guard(steps(driver, ctx), ctx, provider=driver.name, task_id=task_id)

    def _context(
        self,
        call: str,
        correlation_id: str | None,
        timeout: float | None,
        cache: bool,
        *,
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
    ) -> CallContext:
        return self._core.context(
            call,
            correlation_id=correlation_id,
            timeout=timeout,
            use_cache=cache,
            on_progress=on_progress,
            until=until,
        )

    def _merged_options(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        overrides = dict(overrides)
        if "timeout" in overrides:
            overrides["request_timeout"] = _request_timeout(
                overrides.pop("request_timeout", None), overrides.pop("timeout"), stacklevel=4
            )
        unknown = set(overrides) - set(self._options)
        if unknown:
            msg = (
                f"with_options() got unknown option(s) {sorted(unknown)}; "
                f"accepted: {sorted(self._options)}"
            )
            raise TypeError(msg)
        return {**self._options, **overrides}


def _check_callbacks(callbacks: bool, cache: Cache | None) -> bool:
    """``callbacks=True`` needs the cache the receiver stores callbacks in."""
    if not isinstance(callbacks, bool):
        msg = f"callbacks must be True or False, got {callbacks!r}"
        raise ConfigurationError(msg)
    if callbacks and cache is None:
        msg = (
            "callbacks=True needs cache=: the callback receiver (musicgen.callbacks) stores "
            "what it receives in the cache the client reads; pass the same cache to both"
        )
        raise ConfigurationError(msg)
    return callbacks


def _task_id(target: object) -> str | None:
    """The task id a call reads, for its ``call.started`` event (a bad one is refused later)."""
    if isinstance(target, str) and target.strip():
        return target
    return None


def _done(value: T) -> Flow[T]:
    """A flow that sends nothing and returns ``value``."""
    return value
    yield  # pragma: no cover - makes this a generator


def _options_dict(options: ProviderOptions | Mapping[str, Any] | None) -> dict[str, Any]:
    """Typed options (anything with ``to_dict()``) or a mapping, as a plain dict."""
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return dict(options)
    if isinstance(options, ProviderOptions):
        return options.to_dict()
    msg = (
        "options must be provider options (e.g. musicgen.SunoOptions(...)) or a mapping, "
        f"got {type(options).__name__}"
    )
    raise ValidationError(msg, field="options")


def _request_timeout(
    request_timeout: float | httpx.Timeout | None,
    timeout: float | httpx.Timeout | None,
    *,
    stacklevel: int = 4,
) -> float | httpx.Timeout | None:
    """The per-request timeout, from ``request_timeout=`` or the deprecated ``timeout=``."""
    if timeout is None:
        return request_timeout
    if request_timeout is not None:
        msg = "pass request_timeout= only; timeout= is its deprecated old name"
        raise ConfigurationError(msg)
    warnings.warn(
        "the client's timeout= is now request_timeout= (the timeout of one HTTP request); "
        "timeout= will mean the overall deadline in 1.0, as it does on generate() and wait()",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return timeout


def _new_metrics_hook() -> MetricsHook:
    # Imported on first use: building its classes costs import time few scripts need.
    from .observability._metrics import MetricsHook

    return MetricsHook()


def _as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)


def _batch_defaults(provider: str | None, timeout: float | None) -> dict[str, Any]:
    """What every request of a ``generate_many`` batch gets unless it sets it."""
    defaults: dict[str, Any] = {}
    if provider is not None:
        defaults["provider"] = provider
    if timeout is not None:
        defaults["timeout"] = timeout
    return defaults
