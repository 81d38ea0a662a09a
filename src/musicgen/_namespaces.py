"""Provider namespaces: ``client.suno.<endpoint>(...)`` and ``client.mureka.<endpoint>(...)``.

Each endpoint method of a driver builds an ``Operation``; its namespace twin runs it on the
client (money safety, retries, deadline, polling, journal, cache, events) and returns what it
made: a task's ``result`` once the task succeeded, else the parsed value. The namespaces are
declared once per provider as descriptors over the driver's methods, so their signatures (and
mypy's view of them) are the driver's own: adding an endpoint is one line, for both clients.
A driver method that takes ``**options`` marks ``self`` positional-only (``def extend(self, /,
...)``): otherwise ``self`` could also arrive as a keyword, and mypy cannot type the namespace.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Awaitable, Callable
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    TypeVar,
    overload,
)

from ._effects import Flow
from ._operations import Operation
from ._results import Task
from .providers.mureka import MurekaProvider
from .providers.suno import SunoProvider

if TYPE_CHECKING:
    from ._effects import CallContext
    from .providers._base import Provider

__all__ = [
    "AsyncCalls",
    "AsyncMurekaCalls",
    "AsyncSunoCalls",
    "Calls",
    "MurekaCalls",
    "SunoCalls",
    "endpoint",
    "endpoints_of",
]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound="_Namespace")


class _Client(Protocol):
    """What a namespace needs of a client (``BaseClient``): the flow of an endpoint call."""

    def _endpoint_flow(
        self,
        call: str,
        provider: str | None,
        target: object,
        correlation_id: str | None,
        timeout: float | None,
        cache: bool,
        build: Callable[[Provider, CallContext], Operation[Any]],
    ) -> Flow[Any]: ...


class _BlockingClient(_Client, Protocol):
    def _drive(self, flow: Flow[T]) -> T: ...


class _AwaitingClient(_Client, Protocol):
    async def _drive(self, flow: Flow[T]) -> T: ...


class _Namespace(abc.ABC):
    """The endpoints of one provider, run by one client with the same call options."""

    def __init__(
        self,
        client: _Client,
        provider: str,
        *,
        timeout: float | None = None,
        correlation_id: str | None = None,
        cache: bool = True,
    ) -> None:
        self._client = client
        self._provider = provider
        self._timeout = timeout
        self._correlation_id = correlation_id
        self._cache = cache

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._provider!r}>"

    def with_options(
        self: C,
        *,
        timeout: float | None = None,
        correlation_id: str | None = None,
        cache: bool = True,
    ) -> C:
        """The same endpoints with call options: the overall deadline in seconds (default:
        the client's ``poll.timeout``), a correlation id, and whether to use the cache."""
        return type(self)(
            self._client,
            self._provider,
            timeout=timeout,
            correlation_id=correlation_id,
            cache=cache,
        )

    @abc.abstractmethod
    def _call(self, name: str, build: Callable[..., Operation[Any]], args: Any, kwargs: Any) -> Any:
        """Run ``build(driver, *args, **kwargs)`` on the client (or an awaitable that does)."""

    def _flow(
        self, name: str, build: Callable[..., Operation[Any]], args: Any, kwargs: Any
    ) -> Flow[Any]:
        # The same flow as the clients' verbs; the operation is built inside it, so refused
        # input is reported like any failure.
        return self._client._endpoint_flow(
            name,
            self._provider,
            None,
            self._correlation_id,
            self._timeout,
            self._cache,
            lambda driver, ctx: build(driver, *args, **kwargs),
        )


class Calls(_Namespace):
    """A provider's endpoints on the blocking client."""

    _client: _BlockingClient

    def _call(self, name: str, build: Callable[..., Operation[Any]], args: Any, kwargs: Any) -> Any:
        return self._client._drive(self._flow(name, build, args, kwargs))


class AsyncCalls(_Namespace):
    """A provider's endpoints on the async client."""

    _client: _AwaitingClient

    async def _call(
        self, name: str, build: Callable[..., Operation[Any]], args: Any, kwargs: Any
    ) -> Any:
        return await self._client._drive(self._flow(name, build, args, kwargs))


class _Endpoint(Generic[P, T]):
    """A driver method, run by the client of the namespace it is read from: its result on the
    blocking client, an awaitable of it on the async one."""

    def __init__(self, build: Callable[..., Operation[Any]]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, namespace: None, owner: type) -> _Endpoint[P, T]: ...
    @overload
    def __get__(self, namespace: Calls, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, namespace: AsyncCalls, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, namespace: _Namespace | None, owner: type) -> Any:
        if namespace is None:
            return self
        build, name, run = self._build, self._name, namespace._call

        @functools.wraps(build)
        def call(*args: Any, **kwargs: Any) -> Any:
            # The async namespace's _call is a coroutine function: this returns its awaitable.
            return run(name, build, args, kwargs)

        return call


@overload
def endpoint(build: Callable[Concatenate[Any, P], Operation[Task[R]]]) -> _Endpoint[P, R]: ...
@overload
def endpoint(build: Callable[Concatenate[Any, P], Operation[R]]) -> _Endpoint[P, R]: ...
def endpoint(build: Callable[..., Operation[Any]]) -> Any:
    """Declare a namespace method from a driver method (``SunoProvider.midi``): same arguments;
    returns the task's result or the parsed value (awaitable on the async client)."""
    return _Endpoint(build)


def endpoints_of(namespace: type) -> dict[str, _Endpoint[Any, Any]]:
    """The endpoints a namespace class offers, by name, inherited ones included."""
    found: dict[str, _Endpoint[Any, Any]] = {}
    for klass in reversed(namespace.__mro__):
        found.update(
            (name, value) for name, value in vars(klass).items() if isinstance(value, _Endpoint)
        )
    return found


# -- the built-in providers' namespaces ---------------------------------------------------------
# One line per endpoint, for both clients; the driver method holds the signature and the docs.


class _SunoEndpoints:
    """Every sunoapi.org endpoint, as the namespaces of both clients offer it."""

    # music edits
    extend = endpoint(SunoProvider.extend)
    upload_cover = endpoint(SunoProvider.upload_cover)
    upload_extend = endpoint(SunoProvider.upload_extend)
    add_vocals = endpoint(SunoProvider.add_vocals)
    add_instrumental = endpoint(SunoProvider.add_instrumental)
    mashup = endpoint(SunoProvider.mashup)
    replace_section = endpoint(SunoProvider.replace_section)
    sounds = endpoint(SunoProvider.sounds)
    # on a finished track
    lyrics = endpoint(SunoProvider.lyrics)
    lyrics_status = endpoint(SunoProvider.lyrics_status)
    timestamped_lyrics = endpoint(SunoProvider.timestamped_lyrics)
    convert = endpoint(SunoProvider.convert)
    wav_status = endpoint(SunoProvider.wav_status)
    separate = endpoint(SunoProvider.separate)
    isolate_stem = endpoint(SunoProvider.isolate_stem)
    separation_status = endpoint(SunoProvider.separation_status)
    midi = endpoint(SunoProvider.midi)
    midi_status = endpoint(SunoProvider.midi_status)
    music_video = endpoint(SunoProvider.music_video)
    video_status = endpoint(SunoProvider.video_status)
    cover_art = endpoint(SunoProvider.cover_art)
    cover_art_status = endpoint(SunoProvider.cover_art_status)
    # files, voices, personas, recovery
    upload = endpoint(SunoProvider.upload)
    upload_base64 = endpoint(SunoProvider.upload_base64)
    persona = endpoint(SunoProvider.persona)
    boost_style = endpoint(SunoProvider.boost_style)
    validate_voice = endpoint(SunoProvider.validate_voice)
    regenerate_voice_phrase = endpoint(SunoProvider.regenerate_voice_phrase)
    voice_validation_status = endpoint(SunoProvider.voice_validation_status)
    create_voice = endpoint(SunoProvider.create_voice)
    voice_status = endpoint(SunoProvider.voice_status)
    check_voice = endpoint(SunoProvider.check_voice)
    recover = endpoint(SunoProvider.recover)
    recovery_status = endpoint(SunoProvider.recovery_status)
    # reads
    status = endpoint(SunoProvider.status)
    balance = endpoint(SunoProvider.balance)


class _MurekaEndpoints:
    """Every Mureka endpoint, as the namespaces of both clients offer it."""

    # song edits
    extend = endpoint(MurekaProvider.extend)
    add_track = endpoint(MurekaProvider.add_track)
    edit_region = endpoint(MurekaProvider.edit_region)
    remix = endpoint(MurekaProvider.remix)
    instrumental = endpoint(MurekaProvider.instrumental)
    # answers at once
    lyrics = endpoint(MurekaProvider.lyrics)
    extend_lyrics = endpoint(MurekaProvider.extend_lyrics)
    separate = endpoint(MurekaProvider.separate)
    describe = endpoint(MurekaProvider.describe)
    recognize = endpoint(MurekaProvider.recognize)
    tts = endpoint(MurekaProvider.tts)
    podcast = endpoint(MurekaProvider.podcast)
    # files and fine-tuning
    upload = endpoint(MurekaProvider.upload)
    vocal_clone = endpoint(MurekaProvider.vocal_clone)
    create_upload = endpoint(MurekaProvider.create_upload)
    add_upload_part = endpoint(MurekaProvider.add_upload_part)
    complete_upload = endpoint(MurekaProvider.complete_upload)
    finetune = endpoint(MurekaProvider.finetune)
    finetune_status = endpoint(MurekaProvider.finetune_status)
    # reads
    status = endpoint(MurekaProvider.status)
    balance = endpoint(MurekaProvider.balance)


class SunoCalls(_SunoEndpoints, Calls):
    """``client.suno``: every sunoapi.org endpoint, run by the blocking client."""


class AsyncSunoCalls(_SunoEndpoints, AsyncCalls):
    """``client.suno``: every sunoapi.org endpoint, run by the async client."""


class MurekaCalls(_MurekaEndpoints, Calls):
    """``client.mureka``: every Mureka endpoint, run by the blocking client."""


class AsyncMurekaCalls(_MurekaEndpoints, AsyncCalls):
    """``client.mureka``: every Mureka endpoint, run by the async client."""
