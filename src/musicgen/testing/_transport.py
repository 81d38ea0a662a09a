"""In-process httpx transport over an :class:`Emulator`, usable by sync and async clients."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._emulator import Emulator


class EmulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Send requests straight to an emulator, with no sockets.

    Works as ``httpx.Client(transport=...)`` and ``httpx.AsyncClient(transport=...)``.
    ``slow`` faults sleep with :func:`time.sleep` or :func:`asyncio.sleep` respectively;
    ``drop`` raises :class:`httpx.ReadTimeout` at once rather than after the client's timeout.

    Args:
        emulator: The emulator that answers.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request from a sync client (see :meth:`Emulator.handle`)."""
        return self.emulator.handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request from an async client; faults behave as in the sync path."""
        await request.aread()
        fault = self.emulator._admit(request)
        if fault is not None and fault.kind == "connect_error":
            raise httpx.ConnectError("emulated connection failure", request=request)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        response = self.emulator._execute(request, fault)
        if fault is not None and fault.kind == "drop":
            raise httpx.ReadTimeout("emulated lost response", request=request)
        return response
