"""The clients over real sockets, against the emulator served on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicgen import SubmissionUncertainError, TaskStatus
from musicgen.testing import Emulator, EmulatorServer, Fault
from musicgen.testing._clients import emulated_async_client, emulated_client


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def test_sync_client_generates_and_downloads_over_http(
    server: EmulatorServer, tmp_path: Path
) -> None:
    with emulated_client(base_url=server.url) as client:
        generation = client.generate("a calm tune", provider="suno")
        path = client.download(generation.tracks[0], tmp_path)
    assert generation.status is TaskStatus.SUCCEEDED
    assert path.stat().st_size > 44


def test_async_client_runs_many_generations_at_once_over_http() -> None:
    # An account that may run 20 Mureka tasks at once: this is about the sockets, not the limit.
    emulator = Emulator(mureka_concurrent_request_limit=20)

    async def main(url: str) -> list[TaskStatus]:
        async with emulated_async_client(base_url=url) as client:
            results = await asyncio.gather(
                *(client.generate(f"tune {i}", provider="mureka", lyrics="la") for i in range(20))
            )
        return [g.status for g in results]

    with EmulatorServer(emulator) as server:
        assert asyncio.run(main(server.url)) == [TaskStatus.SUCCEEDED] * 20
    assert emulator.submissions("mureka") == 20


def test_a_dropped_connection_after_submit_is_not_resent(server: EmulatorServer) -> None:
    server.emulator.inject(Fault("drop", operation="submit"))
    with emulated_client(base_url=server.url) as client, pytest.raises(SubmissionUncertainError):
        client.generate("a calm tune", provider="suno")
    assert server.emulator.submissions("suno") == 1
