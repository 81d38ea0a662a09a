"""MusicGenClient: the blocking client. It performs the core's effects and nothing else.

The typed methods live in ``_client_base``; this module only sends, sleeps, uses the cache and
shares flights, blocking. ``_async_client`` does the same with ``await`` (kept apart so that
``import musicgen`` does not import asyncio).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from ._client_base import BaseClient, ProviderOptions, _as_timeout, _batch_defaults
from ._effects import AwaitKeys, Blocking, Flow, Notify, Send, Shared, Sleep, UseCache
from ._errors import ConfigurationError, MusicGenError
from ._exchange import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RESPONSE_BYTES,
    Transfer,
    pool_limits,
)
from ._flights import ABANDONED, Flights
from ._models import Balance, Generation, GenerationRequest, Track
from ._operations import Operation
from ._polling import PollPolicy
from ._progress import Progress
from ._retry import RetryDecider, RetryPolicy, musicgen_retries
from ._wakeups import wakeups_for
from .observability._events import Hook
from .providers import Provider

if TYPE_CHECKING:
    from pathlib import Path

    from ._batch import BatchProgress
    from ._namespaces import MurekaCalls, SunoCalls
    from ._results import Lyrics, Stems, Upload
    from .cache import Cache
    from .limits import Limiter

__all__ = ["MusicGenClient", "public_error"]


def _watched(progress: Progress) -> None:
    """The ``on_progress`` of ``watch``: its updates are yielded, never called back."""


T = TypeVar("T")


class MusicGenClient(BaseClient):
    """Generate music with any configured provider, blocking.

    Args:
        providers: Provider drivers (a sequence, or a mapping by name). None configures every
            registered provider whose API key is in the environment.
        default_provider: The name used when a call names none (default: the first).
        http_client: An ``httpx.Client`` to send with (you keep ownership: it is not closed).
        retry: How failed requests are retried (never a submission that may have arrived).
        poll: How tasks are polled, and the default overall deadline.
        strict_models: Raise ``UnknownModelError`` instead of falling back to the default model.
        headers: Extra headers for every provider request.
        request_timeout: The timeout of one HTTP request (seconds or ``httpx.Timeout``), always
            clamped to what is left of the call's deadline.
        timeout: Deprecated name of ``request_timeout`` (a ``DeprecationWarning``; in 1.0 it
            will mean the overall deadline, as on ``generate``).
        correlation_header: The header that carries each call's correlation id.
        hooks: Callables that receive every ``musicgen.observability.Event``.
        metrics: Measure calls for ``metrics()`` (a cheap in-memory aggregate).
        cache: A ``musicgen.cache`` store: finished results and a journal of submissions, so
            a re-run resumes or reuses instead of paying again. None (default) keeps nothing.
        max_response_bytes: The largest answer read from a provider's API, in bytes once
            decoded (default 4 MiB; their JSON answers are a few kB). A bigger one is an
            ``UnexpectedResponseError`` (for a paid submission, an uncertain one), read in
            chunks, so an endless answer never fills memory. Audio downloads are not capped.
        callbacks: Expect provider callbacks, stored in ``cache`` by the receiver of
            ``musicgen.callbacks``: a wait reads the task as soon as its final callback is
            stored (one confirming status read), and polls only every 30 s as a fallback.
        max_concurrency: Requests in flight at once (default 64; None: no limit). More
            calls wait for a free slot, within their deadline; the connection pool of an HTTP
            client made here is sized to match (one you pass keeps its own limits).
        limiter: A ``musicgen.limits`` limiter (``LocalLimiter``, ``RedisLimiter``) keeping each
            provider account under its limits with every client that shares it: a slot per
            running Mureka task, Suno's rate window per submission.

    Every API request ends by its call's deadline (the call's ``timeout=``), whatever the
    network does: connecting, sending and reading the whole answer count against it, however
    slowly the bytes arrive.

    Raises:
        ConfigurationError: No provider could be configured, ``http_client`` is not an
            ``httpx.Client``, ``max_response_bytes`` is not a whole number >= 1, or
            ``callbacks=True`` without a ``cache``.
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
        if http_client is not None and not isinstance(http_client, httpx.Client):
            msg = (
                f"MusicGenClient needs an httpx.Client, got {type(http_client).__name__}; for an "
                "httpx.AsyncClient use AsyncMusicGenClient"
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
        self._http = http_client or httpx.Client(
            timeout=_as_timeout(self._options["request_timeout"]),
            follow_redirects=True,
            limits=pool_limits(max_concurrency),
        )
        # Exchanges on a client musicgen built stop at the deadline in the caller's thread;
        # on a user's client, a worker thread waits for them at most until the deadline.
        # (Imported here: it needs httpcore, which httpx itself loads only for a transport.)
        from ._deadlines import bounded_by, install_deadlines

        bounded = install_deadlines(self._http, modify=self._owns_http)
        self._bounded_by = bounded_by if bounded else None
        self._max_concurrency = max_concurrency
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency else None
        # One thread waking every callback wait of this client (none until the first wait).
        self._wakeups = wakeups_for(cache, callbacks=callbacks)

    def with_options(self, **options: Any) -> MusicGenClient:
        """A copy with some constructor options changed, sharing this client's connections."""
        return MusicGenClient(http_client=self._http, **self._merged_options(options))

    # -- public API ---------------------------------------------------------------------------

    def run(
        self,
        operation: Operation[T],
        *,
        timeout: float | None = None,
        correlation_id: str | None = None,
        cache: bool = True,
        fresh: bool = False,
        wait: bool = True,
    ) -> T:
        """Run any provider operation with the whole machinery: money safety, retries, the
        deadline, polling, the journal and cache, single flight, events and correlation ids.

        Args:
            operation: What a provider's endpoint method returned (e.g.
                ``SunoProvider(...).generate(request)``, or a custom provider's).
            timeout: Overall deadline in seconds (default: ``poll.timeout``).
            correlation_id: The id to trace this call by (default: a fresh one).
            cache: False keeps this call away from the client's cache entirely.
            fresh: For a paid task: start a new one even when an identical request is journalled.
            wait: For a task: poll it until it is terminal (False returns it as first seen).

        Returns:
            What the operation's answer parses into (for a task, its last state).

        Raises:
            ValidationError: Not an operation, or bad input found before anything was sent.
            ConfigurationError: The operation's provider is not configured on this client.
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
            APIError: The provider refused.
        """
        return self._drive(
            self._run_flow(
                operation,
                timeout=timeout,
                correlation_id=correlation_id,
                cache=cache,
                fresh=fresh,
                wait=wait,
            )
        )

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
        on_progress: Callable[[Progress], Any] | None = None,
        until: str = "done",
        options: ProviderOptions | Mapping[str, Any] | None = None,
        **extra: Any,
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
            on_progress: Called with a ``musicgen.Progress`` on every change while waiting
                (status, polls, the stream URL once there is one, tracks so far).
            until: ``"done"`` (default) waits for a terminal status; ``"stream"`` returns as
                soon as a playable stream URL exists, with status ``STREAMING`` (a later
                ``wait`` gets the final files).
            options: Typed provider options (``SunoOptions``, ``MurekaOptions``) or a mapping.
            **extra: Provider options as keywords (e.g. ``negative_tags=``, ``n=``).

        Returns:
            The finished generation, with its tracks.

        Raises:
            ValidationError: Bad input, found before anything was sent.
            GenerationFailedError: The task ended in failure.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
            APIError: The provider refused (auth, credits, ...).
        """
        return self._drive(
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

    def generate_many(
        self,
        requests: Iterable[str | Mapping[str, Any] | GenerationRequest],
        *,
        provider: str | None = None,
        concurrency: int | None = None,
        timeout: float | None = None,
        on_progress: Callable[[BatchProgress], Any] | None = None,
    ) -> list[Generation | MusicGenError]:
        """Generate many at once; results in input order, failures as values.

        Each request is one ``generate`` call, journalled like any other: with a ``cache=``,
        running the same batch again after a crash resumes its unfinished tasks and returns
        its finished ones without paying again, and identical requests share one task.

        Args:
            requests: Prompts (``str``), mappings of ``generate``'s keyword arguments (provider
                options may sit beside them), or ``GenerationRequest`` values.
            provider: The provider of every request that names none.
            concurrency: Generations at once (default 8), in worker threads. A client's
                ``limiter=`` still caps what the provider account runs.
            timeout: Each generation's own deadline (default: ``poll.timeout``).
            on_progress: Called with a ``musicgen.BatchProgress`` each time one ends (from the
                worker thread that ran it, one call at a time).

        Returns:
            One ``Generation`` or ``MusicGenError`` per request, in the order given.

        Raises:
            ValidationError: A request is not a prompt, mapping or ``GenerationRequest``, or
                ``concurrency`` is not a positive int; raised before anything is sent.
        """
        import concurrent.futures
        import contextvars

        from ._batch import BatchTally, batch_calls, check_concurrency, split_call

        calls = batch_calls(requests, _batch_defaults(provider, timeout))
        workers = min(check_concurrency(concurrency), max(1, len(calls)))
        tally = BatchTally(len(calls), on_progress)
        reporting = threading.Lock()  # one on_progress call at a time: progress bars are not
        # thread-safe

        def one(index: int, call: dict[str, Any]) -> None:
            own, extra = split_call(call)
            outcome: Generation | MusicGenError
            try:
                outcome = self.generate(**own, **extra)
            except MusicGenError as error:
                outcome = error
            update = tally.record(index, outcome)
            if update is not None and on_progress is not None:
                with reporting:
                    on_progress(update)

        pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="musicgen-batch")
        try:
            futures = [
                pool.submit(contextvars.copy_context().run, one, index, call)
                for index, call in enumerate(calls)
            ]
            for future in futures:
                future.result()
        finally:
            # Ctrl-C or a callback's error: requests not yet started never start; running ones
            # end by their deadline, journalled, so the same batch again resumes them.
            pool.shutdown(wait=False, cancel_futures=True)
        return tally.results()

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
        options: ProviderOptions | Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Generation:
        """Start a generation and return at once; see ``generate`` for the arguments."""
        return self._drive(
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

    def get(
        self, task_id: str, *, provider: str | None = None, correlation_id: str | None = None
    ) -> Generation:
        """Read a task's status once (a finished one from the cache, when there is one)."""
        return self._drive(self._task_flow("get", task_id, provider, None, correlation_id))

    def wait(
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
        return self._drive(
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

    def watch(
        self,
        generation_or_task_id: Generation | str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Iterator[Progress]:
        """Follow a task: yield a ``Progress`` on every change, ending with a terminal one.

        Polling happens while you iterate (nothing runs between two ``next()``); leaving the
        loop early stops following, and the task runs on at the provider.

        Raises:
            GenerationFailedError: After the last update, when the task failed.
            GenerationTimeoutError: The deadline passed; ``.task_id`` lets you resume.
        """
        flow = self._task_flow(
            "watch", generation_or_task_id, provider, timeout, correlation_id, on_progress=_watched
        )
        steps = self._steps(flow)
        try:
            notify = next(steps)
            while True:
                yield notify.progress
                notify = next(steps)
        except StopIteration:
            return

    def balance(self, provider: str | None = None, *, correlation_id: str | None = None) -> Balance:
        """Return the credits (Suno) or balance in cents (Mureka) left."""
        return cast(Balance, self._drive(self._balance_flow(provider, correlation_id)))

    def extend(
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
        return self._drive(
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
        )

    def lyrics(
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
        return cast("tuple[Lyrics, ...]", self._drive(flow))

    def extend_lyrics(
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
        return cast("Lyrics", self._drive(flow))

    def separate(
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
        return cast("Stems", self._drive(flow))

    def upload(
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
        return cast("Upload", self._drive(flow))

    def convert(
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
        return cast(Track, self._drive(flow))

    def download(
        self, track: Track | str, dest: str | os.PathLike[str], *, format: str = "mp3"
    ) -> Path:
        """Stream a track's audio (or any file URL a provider returned: stems, a video, cover
        art) to ``dest`` atomically; see ``download_target`` for naming.

        The provider's API key is never sent to the audio host. A 429 or 5xx from the audio
        host is retried like a status read (``Retry-After`` honoured within the retry policy's
        timeout). A name musicgen picks (``dest`` a directory) fits any file system and ends in
        the suffix of the bytes written; a new file gets the permissions the umask gives.

        Returns:
            The path written (with a directory ``dest``, its suffix is the content's).

        Raises:
            RateLimitError: The audio host still refused after the retries.
            NotFoundError: The link expired (HTTP 404 or 410).
            OSError: The file cannot be written; it names ``dest``'s file, never the hidden
                temporary file.
        """
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
            for attempt in decider.attempts():
                with attempt, atomic_file(path, stem=stem) as out:
                    try:
                        with self._http.stream("GET", url, headers=download_headers()) as response:
                            check_download(response, url)
                            out.content_type(response.headers.get("content-type"))
                            for chunk in response.iter_bytes():
                                out.write(chunk)
                    except DOWNLOAD_FAILURES as error:
                        raise download_error(error, url) from error
        return out.path

    # -- provider namespaces ----------------------------------------------------------------

    @property
    def suno(self) -> SunoCalls:
        """Every sunoapi.org endpoint, run by this client: ``client.suno.<endpoint>(...)`` takes
        the arguments of ``SunoProvider.<endpoint>`` and returns what it made (a task's
        result, once done). ``client.suno.with_options(timeout=...)`` sets call options."""
        from ._namespaces import SunoCalls

        return SunoCalls(self, "suno")

    @property
    def mureka(self) -> MurekaCalls:
        """Every Mureka endpoint, run by this client; see ``suno``."""
        from ._namespaces import MurekaCalls

        return MurekaCalls(self, "mureka")

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client, if this client created it, and stop waiting for callbacks."""
        if self._wakeups is not None and self._wakeups.close():
            self._wakeups.poke()
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

    # -- the driver: perform each effect the flow yields ----------------------------------------

    def _drive(self, flow: Flow[T]) -> T:
        steps = self._steps(flow)
        try:
            notify = next(steps)
            while True:
                try:
                    notify.callback(notify.progress)
                except BaseException as error:  # noqa: BLE001 - thrown into the flow
                    notify = steps.throw(error)
                else:
                    notify = next(steps)
        except StopIteration as stop:
            return cast(T, stop.value)
        except MusicGenError as error:
            # Raised from _steps: start its traceback here, so that it stays short.
            raise error.with_traceback(None) from error.__cause__

    def _steps(self, flow: Flow[T]) -> Generator[Notify, None, T]:
        """Perform the flow's effects; hand each ``Notify`` to the caller (``_drive`` calls its
        callback, ``watch`` yields its progress) and go on when it resumes this generator."""
        outcome: Any = None
        failure: BaseException | None = None
        while True:
            try:
                effect = flow.send(outcome) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                return cast(T, stop.value)
            except MusicGenError as error:
                raise public_error(error) from error.__cause__
            outcome, failure = None, None
            try:
                if isinstance(effect, Send):
                    outcome = self._send(effect)
                elif isinstance(effect, Sleep):
                    if effect.seconds > 0:  # sleep(0) would still give up the thread: ~50 us
                        time.sleep(effect.seconds)
                elif isinstance(effect, UseCache):
                    outcome = effect.action(self._core.cache)  # type: ignore[arg-type]
                elif isinstance(effect, Notify):
                    yield effect
                elif isinstance(effect, Blocking):
                    outcome = effect.action()
                elif isinstance(effect, AwaitKeys):
                    wakeups = self._wakeups
                    if wakeups is None or not wakeups.wait(effect.keys, effect.seconds):
                        time.sleep(min(effect.check_every, effect.seconds))
                else:
                    outcome = self._share(effect)
            except BaseException as error:  # noqa: BLE001 - thrown into the flow, which re-raises
                failure = error

    def _send(self, send: Send) -> Any:
        with musicgen_retries():
            for attempt in self._core.exchange.attempts(send):
                with attempt:
                    return self._exchange(send, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _exchange(self, send: Send, attempt: int) -> Any:
        exchange = self._core.exchange
        transfer = exchange.prepare(send)
        started = self._core.clock()
        left = transfer.remaining()
        slots = self._slots
        if slots is not None and not slots.acquire(timeout=left):
            raise exchange.no_free_slot(send, attempt, started, transfer, self._max_concurrency)
        try:
            # What is left after any wait for a slot bounds the exchange itself.
            return self._exchange_in_slot(send, attempt, transfer, started, transfer.remaining())
        finally:
            if slots is not None:
                slots.release()

    def _exchange_in_slot(
        self, send: Send, attempt: int, transfer: Transfer, started: float, left: float | None
    ) -> Any:
        exchange = self._core.exchange
        try:
            if left is None:
                response = self._transfer(transfer)
            elif self._bounded_by is not None:
                with self._bounded_by(left):
                    response = self._transfer(transfer)
            else:
                # In a worker thread, so that this call stops waiting at the deadline whatever
                # the socket does (a body trickling in, a read that stalls).
                from ._workers import run_until  # only for a client the user passed in

                try:
                    response = run_until(left, self._transfer, transfer)
                except BaseException:
                    transfer.abandon()  # a paid request not yet going out never will
                    raise
        except Exception as error:
            failure = exchange.failed(send, attempt, started, error, transfer)
            if failure is None:
                raise
            raise failure from error
        return exchange.received(send, attempt, started, response)

    def _transfer(self, transfer: Transfer) -> httpx.Response:
        """Send, and read the answer's body in chunks, bounded in size and by the deadline."""
        response = self._http.send(transfer.request, stream=True)
        try:
            transfer.answered(response)
            for chunk in response.iter_bytes():
                transfer.take(chunk)
        finally:
            response.close()
        return transfer.finish()

    def _share(self, step: Shared) -> Any:
        while True:
            future, leader = self._flights.join(step.key, _future)
            if leader:
                return self._flights.lead(step.key, future, lambda: self._drive(step.flow))
            result = future.result()
            if result is not ABANDONED:
                step.flow.close()
                return result


def public_error(error: MusicGenError) -> MusicGenError:
    """``error`` ready to leave a public call: the frames of the flows, the retry machinery and
    thread pools are dropped, from it and from the musicgen errors it was caused by (the cause,
    and any httpx error's own frames, are kept)."""
    link: BaseException | None = error
    while isinstance(link, MusicGenError):
        link.__traceback__ = None
        link = link.__cause__
    return error


def _future() -> Any:
    """A ``concurrent.futures.Future`` (imported on first use: only shared flights need it)."""
    import concurrent.futures

    return concurrent.futures.Future()
