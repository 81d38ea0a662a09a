"""Clients wired to an emulator: what users' tests and the quickstart need in one call.

Unlike the rest of ``musicgen.testing``, this module imports the SDK; it is imported lazily by
``musicgen.testing`` so the emulator itself stays free of it.
"""

from __future__ import annotations

from typing import Any

import httpx

from .._async_client import AsyncMusicGenClient
from .._client import MusicGenClient
from .._polling import PollPolicy
from .._retry import RetryPolicy
from ..providers import MurekaProvider, SunoProvider
from ._emulator import Emulator

__all__ = ["FAST_POLL", "FAST_RETRY", "emulated_async_client", "emulated_client"]

#: Poll without waiting: the emulator advances one stage per status read.
FAST_POLL = PollPolicy(interval=0.0, max_interval=0.0, timeout=30.0)
#: Retry without waiting, so fault-injection tests stay fast.
FAST_RETRY = RetryPolicy(wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)

EMULATOR_API_KEY = "emulator-key"


def _providers(base_url: str) -> list[Any]:
    return [
        SunoProvider(api_key=EMULATOR_API_KEY, base_url=base_url),
        MurekaProvider(api_key=EMULATOR_API_KEY, base_url=base_url),
    ]


def emulated_client(
    emulator: Emulator | None = None,
    *,
    base_url: str = "http://emulator.musicgen.test",
    **options: Any,
) -> MusicGenClient:
    """A ``MusicGenClient`` whose requests all go to ``emulator``, in-process.

    Both providers are configured with placeholder keys; polling and retries do not wait unless
    ``poll=``/``retry=`` say otherwise. Other keyword arguments go to ``MusicGenClient``. With
    ``base_url`` of an ``EmulatorServer`` and no ``emulator``, requests go over its socket.
    """
    options.setdefault("poll", FAST_POLL)
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("providers", _providers(base_url))
    if emulator is None or "http_client" in options:
        return MusicGenClient(**options)
    client = MusicGenClient(http_client=httpx.Client(transport=emulator.transport()), **options)
    client._owns_http = True  # we made that httpx client, so closing ours closes it
    return client


def emulated_async_client(
    emulator: Emulator | None = None,
    *,
    base_url: str = "http://emulator.musicgen.test",
    **options: Any,
) -> AsyncMusicGenClient:
    """The ``AsyncMusicGenClient`` twin of ``emulated_client``."""
    options.setdefault("poll", FAST_POLL)
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("providers", _providers(base_url))
    if emulator is None or "http_client" in options:
        return AsyncMusicGenClient(**options)
    client = AsyncMusicGenClient(
        http_client=httpx.AsyncClient(transport=emulator.transport()), **options
    )
    client._owns_http = True  # we made that httpx client, so closing ours closes it
    return client
