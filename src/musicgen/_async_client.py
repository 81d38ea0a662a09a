"""AsyncMusicGenClient: the awaitable twin of MusicGenClient, performing the same flows.

It never blocks the event loop: a cache that may block (``DiskCache``) is used from a worker
thread, memory caches inline.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from ._client import public_error
from ._client_base import BaseClient, ProviderOptions, _as_timeout, _batch_defaults
from ._effects import AwaitKeys, Blocking, Flow, Notify, Send, Shared, Sleep, UseCache
from ._errors import ConfigurationError, MusicGenError
from ._exchange import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RESPONSE_BYTES,
    Abandoned,
    Transfer,
    pool_limits,
)
from ._flights import ABANDONED, Flights
from ._models import Balance, Generation, GenerationRequest, Track
from ._operations import Operation
from ._progress import Progress
from ._retry import RetryDecider, musicgen_retries
from ._wakeups import wakeups_for

if TYPE_CHECKING:
    from pathlib import Path

    from ._batch import BatchProgress
    from ._namespaces import AsyncMurekaCalls, AsyncSunoCalls
    from ._polling import PollPolicy
    from ._results import Lyrics, Stems, Upload
    from ._retry import RetryPolicy
    from .cache import Cache
    from .limits import Limiter
    from .observability._events import Hook
    from .providers import Provider

__all__ = ["AsyncMusicGenClient"]

T = TypeVar("T")

if sys.version_info >= (3, 11):

    async def _within(seconds: float, exchange: Awaitable[T]) -> T:
        """``await exchange``, cancelled when ``seconds`` pass (then ``Abandoned``)."""
        scope = asyncio.timeout(seconds)
        try:
            async with scope:
                return await exchange
        except TimeoutError:
            if scope.expired():
                raise Abandoned(started=True) from None
            raise

else:  # pragma: no cover - Python 3.10

    async def _within(seconds: float, exchange: Awaitable[T]) -> T:
        """``await exchange``, cancelled when ``seconds`` pass (then ``Abandoned``)."""
        try:
            return await asyncio.wait_for(exchange, seconds)
        except asyncio.TimeoutError:
            raise Abandoned(started=True) from None


async def _free_slot(slots: asyncio.Semaphore, seconds: float | None) -> bool:
    """Take one of ``slots``, waiting at most ``seconds`` (None: as long as it takes); False
    when none came free in time."""
    if seconds is None or not slots.locked():
        await slots.acquire()
        return True
    try:
        await _within(seconds, slots.acquire())
    except Abandoned:
        return False
    return True


class AsyncMusicGenClient(BaseClient):
    """Generate music with any configured provider, with ``await``.

    Takes the same arguments as ``MusicGenClient``; ``http_client`` is an ``httpx.AsyncClient``.

    Raises:
        ConfigurationError: No provider could be configured, ``http_client`` is not an
            ``httpx.AsyncClient``, ``max_response_bytes`` is not a whole number >= 1, or
            ``callbacks=True`` without a ``cache``.
    """

    def __init__(
        self,
        *,
        providers: Sequence[Provider] | Mapping[str, Provider] | None = None,
        default_provider: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        strict_models: bool = False,
        headers: Mapping[str, str] | None = None,
        request_timeout: float | httpx.Timeout | None = None,
        timeout: float | httpx.Timeout | None = None,
        correlation_header: str = "X-Correlation-ID",
        hooks: Sequence[Hook] = (),
        metrics: bool = True,
        cache: Cache | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        callbacks: bool = False,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        limiter: Limiter | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            msg = (
                f"AsyncMusicGenClient needs an httpx.AsyncClient, got "
                f"{type(http_client).__name__}; for an httpx.Client use MusicGenClient"
            )
            raise ConfigurationError(msg)
        super().__init__(
            providers=providers,
            default_provider=default_provider,
            retry=retry,
            poll=poll,
            strict_models=strict_models,
            headers=headers,
            request_timeout=request_timeout,
            timeout=timeout,
            correlation_header=correlation_header,
            hooks=hooks,
            metrics=metrics,
            cache=cache,
            max_response_bytes=max_response_bytes,
            callbacks=callbacks,
            max_concurrency=max_concurrency,
            limiter=limiter,
        )
        self._flights = Flights()
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=_as_timeout(self._options["request_timeout"]),
            follow_redirects=True,
            limits=pool_limits(max_concurrency),
        )
        # Exchanges on a client musicgen built stop at the deadline in the caller's task (the
        # pool's sockets are clamped to it); on a user's client, a cancellation scope ends them.
        # (Imported here: it needs httpcore, which httpx itself loads only for a transport.)
        from ._deadlines import bounded_by, install_deadlines

        bounded = install_deadlines(self._http, modify=self._owns_http)
        self._bounded_by = bounded_by if bounded else None
        self._max_concurrency = max_concurrency
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        # Stores that may wait on disk or locks run in a worker thread, off the event loop.
        self._cache_blocks = cache is not None and getattr(cache, "blocking", True) is not False
        # One thread waking every callback wait of this client: a wait is a future, not a
        # worker thread (none until the first wait).
        self._wakeups = wakeups_for(cache, callbacks=callbacks)

    def with_options(self, **options: Any) -> AsyncMusicGenClient:
        """A copy with some constructor options changed, sharing this client's connections."""
        return AsyncMusicGenClient(http_client=self._http, **self._merged_options(options))

    async def run(
        self,
        operation: Operation[T],
        *,
        timeout: float | None = None,
        correlation_id: str | None = None,
        cache: bool = True,
        fresh: bool = False,
        wait: bool = True,
    ) -> T:
        """Run any provider operation with the whole machinery; see ``MusicGenClient.run``."""
        return await self._drive(
            self._run_flow(
                operation,
                timeout=timeout,
                correlation_id=correlation_id,
                cache=cache,
                fresh=fresh,
                wait=wait,
            )
        )

    async def generate(
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
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
        options: ProviderOptions | Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Generation:
        """Generate music and wait until the task is finished; see ``MusicGenClient.generate``."""
        return await self._drive(
            self._generation_flow(
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
                extra=extra,
                on_progress=on_progress,
                until=until,
            )
        )

    async def generate_many(
        self,
        requests: Iterable[str | Mapping[str, Any] | GenerationRequest],
        *,
        provider: str | None = None,
        concurrency: int | None = None,
        timeout: float | None = None,
        on_progress: Callable[[BatchProgress], Any] | None = None,
    ) -> list[Generation | MusicGenError]:
        """Generate many at once; results in input order, failures as values.

        As ``MusicGenClient.generate_many``, with asyncio tasks instead of threads; a
        coroutine ``on_progress`` is awaited. Cancelling the call cancels the generations
        still running (their tasks stay journalled: the same batch again resumes them).
        """
        from ._batch import BatchTally, batch_calls, check_concurrency, split_call

        calls = batch_calls(requests, _batch_defaults(provider, timeout))
        slots = asyncio.Semaphore(check_concurrency(concurrency))
        tally = BatchTally(len(calls), on_progress)

        async def one(index: int, call: dict[str, Any]) -> None:
            own, extra = split_call(call)
            outcome: Generation | MusicGenError
            async with slots:
                try:
                    outcome = await self.generate(**own, **extra)
                except MusicGenError as error:
                    outcome = error
            update = tally.record(index, outcome)
            if update is not None and on_progress is not None:
                called = on_progress(update)
                if inspect.isawaitable(called):
                    await called

        tasks = [asyncio.ensure_future(one(index, call)) for index, call in enumerate(calls)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        return tally.results()

    async def submit(
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
        options: ProviderOptions | Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Generation:
        """Start a generation and return at once; see ``MusicGenClient.generate``."""
        return await self._drive(
            self._generation_flow(
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
                extra=extra,
            )
        )

    async def get(
        self, task_id: str, *, provider: str | None = None, correlation_id: str | None = None
    ) -> Generation:
        """Read a task's status once (a finished one from the cache, when there is one)."""
        return await self._drive(self._task_flow("get", task_id, provider, None, correlation_id))

    async def wait(
        self,
        generation_or_task_id: Generation | str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
    ) -> Generation:
        """Wait for an existing task to finish, e.g. to resume after a crash or a timeout.

        ``on_progress`` and ``until`` work as on ``generate``.
        """
        return await self._drive(
            self._task_flow(
                "wait",
                generation_or_task_id,
                provider,
                timeout,
                correlation_id,
                on_progress=on_progress,
                until=until,
            )
        )

    async def watch(
        self,
        generation_or_task_id: Generation | str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> AsyncIterator[Progress]:
        """Follow a task: yield a ``Progress`` on every change, ending with a terminal one
        (``async for update in client.watch(task)``).

        Each update waits until you take it; leaving the loop early stops following, and the
        task runs on at the provider.

        Raises:
            GenerationFailedError: After the last update, when the task failed.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
        """
        updates: asyncio.Queue[Progress] = asyncio.Queue(maxsize=1)
        flow = self._task_flow(
            "watch",
            generation_or_task_id,
            provider,
            timeout,
            correlation_id,
            on_progress=updates.put,
        )
        following = asyncio.ensure_future(self._drive(flow))
        try:
            while True:
                taking = asyncio.ensure_future(updates.get())
                await asyncio.wait({taking, following}, return_when=asyncio.FIRST_COMPLETED)
                if taking.done():
                    yield taking.result()
                    continue
                taking.cancel()
                while not updates.empty():
                    yield updates.get_nowait()
                following.result()  # the wait's own error, if it ended with one
                return
        finally:
            if not following.done():
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await following

    async def balance(
        self, provider: str | None = None, *, correlation_id: str | None = None
    ) -> Balance:
        """Return the credits (Suno) or balance in cents (Mureka) left."""
        return cast(Balance, await self._drive(self._balance_flow(provider, correlation_id)))

    async def extend(
        self,
        track: Track | Generation | str,
        *,
        at: float | None = None,
        lyrics: str | None = None,
        prompt: str | None = None,
        style: str | None = None,
        title: str | None = None,
        model: str | None = None,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
        fresh: bool = False,
        cache: bool = True,
        options: ProviderOptions | Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Generation:
        """Continue a track from ``at`` seconds and wait for the new song (a paid task).

        Args:
            track: A ``Track``, a ``Generation`` (its first track; its provider and model are
                used unless given) or a track id.
            at: Where the continuation starts, in seconds (Mureka: 8 to 420, sent as ms).
                None lets the provider decide (Suno: reuse the source's settings).
            lyrics: Lyrics of the new part (required by Mureka).
            prompt: Suno only: a description, in custom mode.
            style: Suno only: style of the new part.
            title: Suno only: title of the new song.
            model: The model; Suno requires the source's own.
            provider: The provider (default: the one that made ``track``, else the default).
            timeout: Overall deadline in seconds (default: ``poll.timeout``).
            correlation_id: The id to trace this call by.
            fresh: Start a new task even when the journal holds this exact request.
            cache: False keeps this call away from the client's cache.
            options: Typed provider options or a mapping; ``**extra`` as keywords.

        Returns:
            The finished generation with the extended track(s).

        Raises:
            UnsupportedOperationError: The provider cannot extend (before anything is sent).
            ValidationError: Bad input, found before anything was sent.
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
        """
        return cast(
            Generation,
            await self._drive(
                self._extend_flow(
                    track,
                    at=at,
                    lyrics=lyrics,
                    prompt=prompt,
                    style=style,
                    title=title,
                    model=model,
                    provider=provider,
                    timeout=timeout,
                    correlation_id=correlation_id,
                    fresh=fresh,
                    cache=cache,
                    options=options,
                    extra=extra,
                )
            ),
        )

    async def lyrics(
        self,
        prompt: str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> tuple[Lyrics, ...]:
        """Write lyrics about ``prompt``: Suno's lyrics task (polled, usually two variants) or
        Mureka's synchronous endpoint (one). Paid at both.

        Raises:
            UnsupportedOperationError: The provider writes no lyrics.
            ValidationError: An empty or too long prompt.
        """
        flow = self._verb_flow(
            "lyrics", provider, None, prompt, timeout=timeout, correlation_id=correlation_id
        )
        return cast("tuple[Lyrics, ...]", await self._drive(flow))

    async def extend_lyrics(
        self,
        lyrics: str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Lyrics:
        """Write the lines that follow ``lyrics`` (Mureka; paid). ``Lyrics.text`` holds only the
        new lines.

        Raises:
            UnsupportedOperationError: The provider cannot (Suno has no such endpoint).
        """
        flow = self._verb_flow(
            "extend_lyrics", provider, None, lyrics, timeout=timeout, correlation_id=correlation_id
        )
        return cast("Lyrics", await self._drive(flow))

    async def separate(
        self,
        source: Track | Generation | str,
        *,
        mode: str = "vocals",
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Stems:
        """Split a track into parts (paid): ``mode="vocals"`` (vocals and instrumental) or
        ``"stems"`` (every instrument). Suno separates its own tracks (a task, polled) and names
        each part's URL; Mureka separates any audio URL at once into one ZIP of every stem.

        Args:
            source: A ``Track``, a ``Generation`` (its first track) or, for Mureka, an audio URL.
            mode: ``"vocals"`` or ``"stems"``.
            provider: The provider (default: the one that made ``source``, else the default).

        Raises:
            UnsupportedOperationError: The provider cannot separate.
            ValidationError: Bad input (e.g. a URL for Suno), before anything is sent.
        """
        flow = self._verb_flow(
            "separate",
            provider,
            source,
            source,
            mode=mode,
            timeout=timeout,
            correlation_id=correlation_id,
        )
        return cast("Stems", await self._drive(flow))

    async def upload(
        self,
        source: str | bytes | os.PathLike[str],
        *,
        provider: str | None = None,
        purpose: str | None = None,
        filename: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Upload:
        """Give a provider a file to work on: a path, bytes or (Suno) a URL.

        Suno hosts it for 3 days and returns its ``url`` (for ``upload_cover``,
        ``upload_extend``, ``add_vocals``...). Mureka returns an ``id`` bound to ``purpose``
        (``"audio"``, ``"reference"``, ``"vocal"``, ``"melody"``, ``"instrumental"``,
        ``"voice"``, ``"remix"``). Sizes are checked before anything is sent.

        Raises:
            UnsupportedOperationError: The provider takes no uploads.
            ValidationError: A missing file, a size over the limit, a purpose the provider does
                not know.
        """
        flow = self._verb_flow(
            "upload",
            provider,
            None,
            source,
            purpose=purpose,
            filename=filename,
            timeout=timeout,
            correlation_id=correlation_id,
        )
        return cast("Upload", await self._drive(flow))

    async def convert(
        self,
        track: Track | Generation,
        *,
        format: str = "wav",
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Track:
        """The track in another format: ``Track.url_for(format)`` is set on what is returned.

        A track that already has it (Mureka's WAV and FLAC come with every song) is returned
        as it is, with no request. Otherwise the provider converts it (Suno's WAV task, paid).

        Raises:
            UnsupportedOperationError: The provider cannot make that format.
            ValidationError: An unknown format.
        """
        flow = self._convert_flow(
            track,
            format=format,
            provider=provider,
            timeout=timeout,
            correlation_id=correlation_id,
            cache=True,
        )
        return cast(Track, await self._drive(flow))

    async def download(
        self,
        track: Track | str,
        dest: str | os.PathLike[str],
        *,
        format: str = "mp3",
    ) -> Path:
        """Stream a track's audio to ``dest`` atomically; see ``MusicGenClient.download``."""
        from ._download import (
            DOWNLOAD_FAILURES,
            atomic_file,
            check_download,
            download_deadline,
            download_error,
            download_headers,
            download_target,
        )

        url, path, stem = download_target(track, dest, format)
        deadline = download_deadline(self._core.retry)
        decider = RetryDecider(self._core.retry, submission=False, deadline=deadline)
        with musicgen_retries():
            async for attempt in decider.attempts():
                with attempt, atomic_file(path, stem=stem) as out:
                    try:
                        async with self._http.stream(
                            "GET", url, headers=download_headers()
                        ) as response:
                            check_download(response, url)
                            out.content_type(response.headers.get("content-type"))
                            async for chunk in response.aiter_bytes():
                                out.write(chunk)
                    except DOWNLOAD_FAILURES as error:
                        raise download_error(error, url) from error
        return out.path

    # -- provider namespaces ----------------------------------------------------------------

    @property
    def suno(self) -> AsyncSunoCalls:
        """Every sunoapi.org endpoint, run by this client: ``await client.suno.<endpoint>(...)``
        takes the arguments of ``SunoProvider.<endpoint>`` and returns what it made (a task's
        result, once done). ``client.suno.with_options(timeout=...)`` sets call options."""
        from ._namespaces import AsyncSunoCalls

        return AsyncSunoCalls(self, "suno")

    @property
    def mureka(self) -> AsyncMurekaCalls:
        """Every Mureka endpoint, run by this client; see ``suno``."""
        from ._namespaces import AsyncMurekaCalls

        return AsyncMurekaCalls(self, "mureka")

    # -- lifecycle ----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it, and stop waiting for callbacks."""
        if self._wakeups is not None and self._wakeups.close():
            if self._cache_blocks:
                await asyncio.to_thread(self._wakeups.poke)
            else:
                self._wakeups.poke()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncMusicGenClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- the driver: perform each effect the flow yields ----------------------------------------

    async def _drive(self, flow: Flow[T]) -> T:
        outcome: Any = None
        failure: BaseException | None = None
        while True:
            try:
                effect = flow.send(outcome) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                return cast(T, stop.value)
            except MusicGenError as error:
                # Not kept in this frame, which the error's new traceback holds: no cycle.
                failure = None
                raise public_error(error) from error.__cause__
            outcome, failure = None, None
            try:
                if isinstance(effect, Send):
                    outcome = await self._send(effect)
                elif isinstance(effect, Sleep):
                    await asyncio.sleep(effect.seconds)
                elif isinstance(effect, UseCache):
                    outcome = await self._use_cache(effect)
                elif isinstance(effect, Notify):
                    called = effect.callback(effect.progress)
                    if inspect.isawaitable(called):
                        await called
                elif isinstance(effect, Blocking):
                    outcome = await asyncio.to_thread(effect.action)
                elif isinstance(effect, AwaitKeys):
                    wakeups = self._wakeups
                    if wakeups is None or not await wakeups.wait_async(
                        effect.keys, effect.seconds, blocking=self._cache_blocks
                    ):
                        await asyncio.sleep(min(effect.check_every, effect.seconds))
                else:
                    outcome = await self._share(effect)
            except BaseException as error:  # noqa: BLE001 - thrown into the flow, which re-raises
                failure = error

    async def _send(self, send: Send) -> Any:
        with musicgen_retries():
            async for attempt in self._core.exchange.attempts(send):
                with attempt:
                    return await self._exchange(send, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def _exchange(self, send: Send, attempt: int) -> Any:
        exchange = self._core.exchange
        transfer = exchange.prepare(send, asynchronous=True)
        started = self._core.clock()
        slots = self._slots
        if slots is not None and not await _free_slot(slots, transfer.remaining()):
            raise exchange.no_free_slot(send, attempt, started, transfer, self._max_concurrency)
        try:
            return await self._exchange_in_slot(send, attempt, transfer, started)
        finally:
            if slots is not None:
                slots.release()

    async def _exchange_in_slot(
        self, send: Send, attempt: int, transfer: Transfer, started: float
    ) -> Any:
        exchange = self._core.exchange
        left = transfer.remaining()  # after any wait for a slot
        try:
            if left is None:
                response = await self._transfer(transfer)
            elif self._bounded_by is not None:
                with self._bounded_by(left):
                    response = await self._transfer(transfer)
            else:
                response = await _within(left, self._transfer(transfer))
        except Exception as error:
            failure = exchange.failed(send, attempt, started, error, transfer)
            if failure is None:
                raise
            raise failure from error
        return exchange.received(send, attempt, started, response)

    async def _transfer(self, transfer: Transfer) -> httpx.Response:
        """Send, and read the answer's body in chunks, bounded in size."""
        response = await self._http.send(transfer.request, stream=True)
        try:
            transfer.answered(response)
            async for chunk in response.aiter_bytes():
                transfer.take(chunk)
        finally:
            await response.aclose()
        return transfer.finish()

    async def _use_cache(self, effect: UseCache) -> Any:
        if self._cache_blocks:
            return await asyncio.to_thread(effect.action, self._core.cache)  # type: ignore[arg-type]
        return effect.action(self._core.cache)  # type: ignore[arg-type]

    async def _share(self, step: Shared) -> Any:
        while True:
            loop = asyncio.get_running_loop()
            future, leader = self._flights.join(step.key, loop.create_future)
            if leader:
                try:
                    result = await self._drive(step.flow)
                except Exception as error:
                    self._flights.settle(step.key, future, error=error)
                    # The future keeps the error's traceback, which holds this frame: no cycle.
                    del future
                    raise
                except BaseException:
                    # Cancelled: the followers start over, one of them as the new leader.
                    self._flights.settle(step.key, future, result=ABANDONED)
                    raise
                self._flights.settle(step.key, future, result=result)
                return result
            # shield: a follower's cancellation must not cancel the leader's shared future.
            result = await asyncio.shield(future)
            if result is not ABANDONED:
                step.flow.close()
                return result
