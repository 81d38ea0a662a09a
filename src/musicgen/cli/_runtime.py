"""What every command shares: its settings, the client it talks through, and the cache.

- Keys come from the environment, as ``MusicGenClient()`` reads them. ``--emulator`` runs the
  built-in emulator in this process instead; ``--emulator-url`` talks to a running
  ``musicgen emulator serve`` (so a task outlives the process that started it).
- The cache is a ``DiskCache`` at ``$MUSICGEN_CACHE``, else the default path
  (``default_cache_dir() / "cache.sqlite3"``), so that running a command again resumes its
  task (or reuses its result) instead of paying again. Emulated runs keep to a memory cache
  unless ``--cache`` names a file: their tasks and links mean nothing to the real provider.
- ``ByteMeter``, a response hook, counts the bytes of a download for the progress bar without
  changing how the SDK downloads (retries, atomic writes, no key sent to the audio host).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import httpx

from .._client import MusicGenClient
from .._exchange import DEFAULT_TIMEOUT
from .._polling import PollPolicy
from ..cache import DiskCache, MemoryCache
from ..cache._base import Cache
from ..observability._events import Hook

if TYPE_CHECKING:
    from ..testing import Emulator

__all__ = [
    "CACHE_ENV",
    "EMULATOR_POLL",
    "ByteMeter",
    "Session",
    "Settings",
    "State",
    "default_cache_path",
    "open_cache",
    "open_session",
]

#: The environment variable naming the cache file (``--cache`` overrides it).
CACHE_ENV = "MUSICGEN_CACHE"

#: How emulated tasks are polled: the emulator moves one stage per read, so a steady pace
#: shows each stage for a moment (about a second and a half a song) without a real wait.
EMULATOR_POLL = PollPolicy(interval=0.3, max_interval=0.3, backoff=1.0, timeout=120.0)

Meter = Callable[[int | None], Callable[[int], None]]


@attrs.define
class Settings:
    """The options every command takes.

    Attributes:
        emulator: Run against the built-in emulator, in this process.
        emulator_url: The base URL of a running emulator server.
        cache: The cache file (None: ``$MUSICGEN_CACHE`` or the default path).
        no_cache: Use no cache at all.
        json: Print machine-readable results and no progress.
        debug: Print the full traceback of an error.
    """

    emulator: bool = False
    emulator_url: str | None = None
    cache: Path | None = None
    no_cache: bool = False
    json: bool = False
    debug: bool = False

    @property
    def emulated(self) -> bool:
        return self.emulator or self.emulator_url is not None

    def resume_flags(self, provider: str | None) -> str:
        """The flags a later ``musicgen wait`` needs to reach the same task."""
        flags = f" --provider {provider}" if provider else ""
        if self.emulator_url is not None:
            flags += f" --emulator-url {self.emulator_url}"
        if self.cache is not None:
            flags += f" --cache {_quoted(str(self.cache))}"
        return flags


@attrs.define
class State:
    """What the error handler of ``main`` needs to know about the running command."""

    settings: Settings = attrs.field(factory=Settings)
    #: The task the command is waiting on (``(provider, task id)``), as last reported.
    task: tuple[str, str] | None = None
    #: The command's name (``generate``...).
    command: str = ""
    #: ``"download"`` once the command downloads (a Ctrl-C then loses no task).
    phase: str = "wait"
    #: Status reads so far (the client's ``poll`` events).
    polls: int = 0
    #: ``(event name, provider, task id)`` when the cache answered a paid request.
    reused: tuple[str, str, str] | None = None


def default_cache_path() -> Path:
    """``$MUSICGEN_CACHE``, else ``default_cache_dir() / "cache.sqlite3"`` (which honours
    ``$MUSICGEN_CACHE_DIR``)."""
    from ..cache import default_cache_dir

    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named).expanduser()
    return default_cache_dir() / "cache.sqlite3"


def open_cache(settings: Settings) -> Cache | None:
    """The cache a command uses (see the module docstring)."""
    if settings.no_cache:
        return None
    if settings.cache is not None:
        return DiskCache(settings.cache)
    if settings.emulated:
        return MemoryCache()
    return DiskCache(default_cache_path())


class _CountingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, on_bytes: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_bytes = on_bytes

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._on_bytes(len(chunk))
            yield chunk

    def close(self) -> None:
        self._inner.close()


class ByteMeter:
    """Reports the bytes of each answer, while a meter is set, to a download's progress bar.

    A response hook of the client's ``httpx.Client``: it wraps the body stream before the SDK
    reads it, so the SDK's download (retries, atomic writes, no key sent to the audio host)
    is unchanged, and so is the transport (proxies from the environment included).
    ``meter(total)`` is called for each answer (``total`` from its ``Content-Length``, or
    None) and returns what is called with the size of each chunk: a retry starts the bar again.
    """

    def __init__(self) -> None:
        self.meter: Meter | None = None

    def on_response(self, response: httpx.Response) -> None:
        meter = self.meter
        if meter is None or response.request.method != "GET":
            return
        length = response.headers.get("content-length", "")
        on_bytes = meter(int(length) if length.isdigit() else None)
        try:
            # An answer made in memory (the in-process emulator) is read already.
            on_bytes(len(response.content))
        except httpx.ResponseNotRead:
            stream = response.stream
            if isinstance(stream, httpx.SyncByteStream):
                response.stream = _CountingStream(stream, on_bytes)

    @contextmanager
    def metering(self, meter: Meter | None) -> Iterator[None]:
        """Report the bytes of the answers received inside the block to ``meter``."""
        self.meter = meter
        try:
            yield
        finally:
            self.meter = None


def new_emulator() -> Emulator:
    """The emulator ``--emulator`` runs in this process."""
    from ..testing import Emulator

    return Emulator()


@attrs.define
class Session:
    """One command's client, the meter of its downloads, and its cache."""

    settings: Settings
    client: MusicGenClient
    meter: ByteMeter
    cache: Cache | None

    def provider_for(self, task_id: str, given: str | None) -> str | None:
        """The provider of ``task_id``: the one given, else the one the journal recorded for
        it, else None (the client's default)."""
        if given is not None:
            return given
        from ._history import journalled_provider

        return journalled_provider(self.cache, task_id)


@contextmanager
def open_session(settings: Settings, *, hooks: Sequence[Hook] = ()) -> Iterator[Session]:
    """The client a command talks through (see the module docstring), closed afterwards."""
    cache = open_cache(settings)
    emulated = settings.emulator_url is not None or settings.emulator
    meter = ByteMeter()
    http = httpx.Client(
        # None: httpx's own, with proxies from the environment, as MusicGenClient() uses.
        transport=new_emulator().transport() if settings.emulator else None,
        timeout=DEFAULT_TIMEOUT,
        follow_redirects=True,
        event_hooks={"response": [meter.on_response]},
    )
    try:
        if emulated:
            from ..testing._clients import emulated_client

            base_url = (settings.emulator_url or "http://emulator.musicgen.test").rstrip("/")
            client = emulated_client(
                base_url=base_url,
                http_client=http,
                cache=cache,
                poll=EMULATOR_POLL,
                strict_models=True,
                hooks=hooks,
            )
        else:
            client = MusicGenClient(http_client=http, cache=cache, strict_models=True, hooks=hooks)
    except BaseException:
        http.close()
        if cache is not None:
            cache.close()
        raise
    try:
        yield Session(settings, client, meter, cache)
    finally:
        client.close()
        http.close()
        if cache is not None:
            cache.close()


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
