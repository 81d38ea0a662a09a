"""The loopback HTTP server, the CLI entry point and the pytest fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

import musicgen.testing
from musicgen.testing import Emulator, EmulatorServer, Fault
from musicgen.testing._pytest_plugin import (  # noqa: F401 - imported fixtures register here
    musicgen_emulator_fixture,
    musicgen_emulator_server_fixture,
)

AUTH = {"Authorization": "Bearer k"}
SONG = {"lyrics": "[Verse]\nOver the wire", "model": "mureka-7.5"}


@pytest.fixture
def server() -> Any:
    with EmulatorServer(Emulator(polls_per_stage=0)) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> Any:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=5) as http:
        yield http


def test_url_is_a_loopback_http_url(server: EmulatorServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert not server.url.endswith(":0")


def test_serves_both_apis_over_a_real_socket(client: httpx.Client) -> None:
    credit = client.get("/api/v1/generate/credit")
    billing = client.get("/v1/account/billing")

    assert credit.json() == {"code": 200, "msg": "success", "data": 500}
    assert billing.json()["balance"] == 10_000


def test_media_urls_point_back_at_the_server(server: EmulatorServer, client: httpx.Client) -> None:
    task_id = client.post("/v1/song/generate", json=SONG).json()["id"]
    choice = client.get(f"/v1/song/query/{task_id}").json()["choices"][0]

    audio = httpx.get(choice["url"], timeout=5)

    assert choice["url"].startswith(f"{server.url}/audio/")
    assert audio.status_code == 200
    assert audio.content.startswith(b"RIFF")


def test_drop_processes_then_hangs_up(server: EmulatorServer, client: httpx.Client) -> None:
    server.emulator.inject(Fault("drop", operation="submit"))

    with pytest.raises(httpx.TransportError):
        client.post("/v1/song/generate", json=SONG)

    assert server.emulator.submissions("mureka") == 1
    assert client.get("/v1/account/billing").status_code == 200  # the server lives on


def test_connect_error_hangs_up_unprocessed(server: EmulatorServer, client: httpx.Client) -> None:
    server.emulator.inject(Fault("connect_error", operation="submit"))

    with pytest.raises(httpx.TransportError):
        client.post("/v1/song/generate", json=SONG)

    assert server.emulator.submissions() == 0


def test_slow_fault_trips_the_client_read_timeout(server: EmulatorServer) -> None:
    server.emulator.inject(Fault("slow", delay=0.3))

    with httpx.Client(base_url=server.url, headers=AUTH, timeout=0.05) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            impatient.get("/api/v1/generate/credit")
        # The fault is spent: the next request is answered (given time on a busy machine).
        assert impatient.get("/api/v1/generate/credit", timeout=10).status_code == 200


def test_refusal_status_and_retry_after_cross_the_wire(
    server: EmulatorServer, client: httpx.Client
) -> None:
    server.emulator.inject(Fault("overloaded", provider="mureka", retry_after="3"))

    response = client.get("/v1/account/billing")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "3"
    assert response.json()["error"]["message"] == "Engine overloaded"


def test_fifty_concurrent_requests() -> None:
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    # An account that may run 50 tasks at once: this is about the server, not the limit.
    emulator = Emulator(polls_per_stage=0, mureka_concurrent_request_limit=50)
    with (
        EmulatorServer(emulator) as server,
        httpx.Client(base_url=server.url, headers=AUTH, timeout=10, limits=limits) as http,
    ):

        def submit(_: int) -> int:
            return http.post("/v1/song/generate", json=SONG).status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(submit, range(50)))

    assert statuses == [200] * 50
    assert server.emulator.submissions("mureka") == 50


def test_url_before_start_raises() -> None:
    with pytest.raises(RuntimeError):
        _ = EmulatorServer().url


def test_stop_is_idempotent_and_refuses_new_connections() -> None:
    server = EmulatorServer().start()
    url = server.url

    server.stop()
    server.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v1/generate/credit", timeout=2)


def test_fixtures_give_a_running_server_around_the_emulator(
    musicgen_emulator: Emulator, musicgen_emulator_server: EmulatorServer
) -> None:
    response = httpx.get(f"{musicgen_emulator_server.url}/v1/account/billing", headers=AUTH)

    assert musicgen_emulator_server.emulator is musicgen_emulator
    assert response.status_code == 200
    assert len(musicgen_emulator.requests) == 1


def test_module_entry_point_serves_until_terminated() -> None:
    src = str(Path(musicgen.testing.__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "musicgen.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        response = httpx.get(f"{url}/api/v1/generate/credit", headers=AUTH, timeout=5)
    finally:
        process.terminate()
        process.communicate(timeout=10)

    assert url.startswith("http://127.0.0.1:")
    assert response.json()["data"] == 500
