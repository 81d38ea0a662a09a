"""Provider namespaces: ``client.suno.<endpoint>(...)`` and ``client.mureka.<endpoint>(...)``.

Each endpoint method of a driver builds an ``Operation``; its namespace twin runs it on the
client (money safety, retries, deadline, polling, journal, cache, events) and returns what it
made: a task's ``result`` once the task succeeded, else the parsed value. The namespaces are
declared once per provider as descriptors over the driver's methods, so their signatures (and
mypy's view of them) are the driver's own: adding an endpoint is one line per client kind.
A driver method that takes ``**options`` marks ``self`` positional-only (``def extend(self, /,
...)``): otherwise ``self`` could also arrive as a keyword, and mypy cannot type the namespace.
"""

from __future__ import annotations

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
from ._results import Task, result_of
from .providers.mureka import MurekaProvider
from .providers.suno import SunoProvider

if TYPE_CHECKING:
    from ._core import ClientCore
    from ._effects import CallContext
    from .providers._base import Provider

__all__ = [
    "AsyncCalls",
    "AsyncMurekaCalls",
    "AsyncSunoCalls",
    "Calls",
    "MurekaCalls",
    "SunoCalls",
    "awaiting",
    "blocking",
]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound="_Namespace")


class _Client(Protocol):
    """What a namespace needs of a client (``BaseClient``): the core and a guarded flow."""

    @property
    def _core(self) -> ClientCore: ...

    def _guarded(
        self,
        call: str,
        provider: str | None,
        correlation_id: str | None,
        timeout: float | None,
        cache: bool,
        steps: Callable[[Provider, CallContext], Flow[T]],
    ) -> Flow[T]: ...


class _BlockingClient(_Client, Protocol):
    def _drive(self, flow: Flow[T]) -> T: ...


class _AwaitingClient(_Client, Protocol):
    async def _drive(self, flow: Flow[T]) -> T: ...


class _Namespace:
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

    def _flow(
        self, name: str, build: Callable[..., Operation[Any]], args: Any, kwargs: Any
    ) -> Flow[Any]:
        def steps(driver: Provider, ctx: CallContext) -> Flow[Any]:
            # Built inside the guarded flow: refused input is reported like any failure.
            operation = build(driver, *args, **kwargs)
            value = yield from self._client._core.operation_flow(operation, ctx)
            return result_of(value)

        return self._client._guarded(
            name, self._provider, self._correlation_id, self._timeout, self._cache, steps
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


class _Blocking(Generic[P, T]):
    """A driver method, run by the blocking client when called through a namespace."""

    def __init__(self, build: Callable[..., Operation[Any]]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, namespace: None, owner: type) -> _Blocking[P, T]: ...
    @overload
    def __get__(self, namespace: Calls, owner: type) -> Callable[P, T]: ...
    def __get__(self, namespace: Calls | None, owner: type) -> Any:
        if namespace is None:
            return self
        build, name = self._build, self._name

        @functools.wraps(build)
        def call(*args: Any, **kwargs: Any) -> Any:
            return namespace._call(name, build, args, kwargs)

        return call


class _Awaiting(Generic[P, T]):
    """A driver method, run by the async client when called through a namespace."""

    def __init__(self, build: Callable[..., Operation[Any]]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, namespace: None, owner: type) -> _Awaiting[P, T]: ...
    @overload
    def __get__(self, namespace: AsyncCalls, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, namespace: AsyncCalls | None, owner: type) -> Any:
        if namespace is None:
            return self
        build, name = self._build, self._name

        @functools.wraps(build)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await namespace._call(name, build, args, kwargs)

        return call


@overload
def blocking(build: Callable[Concatenate[Any, P], Operation[Task[R]]]) -> _Blocking[P, R]: ...
@overload
def blocking(build: Callable[Concatenate[Any, P], Operation[R]]) -> _Blocking[P, R]: ...
def blocking(build: Callable[..., Operation[Any]]) -> Any:
    """Declare a blocking namespace method from a driver method (``SunoProvider.midi``): same
    arguments, returns the task's result or the parsed value."""
    return _Blocking(build)


@overload
def awaiting(build: Callable[Concatenate[Any, P], Operation[Task[R]]]) -> _Awaiting[P, R]: ...
@overload
def awaiting(build: Callable[Concatenate[Any, P], Operation[R]]) -> _Awaiting[P, R]: ...
def awaiting(build: Callable[..., Operation[Any]]) -> Any:
    """Declare an async namespace method from a driver method: same arguments, awaitable."""
    return _Awaiting(build)


# -- the built-in providers' namespaces ---------------------------------------------------------
# One line per endpoint and client kind; the driver method holds the signature and the docs.


class SunoCalls(Calls):
    """``client.suno``: every sunoapi.org endpoint, run by the blocking client."""

    # music edits
    extend = blocking(SunoProvider.extend)
    upload_cover = blocking(SunoProvider.upload_cover)
    upload_extend = blocking(SunoProvider.upload_extend)
    add_vocals = blocking(SunoProvider.add_vocals)
    add_instrumental = blocking(SunoProvider.add_instrumental)
    mashup = blocking(SunoProvider.mashup)
    replace_section = blocking(SunoProvider.replace_section)
    sounds = blocking(SunoProvider.sounds)
    # on a finished track
    lyrics = blocking(SunoProvider.lyrics)
    lyrics_status = blocking(SunoProvider.lyrics_status)
    timestamped_lyrics = blocking(SunoProvider.timestamped_lyrics)
    convert = blocking(SunoProvider.convert)
    wav_status = blocking(SunoProvider.wav_status)
    separate = blocking(SunoProvider.separate)
    isolate_stem = blocking(SunoProvider.isolate_stem)
    separation_status = blocking(SunoProvider.separation_status)
    midi = blocking(SunoProvider.midi)
    midi_status = blocking(SunoProvider.midi_status)
    music_video = blocking(SunoProvider.music_video)
    video_status = blocking(SunoProvider.video_status)
    cover_art = blocking(SunoProvider.cover_art)
    cover_art_status = blocking(SunoProvider.cover_art_status)
    # files, voices, personas, recovery
    upload = blocking(SunoProvider.upload)
    upload_base64 = blocking(SunoProvider.upload_base64)
    persona = blocking(SunoProvider.persona)
    boost_style = blocking(SunoProvider.boost_style)
    validate_voice = blocking(SunoProvider.validate_voice)
    regenerate_voice_phrase = blocking(SunoProvider.regenerate_voice_phrase)
    voice_validation_status = blocking(SunoProvider.voice_validation_status)
    create_voice = blocking(SunoProvider.create_voice)
    voice_status = blocking(SunoProvider.voice_status)
    check_voice = blocking(SunoProvider.check_voice)
    recover = blocking(SunoProvider.recover)
    recovery_status = blocking(SunoProvider.recovery_status)
    # reads
    status = blocking(SunoProvider.status)
    balance = blocking(SunoProvider.balance)


class AsyncSunoCalls(AsyncCalls):
    """``client.suno``: every sunoapi.org endpoint, run by the async client."""

    # music edits
    extend = awaiting(SunoProvider.extend)
    upload_cover = awaiting(SunoProvider.upload_cover)
    upload_extend = awaiting(SunoProvider.upload_extend)
    add_vocals = awaiting(SunoProvider.add_vocals)
    add_instrumental = awaiting(SunoProvider.add_instrumental)
    mashup = awaiting(SunoProvider.mashup)
    replace_section = awaiting(SunoProvider.replace_section)
    sounds = awaiting(SunoProvider.sounds)
    # on a finished track
    lyrics = awaiting(SunoProvider.lyrics)
    lyrics_status = awaiting(SunoProvider.lyrics_status)
    timestamped_lyrics = awaiting(SunoProvider.timestamped_lyrics)
    convert = awaiting(SunoProvider.convert)
    wav_status = awaiting(SunoProvider.wav_status)
    separate = awaiting(SunoProvider.separate)
    isolate_stem = awaiting(SunoProvider.isolate_stem)
    separation_status = awaiting(SunoProvider.separation_status)
    midi = awaiting(SunoProvider.midi)
    midi_status = awaiting(SunoProvider.midi_status)
    music_video = awaiting(SunoProvider.music_video)
    video_status = awaiting(SunoProvider.video_status)
    cover_art = awaiting(SunoProvider.cover_art)
    cover_art_status = awaiting(SunoProvider.cover_art_status)
    # files, voices, personas, recovery
    upload = awaiting(SunoProvider.upload)
    upload_base64 = awaiting(SunoProvider.upload_base64)
    persona = awaiting(SunoProvider.persona)
    boost_style = awaiting(SunoProvider.boost_style)
    validate_voice = awaiting(SunoProvider.validate_voice)
    regenerate_voice_phrase = awaiting(SunoProvider.regenerate_voice_phrase)
    voice_validation_status = awaiting(SunoProvider.voice_validation_status)
    create_voice = awaiting(SunoProvider.create_voice)
    voice_status = awaiting(SunoProvider.voice_status)
    check_voice = awaiting(SunoProvider.check_voice)
    recover = awaiting(SunoProvider.recover)
    recovery_status = awaiting(SunoProvider.recovery_status)
    # reads
    status = awaiting(SunoProvider.status)
    balance = awaiting(SunoProvider.balance)


class MurekaCalls(Calls):
    """``client.mureka``: every Mureka endpoint, run by the blocking client."""

    # song edits
    extend = blocking(MurekaProvider.extend)
    add_track = blocking(MurekaProvider.add_track)
    edit_region = blocking(MurekaProvider.edit_region)
    remix = blocking(MurekaProvider.remix)
    instrumental = blocking(MurekaProvider.instrumental)
    # answers at once
    lyrics = blocking(MurekaProvider.lyrics)
    extend_lyrics = blocking(MurekaProvider.extend_lyrics)
    separate = blocking(MurekaProvider.separate)
    describe = blocking(MurekaProvider.describe)
    recognize = blocking(MurekaProvider.recognize)
    tts = blocking(MurekaProvider.tts)
    podcast = blocking(MurekaProvider.podcast)
    # files and fine-tuning
    upload = blocking(MurekaProvider.upload)
    vocal_clone = blocking(MurekaProvider.vocal_clone)
    create_upload = blocking(MurekaProvider.create_upload)
    add_upload_part = blocking(MurekaProvider.add_upload_part)
    complete_upload = blocking(MurekaProvider.complete_upload)
    finetune = blocking(MurekaProvider.finetune)
    finetune_status = blocking(MurekaProvider.finetune_status)
    # reads
    status = blocking(MurekaProvider.status)
    balance = blocking(MurekaProvider.balance)


class AsyncMurekaCalls(AsyncCalls):
    """``client.mureka``: every Mureka endpoint, run by the async client."""

    # song edits
    extend = awaiting(MurekaProvider.extend)
    add_track = awaiting(MurekaProvider.add_track)
    edit_region = awaiting(MurekaProvider.edit_region)
    remix = awaiting(MurekaProvider.remix)
    instrumental = awaiting(MurekaProvider.instrumental)
    # answers at once
    lyrics = awaiting(MurekaProvider.lyrics)
    extend_lyrics = awaiting(MurekaProvider.extend_lyrics)
    separate = awaiting(MurekaProvider.separate)
    describe = awaiting(MurekaProvider.describe)
    recognize = awaiting(MurekaProvider.recognize)
    tts = awaiting(MurekaProvider.tts)
    podcast = awaiting(MurekaProvider.podcast)
    # files and fine-tuning
    upload = awaiting(MurekaProvider.upload)
    vocal_clone = awaiting(MurekaProvider.vocal_clone)
    create_upload = awaiting(MurekaProvider.create_upload)
    add_upload_part = awaiting(MurekaProvider.add_upload_part)
    complete_upload = awaiting(MurekaProvider.complete_upload)
    finetune = awaiting(MurekaProvider.finetune)
    finetune_status = awaiting(MurekaProvider.finetune_status)
    # reads
    status = awaiting(MurekaProvider.status)
    balance = awaiting(MurekaProvider.balance)
