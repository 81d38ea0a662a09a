"""The I/O-free flow both clients share: validate, build requests, classify, decide retry/poll/stop.

Each operation is a generator ("flow") that yields what it needs done and receives the outcome:

- ``yield Call(...)`` sends one HTTP request (with stamina retries) and gets the parsed value
  back, or has the final error thrown in;
- ``yield Sleep(seconds)`` waits.

``MusicGenClient`` and ``AsyncMusicGenClient`` only drive these generators: one with blocking
I/O, one with ``await``. The logic lives here once, so the two cannot drift apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import httpx

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    GenerationFailedError,
    GenerationTimeoutError,
    MusicGenError,
    NotFoundError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    as_uncertain_submission,
)
from ._models import Balance, Generation, GenerationRequest, TaskStatus
from ._polling import Deadline, PollPolicy
from ._retry import RetryDecider, RetryPolicy, is_retryable
from ._version import __version__
from .observability._context import current_correlation_id, new_correlation_id
from .observability._events import Event, EventName, Hook, emit
from .providers._base import Provider, retention_of

if TYPE_CHECKING:
    from ._caching import ResultStore
    from ._serialization import JournalEntry
    from .cache import Cache

__all__ = ["Call", "CallContext", "ClientCore", "Flow", "Shared", "Sleep"]

logger = logging.getLogger("musicgen")

T = TypeVar("T")

USER_AGENT = f"musicgen-python/{__version__} httpx/{httpx.__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@attrs.frozen
class CallContext:
    """What one public call (``generate``, ``get``, ...) carries through all its requests.

    Attributes:
        correlation_id: Sent on every request, put on results and errors.
        deadline: When the call gives up.
        operation: The public method (``"generate"``, ``"submit"``, ...).
        started: ``clock()`` when the call began.
        use_cache: Whether this call may read and write the client's cache.
    """

    correlation_id: str
    deadline: Deadline
    operation: str
    started: float
    use_cache: bool = True


@attrs.frozen
class Call:
    """One HTTP exchange for a client to perform, with retries.

    Attributes:
        operation: ``"submit"``, ``"status"`` or ``"balance"``.
        provider: The provider the request is for.
        request: The request, ready to send.
        parse: Turns the response into a value, or raises a typed error.
        submission: True when the request starts a paid task (retried only when safe).
        context: The public call this exchange belongs to.
    """

    operation: str
    provider: Provider
    request: httpx.Request
    parse: Callable[[httpx.Response], Any]
    submission: bool
    context: CallContext


@attrs.frozen
class Sleep:
    """A wait for a client to perform."""

    seconds: float


Flow = Generator["Call | Sleep | Shared", Any, T]


@attrs.frozen
class Shared:
    """Run ``flow`` once for every caller asking with the same ``key`` at the same time.

    A client drives the first caller's flow; the others wait for its result (single flight).
    """

    key: str
    flow: Flow[Any] = attrs.field(eq=False)


@attrs.define
class _Progress:
    """What one wait has seen so far, for metrics."""

    started: float
    polls: int = 0
    first_audio_at: float | None = None

    def summary(self, now: float, call_started: float, *, tracks: int) -> dict[str, Any]:
        return {
            "polls": self.polls,
            "polling_duration": now - self.started,
            "time_to_stream": None
            if self.first_audio_at is None
            else self.first_audio_at - call_started,
            "tracks": tracks,
        }


class ClientCore:
    """Configuration plus every decision the clients make; performs no I/O.

    Args:
        providers: The configured providers by name.
        default_provider: The name used when a call names none.
        retry: The retry policy.
        poll: The poll policy.
        strict_models: Raise on unknown models instead of falling back.
        headers: Extra headers for every provider request.
        timeout: The httpx timeout of one request.
        correlation_header: The header that carries the correlation id.
        hooks: Callables that receive every ``Event``.
        cache: Where finished generations and the submission journal are kept, or None.
        clock: A monotonic clock (injectable for tests and benchmarks).
    """

    def __init__(
        self,
        *,
        providers: Mapping[str, Provider],
        default_provider: str | None,
        retry: RetryPolicy,
        poll: PollPolicy,
        strict_models: bool,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout,
        correlation_header: str,
        hooks: Sequence[Hook] = (),
        cache: Cache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not providers:
            msg = (
                "no provider is configured: set MUSICGEN_SUNO_API_KEY or MUSICGEN_MUREKA_API_KEY "
                "in the environment, or pass providers=[SunoProvider(api_key=...)]"
            )
            raise ConfigurationError(msg)
        if default_provider is not None and default_provider not in providers:
            msg = (
                f"default_provider={default_provider!r} is not configured "
                f"(configured: {', '.join(providers)})"
            )
            raise ConfigurationError(msg)
        self.providers = dict(providers)
        self.default_provider = default_provider or next(iter(self.providers))
        self.retry = retry
        self.poll = poll
        self.strict_models = strict_models
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.correlation_header = correlation_header
        self.hooks = tuple(hooks)
        self.store = None if cache is None else _result_store(cache)
        self.clock = clock

    # -- set-up -------------------------------------------------------------------------------

    def provider(self, name: str | None) -> Provider:
        """Return the provider called ``name`` (None: the default).

        Raises:
            ConfigurationError: No such provider is configured.
        """
        key = name or self.default_provider
        try:
            return self.providers[key]
        except KeyError:
            msg = (
                f"provider {key!r} is not configured (configured: {', '.join(self.providers)}); "
                "pass it in providers=[...] or set its API key in the environment"
            )
            raise ConfigurationError(msg) from None

    def context(
        self,
        operation: str,
        *,
        correlation_id: str | None,
        timeout: float | None,
        use_cache: bool = True,
    ) -> CallContext:
        """Start a public call: pick its correlation id and its deadline."""
        seconds = self.poll.timeout if timeout is None else timeout
        if seconds is not None and seconds <= 0:
            msg = f"timeout must be > 0 seconds, got {seconds!r}; pass None for the default"
            raise ValidationError(msg, field="timeout")
        now = self.clock()
        return CallContext(
            correlation_id=correlation_id or current_correlation_id() or new_correlation_id(),
            deadline=Deadline.after(seconds, now),
            operation=operation,
            started=now,
            use_cache=use_cache,
        )

    def generation_request(
        self,
        provider: Provider,
        ctx: CallContext,
        *,
        prompt: str | None,
        model: str | None,
        lyrics: str | None,
        style: str | None,
        title: str | None,
        instrumental: bool,
        options: Mapping[str, Any],
    ) -> GenerationRequest:
        """Resolve the model and validate everything, before any request exists.

        Raises:
            ValidationError: Bad input; the message names the field, the limit and the fix.
        """
        for field, value in (("prompt", prompt), ("lyrics", lyrics), ("style", style)):
            _check_text(field, value)
        _check_text("title", title)
        if not isinstance(instrumental, bool):
            msg = f"instrumental must be True or False, got {instrumental!r}"
            raise ValidationError(msg, field="instrumental")
        resolution = provider.catalog.resolve(model, strict=self.strict_models)
        if resolution.fell_back:
            self.emit(
                EventName.MODEL_FALLBACK,
                ctx,
                provider=provider.name,
                model=resolution.model,
                data={"requested": resolution.requested},
            )
        request = GenerationRequest(
            provider=provider.name,
            model=resolution.model,
            prompt=prompt,
            lyrics=lyrics,
            style=style,
            title=title,
            instrumental=instrumental,
            options=options,
        )
        provider.validate(request)
        return request

    # -- flows --------------------------------------------------------------------------------

    def submit_flow(
        self, request: GenerationRequest, ctx: CallContext, *, fresh: bool = False
    ) -> Flow[Generation]:
        """Start a paid task: never sent twice unless the provider certainly did not get it.

        With a cache, an identical request submitted before returns that task (one status
        read, or none when it finished) unless ``fresh``.
        """
        store = self._store(ctx)
        if store is not None and not fresh:
            entry = store.journaled(request)
            if entry is not None:
                try:
                    return (
                        yield from self.lookup_flow(
                            self.provider(entry.provider), entry.task_id, entry.instrumental, ctx
                        )
                    )
                except NotFoundError:
                    store.forget(request)  # the provider no longer knows it: start anew
        return (yield from self._submit(request, ctx))

    def _submit(self, request: GenerationRequest, ctx: CallContext) -> Flow[Generation]:
        provider = self.provider(request.provider)
        call = self._call(
            "submit",
            provider,
            provider.submit_request(request),
            lambda response: provider.parse_submit(response, request),
            ctx,
            submission=True,
        )
        try:
            generation: Generation = yield call
        except (ServerError, UnexpectedResponseError) as error:
            raise as_uncertain_submission(error) from error
        except APIConnectionError as error:
            if error.request_sent:
                raise as_uncertain_submission(error) from error
            raise
        generation = self._stamp(generation, ctx)
        store = self._store(ctx)
        if store is not None:
            # Before any waiting: a crash from here on resumes this task instead of paying again.
            store.journal(request, generation, ttl=retention_of(provider))
        self._emit_about(
            EventName.GENERATION_SUBMITTED,
            generation,
            ctx,
        )
        return generation

    def status_flow(
        self, provider: Provider, task_id: str, instrumental: bool | None, ctx: CallContext
    ) -> Flow[Generation]:
        """Read a task once. When its kind is unknown and the first guess 404s, ask the other."""
        _check_task_id(task_id)
        try:
            generation: Generation = yield self._status_call(provider, task_id, instrumental, ctx)
        except NotFoundError:
            if instrumental is not None:
                raise
            # Mureka keeps instrumental tasks under another path; a bare task id may be either.
            generation = yield self._status_call(provider, task_id, True, ctx)
        generation = self._stamp(generation, ctx)
        if generation.status is TaskStatus.UNKNOWN:
            logger.warning(
                "%s task %s has an unknown status %r: treated as still running",
                provider.name,
                task_id,
                generation.provider_status,
                extra=self._log_extra(ctx, provider.name, task_id=task_id),
            )
            self.emit(
                EventName.STATUS_UNKNOWN,
                ctx,
                provider=provider.name,
                model=generation.model,
                task_id=task_id,
                status=generation.status.value,
                data={"provider_status": generation.provider_status},
            )
        return generation

    def wait_flow(self, generation: Generation, ctx: CallContext) -> Flow[Generation]:
        """Poll ``generation`` until it is terminal or the deadline passes.

        Raises:
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed first; the task id is on the error.
        """
        provider = self.provider(generation.provider)
        intervals = self.poll.intervals()
        progress = _Progress(started=self.clock())
        current = generation
        while not current.status.is_terminal:
            now = self.clock()
            if ctx.deadline.expired(now):
                raise self._timed_out(current, ctx, progress)
            yield Sleep(ctx.deadline.clamp(next(intervals), now))
            if ctx.deadline.expired(self.clock()):
                raise self._timed_out(current, ctx, progress)
            previous = current
            try:
                current = yield from self.status_flow(
                    provider, current.task_id, current.instrumental, ctx
                )
            except MusicGenError as error:
                error.task_id = current.task_id
                if not is_retryable(error, submission=False):
                    raise
                if ctx.deadline.expired(self.clock()):
                    raise self._timed_out(current, ctx, progress) from error
                # A missed read loses nothing: the task runs on. Poll again at the next interval.
                logger.warning(
                    "reading %s task %s failed (%s); polling goes on",
                    provider.name,
                    current.task_id,
                    type(error).__name__,
                    extra=self._log_extra(ctx, provider.name, task_id=current.task_id),
                )
                continue
            if current.model is None and generation.model is not None:
                current = attrs.evolve(current, model=generation.model)
            self._observe_poll(previous, current, ctx, progress)
        return self._finish(current, ctx, progress)

    def generate_flow(
        self, request: GenerationRequest, ctx: CallContext, *, fresh: bool = False
    ) -> Flow[Generation]:
        """Submit, then wait until the task is terminal.

        With a cache, an identical earlier request is reused unless ``fresh``: its finished
        result costs no request, and its unfinished task is resumed rather than paid again.
        """
        store = self._store(ctx)
        if store is not None and not fresh:
            entry = store.journaled(request)
            if entry is not None:
                resumed = yield from self._resume(store, request, entry, ctx)
                if resumed is not None:
                    return resumed
            else:
                self.emit(
                    EventName.CACHE_MISS, ctx, provider=request.provider, data={"kind": "journal"}
                )
        generation = yield from self._submit(request, ctx)
        try:
            return (yield from self.wait_flow(generation, ctx))
        except GenerationFailedError:
            if store is not None:
                store.forget(request)  # a failed take is not worth resuming: try anew next time
            raise

    def _resume(
        self, store: ResultStore, request: GenerationRequest, entry: JournalEntry, ctx: CallContext
    ) -> Flow[Generation | None]:
        provider = self.provider(entry.provider)
        done = self._finished_in_cache(store, entry.provider, entry.task_id, ctx)
        if done is not None:
            return done
        self.emit(
            EventName.CACHE_RESUME,
            ctx,
            provider=entry.provider,
            task_id=entry.task_id,
            data={"kind": "journal", "submitted_at": entry.submitted_at},
        )
        try:
            current = yield from self.status_flow(provider, entry.task_id, entry.instrumental, ctx)
        except NotFoundError:
            # The provider no longer knows the task (expired): nothing left to resume.
            store.forget(request)
            return None
        try:
            return (yield from self.wait_flow(current, ctx))
        except GenerationFailedError:
            store.forget(request)
            raise

    def lookup_flow(
        self, provider: Provider, task_id: str, instrumental: bool | None, ctx: CallContext
    ) -> Flow[Generation]:
        """Read a task: from the cache when it finished before, else from the provider."""
        store = self._store(ctx)
        if store is not None:
            done = self._finished_in_cache(store, provider.name, task_id, ctx)
            if done is not None:
                return done
            self.emit(
                EventName.CACHE_MISS,
                ctx,
                provider=provider.name,
                task_id=task_id,
                data={"kind": "result"},
            )
        generation = yield from self.status_flow(provider, task_id, instrumental, ctx)
        if store is not None:
            store.remember(generation, ttl=retention_of(provider))
        return generation

    def _finished_in_cache(
        self, store: ResultStore, provider: str, task_id: str, ctx: CallContext
    ) -> Generation | None:
        """The kept result of a finished task, stamped for this call, or None."""
        done = store.finished(provider, task_id)
        if done is None:
            return None
        self._emit_about(EventName.CACHE_HIT, done, ctx, data={"kind": "result"})
        return self._stamp(done, ctx)

    def _store(self, ctx: CallContext) -> ResultStore | None:
        return self.store if ctx.use_cache else None

    def balance_flow(self, provider: Provider, ctx: CallContext) -> Flow[Balance]:
        """Read the remaining credits or balance."""
        balance: Balance = yield self._call(
            "balance", provider, provider.balance_request(), provider.parse_balance, ctx
        )
        return balance

    # -- what the clients call per HTTP exchange ----------------------------------------------

    def retry_decider(self, call: Call) -> RetryDecider:
        """The stamina ``on=`` hook for ``call``: retry classification plus deadline-aware waits."""
        ctx = call.context

        def log_retry(number: int, wait: float, error: MusicGenError) -> None:
            logger.info(
                "retrying %s %s in %.2fs (retry %d) after %s",
                call.provider.name,
                call.operation,
                wait,
                number,
                type(error).__name__,
                extra=self._log_extra(ctx, call.provider.name),
            )
            self.emit(
                EventName.RETRY_SCHEDULED,
                ctx,
                provider=call.provider.name,
                operation=call.operation,
                attempt=number,
                error=error,
                data={"wait": wait, "cause": type(error).__name__},
            )

        return RetryDecider(
            self.retry,
            submission=call.submission,
            deadline=ctx.deadline.at,
            clock=self.clock,
            on_retry=log_retry,
        )

    def failed_exchange(
        self, call: Call, attempt: int, started: float, error: httpx.TransportError
    ) -> MusicGenError:
        """Translate an httpx failure, noting whether the request can have reached the provider."""
        # Only these fail before any byte of the request leaves: no connection, no pool slot.
        not_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
        msg = f"{call.operation} request to {call.provider.name} failed: {type(error).__name__}"
        failure = self.with_context(
            kind(msg, provider=call.provider.name, request_sent=not not_sent), call.context
        )
        self._exchange_event(call, attempt, started, None, failure)
        return failure

    def finish_exchange(
        self, call: Call, attempt: int, started: float, response: httpx.Response
    ) -> Any:
        """Parse ``response`` with ``call.parse``; errors carry the call's correlation id."""
        try:
            value = call.parse(response)
        except MusicGenError as error:
            self._exchange_event(call, attempt, started, response, error)
            raise self.with_context(error, call.context) from None
        self._exchange_event(call, attempt, started, response, None)
        return value

    def guard(self, flow: Flow[T], ctx: CallContext) -> Flow[T]:
        """Run ``flow``, reporting a failure of the whole call as a ``call.failed`` event."""
        try:
            return (yield from flow)
        except MusicGenError as error:
            self.with_context(error, ctx)
            self.emit(
                EventName.CALL_FAILED,
                ctx,
                provider=getattr(error, "provider", None),
                task_id=error.task_id,
                operation=ctx.operation,
                duration=self.clock() - ctx.started,
                error=error,
            )
            raise

    def _exchange_event(
        self,
        call: Call,
        attempt: int,
        started: float,
        response: httpx.Response | None,
        error: MusicGenError | None,
    ) -> None:
        if not self.hooks:
            return
        self.emit(
            EventName.HTTP_REQUEST,
            call.context,
            provider=call.provider.name,
            operation=call.operation,
            attempt=attempt,
            duration=self.clock() - started,
            status=None if response is None else str(response.status_code),
            error=error,
            # The path only: query strings can carry tokens, and hosts are in the config.
            data={
                "method": call.request.method,
                "path": call.request.url.path,
                "status_code": None if response is None else response.status_code,
            },
        )

    @staticmethod
    def with_context(error: MusicGenError, ctx: CallContext) -> MusicGenError:
        """Attach the call's correlation id to ``error``."""
        error.correlation_id = ctx.correlation_id
        return error

    # -- helpers --------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        provider: Provider,
        request: httpx.Request,
        parse: Callable[[httpx.Response], Any],
        ctx: CallContext,
        *,
        submission: bool = False,
    ) -> Call:
        self._prepare(request, ctx)
        return Call(operation, provider, request, parse, submission, ctx)

    def _status_call(
        self, provider: Provider, task_id: str, instrumental: bool | None, ctx: CallContext
    ) -> Call:
        return self._call(
            "status",
            provider,
            provider.status_request(task_id, instrumental=instrumental),
            lambda response: provider.parse_status(response, task_id, instrumental=instrumental),
            ctx,
        )

    def _prepare(self, request: httpx.Request, ctx: CallContext) -> None:
        request.headers.setdefault("User-Agent", USER_AGENT)
        for name, value in self.headers.items():
            request.headers[name] = value
        request.headers[self.correlation_header] = ctx.correlation_id
        timeout = self.timeout.as_dict()
        left = ctx.deadline.remaining(self.clock())
        if left is not None:
            # No single request may outlive the call's deadline.
            timeout = {
                k: left if v is None else min(v, max(left, 0.001)) for k, v in timeout.items()
            }
        request.extensions["timeout"] = timeout

    def _stamp(self, generation: Generation, ctx: CallContext) -> Generation:
        return attrs.evolve(generation, correlation_id=ctx.correlation_id)

    def _observe_poll(
        self, previous: Generation, current: Generation, ctx: CallContext, progress: _Progress
    ) -> None:
        now = self.clock()
        progress.polls += 1
        if progress.first_audio_at is None and any(
            track.stream_url or track.audio_url for track in current.tracks
        ):
            progress.first_audio_at = now
        if not self.hooks:
            return
        self.emit(
            EventName.POLL,
            ctx,
            provider=current.provider,
            model=current.model,
            task_id=current.task_id,
            attempt=progress.polls,
            status=current.status.value,
            data={"elapsed": now - progress.started, "provider_status": current.provider_status},
        )
        if current.provider_status != previous.provider_status:
            self._emit_about(
                EventName.STATUS_CHANGED,
                current,
                ctx,
                data={
                    "previous": previous.status.value,
                    "previous_provider_status": previous.provider_status,
                    "provider_status": current.provider_status,
                },
            )

    def _finish(self, generation: Generation, ctx: CallContext, progress: _Progress) -> Generation:
        failed = generation.status.is_failure
        error: GenerationFailedError | None = None
        if failed:
            reason = generation.error or generation.provider_status
            msg = (
                f"{generation.provider} task {generation.task_id} ended as "
                f"{generation.provider_status}: {reason}"
            )
            error = GenerationFailedError(msg, generation=generation)
            self.with_context(error, ctx)
        name = EventName.GENERATION_FAILED if failed else EventName.GENERATION_SUCCEEDED
        self._emit_outcome(name, generation, ctx, progress, error)
        if error is not None:
            raise error
        store = self._store(ctx)
        if store is not None:
            store.remember(generation, ttl=retention_of(self.provider(generation.provider)))
        return generation

    def _timed_out(
        self, generation: Generation, ctx: CallContext, progress: _Progress
    ) -> GenerationTimeoutError:
        msg = (
            f"{generation.provider} task {generation.task_id} was still "
            f"{generation.provider_status} when the deadline passed; it may still finish: resume "
            f"with client.wait({generation.task_id!r}, provider={generation.provider!r}) "
            "instead of submitting again"
        )
        error = GenerationTimeoutError(
            msg, task_id=generation.task_id, provider=generation.provider, generation=generation
        )
        self.with_context(error, ctx)
        self._emit_outcome(EventName.GENERATION_TIMED_OUT, generation, ctx, progress, error)
        return error

    def emit(self, name: str, ctx: CallContext, **fields: Any) -> None:
        """Hand an ``Event`` to the hooks (nothing is built when there are none)."""
        if self.hooks:
            fields.setdefault("operation", ctx.operation)
            emit(self.hooks, Event(name, ctx.correlation_id, **fields))

    def _emit_outcome(
        self,
        name: str,
        generation: Generation,
        ctx: CallContext,
        progress: _Progress,
        error: MusicGenError | None,
    ) -> None:
        now = self.clock()
        self._emit_about(
            name,
            generation,
            ctx,
            duration=now - ctx.started,
            error=error,
            data=progress.summary(now, ctx.started, tracks=len(generation.tracks)),
        )

    def _emit_about(
        self, name: str, generation: Generation, ctx: CallContext, **fields: Any
    ) -> None:
        """``emit`` with the provider, model, task and status of ``generation`` filled in."""
        if self.hooks:
            self.emit(
                name,
                ctx,
                provider=generation.provider,
                model=generation.model,
                task_id=generation.task_id,
                status=generation.status.value,
                **fields,
            )

    @staticmethod
    def _log_extra(ctx: CallContext, provider: str, **fields: Any) -> dict[str, Any]:
        return {
            "correlation_id": ctx.correlation_id,
            "provider": provider,
            "operation": ctx.operation,
            **fields,
        }


def _result_store(cache: Cache) -> ResultStore:
    # Imported on first use: serialising cached values needs cattrs, which import time avoids.
    from ._caching import ResultStore

    return ResultStore(cache)


def _check_text(field: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        msg = f"{field} must be a string or None, got {type(value).__name__}"
        raise ValidationError(msg, field=field)


def _check_task_id(task_id: object) -> None:
    if not isinstance(task_id, str) or not task_id.strip():
        msg = f"task_id must be a non-empty string, got {task_id!r}"
        raise ValidationError(msg, field="task_id")


def provider_map(providers: Sequence[Provider] | Mapping[str, Provider]) -> dict[str, Provider]:
    """Index ``providers`` by name, refusing duplicates."""
    if isinstance(providers, Mapping):
        return dict(providers)
    result: dict[str, Provider] = {}
    for provider in providers:
        if provider.name in result:
            msg = f"two providers are named {provider.name!r}; names must be unique"
            raise ConfigurationError(msg)
        result[provider.name] = provider
    return result
