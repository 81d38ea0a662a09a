"""End to end over real sockets: the emulator's server posts, the receiver stores, a reader sees."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from musicgen.cache import DiskCache, MemoryCache
from musicgen.callbacks import CallbackAuth, CallbackServer, StoredCallback, load_event
from musicgen.testing import Emulator, EmulatorServer

from .conftest import SECRET, WEBHOOK_KEY, music_body

AUTH = {"Authorization": "Bearer test-key"}
GENEROUS = 20.0  # seconds: bounds only, never a timing assertion


def generate(base_url: str, callback_url: str) -> str:
    body = {
        "customMode": False,
        "instrumental": False,
        "model": "V4_5",
        "prompt": "a calm lo-fi beat",
        "callBackUrl": callback_url,
    }
    answer = httpx.post(f"{base_url}/api/v1/generate", json=body, headers=AUTH).json()
    return str(answer["data"]["taskId"])


def wait_final(cache: Any, task_id: str) -> StoredCallback:
    deadline = time.monotonic() + GENEROUS
    while time.monotonic() < deadline:
        stored = load_event(cache, "suno", task_id)
        if stored is not None and stored.final:
            return stored
        time.sleep(0.01)
    pytest.fail(f"no final callback for {task_id} within {GENEROUS} s")


@pytest.fixture
def receiver(cache: MemoryCache, auth: CallbackAuth) -> Iterator[CallbackServer]:
    with CallbackServer(cache, auth) as server:
        yield server


def test_the_emulator_posts_every_stage_to_the_receiver_without_any_status_read(
    cache: MemoryCache,
    auth: CallbackAuth,
    receiver: CallbackServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = Emulator(callback_stage_seconds=0.02, polls_per_stage=1000)
    callback_url = auth.url(receiver.url)
    with EmulatorServer(emulator) as server:
        base = server.url
        task_id = generate(base, callback_url)

        stored = wait_final(cache, task_id)

        assert emulator.wait_for_callbacks(GENEROUS)
        status = httpx.get(
            f"{base}/api/v1/generate/record-info", params={"taskId": task_id}, headers=AUTH
        ).json()["data"]["status"]

    assert stored.stage == "complete"
    assert not stored.failed
    tracks = stored.event.tracks  # type: ignore[attr-defined]
    assert len(tracks) == 2
    assert all(track.audio_url.startswith(base) for track in tracks)
    assert [(c.stage, c.status_code) for c in emulator.callbacks_sent] == [
        ("text", 200),
        ("first", 200),
        ("complete", 200),
    ]
    assert status == "SUCCESS"  # what was posted is what a status read says
    # Neither the emulator's posts nor the receiver log the URL's token.
    assert callback_url.split(".")[-1] not in caplog.text


def test_a_forged_callback_over_http_is_rejected_and_the_genuine_one_stored(
    cache: MemoryCache, auth: CallbackAuth, receiver: CallbackServer
) -> None:
    emulator = Emulator(callback_stage_seconds=0.02, polls_per_stage=1000)
    emulator.inject_callback("forged", stage="first")
    with EmulatorServer(emulator) as server:
        task_id = generate(server.url, auth.url(receiver.url))
        stored = wait_final(cache, task_id)
        assert emulator.wait_for_callbacks(GENEROUS)

    forged = [c for c in emulator.callbacks_sent if c.fault == "forged"]
    assert [c.status_code for c in forged] == [401]
    tracks = stored.event.tracks  # type: ignore[attr-defined]
    assert all("attacker" not in (track.audio_url or "") for track in tracks)


def test_signed_callbacks_verify_end_to_end(cache: MemoryCache) -> None:
    auth = CallbackAuth(SECRET, webhook_key=WEBHOOK_KEY, require_signature=True)
    emulator = Emulator(
        callback_stage_seconds=0.02, polls_per_stage=1000, callback_webhook_key=WEBHOOK_KEY
    )
    with CallbackServer(cache, auth) as receiver, EmulatorServer(emulator) as server:
        task_id = generate(server.url, auth.url(receiver.url))
        assert wait_final(cache, task_id).stage == "complete"
        assert emulator.wait_for_callbacks(GENEROUS)

    assert all(c.status_code == 200 for c in emulator.callbacks_sent)
    assert all("x-webhook-signature" in c.headers for c in emulator.callbacks_sent)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_receiver_in_another_process_sharing_a_disk_cache(tmp_path: Path) -> None:
    path, port = tmp_path / "cache.sqlite3", free_port()
    script = (
        "from musicgen.cache import DiskCache\n"
        "from musicgen.callbacks import CallbackAuth, serve\n"
        f"serve(DiskCache({str(path)!r}), CallbackAuth({SECRET!r}), port={port},\n"
        "      log_level='warning')\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        auth = CallbackAuth(SECRET)
        url = auth.url(f"http://127.0.0.1:{port}/musicgen/callback")
        deadline = time.monotonic() + GENEROUS
        while True:
            try:
                response = httpx.post(url, content=music_body("t-cross"), timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        assert response.status_code == 200
        reader = DiskCache(path)
        try:
            stored = load_event(reader, "suno", "t-cross")
        finally:
            reader.close()
        assert stored is not None
        assert stored.stage == "complete"
    finally:
        process.terminate()
        process.wait(timeout=GENEROUS)
