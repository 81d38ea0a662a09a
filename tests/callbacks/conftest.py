"""Shared helpers: an auth, a signer for kie-style headers, documented bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from musicgen.cache import MemoryCache
from musicgen.callbacks import CallbackAuth

SECRET = "test-secret-0123456789abcdef"
WEBHOOK_KEY = "kie-webhook-key"
RECEIVER = "https://app.example.net/musicgen/callback"


def sign(task_id: str, stamp: str, key: str = WEBHOOK_KEY) -> dict[str, str]:
    """kie.ai's headers: base64(HMAC-SHA256(taskId + "." + timestamp, key))."""
    digest = hmac.new(key.encode(), f"{task_id}.{stamp}".encode(), hashlib.sha256).digest()
    return {
        "X-Webhook-Timestamp": stamp,
        "X-Webhook-Signature": base64.b64encode(digest).decode(),
    }


def music_body(task_id: str, stage: str = "complete", *, code: int = 200) -> bytes:
    """A documented music callback with two snake_case tracks."""
    ready = stage == "complete"
    tracks = [
        {
            "id": f"{task_id}-{index}",
            "audio_url": f"https://cdn.example.net/{task_id}-{index}.mp3" if ready else "",
            "stream_audio_url": f"https://cdn.example.net/{task_id}-{index}",
            "image_url": f"https://cdn.example.net/{task_id}-{index}.png",
            "prompt": "[Verse]\nLa la la",
            "model_name": "chirp-auk",
            "title": "Song",
            "tags": "pop ",
            "createTime": 1736300000000,
            "duration": 120.5 if ready else None,
        }
        for index in range(2)
    ]
    data: dict[str, Any] = {"callbackType": stage, "task_id": task_id, "data": tracks}
    if code != 200:
        data = {"callbackType": "error", "task_id": task_id, "data": None}
    return json.dumps({"code": code, "msg": "ok", "data": data}).encode()


@pytest.fixture
def auth() -> CallbackAuth:
    return CallbackAuth(SECRET)


@pytest.fixture
def signed_auth() -> CallbackAuth:
    return CallbackAuth(SECRET, webhook_key=WEBHOOK_KEY, tolerance=300)


@pytest.fixture
def cache() -> MemoryCache:
    return MemoryCache()
