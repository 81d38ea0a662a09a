"""Every client test runs twice: on MusicGenClient and on AsyncMusicGenClient."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread
import pytest

from musicgen._namespaces import AsyncCalls
from musicgen.testing import Emulator
from musicgen.testing._clients import emulated_async_client, emulated_client


class Runner:
    """One blocking interface over either client, so a test states a behaviour once."""

    def __init__(self, client: Any, portal: anyio.from_thread.BlockingPortal | None) -> None:
        self.client = client
        self.portal = portal

    @property
    def is_async(self) -> bool:
        return self.portal is not None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if self.portal is None:
            return attr
        if isinstance(attr, AsyncCalls):  # client.suno / client.mureka: wrap their methods too
            return Runner(attr, self.portal)
        if not callable(attr):
            return attr
        portal = self.portal

        def call(*args: Any, **kwargs: Any) -> Any:
            result = portal.call(functools.partial(attr, *args, **kwargs))
            return Runner(result, portal) if isinstance(result, AsyncCalls) else result

        return call


MakeClient = Callable[..., Runner]


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture(params=["sync", "async"])
def make_client(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[MakeClient]:
    """A factory of clients wired to the emulator; options go to the client constructor."""
    made: list[Runner] = []
    with anyio.from_thread.start_blocking_portal() as portal:

        def make(target: Emulator | None = None, **options: Any) -> Runner:
            target = emulator if target is None else target
            if request.param == "sync":
                runner = Runner(emulated_client(target, **options), None)
            else:
                runner = Runner(emulated_async_client(target, **options), portal)
            made.append(runner)
            return runner

        yield make
        for runner in made:
            if runner.is_async:
                portal.call(runner.client.aclose)
            else:
                runner.client.close()


@pytest.fixture
def client(make_client: MakeClient) -> Runner:
    return make_client()
