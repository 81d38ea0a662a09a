"""MusicGenClient, and what it shares with AsyncMusicGenClient: thin I/O loops over the core.

Both clients build the same flows (``_core``) and only differ in how they send a request, sleep
and write a file: blocking here, awaited in ``_async_client`` (kept apart so that
``import musicgen`` does not import asyncio).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import httpx

from ._core import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Call,
    CallContext,
    ClientCore,
    Flow,
    Shared,
    Sleep,
    provider_map,
)
from ._errors import (
    APIConnectionError,
    APIError,
    ConfigurationError,
    MusicGenError,
    NotFoundError,
    ServerError,
    ValidationError,
)
from ._models import Balance, Generation, Track
from ._polling import PollPolicy
from ._retry import RetryDecider, RetryPolicy
from .observability._events import Hook
from .providers import Provider, default_providers

if TYPE_CHECKING:
    from pathlib import Path

    from .cache import Cache
    from .observability._metrics import MetricsHook, MetricsSnapshot

__all__ = ["MusicGenClient"]

T = TypeVar("T")

_AUDIO_SUFFIXES = {".mp3", ".wav", ".flac", ".m4a", ".ogg", ".aac", ".opus"}


class _BaseClient:
    """What both clients share: configuration, the core, and building flows."""

    def __init__(
        self,
        *,
        providers: Sequence[Provider] | Mapping[str, Provider] | None = None,
        default_provider: str | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        strict_models: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        correlation_header: str = "X-Correlation-ID",
        hooks: Sequence[Hook] = (),
        metrics: bool = True,
        cache: Cache | None = None,
    ) -> None:
        configured = provider_map(default_providers() if providers is None else providers)
        self._metrics = _new_metrics_hook() if metrics else None
        all_hooks = (*hooks, self._metrics) if self._metrics is not None else tuple(hooks)
        self._options: dict[str, Any] = {
            "providers": configured,
            "default_provider": default_provider,
            "retry": retry or RetryPolicy(),
            "poll": poll or PollPolicy(),
            "strict_models": strict_models,
            "headers": dict(headers or {}),
            "timeout": timeout,
            "correlation_header": correlation_header,
            "hooks": tuple(hooks),
            "metrics": metrics,
            "cache": cache,
        }
        self._flights = _Flights()
        self._core = ClientCore(
            providers=configured,
            default_provider=default_provider,
            retry=self._options["retry"],
            poll=self._options["poll"],
            strict_models=strict_models,
            headers=headers,
            timeout=_as_timeout(timeout),
            correlation_header=correlation_header,
            hooks=all_hooks,
            cache=cache,
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
        store = self._core.store
        return snapshot if store is None else attrs.evolve(snapshot, cache=store.cache.stats())

    def _generate_flow(
        self,
        operation: str,
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
        options: Mapping[str, Any],
    ) -> Flow[Generation]:
        driver = self._core.provider(provider)
        ctx = self._core.context(
            operation, correlation_id=correlation_id, timeout=timeout, use_cache=cache
        )
        fields = {
            "prompt": prompt,
            "model": model,
            "lyrics": lyrics,
            "style": style,
            "title": title,
            "instrumental": instrumental,
            "options": options,
        }
        return self._core.guard(self._generate_steps(driver, ctx, fields, fresh), ctx)

    def _generate_steps(
        self, driver: Provider, ctx: CallContext, fields: dict[str, Any], fresh: bool
    ) -> Flow[Generation]:
        # Validation runs inside the guarded flow so a refusal is reported like any failure.
        request = self._core.generation_request(driver, ctx, **fields)
        if ctx.operation == "submit":
            return (yield from self._core.submit_flow(request, ctx, fresh=fresh))
        flow = self._core.generate_flow(request, ctx, fresh=fresh)
        if self._core.store is None or not ctx.use_cache or fresh:
            return (yield from flow)
        # With a cache, identical requests in flight at once share one paid task.
        shared: Generation = yield Shared(request.fingerprint(), flow)
        return shared

    def _get_flow(
        self, task_id: str, provider: str | None, correlation_id: str | None
    ) -> Flow[Generation]:
        driver = self._core.provider(provider)
        ctx = self._core.context("get", correlation_id=correlation_id, timeout=None)
        return self._core.guard(self._core.lookup_flow(driver, task_id, None, ctx), ctx)

    def _wait_flow(
        self,
        target: Generation | str,
        provider: str | None,
        timeout: float | None,
        correlation_id: str | None,
    ) -> Flow[Generation]:
        ctx = self._core.context("wait", correlation_id=correlation_id, timeout=timeout)
        if isinstance(target, Generation):
            return self._core.guard(self._core.wait_flow(target, ctx), ctx)
        return self._core.guard(self._wait_for_id(target, provider, ctx), ctx)

    def _wait_for_id(
        self, task_id: str, provider: str | None, ctx: CallContext
    ) -> Flow[Generation]:
        driver = self._core.provider(provider)
        first = yield from self._core.lookup_flow(driver, task_id, None, ctx)
        return (yield from self._core.wait_flow(first, ctx))

    def _balance_flow(self, provider: str | None, correlation_id: str | None) -> Flow[Balance]:
        driver = self._core.provider(provider)
        ctx = self._core.context("balance", correlation_id=correlation_id, timeout=None)
        return self._core.guard(self._core.balance_flow(driver, ctx), ctx)

    def _merged_options(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(overrides) - set(self._options)
        if unknown:
            msg = (
                f"with_options() got unknown option(s) {sorted(unknown)}; "
                f"accepted: {sorted(self._options)}"
            )
            raise TypeError(msg)
        return {**self._options, **overrides}


class MusicGenClient(_BaseClient):
    """Generate music with any configured provider, blocking.

    Args:
        providers: Provider drivers (a sequence, or a mapping by name). None configures every
            built-in provider whose API key is in the environment.
        default_provider: The name used when a call names none (default: the first).
        http_client: An ``httpx.Client`` to send with (you keep ownership: it is not closed).
        retry: How failed requests are retried (never a submission that may have arrived).
        poll: How tasks are polled, and the default overall deadline.
        strict_models: Raise ``UnknownModelError`` instead of falling back to the default model.
        headers: Extra headers for every provider request.
        timeout: The timeout of one HTTP request (seconds or ``httpx.Timeout``).
        correlation_header: The header that carries each call's correlation id.
        hooks: Callables that receive every ``musicgen.observability.Event``.
        metrics: Measure calls for ``metrics()`` (a cheap in-memory aggregate).
        cache: A ``musicgen.cache`` store: finished results and a journal of submissions, so
            a re-run resumes or reuses instead of paying again. None (default) keeps nothing.

    Raises:
        ConfigurationError: No provider could be configured.
    """

    def __init__(
        self,
        *,
        providers: Sequence[Provider] | Mapping[str, Provider] | None = None,
        default_provider: str | None = None,
        http_client: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        strict_models: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        correlation_header: str = "X-Correlation-ID",
        hooks: Sequence[Hook] = (),
        metrics: bool = True,
        cache: Cache | None = None,
    ) -> None:
        super().__init__(
            providers=providers,
            default_provider=default_provider,
            retry=retry,
            poll=poll,
            strict_models=strict_models,
            headers=headers,
            timeout=timeout,
            correlation_header=correlation_header,
            hooks=hooks,
            metrics=metrics,
            cache=cache,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=_as_timeout(timeout), follow_redirects=True
        )

    def with_options(self, **options: Any) -> MusicGenClient:
        """A copy with some constructor options changed, sharing this client's connections."""
        clone = MusicGenClient(http_client=self._http, **self._merged_options(options))
        return clone

    # -- public API ---------------------------------------------------------------------------

    def generate(
        self,
        prompt: str | None = None,
        *,
        provider: str | None = None,
        model: str | None = None,
        lyrics: str | None = None,
        style: str | None = None,
        title: str | None = None,
        instrumental: bool = False,
        timeout: float | None = None,
        correlation_id: str | None = None,
        fresh: bool = False,
        cache: bool = True,
        **options: Any,
    ) -> Generation:
        """Generate music and wait until the task is finished.

        Args:
            prompt: A description of the music.
            provider: The provider name (default: the client's default provider).
            model: A model id or alias; None uses the provider's default.
            lyrics: Words to sing.
            style: Style tags (Suno custom mode; Mureka folds them into the prompt).
            title: A title (Suno custom mode).
            instrumental: No vocals.
            timeout: Overall deadline in seconds for submit, retries and polling
                (default: ``poll.timeout``).
            correlation_id: The id to trace this call by (default: a fresh one).
            fresh: Ask for a new take even when the cache holds this exact request.
            cache: False keeps this call away from the client's cache entirely.
            **options: Provider-specific options (e.g. ``negative_tags=``, ``n=``).

        Returns:
            The finished generation, with its tracks.

        Raises:
            ValidationError: Bad input, found before anything was sent.
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
            APIError: The provider refused (auth, credits, ...).
        """
        return self._run(
            self._generate_flow(
                "generate",
                prompt,
                provider=provider,
                model=model,
                lyrics=lyrics,
                style=style,
                title=title,
                instrumental=instrumental,
                timeout=timeout,
                correlation_id=correlation_id,
                fresh=fresh,
                cache=cache,
                options=options,
            )
        )

    def submit(
        self,
        prompt: str | None = None,
        *,
        provider: str | None = None,
        model: str | None = None,
        lyrics: str | None = None,
        style: str | None = None,
        title: str | None = None,
        instrumental: bool = False,
        timeout: float | None = None,
        correlation_id: str | None = None,
        fresh: bool = False,
        cache: bool = True,
        **options: Any,
    ) -> Generation:
        """Start a generation and return at once; see ``generate`` for the arguments."""
        return self._run(
            self._generate_flow(
                "submit",
                prompt,
                provider=provider,
                model=model,
                lyrics=lyrics,
                style=style,
                title=title,
                instrumental=instrumental,
                timeout=timeout,
                correlation_id=correlation_id,
                fresh=fresh,
                cache=cache,
                options=options,
            )
        )

    def get(
        self, task_id: str, *, provider: str | None = None, correlation_id: str | None = None
    ) -> Generation:
        """Read a task's status once."""
        return self._run(self._get_flow(task_id, provider, correlation_id))

    def wait(
        self,
        generation_or_task_id: Generation | str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Generation:
        """Wait for an existing task to finish, e.g. to resume after a crash or a timeout."""
        return self._run(self._wait_flow(generation_or_task_id, provider, timeout, correlation_id))

    def balance(self, provider: str | None = None, *, correlation_id: str | None = None) -> Balance:
        """Return the credits (Suno) or balance in cents (Mureka) left."""
        return self._run(self._balance_flow(provider, correlation_id))

    def download(self, track: Track, dest: str | os.PathLike[str], *, format: str = "mp3") -> Path:
        """Stream a track's audio to ``dest`` atomically; see ``download_target`` for naming.

        The provider's API key is never sent to the audio host.

        Returns:
            The path written.
        """
        url, path = download_target(track, dest, format)
        policy = self._core.retry
        decider = RetryDecider(policy, submission=False, deadline=None)
        for attempt in decider.attempts():
            with attempt, _atomic_file(path) as out:
                try:
                    with self._http.stream("GET", url, headers=_download_headers()) as response:
                        _check_download(response, url)
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                except httpx.TransportError as error:
                    raise _download_error(error, url) from error
        return path

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client, if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> MusicGenClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the I/O loop -------------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        outcome: Any = None
        failure: MusicGenError | None = None
        while True:
            try:
                step = flow.send(outcome) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                result: T = stop.value
                return result
            outcome, failure = None, None
            try:
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                elif isinstance(step, Shared):
                    outcome = self._share(step)
                else:
                    outcome = self._perform(step)
            except MusicGenError as error:
                failure = error

    def _share(self, step: Shared) -> Any:
        while True:
            future, leader = self._flights.join(step.key, concurrent.futures.Future)
            if leader:
                return self._flights.lead(step.key, future, lambda: self._run(step.flow))
            result = future.result()
            if result is not _ABANDONED:
                step.flow.close()
                return result

    def _perform(self, call: Call) -> Any:
        # Most requests succeed at once: the retry machinery starts only after a failure.
        try:
            return self._exchange(call, 1)
        except MusicGenError as error:
            failure = error
        for attempt in self._core.retry_decider(call).attempts():
            with attempt:
                if attempt.num == 1:
                    raise failure  # replayed, so stamina decides whether and when to retry
                return self._exchange(call, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _exchange(self, call: Call, attempt: int) -> Any:
        started = self._core.clock()
        try:
            response = self._http.send(call.request)
        except httpx.TransportError as error:
            raise self._core.failed_exchange(call, attempt, started, error) from error
        return self._core.finish_exchange(call, attempt, started, response)


# -- single flight -----------------------------------------------------------------------------

_ABANDONED = object()  # what followers see when the leader was interrupted: try again


class _Flights:
    """The identical requests in flight in one client, each with the future its callers share."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Any] = {}

    def join(self, key: str, new_future: Callable[[], Any]) -> tuple[Any, bool]:
        """The future for ``key``, and whether the caller leads (must run the flow)."""
        with self._lock:
            future = self._running.get(key)
            if future is not None:
                return future, False
            future = self._running[key] = new_future()
            return future, True

    def lead(self, key: str, future: Any, run: Callable[[], Any]) -> Any:
        """Run the shared flow as the leader and hand its outcome to the followers."""
        try:
            result = run()
        except Exception as error:
            self.settle(key, future, error=error)
            raise
        except BaseException:
            self.settle(key, future, result=_ABANDONED)
            raise
        self.settle(key, future, result=result)
        return result

    def settle(
        self, key: str, future: Any, *, result: Any = None, error: Exception | None = None
    ) -> None:
        """Publish the outcome and let the next identical request start a flight of its own."""
        with self._lock:
            del self._running[key]
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
            future.exception()  # retrieved: asyncio warns of an unretrieved error otherwise


# -- download helpers (pure, shared by both clients) ------------------------------------------


def download_target(track: Track, dest: str | os.PathLike[str], format: str) -> tuple[str, Path]:
    """Pick the URL for ``format`` and the file to write.

    ``dest`` is a file path (it has a suffix, like ``song.mp3``), or a directory: an existing
    one, one ending in a separator, or a path without a suffix (created if missing), in which a
    file named after the track's title and id is written. Its suffix follows the URL's own when
    that names an audio type, else ``format``.

    Raises:
        ValidationError: The track has no URL for ``format`` (yet).
    """
    url = track.url_for(format)
    if not url:
        known = ", ".join(f for f in ("mp3", "flac", "wav", "stream") if track.url_for(f))
        msg = (
            f"track {track.id} has no {format!r} URL (available: {known or 'none yet'}); "
            "wait for the generation to succeed or pick another format="
        )
        raise ValidationError(msg, field="format")
    from pathlib import Path

    target = Path(dest)
    if target.is_dir() or str(dest).endswith((os.sep, "/")) or not target.suffix:
        suffix = Path(httpx.URL(url).path).suffix.lower()
        if suffix not in _AUDIO_SUFFIXES:
            suffix = f".{'mp3' if format == 'stream' else format}"
        stem = _safe_name(f"{track.title} - {track.id}" if track.title else track.id)
        target = target / f"{stem}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    return url, target


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w\-. ]+", "_", name).strip(" .")
    return cleaned[:120] or "track"


def _download_headers() -> dict[str, str]:
    # Only a user agent: the provider's Authorization header must never reach the audio host.
    return {"User-Agent": USER_AGENT}


def _check_download(response: httpx.Response, url: str) -> None:
    if response.status_code < 400:
        return
    msg = f"downloading audio from {httpx.URL(url).host} failed with HTTP {response.status_code}"
    cls: type[APIError] = APIError
    if response.status_code >= 500:
        cls = ServerError  # worth retrying
    elif response.status_code in (404, 410):
        cls = NotFoundError  # the provider's links expire (Suno 15 days, Mureka 30)
    raise cls(msg, provider="download", status_code=response.status_code)


def _download_error(error: httpx.TransportError, url: str) -> APIConnectionError:
    msg = f"downloading audio from {httpx.URL(url).host} failed: {type(error).__name__}"
    return APIConnectionError(msg, provider="download", request_sent=True)


class _atomic_file:
    """Write to a temporary file next to ``path``; rename over it only on success."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> Any:
        import tempfile

        fd, self._tmp = tempfile.mkstemp(
            prefix=f".{self._path.name}.", suffix=".part", dir=self._path.parent
        )
        self._file = os.fdopen(fd, "wb")
        return self._file

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        if exc_type is None:
            os.replace(self._tmp, self._path)
        else:
            os.unlink(self._tmp)


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
