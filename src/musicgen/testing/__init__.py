"""Offline, faithful emulator of the sunoapi.org (Suno-style) and Mureka APIs.

Use it three ways:

- in-process: ``httpx.Client(transport=Emulator().transport())`` (async clients too);
- over real HTTP: ``with EmulatorServer() as server: ...`` or
  ``python -m musicgen.testing --port 8765``;
- in pytest: the ``musicgen_emulator`` and ``musicgen_emulator_server`` fixtures.

With pytest-httpx, ``ProviderMock`` (or the ``musicgen_httpx_mock`` fixture) registers single
provider answers in each provider's wire format on its ``httpx_mock`` fixture, or hands every
request to an emulator: code that builds its own ``MusicGenClient()`` is answered too.

One base URL serves both APIs: ``/api/v1/...`` is Suno, ``/v1/...`` is Mureka and generated
media lives under ``/audio/<track-id>[.<variant>].wav`` and ``/image/<track-id>[.<variant>].png``.
``Emulator.add_route`` emulates more endpoints, of these providers or of your own, and injected
faults apply to them too.

The emulator depends on the standard library and httpx only, never on the rest of musicgen;
``emulated_client`` and ``emulated_async_client`` (SDK clients wired to an emulator) are
imported lazily, on first use, and so is ``SentryServer``, a Sentry-compatible endpoint on
loopback that records what the real sentry-sdk transport sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._callbacks import CallbackFault, SentCallback
from ._emulator import MUREKA_CENTS_PER_SONG, SUNO_CREDITS_PER_GENERATE, Emulator
from ._fault import Fault
from ._httpx_mock import ProviderMock
from ._model import RecordedRequest, TaskInfo
from ._server import EmulatorServer
from ._transport import EmulatorTransport

if TYPE_CHECKING:
    from ._clients import emulated_async_client, emulated_client
    from ._sentry_server import SentryServer

__all__ = [
    "MUREKA_CENTS_PER_SONG",
    "SUNO_CREDITS_PER_GENERATE",
    "CallbackFault",
    "Emulator",
    "EmulatorServer",
    "EmulatorTransport",
    "Fault",
    "ProviderMock",
    "RecordedRequest",
    "SentCallback",
    "SentryServer",
    "TaskInfo",
    "emulated_async_client",
    "emulated_client",
]


def __getattr__(name: str) -> Any:
    # Lazy: the clients import the whole SDK, which the emulator alone does not need.
    if name in ("emulated_client", "emulated_async_client"):
        from . import _clients

        return getattr(_clients, name)
    if name == "SentryServer":
        from ._sentry_server import SentryServer

        return SentryServer
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
