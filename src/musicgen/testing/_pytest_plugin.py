"""Pytest fixtures for testing code against the emulated providers.

Registered through the ``pytest11`` entry point, so it loads in every pytest run of an
environment with musicgen installed: keep imports here light and import the emulator lazily.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_httpx import HTTPXMock

    from musicgen import AsyncMusicGenClient, MusicGenClient
    from musicgen.testing import Emulator, EmulatorServer, ProviderMock


@pytest.fixture(name="musicgen_emulator")
def musicgen_emulator_fixture() -> Emulator:
    """A fresh :class:`~musicgen.testing.Emulator` with default settings, one per test."""
    from musicgen.testing import Emulator

    return Emulator()


@pytest.fixture(name="musicgen_emulator_server")
def musicgen_emulator_server_fixture(musicgen_emulator: Emulator) -> Iterator[EmulatorServer]:
    """A running :class:`~musicgen.testing.EmulatorServer` around ``musicgen_emulator``."""
    from musicgen.testing import EmulatorServer

    with EmulatorServer(musicgen_emulator) as server:
        yield server


@pytest.fixture(name="musicgen_client")
def musicgen_client_fixture(musicgen_emulator: Emulator) -> Iterator[MusicGenClient]:
    """A ``MusicGenClient`` wired in-process to ``musicgen_emulator``; polls and retries at once."""
    from musicgen.testing import emulated_client

    with emulated_client(musicgen_emulator) as client:
        yield client


@pytest.fixture(name="musicgen_async_client")
async def musicgen_async_client_fixture(
    musicgen_emulator: Emulator,
) -> AsyncIterator[AsyncMusicGenClient]:
    """The ``AsyncMusicGenClient`` twin of ``musicgen_client`` (needs an async test runner such
    as anyio's or pytest-asyncio's plugin)."""
    from musicgen.testing import emulated_async_client

    async with emulated_async_client(musicgen_emulator) as client:
        yield client


@pytest.fixture(name="musicgen_httpx_mock")
def musicgen_httpx_mock_fixture(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> ProviderMock:
    """A :class:`~musicgen.testing.ProviderMock` on pytest-httpx's ``httpx_mock`` (needs
    pytest-httpx): register Suno and Mureka answers in their wire formats.

    While it is in use no provider is the real service (pytest-httpx answers every request), so
    a client with the default ``PollPolicy()`` polls on the neutral schedule (first read after
    1 s), not on the providers' documented minutes (``MUSICGEN_POLL_TIMELINES=off``)."""
    from musicgen._polling import TIMELINES_ENV
    from musicgen.testing import ProviderMock

    monkeypatch.setenv(TIMELINES_ENV, "off")
    return ProviderMock(httpx_mock)
