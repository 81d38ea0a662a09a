"""Fixtures shared across test folders: a real Redis server for the fleet building blocks.

``redis_url`` is ``MUSICGEN_REDIS_URL`` when set; otherwise the session starts its own
``redis-server`` on a free loopback port, with no persistence, in a temporary directory, and
stops it at the end. Without either, tests that need Redis skip, unless
``MUSICGEN_REQUIRE_REDIS=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest


def _unavailable(reason: str) -> None:
    msg = (
        f"Redis tests need a Redis server: {reason}. Install redis-server (apt-get install "
        "redis-server) or set MUSICGEN_REDIS_URL, and pip install 'musicgen-sdk[redis]'."
    )
    if os.environ.get("MUSICGEN_REQUIRE_REDIS") == "1":
        pytest.fail(msg + " (MUSICGEN_REQUIRE_REDIS=1: missing Redis is a failure)")
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _start(binary: str, directory: str) -> tuple[subprocess.Popen[bytes], str]:
    # The port is free when picked; another process may take it before Redis binds: retry.
    for _ in range(5):
        port = _free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", directory]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(200):
            if server.poll() is not None:
                break
            if _answers(url):
                return server, url
            time.sleep(0.05)
        server.kill()
        server.wait()
    pytest.fail(f"{binary} did not start on a loopback port after 5 tries")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a real Redis server (shared by the session: key prefixes keep tests apart)."""
    try:
        import redis  # noqa: F401 - only checks the extra is installed
    except ImportError:
        _unavailable("redis-py is not installed")
    url = os.environ.get("MUSICGEN_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("no redis-server on PATH and MUSICGEN_REDIS_URL is not set")
        raise AssertionError("unreachable")  # pragma: no cover - skip and fail raise
    with tempfile.TemporaryDirectory(prefix="musicgen-redis-") as directory:
        server, url = _start(binary, directory)
        try:
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own: tests sharing one server never see each other's keys."""
    return f"musicgen-test:{uuid.uuid4().hex[:12]}:"
