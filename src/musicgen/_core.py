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
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any, TypeVar

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
from .providers._base import Provider

__all__ = ["Call", "CallContext", "ClientCore", "Flow", "Sleep"]

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
    """

    correlation_id: str
    deadline: Deadline
    operation: str


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


Flow = Generator["Call | Sleep", Any, T]


def new_correlation_id() -> str:
    """A fresh random correlation id."""
    return uuid.uuid4().hex


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
        self, operation: str, *, correlation_id: str | None, timeout: float | None
    ) -> CallContext:
        """Start a public call: pick its correlation id and its deadline."""
        seconds = self.poll.timeout if timeout is None else timeout
        if seconds is not None and seconds <= 0:
            msg = f"timeout must be > 0 seconds, got {seconds!r}; pass None for the default"
            raise ValidationError(msg, field="timeout")
        return CallContext(
            correlation_id=correlation_id or new_correlation_id(),
            deadline=Deadline.after(seconds, self.clock()),
            operation=operation,
        )

    def generation_request(
        self,
        provider: Provider,
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

    def submit_flow(self, request: GenerationRequest, ctx: CallContext) -> Flow[Generation]:
        """Start a paid task: never sent twice unless the provider certainly did not get it."""
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
        return self._stamp(generation, ctx)

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
        return generation

    def wait_flow(self, generation: Generation, ctx: CallContext) -> Flow[Generation]:
        """Poll ``generation`` until it is terminal or the deadline passes.

        Raises:
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed first; the task id is on the error.
        """
        provider = self.provider(generation.provider)
        intervals = self.poll.intervals()
        current = generation
        while not current.status.is_terminal:
            now = self.clock()
            if ctx.deadline.expired(now):
                raise self._timed_out(current, ctx)
            yield Sleep(ctx.deadline.clamp(next(intervals), now))
            if ctx.deadline.expired(self.clock()):
                raise self._timed_out(current, ctx)
            try:
                current = yield from self.status_flow(
                    provider, current.task_id, current.instrumental, ctx
                )
            except MusicGenError as error:
                error.task_id = current.task_id
                if not is_retryable(error, submission=False):
                    raise
                if ctx.deadline.expired(self.clock()):
                    raise self._timed_out(current, ctx) from error
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
        return self._finish(current, ctx)

    def generate_flow(self, request: GenerationRequest, ctx: CallContext) -> Flow[Generation]:
        """Submit, then wait until the task is terminal."""
        generation = yield from self.submit_flow(request, ctx)
        return (yield from self.wait_flow(generation, ctx))

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

        return RetryDecider(
            self.retry,
            submission=call.submission,
            deadline=ctx.deadline.at,
            clock=self.clock,
            on_retry=log_retry,
        )

    def transport_error(self, call: Call, error: httpx.TransportError) -> MusicGenError:
        """Translate an httpx failure, noting whether the request can have reached the provider."""
        # Only these fail before any byte of the request leaves: no connection, no pool slot.
        not_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
        what = type(error).__name__
        msg = f"{call.operation} request to {call.provider.name} failed: {what}"
        return self.with_context(
            kind(msg, provider=call.provider.name, request_sent=not not_sent), call.context
        )

    def parse(self, call: Call, response: httpx.Response) -> Any:
        """Parse ``response`` with ``call.parse``; errors carry the call's correlation id."""
        try:
            return call.parse(response)
        except MusicGenError as error:
            raise self.with_context(error, call.context) from None

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

    def _finish(self, generation: Generation, ctx: CallContext) -> Generation:
        if generation.status.is_failure:
            reason = generation.error or generation.provider_status
            msg = (
                f"{generation.provider} task {generation.task_id} ended as "
                f"{generation.provider_status}: {reason}"
            )
            raise self.with_context(GenerationFailedError(msg, generation=generation), ctx)
        return generation

    def _timed_out(self, generation: Generation, ctx: CallContext) -> GenerationTimeoutError:
        msg = (
            f"{generation.provider} task {generation.task_id} was still "
            f"{generation.provider_status} when the deadline passed; it may still finish: resume "
            f"with client.wait({generation.task_id!r}, provider={generation.provider!r}) "
            "instead of submitting again"
        )
        error = GenerationTimeoutError(
            msg, task_id=generation.task_id, provider=generation.provider, generation=generation
        )
        error.correlation_id = ctx.correlation_id
        return error

    @staticmethod
    def _log_extra(ctx: CallContext, provider: str, **fields: Any) -> dict[str, Any]:
        return {
            "correlation_id": ctx.correlation_id,
            "provider": provider,
            "operation": ctx.operation,
            **fields,
        }


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
