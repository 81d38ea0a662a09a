"""`musicgen callbacks serve`: the receiver as a command, on the commands' cache."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import httpx

from musicgen.cache import DiskCache
from musicgen.callbacks import CallbackAuth, load_event

from .conftest import Cli

SECRET = "cli-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def complete_callback(task_id: str) -> bytes:
    track = {"id": "t-1", "audio_url": "https://cdn.example.net/t-1.mp3", "duration": 120.5}
    data = {"callbackType": "complete", "task_id": task_id, "data": [track]}
    return json.dumps({"code": 200, "msg": "All generated successfully.", "data": data}).encode()


def test_serve_stores_a_genuine_callback_in_the_commands_cache(cli: Cli, tmp_path: Path) -> None:
    port, cache_file = free_port(), tmp_path / "shared.sqlite3"
    cli.env["MUSICGEN_CALLBACK_SECRET"] = SECRET
    process = cli.start("callbacks", "serve", "--port", str(port), "--cache", str(cache_file))
    try:
        url = CallbackAuth(SECRET).url(f"http://127.0.0.1:{port}/musicgen/callback")
        deadline = time.monotonic() + 30
        while True:  # until the receiver listens
            try:
                answer = httpx.post(url, content=complete_callback("task-42"), timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, process.stderr
                time.sleep(0.1)
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    stored = load_event(DiskCache(cache_file), "suno", "task-42")
    assert stored is not None
    assert stored.final


def test_serve_without_a_secret_is_a_usage_error(cli: Cli) -> None:
    result = cli("callbacks", "serve")
    assert result.code == 2
    assert "MUSICGEN_CALLBACK_SECRET" in result.stderr
