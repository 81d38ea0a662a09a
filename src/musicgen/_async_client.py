"""AsyncMusicGenClient: the awaitable twin of MusicGenClient, driving the same flows."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._client import (
    _ABANDONED,
    _as_timeout,
    _atomic_file,
    _BaseClient,
    _check_download,
    _download_error,
    _download_headers,
    download_target,
)
from ._core import Call, Flow, Shared, Sleep
from ._errors import MusicGenError
from ._models import Balance, Generation, Track
from ._retry import RetryDecider

if TYPE_CHECKING:
    from pathlib import Path

    from ._polling import PollPolicy
    from ._retry import RetryPolicy
    from .cache import Cache
    from .observability._events import Hook
    from .providers import Provider

__all__ = ["AsyncMusicGenClient"]

T = TypeVar("T")


class AsyncMusicGenClient(_BaseClient):
    """Generate music with any configured provider, with ``await``.

    Takes the same arguments as ``MusicGenClient``; ``http_client`` is an ``httpx.AsyncClient``.
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
        self._http = http_client or httpx.AsyncClient(
            timeout=_as_timeout(timeout), follow_redirects=True
        )

    def with_options(self, **options: Any) -> AsyncMusicGenClient:
        """A copy with some constructor options changed, sharing this client's connections."""
        return AsyncMusicGenClient(http_client=self._http, **self._merged_options(options))

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
        **options: Any,
    ) -> Generation:
        """Generate music and wait until the task is finished; see ``MusicGenClient.generate``."""
        return await self._run(
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
        **options: Any,
    ) -> Generation:
        """Start a generation and return at once; see ``MusicGenClient.generate``."""
        return await self._run(
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

    async def get(
        self, task_id: str, *, provider: str | None = None, correlation_id: str | None = None
    ) -> Generation:
        """Read a task's status once."""
        return await self._run(self._get_flow(task_id, provider, correlation_id))

    async def wait(
        self,
        generation_or_task_id: Generation | str,
        *,
        provider: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> Generation:
        """Wait for an existing task to finish, e.g. to resume after a crash or a timeout."""
        return await self._run(
            self._wait_flow(generation_or_task_id, provider, timeout, correlation_id)
        )

    async def balance(
        self, provider: str | None = None, *, correlation_id: str | None = None
    ) -> Balance:
        """Return the credits (Suno) or balance in cents (Mureka) left."""
        return await self._run(self._balance_flow(provider, correlation_id))

    async def download(
        self,
        track: Track,
        dest: str | os.PathLike[str],
        *,
        format: str = "mp3",
    ) -> Path:
        """Stream a track's audio to ``dest`` atomically; see ``MusicGenClient.download``."""
        url, path = download_target(track, dest, format)
        decider = RetryDecider(self._core.retry, submission=False, deadline=None)
        async for attempt in decider.attempts():
            with attempt, _atomic_file(path) as out:
                try:
                    async with self._http.stream(
                        "GET", url, headers=_download_headers()
                    ) as response:
                        _check_download(response, url)
                        async for chunk in response.aiter_bytes():
                            out.write(chunk)
                except httpx.TransportError as error:
                    raise _download_error(error, url) from error
        return path

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it."""
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

    async def _run(self, flow: Flow[T]) -> T:
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
                    await asyncio.sleep(step.seconds)
                elif isinstance(step, Shared):
                    outcome = await self._share(step)
                else:
                    outcome = await self._perform(step)
            except MusicGenError as error:
                failure = error

    async def _share(self, step: Shared) -> Any:
        while True:
            loop = asyncio.get_running_loop()
            future, leader = self._flights.join(step.key, loop.create_future)
            if leader:
                try:
                    result = await self._run(step.flow)
                except Exception as error:
                    self._flights.settle(step.key, future, error=error)
                    raise
                except BaseException:
                    # Cancelled: the followers start over, one of them as the new leader.
                    self._flights.settle(step.key, future, result=_ABANDONED)
                    raise
                self._flights.settle(step.key, future, result=result)
                return result
            # shield: a follower's cancellation must not cancel the leader's shared future.
            result = await asyncio.shield(future)
            if result is not _ABANDONED:
                step.flow.close()
                return result

    async def _perform(self, call: Call) -> Any:
        # Most requests succeed at once: the retry machinery starts only after a failure.
        try:
            return await self._exchange(call, 1)
        except MusicGenError as error:
            failure = error
        async for attempt in self._core.retry_decider(call).attempts():
            with attempt:
                if attempt.num == 1:
                    raise failure  # replayed, so stamina decides whether and when to retry
                return await self._exchange(call, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def _exchange(self, call: Call, attempt: int) -> Any:
        started = self._core.clock()
        try:
            response = await self._http.send(call.request)
        except httpx.TransportError as error:
            raise self._core.failed_exchange(call, attempt, started, error) from error
        return self._core.finish_exchange(call, attempt, started, response)
