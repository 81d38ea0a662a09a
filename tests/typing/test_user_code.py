"""The typed user code is real code: it runs against the emulator as written."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx

from musicgen.testing import Emulator, Fault

from . import user_code

BASE_URL = "http://emulator.musicgen.test"


def test_the_blocking_app_runs(tmp_path: Path) -> None:
    emulator = Emulator()
    http = httpx.Client(transport=emulator.transport())
    with http, user_code.build_client(BASE_URL, tmp_path, http) as client:
        paths = user_code.make_songs(client, tmp_path / "out")
    assert [path.exists() for path in paths] == [True, True]


def test_the_error_handling_returns_none_when_out_of_credits(tmp_path: Path) -> None:
    emulator = Emulator()
    emulator.inject(Fault("credits", operation="submit"))
    http = httpx.Client(transport=emulator.transport())
    with http, user_code.build_client(BASE_URL, tmp_path, http) as client:
        assert user_code.handle_errors(client) is None


def test_the_async_app_runs() -> None:
    emulator = Emulator()

    async def main() -> list[str]:
        http = httpx.AsyncClient(transport=emulator.transport())
        async with http, user_code.build_async_client(BASE_URL, http) as client:
            return await user_code.make_songs_async(client, ["one", "two"])

    assert len(set(asyncio.run(main()))) == 2


def test_providers_from_config_keeps_the_order() -> None:
    drivers = user_code.providers_from_config(["mureka", "suno"], BASE_URL)
    assert [driver.name for driver in drivers] == ["mureka", "suno"]


def test_a_custom_provider_beside_the_built_in_ones_runs() -> None:
    emulator = Emulator()

    @emulator.route("acme", "POST", "/v1/remix", operation="submit")
    def submit(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return httpx.Response(
            200, json={"id": f"rmx-{request.content.count(b'b.mp3')}", "status": "queued"}
        )

    @emulator.route("acme", "GET", re.compile(r"/v1/remix/(?P<id>[^/]+)"), operation="status")
    def status(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        url = f"https://cdn.acme.test/{match['id']}.mp3"
        return httpx.Response(200, json={"id": match["id"], "status": "done", "url": url})

    with httpx.Client(transport=emulator.transport()) as http:
        audio = user_code.run_custom(http, BASE_URL, "http://acme.emulated")
    assert audio == "https://cdn.acme.test/rmx-0.mp3"
    assert emulator.submissions("acme") == 2
