"""The I/O-free core both clients share: configuration and the flows, no I/O.

``client.run(operation)`` becomes a generator (a *flow*) that yields effects and receives their
outcome; ``MusicGenClient`` and ``AsyncMusicGenClient`` only perform them, one blocking, one
awaiting, so the two cannot drift apart. The effects (``_effects``):

- ``Send(operation, role, context)``: one HTTP exchange, retried by stamina with the decisions
  of ``_exchange`` (``attempts``, ``prepare``, ``received``, ``failed``);
- ``Sleep(seconds)``;
- ``UseCache(action)``: read or write the client's cache;
- ``Shared(key, flow)``: run ``flow`` once for every identical call in flight (single flight).

There are two flows, and neither knows any endpoint:

- the **read flow** sends one operation (falling back to ``if_missing`` on a 404);
- the **task flow** starts a task (a paid submission, journalled before any wait, never sent
  twice) or reads an existing one, then polls it with the operation's ``task.read`` until it is
  terminal or the deadline passes, with the result cache and events along the way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import httpx

from ._effects import (
    STATUS,
    SUBMIT,
    AwaitKeys,
    Blocking,
    CallContext,
    Flow,
    Notify,
    Send,
    Shared,
    Sleep,
    UseCache,
    with_context,
)
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    GenerationFailedError,
    GenerationTimeoutError,
    MusicGenError,
    NotFoundError,
    ServerError,
    SubmissionUncertainError,
    UnexpectedResponseError,
    UnsupportedOperationError,
    ValidationError,
    as_uncertain_submission,
)
from ._exchange import DEFAULT_MAX_RESPONSE_BYTES, Exchange
from ._limiting import AccountSlots, account_of
from ._models import GenerationRequest, TaskStatus
from ._models_catalog import report_fallback
from ._operations import Operation, TaskSnapshot, TaskSpec
from ._polling import NEUTRAL, Deadline, PollMemory, PollPolicy, schedule_for
from ._progress import UNTIL, Progress, progress_of, stream_url_of
from ._reporting import PollTally, Reporter, log_extra
from ._retry import RetryPolicy, is_retryable
from .observability._context import current_correlation_id, new_correlation_id
from .observability._events import EventName, Hook
from .providers._base import Provider, retention_of

if TYPE_CHECKING:
    from ._serialization import JournalEntry
    from .cache import Cache
    from .observability._metrics import MetricsHook

__all__ = ["ClientCore", "provider_map"]

logger = logging.getLogger("musicgen")

T = TypeVar("T")

#: Providers that post callbacks (Mureka has none).
CALLBACK_PROVIDERS = frozenset({"suno"})
#: The first and longest pause between two tries for a limiter slot held by other tasks.
_ADMIT_PAUSE = (0.02, 0.1)
#: While a callback is expected and the cache has no wake-ups (``SupportsWait``), how often it
#: is checked: a stored callback is seen within this, well inside the 100 ms the issue asks for.
CALLBACK_CHECK_INTERVAL = 0.05
#: While a callback is expected, the slowest status polling falls back to: a lost callback
#: costs at most this much time, never the result.
CALLBACK_FALLBACK_INTERVAL = 30.0


class ClientCore:
    """Configuration plus every decision the clients make; performs no I/O.

    Args:
        providers: The configured providers by name.
        default_provider: The name used when a call names none.
        retry: The retry policy.
        poll: The poll policy.
        strict_models: Raise on unknown models instead of falling back.
        headers: Extra headers for every provider request.
        request_timeout: The httpx timeout of one request (clamped to each call's deadline).
        correlation_header: The header that carries the correlation id.
        hooks: Callables that receive every ``Event``.
        cache: Where finished results and the submission journal are kept, or None.
        unavailable: Registered providers that could not be configured, with the reason.
        clock: A monotonic clock (injectable for tests and benchmarks).
        max_response_bytes: The largest answer read, decoded.
        metrics: The client's own ``MetricsHook`` (``client.metrics()``), fed without events.
        limiter: A ``musicgen.limits.Limiter`` sharing the providers' account limits with other
            workers, or None.
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
        request_timeout: httpx.Timeout,
        correlation_header: str,
        hooks: Sequence[Hook] = (),
        cache: Cache | None = None,
        unavailable: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        callbacks: bool = False,
        metrics: MetricsHook | None = None,
        limiter: Any = None,
    ) -> None:
        self.unavailable = dict(unavailable or {})
        if not providers:
            reasons = "".join(f"; {name}: {why}" for name, why in self.unavailable.items())
            msg = (
                "no provider is configured: set MUSICGEN_SUNO_API_KEY or MUSICGEN_MUREKA_API_KEY "
                f"in the environment, or pass providers=[SunoProvider(api_key=...)]{reasons}"
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
        #: When this client's own tasks reached their stages: moves the first reads.
        self.poll_memory = PollMemory()
        self.strict_models = strict_models
        self.cache = cache
        #: Whether waits expect callbacks stored in ``cache`` by ``musicgen.callbacks``.
        self.callbacks = callbacks
        #: The limiter slots of the tasks this client submitted and still follows.
        self.slots = None if limiter is None else AccountSlots(limiter, clock)
        self.report = Reporter(hooks, clock, metrics)
        self.exchange = Exchange(
            retry=retry,
            request_timeout=request_timeout,
            headers=headers or {},
            correlation_header=correlation_header,
            report=self.report,
            clock=clock,
            max_response_bytes=max_response_bytes,
        )
        self.clock = clock

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock every decision reads (injectable for tests and benchmarks)."""
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._clock = self.report.clock = self.exchange.clock = clock

    # -- set-up -------------------------------------------------------------------------------

    def provider(self, name: str | None) -> Provider:
        """Return the provider called ``name`` (None: the default).

        Raises:
            ConfigurationError: No such provider is configured; when a registered provider's
                factory refused, its own reason is given.
        """
        key = name or self.default_provider
        try:
            return self.providers[key]
        except KeyError:
            pass
        if key in self.unavailable:
            msg = f"provider {key!r} is not configured: {self.unavailable[key]}"
        else:
            msg = (
                f"provider {key!r} is not configured (configured: {', '.join(self.providers)}); "
                "pass it in providers=[...] or set its API key in the environment"
            )
        raise ConfigurationError(msg)

    def endpoint(self, provider: Provider, name: str) -> Callable[..., Operation[Any]]:
        """The method of ``provider`` that builds the ``name`` operation.

        Raises:
            UnsupportedOperationError: The provider has no such endpoint.
        """
        method = getattr(provider, name, None)
        if not callable(method):
            msg = (
                f"provider {provider.name!r} does not support {name}; pick another provider= "
                f"(configured: {', '.join(self.providers)})"
            )
            raise UnsupportedOperationError(msg, provider=provider.name, operation=name)
        return cast(Callable[..., Operation[Any]], method)

    def context(
        self,
        operation: str,
        *,
        correlation_id: str | None,
        timeout: float | None,
        use_cache: bool = True,
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
    ) -> CallContext:
        """Start a public call: pick its correlation id and its deadline.

        Raises:
            ValidationError: A timeout that is not positive, an ``on_progress`` that is not
                callable, or an ``until`` other than ``"done"`` and ``"stream"``.
        """
        seconds = self.poll.timeout if timeout is None else timeout
        if seconds is not None and not seconds > 0:
            msg = f"timeout must be > 0 seconds, got {seconds!r}; pass None for the default"
            raise ValidationError(msg, field="timeout")
        if on_progress is not None and not callable(on_progress):
            msg = f"on_progress must be a callable taking a Progress, got {on_progress!r}"
            raise ValidationError(msg, field="on_progress")
        if until not in UNTIL:
            msg = f"until must be one of {', '.join(map(repr, UNTIL))}, got {until!r}"
            raise ValidationError(msg, field="until")
        now = self.clock()
        return CallContext(
            correlation_id=correlation_id or current_correlation_id() or new_correlation_id(),
            deadline=Deadline.after(seconds, now),
            operation=operation,
            started=now,
            use_cache=use_cache and self.cache is not None,
            on_progress=on_progress,
            until=until,
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
        """Resolve the model and check the inputs every provider shares, before any request.

        Raises:
            ValidationError: Bad input; the message names the field, the limit and the fix.
        """
        texts = {"prompt": prompt, "lyrics": lyrics, "style": style, "title": title}
        for field, value in texts.items():
            if value is not None and not isinstance(value, str):
                msg = f"{field} must be a string or None, got {type(value).__name__}"
                raise ValidationError(msg, field=field)
        if not isinstance(instrumental, bool):
            msg = f"instrumental must be True or False, got {instrumental!r}"
            raise ValidationError(msg, field="instrumental")
        resolved = self.resolve_model(provider, model, ctx)
        for field, value in texts.items():
            # Every provider's catalog limits hold, a custom provider's included.
            if value is not None:
                provider.catalog.check_length(resolved, field, value.strip())
        return GenerationRequest(
            provider=provider.name,
            model=resolved,
            prompt=prompt,
            lyrics=lyrics,
            style=style,
            title=title,
            instrumental=instrumental,
            options=options,
        )

    def resolve_model(self, provider: Provider, model: str | None, ctx: CallContext) -> str:
        """The catalog id of ``model``: an unknown one falls back to the default (reported), or
        raises ``UnknownModelError`` with ``strict_models``."""
        resolution = provider.catalog.resolve(model, strict=self.strict_models)
        if resolution.fell_back:
            self._model_fell_back(provider, resolution.requested, resolution.model, ctx)
        return resolution.model

    def _model_fell_back(
        self, provider: Provider, requested: str | None, model: str, ctx: CallContext
    ) -> None:
        extra = log_extra(
            ctx, provider.name, EventName.MODEL_FALLBACK, model=model, requested=requested
        )
        report_fallback(provider.catalog, requested, model, extra=extra)
        self.report.emit(
            EventName.MODEL_FALLBACK,
            ctx,
            provider=provider.name,
            model=model,
            requested=requested,
        )

    # -- the public entry: any operation ------------------------------------------------------

    def run(
        self, operation: Operation[T], ctx: CallContext, *, wait: bool = True, fresh: bool = False
    ) -> Flow[T]:
        """The flow of ``client.run(operation)``; failures are reported as ``call.failed``."""
        task_id = None if operation.task is None else operation.task.task_id
        return self.guard(
            self.operation_flow(operation, ctx, wait=wait, fresh=fresh),
            ctx,
            provider=operation.provider,
            task_id=task_id,
        )

    def guard(
        self,
        flow: Flow[T],
        ctx: CallContext,
        *,
        provider: str | None = None,
        task_id: str | None = None,
    ) -> Flow[T]:
        """Run ``flow`` as one public call: ``call.started`` (the hooks' context managers are
        entered in the caller's thread or task, as the flow is driven there) and, when it
        ends, their exit; a failure of the whole call is reported as ``call.failed`` first."""
        scopes = self.report.start(ctx, provider=provider, task_id=task_id)
        try:
            value = yield from flow
        except MusicGenError as error:
            with_context(error, ctx)
            self.report.emit(
                EventName.CALL_FAILED,
                ctx,
                provider=getattr(error, "provider", None),
                task_id=error.task_id,
                duration=self.clock() - ctx.started,
                error=error,
            )
            self.report.finish(scopes, error)
            raise
        except GeneratorExit:
            # The flow is closed unfinished (a watch left early): the call ends, without error.
            self.report.finish(scopes, None)
            raise
        except BaseException as error:
            # A cancellation, a Ctrl-C or an error of the caller's own (an on_progress).
            self.report.finish(scopes, error)
            raise
        self.report.finish(scopes, None)
        return value

    def operation_flow(
        self, operation: Operation[T], ctx: CallContext, *, wait: bool = True, fresh: bool = False
    ) -> Flow[T]:
        """The flow of ``operation``: the read flow, or the task flow (shared when identical
        paid requests run at once with a cache)."""
        if operation.task is None:
            return (yield from self.read_flow(operation, ctx))
        flow = self.task_flow(operation, ctx, wait=wait, fresh=fresh)
        if not (wait and operation.paid and ctx.use_cache and not fresh):
            return (yield from flow)
        # With a cache, identical paid requests in flight at once share one task.
        shared: T = yield Shared(operation.fingerprint(), flow)
        return shared

    # -- the read flow -------------------------------------------------------------------------

    def read_flow(self, operation: Operation[T], ctx: CallContext) -> Flow[T]:
        """One operation, retried when safe; its ``if_missing`` answers a 404."""
        value, _ = yield from self._read(operation, ctx, role=operation.name)
        return self.stamp(value, ctx)

    def _read(
        self, operation: Operation[T], ctx: CallContext, *, role: str
    ) -> Flow[tuple[T, Operation[T]]]:
        """Send ``operation``: its value, and the operation that answered (it or a fallback)."""
        if operation.paid:
            return (yield from self._submit(operation, ctx, role=role)), operation
        try:
            value: T = yield Send(operation, role, ctx)
        except NotFoundError:
            if operation.if_missing is None:
                raise
            return (yield from self._read(operation.if_missing, ctx, role=role))
        return value, operation

    def _submit(self, operation: Operation[T], ctx: CallContext, *, role: str) -> Flow[T]:
        """Send a paid request: never twice unless the provider certainly started nothing."""
        try:
            value: T = yield Send(operation, role, ctx)
        except (ServerError, UnexpectedResponseError) as error:
            raise as_uncertain_submission(error) from error
        except APIConnectionError as error:
            if error.request_sent:
                raise as_uncertain_submission(error) from error
            raise
        return value

    # -- the task flow -------------------------------------------------------------------------

    def task_flow(
        self, operation: Operation[T], ctx: CallContext, *, wait: bool, fresh: bool = False
    ) -> Flow[T]:
        """Start or read a task, then (``wait``) poll it until it is terminal.

        Raises:
            GenerationFailedError: The task ended in failure (only when waiting).
            GenerationTimeoutError: The deadline passed first; the task id is on the error.
        """
        spec = cast(TaskSpec[T], operation.task)
        if operation.paid:
            fingerprint = operation.fingerprint() if ctx.use_cache else None
            if fingerprint is not None and not fresh:
                entry, state = yield from self._journalled_or_started(operation, fingerprint, ctx)
                if entry is not None:
                    resumed = yield from self._resume(operation, entry, fingerprint, ctx, wait=wait)
                    if resumed is not None:
                        return resumed
                    state = yield from self._started(operation, fingerprint, ctx)
                state = cast(T, state)  # submitted here, or just above
            else:
                state = yield from self._started(operation, fingerprint, ctx)
            if not wait:
                return state
            reader = spec.read(_snapshot(state).task_id)
            return (yield from self._finish_waiting(reader, state, fingerprint, ctx))
        # A read of an existing task (``get`` or ``wait`` by id).
        task_id = spec.task_id
        if task_id is not None and ctx.use_cache:
            done = yield from self._cached(spec, operation.provider, task_id, ctx, miss=True)
            if done is not None:
                return done
        if not wait:
            state, _ = yield from self._read_task(operation, ctx, task_id)
            yield from self._keep(state, spec, ctx)
            return self.stamp(state, ctx)
        return (yield from self.follow(operation, None, ctx, task_id=task_id, spec=spec))

    def _started(
        self, operation: Operation[T], fingerprint: str | None, ctx: CallContext
    ) -> Flow[T]:
        """Submit, then journal the task before any wait: a crash from here on resumes it.

        With a limiter, the submission waits for the account's rate window and a free slot,
        and the slot stays with the task until it is seen terminal.
        """
        slot = yield from self._admitted(operation, ctx)
        try:
            state = self.stamp((yield from self._submit(operation, ctx, role=SUBMIT)), ctx)
        except SubmissionUncertainError:
            raise  # the task may be running: its slot stays taken until its ttl runs out
        except BaseException:
            if slot is not None:
                yield Blocking(slot.release)  # certainly nothing started
            raise
        snapshot = _snapshot(state)
        if slot is not None and self.slots is not None:
            self.slots.hold(snapshot.provider, snapshot.task_id, slot)
        if fingerprint is not None:
            journal = self._journal(operation.name, snapshot, fingerprint)
            yield from self._resumable(journal, snapshot.provider, snapshot.task_id, ctx)
        self.report.about(EventName.GENERATION_SUBMITTED, snapshot, ctx)
        return state

    def _admitted(self, operation: Operation[T], ctx: CallContext) -> Flow[Any]:
        """A limiter slot for a submission to ``operation``'s account (None without a limiter,
        or for a provider without a concurrency limit), after its rate window had room.

        Tries without blocking and sleeps between tries (up to ``_ADMIT_PAUSE``), so a full
        account ties up no thread; this client's waiters line up, first come first served, and
        only the first in line asks the limiter. Gives up at the call's deadline with nothing
        sent.
        """
        slots = self.slots
        if slots is None:
            return None
        provider = self.provider(operation.provider)
        account = account_of(provider)
        if account is None:
            return None
        default = getattr(provider, "concurrent_tasks", None)
        if default is not None and slots.limit_is_stale(account):
            yield from self._read_limit(slots, provider, account, default, ctx)
        while (wait := (yield Blocking(lambda: slots.try_rate(account, provider)))) > 0:
            yield from self._wait_for_limit(operation, wait, ctx)
        ticket = slots.queue(account)
        try:
            pause = _ADMIT_PAUSE[0]
            while True:
                taken, slot, ahead = yield Blocking(
                    lambda: slots.try_slot(account, provider, ticket)
                )
                if taken:
                    return slot
                if ahead:
                    # Behind this client's own waiters: look again about when its turn comes.
                    yield from self._wait_for_limit(operation, _ADMIT_PAUSE[0] * ahead, ctx)
                    continue
                yield from self._wait_for_limit(operation, pause, ctx)
                pause = min(_ADMIT_PAUSE[1], pause * 2)
        finally:
            slots.leave(account, ticket)

    def _wait_for_limit(
        self, operation: Operation[T], seconds: float, ctx: CallContext
    ) -> Flow[None]:
        """Sleep before trying the account's limit again; fail once the deadline has passed."""
        yield Sleep(ctx.deadline.clamp(seconds, self.clock()))
        if ctx.deadline.expired(self.clock()):
            msg = (
                f"{operation.name} waited for the {operation.provider} account's limit (shared "
                "with the other workers on this limiter) until the deadline; nothing was sent"
            )
            raise with_context(
                APITimeoutError(msg, provider=operation.provider, request_sent=False), ctx
            )

    def _read_limit(
        self, slots: AccountSlots, provider: Any, account: str, default: int, ctx: CallContext
    ) -> Flow[None]:
        """Ask the provider how many tasks its account may run (Mureka's billing answer)."""
        limit = None
        balance = getattr(provider, "balance", None)
        if callable(balance):
            try:
                found = yield from self.read_flow(balance(), ctx)
            except MusicGenError as error:
                logger.info(
                    "could not read %s's concurrency limit (%s); assuming %d",
                    provider.name,
                    type(error).__name__,
                    default,
                )
            else:
                limit = getattr(found, "concurrent_limit", None)
        slots.learn_limit(account, limit, default)

    def _journal(self, name: str, snapshot: TaskSnapshot, fingerprint: str) -> Flow[None]:
        from ._caching import JournalEntry, dump_journal, journal_key

        entry = JournalEntry(
            provider=snapshot.provider,
            task_id=snapshot.task_id,
            submitted_at=time.time(),
            operation=name,
        )
        ttl = retention_of(self.provider(snapshot.provider))
        text = dump_journal(entry)
        yield UseCache(lambda cache: cache.set(journal_key(fingerprint), text, ttl=ttl))

    def _journalled_or_started(
        self, operation: Operation[T], fingerprint: str, ctx: CallContext
    ) -> Flow[tuple[JournalEntry | None, T | None]]:
        """The journal entry of an identical paid request, or else this one submitted (and
        journalled): under the request's lease when the cache grants leases, so identical
        requests on other machines wait for this one instead of paying too."""
        from ._leases import flight_name, hold_lease

        name = flight_name(fingerprint)
        left = ctx.deadline.remaining(self.clock())
        try:
            held = yield UseCache(lambda cache: hold_lease(cache, name, left))
        except TimeoutError as error:
            msg = (
                f"{operation.name} waited for an identical request in another worker until "
                "the deadline; nothing was sent"
            )
            raise with_context(
                APITimeoutError(msg, provider=operation.provider, request_sent=False), ctx
            ) from error
        try:
            entry = yield from self._journalled(operation, fingerprint, ctx)
            state = (
                None
                if entry is not None
                else (yield from self._started(operation, fingerprint, ctx))
            )
        except GeneratorExit:
            raise  # the flow is being discarded: the lease expires on its own
        finally:
            if held is not None:
                held.release()
        return entry, state

    def _journalled(
        self, operation: Operation[T], fingerprint: str, ctx: CallContext
    ) -> Flow[JournalEntry | None]:
        """The journal entry of an identical paid request, if there is one."""
        from ._caching import journal_keys, load_journal

        running, finished = journal_keys(fingerprint)
        text = yield UseCache(lambda cache: cache.get(running) or cache.get(finished))
        entry = None if text is None else load_journal(text)
        if entry is None:
            self.report.emit(EventName.CACHE_MISS, ctx, provider=operation.provider, kind="journal")
        return entry

    def _resume(
        self,
        operation: Operation[T],
        entry: JournalEntry,
        fingerprint: str,
        ctx: CallContext,
        *,
        wait: bool,
    ) -> Flow[T | None]:
        """The task an identical paid request started before, finished or followed; None if
        the provider forgot it."""
        from ._caching import forget_journal

        spec = cast(TaskSpec[T], operation.task)
        done = yield from self._cached(spec, entry.provider, entry.task_id, ctx, miss=False)
        if done is not None:
            return done
        self.report.emit(
            EventName.CACHE_RESUME,
            ctx,
            provider=entry.provider,
            task_id=entry.task_id,
            kind="journal",
            submitted_at=entry.submitted_at,
        )
        reader = spec.read(entry.task_id)
        try:
            if not wait:
                state, _ = yield from self._read_task(reader, ctx, entry.task_id)
                return self.stamp(state, ctx)
            return (yield from self._finish_waiting(reader, None, fingerprint, ctx, entry.task_id))
        except NotFoundError:
            # The provider no longer knows the task (expired): nothing left to resume.
            yield UseCache(lambda cache: forget_journal(cache, fingerprint))
            return None

    def _finish_waiting(
        self,
        reader: Operation[T],
        state: T | None,
        fingerprint: str | None,
        ctx: CallContext,
        task_id: str | None = None,
    ) -> Flow[T]:
        try:
            # A state here is the submission's answer: the task is 0 s old.
            age = None if state is None else 0.0
            done = yield from self.follow(reader, state, ctx, task_id=task_id, age=age)
        except GenerationFailedError:
            if fingerprint is not None:
                # A failed take is not worth resuming: the next identical request tries anew.
                from ._caching import journal_key

                key = journal_key(fingerprint)
                yield UseCache(lambda cache: cache.delete(key))
            raise
        snapshot = _snapshot(done)
        if fingerprint is not None and snapshot.status.is_terminal:
            # Finished: the entry no longer guards a payment, so a bounded store may evict it.
            from ._caching import settle_journal

            ttl = retention_of(self.provider(snapshot.provider))
            yield UseCache(lambda cache: settle_journal(cache, fingerprint, ttl))
        return done

    def follow(
        self,
        reader: Operation[T],
        state: T | None,
        ctx: CallContext,
        *,
        task_id: str | None = None,
        spec: TaskSpec[T] | None = None,
        age: float | None = None,
    ) -> Flow[T]:
        """Poll a task with ``reader`` until it is terminal or the deadline passes.

        ``state`` is the last one seen, or None to read at once; ``age`` is the seconds since
        the task was submitted when known (0 right after the submission), else None. A read
        that fails in a way worth retrying does not end the wait: the task runs on, and the
        next poll tries again. A Ctrl-C or a cancellation meanwhile gets a note on how to
        resume the task.

        Raises:
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed first; the task id is on the error.
        """
        task_id = task_id if state is None else _snapshot(state).task_id
        polling = self._poll(reader, state, ctx, task_id, spec or reader.task, age)
        return (yield from self._resumable(polling, reader.provider, task_id, ctx))

    def _poll(
        self,
        reader: Operation[T],
        state: T | None,
        ctx: CallContext,
        task_id: str | None,
        spec: TaskSpec[T] | None,
        age: float | None,
    ) -> Flow[T]:
        progress = PollTally(started=self.clock())
        schedule = schedule_for(
            self.poll,
            # The status read's timeline: the read knows what kind of task it follows.
            NEUTRAL if spec is None else spec.timeline,
            until=ctx.until,
            memory=self.poll_memory,
            key=(reader.provider, ctx.operation),
            now=progress.started,
            age=age,
        )
        listening = self._listens(reader.provider, ctx)
        sent: tuple[Any, ...] | None = None  # what the last Progress showed
        # After a failed read: how long the provider asked us to wait (0 when it did not say).
        # A first read and every later one are treated alike: a failure worth retrying never
        # ends the wait, it only delays the next read.
        pause: float | None = None
        while state is None or not _snapshot(state).status.is_terminal:
            if state is not None:
                sent = yield from self._notify(state, ctx, progress, sent)
                if ctx.until == "stream" and stream_url_of(state):
                    schedule.learn()
                    return self._streaming(state, ctx)
            if state is not None or pause is not None:
                now = self.clock()
                if ctx.deadline.expired(now):
                    raise self._timed_out(state, reader, task_id, ctx, progress)
                wait = max(schedule.wait(now), pause or 0.0)
                if listening and task_id is not None:
                    # A callback is expected: poll only as a slow fallback, and read at once
                    # when the receiver stores one.
                    wait = max(wait, CALLBACK_FALLBACK_INTERVAL)
                    yield from self._await_callback(reader.provider, task_id, ctx, wait, now)
                else:
                    yield Sleep(ctx.deadline.clamp(wait, now))
                pause = None
            if ctx.deadline.expired(self.clock()):
                raise self._timed_out(state, reader, task_id, ctx, progress)
            try:
                current, reader = yield from self._read_task(reader, ctx, task_id)
            except MusicGenError as error:
                if not is_retryable(error, submission=False):
                    raise
                now = self.clock()
                pause = getattr(error, "retry_after", None) or 0.0
                if ctx.deadline.expired(now + pause):
                    # Reading again sooner than asked would only be refused again: the task
                    # cannot be seen finished in time. It runs on; the error says how to resume.
                    asked = None
                    if not ctx.deadline.expired(now):
                        asked = f"{reader.provider} asked to wait {pause:g}s before the next read"
                    raise self._timed_out(
                        state, reader, task_id, ctx, progress, why=asked
                    ) from error
                continue
            self.report.poll(state, current, ctx, progress)
            state = current
            snapshot = _snapshot(state)
            task_id = snapshot.task_id
            yield from self._keep_slot(snapshot)
            schedule.saw(
                self.clock(),
                provider_status=snapshot.provider_status,
                stream=stream_url_of(state) is not None,
                done=snapshot.status.is_terminal,
            )
        if _snapshot(state).status is TaskStatus.SUCCEEDED:
            schedule.learn()
        yield from self._notify(state, ctx, progress, sent)
        return (yield from self._finish(self.stamp(state, ctx), spec, ctx, progress))

    def _keep_slot(self, snapshot: TaskSnapshot) -> Flow[None]:
        """After a read: free the task's limiter slot once the task is terminal."""
        slots = self.slots
        if slots is None or not snapshot.status.is_terminal:
            return
        provider, task_id = snapshot.provider, snapshot.task_id
        if slots.holds(provider, task_id):
            yield Blocking(lambda: slots.release(provider, task_id))

    def _notify(
        self, state: Any, ctx: CallContext, tally: PollTally, sent: tuple[Any, ...] | None
    ) -> Flow[tuple[Any, ...] | None]:
        """Send the call's ``on_progress`` a ``Progress`` when something it shows changed."""
        if ctx.on_progress is None:
            return sent
        update = progress_of(state, elapsed=self.clock() - ctx.started, polls=tally.polls)
        shown = (update.status, update.provider_status, update.stream_url, len(update.tracks))
        if shown != sent:
            yield Notify(ctx.on_progress, update)
        return shown

    def _streaming(self, state: T, ctx: CallContext) -> T:
        """``until="stream"``: the state as returned, its status STREAMING (the task runs on;
        its journal entry stays, so a later wait or an identical request resumes it)."""
        cls: Any = type(state)
        if attrs.has(cls) and "status" in attrs.fields_dict(cls):
            state = attrs.evolve(state, status=TaskStatus.STREAMING)  # type: ignore[misc]
        return self.stamp(state, ctx)

    # -- callbacks ------------------------------------------------------------------------------

    def _listens(self, provider: str, ctx: CallContext) -> bool:
        """Whether this wait expects callbacks: the client listens and shares a cache with the
        receiver, and the provider sends callbacks (Mureka has none)."""
        return self.callbacks and ctx.use_cache and provider in CALLBACK_PROVIDERS

    def _await_callback(
        self, provider: str, task_id: str, ctx: CallContext, seconds: float, now: float
    ) -> Flow[None]:
        """Sleep up to ``seconds`` (within the deadline), ending early when the receiver has
        stored a callback worth a read for this task: a final one, or a stream for
        ``until="stream"``.

        The wait is on the receiver's ready markers (``AwaitKeys``): a client whose cache has
        wake-ups is woken when one is written, on any machine; another checks every
        ``CALLBACK_CHECK_INTERVAL``. Either way the callback itself is read after each wake."""
        from ._callback_wait import callback_key, ready_keys, worth_a_read

        key = callback_key(provider, task_id)
        markers = tuple(ready_keys(provider, task_id, until=ctx.until))
        end = ctx.deadline.clamp(seconds, now) + now
        while True:
            stored = yield UseCache(lambda cache: cache.get(key))
            if stored is not None and worth_a_read(stored, until=ctx.until):
                return
            left = end - self.clock()
            if left <= 0:
                return
            yield AwaitKeys(markers, left, CALLBACK_CHECK_INTERVAL)

    def _read_task(
        self, reader: Operation[T], ctx: CallContext, task_id: str | None
    ) -> Flow[tuple[T, Operation[T]]]:
        """One status read: the state and the operation that answered. Errors carry the task id,
        and an unknown provider status is reported. (What a call returns is stamped with its
        correlation id where it returns, not every state read on the way.)"""
        try:
            value, reader = yield from self._read(reader, ctx, role=STATUS)
        except MusicGenError as error:
            error.task_id = error.task_id or task_id
            raise
        snapshot = _snapshot(value)
        if snapshot.status is TaskStatus.UNKNOWN:
            self._unknown_status(snapshot, ctx)
        return value, reader

    def _unknown_status(self, snapshot: TaskSnapshot, ctx: CallContext) -> None:
        logger.warning(
            "%s task %s has an unknown status %r: treated as still running",
            snapshot.provider,
            snapshot.task_id,
            snapshot.provider_status,
            extra=log_extra(
                ctx,
                snapshot.provider,
                EventName.STATUS_UNKNOWN,
                task_id=snapshot.task_id,
                provider_status=snapshot.provider_status,
            ),
        )
        self.report.emit(
            EventName.STATUS_UNKNOWN,
            ctx,
            provider=snapshot.provider,
            model=getattr(snapshot, "model", None),
            task_id=snapshot.task_id,
            status=snapshot.status.value,
            provider_status=snapshot.provider_status,
        )

    def _finish(
        self, state: T, spec: TaskSpec[T] | None, ctx: CallContext, progress: PollTally
    ) -> Flow[T]:
        snapshot = _snapshot(state)
        failed = snapshot.status.is_failure
        error: GenerationFailedError | None = None
        if failed:
            reason = snapshot.error or snapshot.provider_status
            msg = (
                f"{snapshot.provider} task {snapshot.task_id} ended as "
                f"{snapshot.provider_status}: {reason}"
            )
            error = GenerationFailedError(msg, generation=state)  # type: ignore[arg-type]
            with_context(error, ctx)
        name = EventName.GENERATION_FAILED if failed else EventName.GENERATION_SUCCEEDED
        self.report.outcome(name, snapshot, ctx, progress, error)
        if error is not None:
            raise error
        if spec is not None:
            yield from self._keep(state, spec, ctx)
        return state

    def _keep(self, state: T, spec: TaskSpec[T], ctx: CallContext) -> Flow[None]:
        """Keep a succeeded result in the cache; other states may still change."""
        snapshot = _snapshot(state)
        if not ctx.use_cache or spec.result_type is None:
            return
        if snapshot.status is not TaskStatus.SUCCEEDED:
            return
        from ._caching import dump_result, result_key

        key = result_key(spec.result_type, snapshot.provider, snapshot.task_id)
        text = dump_result(state)
        ttl = retention_of(self.provider(snapshot.provider))
        yield UseCache(lambda cache: cache.set(key, text, ttl=ttl))

    def _cached(
        self, spec: TaskSpec[T], provider: str, task_id: str, ctx: CallContext, *, miss: bool
    ) -> Flow[T | None]:
        """A finished result kept earlier, stamped for this call, or None."""
        if spec.result_type is None:
            return None
        from ._caching import load_result, result_key

        key = result_key(spec.result_type, provider, task_id)
        text = yield UseCache(lambda cache: cache.get(key))
        done = None if text is None else load_result(text, spec.result_type)
        if done is None:
            if miss:
                self.report.emit(
                    EventName.CACHE_MISS,
                    ctx,
                    provider=provider,
                    task_id=task_id,
                    kind="result",
                )
            return None
        self.report.about(EventName.CACHE_HIT, _snapshot(done), ctx, kind="result")
        return self.stamp(done, ctx)

    def _timed_out(
        self,
        state: T | None,
        reader: Operation[T],
        task_id: str | None,
        ctx: CallContext,
        progress: PollTally,
        *,
        why: str | None = None,
    ) -> GenerationTimeoutError:
        """The error of a wait that ends before the task: ``why`` says why it ends before the
        deadline has passed (the default says it passed)."""
        provider = reader.provider if state is None else _snapshot(state).provider
        where = "still running" if state is None else f"still {_snapshot(state).provider_status}"
        when = "when the deadline passed" if why is None else f"and {why}, past the deadline"
        msg = (
            f"{provider} task {task_id} was {where} {when}; it may still "
            f"finish: resume with client.wait({task_id!r}, provider={provider!r}) instead of "
            "submitting again"
        )
        error = GenerationTimeoutError(
            msg,
            task_id=task_id,
            provider=provider,
            generation=None if state is None else self.stamp(state, ctx),  # type: ignore[arg-type]
        )
        with_context(error, ctx)
        if state is not None:
            self.report.outcome(
                EventName.GENERATION_TIMED_OUT, _snapshot(state), ctx, progress, error
            )
        else:
            self.report.emit(
                EventName.GENERATION_TIMED_OUT,
                ctx,
                provider=provider,
                task_id=task_id,
                duration=self.clock() - ctx.started,
                error=error,
            )
        return error

    def _resumable(
        self, flow: Flow[T], provider: str, task_id: str | None, ctx: CallContext
    ) -> Flow[T]:
        """Run a wait on a task; a Ctrl-C, a cancellation or an error of the caller's own (an
        ``on_progress`` that raised) gets a note on how to resume it."""
        try:
            return (yield from flow)
        except BaseException as interrupt:
            # KeyboardInterrupt, asyncio's CancelledError, SystemExit and foreign errors are not
            # errors of the call (musicgen's own carry the task id). GeneratorExit only means the
            # flow is being closed.
            foreign = not isinstance(interrupt, (MusicGenError, GeneratorExit))
            if foreign and task_id is not None:
                _add_note(interrupt, self._resume_note(provider, task_id, ctx))
            raise

    @staticmethod
    def _resume_note(provider: str, task_id: str, ctx: CallContext) -> str:
        note = (
            f"musicgen: {provider} task {task_id} was already submitted (and paid for); resume "
            f"it with client.wait({task_id!r}, provider={provider!r}) instead of submitting again"
        )
        if ctx.use_cache:
            note += "; the cache's journal keeps it too, so an identical request resumes it"
        return note

    @staticmethod
    def stamp(value: T, ctx: CallContext) -> T:
        """``value`` with the call's correlation id, when it has a ``correlation_id`` field."""
        if _has_correlation_field(type(value)):
            return attrs.evolve(value, correlation_id=ctx.correlation_id)  # type: ignore[misc]
        return value


def _add_note(error: BaseException, note: str) -> None:
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10 has no add_note: keep PEP 678's attribute for code that reads it
        error.__dict__.setdefault("__notes__", []).append(note)


def _snapshot(value: Any) -> TaskSnapshot:
    """``value`` seen as a task's state (a task operation's ``parse`` must return one)."""
    return cast(TaskSnapshot, value)


_CORRELATION_FIELDS: dict[type, bool] = {}


def _has_correlation_field(cls: type) -> bool:
    known = _CORRELATION_FIELDS.get(cls)
    if known is None:
        known = attrs.has(cls) and "correlation_id" in attrs.fields_dict(cls)
        _CORRELATION_FIELDS[cls] = known
    return known


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
