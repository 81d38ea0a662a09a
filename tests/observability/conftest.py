"""Shared fixtures of the observability tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import pytest

from musicgen import MusicGenError
from musicgen.testing import Emulator
from musicgen.testing._clients import emulated_async_client, emulated_client


@attrs.frozen
class Step:
    """One public client call: a method name and its arguments."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = attrs.field(factory=dict)


def step(method: str, *args: Any, **kwargs: Any) -> Step:
    """Build a ``Step``: ``step("generate", "a song", provider="suno")``."""
    return Step(method, args, kwargs)


class Drive:
    """Run client calls on a sync or an async client, so each behaviour is stated once.

    Calls run in order on one client; a ``MusicGenError`` is returned in place of a result.
    The async flavour runs all its calls inside one ``asyncio.run``.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __call__(self, emulator: Emulator, steps: Sequence[Step], **options: Any) -> list[Any]:
        if self.mode == "sync":
            with emulated_client(emulator, **options) as client:
                return [_sync_call(client, s) for s in steps]

        async def main() -> list[Any]:
            async with emulated_async_client(emulator, **options) as client:
                return [await _async_call(client, s) for s in steps]

        return asyncio.run(main())


def _sync_call(client: Any, s: Step) -> Any:
    try:
        return getattr(client, s.method)(*s.args, **s.kwargs)
    except MusicGenError as error:
        return error


async def _async_call(client: Any, s: Step) -> Any:
    try:
        return await getattr(client, s.method)(*s.args, **s.kwargs)
    except MusicGenError as error:
        return error


@pytest.fixture(params=["sync", "async"])
def obs_drive(request: pytest.FixtureRequest) -> Drive:
    """Runs client calls against the emulator, once with each client."""
    return Drive(request.param)


@pytest.fixture
def obs_emulator() -> Emulator:
    """A fresh emulator for one test."""
    return Emulator()


@pytest.fixture
def otel_exporter() -> Iterator[Any]:
    """An in-memory span exporter on a private TracerProvider (``exporter.provider``)."""
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    exporter.provider = provider  # type: ignore[attr-defined]
    yield exporter
    provider.shutdown()


# -- Sentry ---------------------------------------------------------------------------------
# sentry_sdk is imported inside the fixtures only: other tests check that `import musicgen`
# leaves it unimported.


@pytest.fixture
def sentry_server() -> Iterator[Any]:
    """A Sentry-compatible ingestion endpoint on 127.0.0.1, for one test (``.dsn``)."""
    from musicgen.testing import SentryServer

    with SentryServer() as server:
        yield server


def _reset_sentry() -> None:
    import sentry_sdk

    client = sentry_sdk.get_client()
    if client.is_active():
        client.flush(timeout=5)
        client.close(timeout=5)
    # A scope without a client falls back to a NonRecordingClient: Sentry is off again.
    sentry_sdk.get_global_scope().set_client(None)
    # Tags, contexts and breadcrumbs live on these scopes, not on the client.
    sentry_sdk.get_isolation_scope().clear()
    sentry_sdk.get_current_scope().clear()


@pytest.fixture
def sentry_reset() -> Iterator[None]:
    """Start and end the test with no Sentry client and empty scopes."""
    _reset_sentry()
    yield
    _reset_sentry()


@pytest.fixture
def sentry_init(sentry_server: Any, sentry_reset: None) -> Any:
    """``sentry_init(**options)``: a real ``sentry_sdk.init`` sending to ``sentry_server``."""
    import sentry_sdk

    def init(**options: Any) -> Any:
        # Proxies from the environment must not capture loopback traffic.
        options.setdefault("http_proxy", "")
        options.setdefault("https_proxy", "")
        sentry_sdk.init(dsn=sentry_server.dsn, **options)
        return sentry_sdk.get_client()

    return init
