"""Shared fixtures for the emulator tests: an emulator and thin per-provider API helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from musicgen.testing import Emulator

SUNO_BASE = "https://api.sunoapi.org"
MUREKA_BASE = "https://api.mureka.ai"
AUTH = {"Authorization": "Bearer test-key"}


def suno_body(**overrides: Any) -> dict[str, Any]:
    """A valid custom-mode generate body, with fields replaced (None removes a field)."""
    body: dict[str, Any] = {
        "customMode": True,
        "instrumental": False,
        "model": "V4_5",
        "callBackUrl": "https://example.com/callback",
        "prompt": "[Verse]\nRain on the window\n\n[Chorus]\nWash it all away",
        "style": "indie pop, dreamy",
        "title": "Rain Song",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class SunoAPI:
    """Calls the emulated Suno endpoints through an in-process client."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def generate(self, **overrides: Any) -> httpx.Response:
        return self.client.post("/api/v1/generate", json=suno_body(**overrides))

    def submit(self, **overrides: Any) -> str:
        response = self.generate(**overrides)
        body = response.json()
        assert body["code"] == 200, body
        return str(body["data"]["taskId"])

    def record_info(self, task_id: str) -> dict[str, Any]:
        response = self.client.get("/api/v1/generate/record-info", params={"taskId": task_id})
        body: dict[str, Any] = response.json()
        return body

    def statuses(self, task_id: str, reads: int) -> list[str]:
        return [self.record_info(task_id)["data"]["status"] for _ in range(reads)]

    def finish(self, task_id: str, reads: int = 4) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for _ in range(reads):
            body = self.record_info(task_id)
        return body["data"]  # type: ignore[no-any-return]


class MurekaAPI:
    """Calls the emulated Mureka endpoints through an in-process client."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def generate(self, kind: str = "song", **body: Any) -> httpx.Response:
        if kind == "song":
            body.setdefault("lyrics", "[Verse]\nHello moon\nHello stars\n\n[Chorus]\nShine on")
            body.setdefault("model", "auto")
        else:
            body.setdefault("prompt", "calm piano, rain")
            body.setdefault("model", "auto")
        body = {k: v for k, v in body.items() if v is not None}
        return self.client.post(f"/v1/{kind}/generate", json=body)

    def submit(self, kind: str = "song", **body: Any) -> str:
        response = self.generate(kind, **body)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def query(self, task_id: str, kind: str = "song") -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(f"/v1/{kind}/query/{task_id}").json()
        return body

    def statuses(self, task_id: str, reads: int, kind: str = "song") -> list[str]:
        return [self.query(task_id, kind)["status"] for _ in range(reads)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def em() -> Emulator:
    return Emulator()


@pytest.fixture
def suno_for() -> Iterator[Callable[[Emulator], SunoAPI]]:
    """Factory: a SunoAPI helper over an in-process client for any emulator."""
    clients: list[httpx.Client] = []

    def make(emulator: Emulator) -> SunoAPI:
        client = httpx.Client(transport=emulator.transport(), base_url=SUNO_BASE, headers=AUTH)
        clients.append(client)
        return SunoAPI(client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def mureka_for() -> Iterator[Callable[[Emulator], MurekaAPI]]:
    """Factory: a MurekaAPI helper over an in-process client for any emulator."""
    clients: list[httpx.Client] = []

    def make(emulator: Emulator) -> MurekaAPI:
        client = httpx.Client(transport=emulator.transport(), base_url=MUREKA_BASE, headers=AUTH)
        clients.append(client)
        return MurekaAPI(client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def suno(em: Emulator, suno_for: Callable[[Emulator], SunoAPI]) -> SunoAPI:
    return suno_for(em)


@pytest.fixture
def mureka(em: Emulator, mureka_for: Callable[[Emulator], MurekaAPI]) -> MurekaAPI:
    return mureka_for(em)
