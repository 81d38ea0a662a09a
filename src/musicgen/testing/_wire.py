"""HTTP helpers every emulated provider shares: bearer auth, JSON bodies, plain-text answers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

import httpx


def decode_json(content: bytes) -> Any:
    """Decode a JSON body; None when it is empty or not JSON."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def authorized(request: httpx.Request, key: str | None) -> bool:
    """Tell whether a request carries a Bearer token, and ``key`` itself unless key is None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    return key is None or secrets.compare_digest(token.encode(), key.encode())


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Serialise a JSON body compactly, the way the real services do."""
    return httpx.Response(
        status,
        headers={"content-type": "application/json", **(headers or {})},
        content=json.dumps(body, separators=(",", ":")).encode(),
    )


def truncated_json(
    prefix: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """A JSON answer cut short after ``prefix`` (the ``malformed_json`` fault)."""
    return httpx.Response(
        status, headers={"content-type": "application/json", **(headers or {})}, content=prefix
    )


def text_response(
    status: int, text: str, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Build a plain-text answer (unknown paths, media errors)."""
    return httpx.Response(
        status, headers={"content-type": "text/plain; charset=utf-8", **(headers or {})}, text=text
    )
