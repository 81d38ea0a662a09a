"""The Provider protocol and the small helpers every driver shares.

A provider is sans-I/O: it turns a ``GenerationRequest`` into an ``httpx.Request`` and an
``httpx.Response`` into a typed value or a typed error. It never sends anything; the clients own
sending, retrying, polling, caching and events, so a custom provider gets all of those for free.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import time
from typing import Any, Protocol, runtime_checkable

import httpx

from .._errors import ConfigurationError, UnexpectedResponseError
from .._models import Balance, Generation, GenerationRequest
from .._models_catalog import ModelCatalog

__all__ = [
    "DEFAULT_RETENTION",
    "Provider",
    "api_key_from_env",
    "bearer_headers",
    "mask_key",
    "parse_retry_after",
    "read_json",
    "retention_of",
]


@runtime_checkable
class Provider(Protocol):
    """What a music-generation provider driver implements. Every method is pure: no I/O.

    Methods that parse a response raise a subclass of ``musicgen.APIError`` when the provider
    answered with an error, so the client can tell what is safe to retry.

    A provider may also set ``retention``: seconds the provider keeps a task's audio, after
    which a cached result expires (default one day).
    """

    #: The name users pass as ``provider=`` (e.g. ``"suno"``).
    name: str
    #: The models this provider accepts, used to resolve ``model=`` and to check lengths.
    catalog: ModelCatalog

    def validate(self, request: GenerationRequest) -> None:
        """Raise ``musicgen.ValidationError`` naming field, limit and fix for bad input."""

    def submit_request(self, request: GenerationRequest) -> httpx.Request:
        """Build the request that starts a (paid) generation."""

    def parse_submit(self, response: httpx.Response, request: GenerationRequest) -> Generation:
        """Read the submission's answer: the new task, usually not finished yet."""

    def status_request(self, task_id: str, *, instrumental: bool | None = None) -> httpx.Request:
        """Build the read of a task's status. ``instrumental`` is None when unknown."""

    def parse_status(
        self, response: httpx.Response, task_id: str, *, instrumental: bool | None = None
    ) -> Generation:
        """Read a task's status, with its tracks so far."""

    def balance_request(self) -> httpx.Request:
        """Build the read of the account's remaining credits or balance."""

    def parse_balance(self, response: httpx.Response) -> Balance:
        """Read the remaining credits or balance."""


#: How long a provider keeps a task's audio when its driver does not say (``retention``).
DEFAULT_RETENTION = 24 * 3600.0


def retention_of(provider: Provider) -> float:
    """Seconds ``provider`` keeps a task's audio (Suno 15 days, Mureka 30 days)."""
    value = getattr(provider, "retention", None)
    return float(value) if isinstance(value, (int, float)) else DEFAULT_RETENTION


def api_key_from_env(explicit: str | None, names: tuple[str, ...], provider: str) -> str:
    """Return ``explicit`` or the first non-empty environment variable of ``names``.

    Raises:
        ConfigurationError: No key anywhere; the message names the variables to set.
    """
    if explicit:
        return explicit
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    msg = (
        f"no API key for {provider}: pass api_key=... or set one of "
        f"{', '.join(names)} in the environment"
    )
    raise ConfigurationError(msg)


def read_json(response: httpx.Response, provider: str) -> Any:
    """Decode a JSON body, or raise ``UnexpectedResponseError`` that says what came instead."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        snippet = response.content[:120].decode("utf-8", "replace")
        msg = f"the response is not valid JSON (starts with {snippet!r})"
        raise UnexpectedResponseError(
            msg, provider=provider, status_code=response.status_code
        ) from None


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Return the wait ``Retry-After`` asks for, in seconds (delta-seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def bearer_headers(api_key: str) -> dict[str, str]:
    """The headers every provider request carries: the key as a Bearer token, JSON wanted."""
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}


def mask_key(text: str, api_key: str) -> str:
    """``text`` with ``api_key`` replaced by ``***``: no error may carry the key, even if a server
    or proxy echoed it back. Very short (test) keys are left alone: replacing them would mangle
    ordinary words.
    """
    if len(api_key) < 8:
        return text
    return text.replace(api_key, "***")


def strip_trailing_slash(url: str) -> str:
    """Normalise a base URL so paths can be appended with one slash."""
    return url.rstrip("/")
