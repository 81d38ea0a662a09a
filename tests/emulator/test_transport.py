"""The in-process transport with sync and async httpx clients, and Emulator.handle."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from musicgen.testing import SUNO_CREDITS_PER_GENERATE, Emulator, EmulatorTransport, Fault

AUTH = {"Authorization": "Bearer k"}
GENERATE = {
    "customMode": False,
    "instrumental": True,
    "model": "V5",
    "callBackUrl": "https://example.com/cb",
    "prompt": "lofi beats",
}


def test_transport_is_both_sync_and_async() -> None:
    transport = Emulator().transport()

    assert isinstance(transport, EmulatorTransport)
    assert isinstance(transport, httpx.BaseTransport)
    assert isinstance(transport, httpx.AsyncBaseTransport)


def test_sync_client_runs_a_suno_task_to_success() -> None:
    em = Emulator(polls_per_stage=0)
    with httpx.Client(transport=em.transport(), base_url="http://emu", headers=AUTH) as client:
        task_id = client.post("/api/v1/generate", json=GENERATE).json()["data"]["taskId"]
        data = client.get("/api/v1/generate/record-info", params={"taskId": task_id}).json()

    assert data["data"]["status"] == "SUCCESS"
    assert data["data"]["response"]["sunoData"][0]["audioUrl"].startswith("http://emu/audio/")


@pytest.mark.anyio
async def test_async_client_runs_a_mureka_task_to_success() -> None:
    em = Emulator(polls_per_stage=0)
    async with httpx.AsyncClient(
        transport=em.transport(), base_url="http://emu", headers=AUTH
    ) as client:
        created = await client.post("/v1/song/generate", json={"lyrics": "la la", "model": "auto"})
        task = await client.get(f"/v1/song/query/{created.json()['id']}")
        audio = await client.get(task.json()["choices"][0]["url"])

    assert task.json()["status"] == "succeeded"
    assert audio.content.startswith(b"RIFF")


@pytest.mark.anyio
async def test_async_slow_fault_sleeps_without_blocking_the_loop() -> None:
    em = Emulator()
    em.inject(Fault("slow", delay=0.05))
    async with httpx.AsyncClient(transport=em.transport(), headers=AUTH) as client:
        started = time.monotonic()
        response = await client.get("http://emu/api/v1/generate/credit")

    assert time.monotonic() - started >= 0.05
    assert response.json()["data"] == 500


@pytest.mark.anyio
async def test_async_drop_and_connect_error() -> None:
    em = Emulator()
    em.inject(Fault("drop", operation="submit"))
    em.inject(Fault("connect_error", operation="submit"))
    async with httpx.AsyncClient(transport=em.transport(), headers=AUTH) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("http://emu/api/v1/generate", json=GENERATE)
        with pytest.raises(httpx.ConnectError):
            await client.post("http://emu/api/v1/generate", json=GENERATE)

    assert em.submissions() == 1


def test_handle_answers_a_bare_request() -> None:
    em = Emulator()
    request = httpx.Request("GET", "http://emu/v1/account/billing", headers=AUTH)

    response = em.handle(request)

    assert response.status_code == 200
    assert response.json()["balance"] == 10_000
    assert response.request is request


def test_handle_raises_for_connect_error() -> None:
    em = Emulator()
    em.inject(Fault("connect_error"))

    with pytest.raises(httpx.ConnectError):
        em.handle(httpx.Request("GET", "http://emu/api/v1/generate/credit", headers=AUTH))


def test_concurrent_submissions_are_counted_and_charged_exactly() -> None:
    em = Emulator(suno_credits=10_000)
    transport = em.transport()

    def submit() -> None:
        with httpx.Client(transport=transport, headers=AUTH) as client:
            for _ in range(10):
                client.post("http://emu/api/v1/generate", json=GENERATE)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert em.submissions("suno") == 80
    assert em.suno_credits == 10_000 - 80 * SUNO_CREDITS_PER_GENERATE
    assert len(em.tasks) == 80
