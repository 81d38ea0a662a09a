"""The work both sides do: one Suno generation, through the SDK or written by hand with httpx."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from musicgen import AsyncMusicGenClient, GenerationRequest, MusicGenClient, SunoProvider
from musicgen.testing import emulated_async_client, emulated_client

__all__ = [
    "API_KEY",
    "PROMPT",
    "RawSuno",
    "sdk_async_client",
    "sdk_client",
    "suno_body",
]

PROMPT = "a calm lo-fi beat with soft piano for a rainy evening"
API_KEY = "bench-key"
_FAILED = frozenset(
    {"CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR", "CALLBACK_EXCEPTION"}
)


def suno_body(base_url: str) -> dict[str, Any]:
    """The JSON body the SDK sends for ``generate(PROMPT, provider="suno")``.

    Taken from the SDK's own provider, so the hand-written baseline sends the same bytes.
    """
    provider = SunoProvider(api_key=API_KEY, base_url=base_url)
    request = provider.generate(
        GenerationRequest(provider="suno", model=provider.catalog.default, prompt=PROMPT)
    ).request
    body: dict[str, Any] = json.loads(request.content)
    return body


def sdk_client(base_url: str, **options: Any) -> MusicGenClient:
    """A ``MusicGenClient`` for the emulator at ``base_url``: zero poll and retry waits."""
    return emulated_client(base_url=base_url, **options)


def sdk_async_client(base_url: str, **options: Any) -> AsyncMusicGenClient:
    """The ``AsyncMusicGenClient`` twin of ``sdk_client``."""
    return emulated_async_client(base_url=base_url, **options)


class RawSuno:
    """What a user would write without the SDK: submit, then poll record-info until SUCCESS.

    It checks the envelope and the status and parses the JSON, like any careful hand-written
    client, and "sleeps" the same zero-second poll interval the SDK is configured with.
    """

    def __init__(self, base_url: str) -> None:
        self.submit_url = f"{base_url}/api/v1/generate"
        self.status_url = f"{base_url}/api/v1/generate/record-info"
        self.headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
        self.body = suno_body(base_url)

    def _task_id(self, response: httpx.Response) -> str:
        response.raise_for_status()
        payload = response.json()
        if payload.get("code") != 200:
            msg = f"submit refused: {payload}"
            raise RuntimeError(msg)
        task_id: str = payload["data"]["taskId"]
        return task_id

    def _done(self, response: httpx.Response) -> dict[str, Any] | None:
        response.raise_for_status()
        data: dict[str, Any] = response.json()["data"]
        status = data["status"]
        if status == "SUCCESS":
            return data
        if status in _FAILED:
            msg = f"task failed: {status}"
            raise RuntimeError(msg)
        return None

    def generate(self, http: httpx.Client) -> dict[str, Any]:
        """One generation, blocking."""
        task_id = self._task_id(http.post(self.submit_url, json=self.body, headers=self.headers))
        params = {"taskId": task_id}
        while True:
            time.sleep(0)  # the poll interval, zero here as in the SDK's configuration
            response = http.get(self.status_url, params=params, headers=self.headers)
            done = self._done(response)
            if done is not None:
                return done

    async def agenerate(self, http: httpx.AsyncClient) -> dict[str, Any]:
        """One generation, awaited."""
        response = await http.post(self.submit_url, json=self.body, headers=self.headers)
        params = {"taskId": self._task_id(response)}
        while True:
            await asyncio.sleep(0)
            response = await http.get(self.status_url, params=params, headers=self.headers)
            done = self._done(response)
            if done is not None:
                return done
