"""``CallbackAuth``: per-submission callback URLs that carry their own proof, and their check.

sunoapi.org signs nothing ("Verify the legitimacy of the request source"), so the proof rides in
the URL musicgen hands the provider: ``?mg=<nonce>.<family>.<token>``, where ``token`` is an
HMAC-SHA256 of the nonce and the family under a secret only the app holds. Nobody without the
secret can mint a URL the receiver accepts, and the family comes from the URL, not from guessing
at the body. kie.ai (sunoapi.org's sister service) can sign too: ``X-Webhook-Timestamp`` and
``X-Webhook-Signature = base64(HMAC-SHA256(taskId + "." + timestamp, webhookHmacKey))``
(``providers.md`` §1.10). With a ``webhook_key`` that signature is checked whenever it is sent,
and its timestamp must be within ``tolerance`` seconds of now, so a captured request cannot be
replayed later.

A genuine URL replayed with a genuine body is harmless: storing is idempotent. The receiver binds
each nonce to the first task id it brings, so a URL cannot be reused for another task.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import attrs

from ._errors import CallbackAuthError
from ._events import FAMILIES

__all__ = ["QUERY_PARAMETER", "CallbackAuth", "Verified"]

#: The query parameter that carries ``<nonce>.<family>.<token>``.
QUERY_PARAMETER = "mg"

_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_DOMAIN = b"musicgen-callback/1"  # versions the token: a new scheme never accepts old tokens


@attrs.frozen
class Verified:
    """A callback that passed ``CallbackAuth.verify``.

    Attributes:
        nonce: The URL's nonce: one per submission (the receiver binds it to the task id).
        family: The callback family the URL was minted for (``"music"``, ``"wav"``...).
        signed: A webhook signature was checked too.
        timestamp: The signature's timestamp (unix seconds), when signed.
        task_id: The task id the signature covers, when signed.
    """

    nonce: str
    family: str
    signed: bool = False
    timestamp: float | None = None
    task_id: str | None = None


class CallbackAuth:
    """Mints callback URLs and verifies the callbacks that come back to them.

    Args:
        secret: The app's secret (at least 16 bytes; keep it out of source control). URLs
            minted under one secret verify only under the same secret.
        webhook_key: The kie-style ``webhookHmacKey``; when set, an ``X-Webhook-Signature``
            sent with a callback is checked.
        tolerance: Seconds a signature's timestamp may be away from now.
        require_signature: Refuse callbacks without the webhook headers (only with a
            ``webhook_key``; sunoapi.org itself never signs).
        clock: The wall clock, in unix seconds (for tests).

    Raises:
        ValueError: A short secret, an empty webhook key or a non-positive tolerance.
    """

    def __init__(
        self,
        secret: str | bytes,
        *,
        webhook_key: str | None = None,
        tolerance: float = 300.0,
        require_signature: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if len(key) < 16:
            raise ValueError("the callback secret must be at least 16 bytes long")
        if webhook_key is not None and not webhook_key:
            raise ValueError("webhook_key must not be empty (pass None to skip signatures)")
        if not tolerance > 0 or math.isinf(tolerance):
            raise ValueError(f"tolerance must be a positive number of seconds, got {tolerance!r}")
        if require_signature and webhook_key is None:
            raise ValueError("require_signature needs a webhook_key")
        self._secret = key
        self._webhook_key = webhook_key.encode("utf-8") if webhook_key else None
        self.tolerance = float(tolerance)
        self.require_signature = require_signature
        self._clock = clock

    def __repr__(self) -> str:
        signed = ", webhook_key=***" if self._webhook_key else ""
        return f"CallbackAuth(secret=***{signed}, tolerance={self.tolerance:g})"

    # -- minting -------------------------------------------------------------------------------

    def url(self, base_url: str, *, family: str = "music") -> str:
        """Mint the callback URL of one submission.

        Args:
            base_url: Where the receiver listens, e.g. ``https://app.example/musicgen/callback``
                (an existing query string is kept).
            family: The callback family the submission will get (``"music"`` for generate and
                the music edits, ``"wav"``, ``"lyrics"``...; see ``FAMILIES``).

        Returns:
            ``base_url`` with ``mg=<nonce>.<family>.<token>`` added to its query.

        Raises:
            ValueError: ``base_url`` is not an http(s) URL with a host, or ``family`` is unknown.
        """
        if family not in FAMILIES:
            raise ValueError(f"unknown callback family {family!r}; use one of {sorted(FAMILIES)}")
        try:
            parts = urlsplit(base_url.strip())
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
        nonce = secrets.token_urlsafe(16)
        value = f"{nonce}.{family}.{self._token(nonce, family)}"
        query = f"{parts.query}&" if parts.query else ""
        query += urlencode({QUERY_PARAMETER: value})
        return urlunsplit(parts._replace(query=query))

    def _token(self, nonce: str, family: str) -> str:
        message = b"\x00".join((_DOMAIN, nonce.encode("ascii"), family.encode("ascii")))
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    # -- verifying ------------------------------------------------------------------------------

    def verify(
        self,
        url_or_query: str,
        body: bytes | str | Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> Verified:
        """Check that a callback came to a URL this secret minted, and its signature if any.

        Args:
            url_or_query: The full URL the callback was posted to, or its query string.
            body: The request body (only read to find the task id a signature covers).
            headers: The request headers (any case).

        Returns:
            What the URL and signature vouch for.

        Raises:
            CallbackAuthError: No token, a forged token, a bad or partial signature, or a stale
                timestamp (``reason`` says which).
        """
        nonce, family = self._check_token(url_or_query)
        lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        stamp = lowered.get("x-webhook-timestamp")
        signature = lowered.get("x-webhook-signature")
        if self._webhook_key is None:
            return Verified(nonce, family)
        if stamp is None and signature is None:
            if self.require_signature:
                raise CallbackAuthError("the callback is not signed", reason="signature")
            return Verified(nonce, family)
        if stamp is None or signature is None:
            raise CallbackAuthError(
                "the callback has only one of X-Webhook-Timestamp and X-Webhook-Signature",
                reason="signature",
            )
        when = self._check_timestamp(stamp)
        task_id = _signed_task_id(body)
        if task_id is None:
            raise CallbackAuthError(
                "a signed callback without a task id cannot be checked", reason="signature"
            )
        message = f"{task_id}.{stamp.strip()}".encode()
        expected = base64.b64encode(hmac.new(self._webhook_key, message, hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
            raise CallbackAuthError("the webhook signature does not match", reason="signature")
        return Verified(nonce, family, signed=True, timestamp=when, task_id=task_id)

    def _check_token(self, url_or_query: str) -> tuple[str, str]:
        if not isinstance(url_or_query, str):
            raise CallbackAuthError("the callback URL is not text", reason="missing")
        text = url_or_query.strip()
        if "?" in text or "://" in text:
            try:
                text = urlsplit(text).query
            except ValueError:
                raise CallbackAuthError("the callback URL is malformed", reason="missing") from None
        values = parse_qs(text, keep_blank_values=True).get(QUERY_PARAMETER, [])
        if not values:
            raise CallbackAuthError(
                f"the callback URL carries no {QUERY_PARAMETER}= token", reason="missing"
            )
        if len(values) > 1:
            raise CallbackAuthError("the callback URL carries several tokens", reason="token")
        nonce, _, rest = values[0].partition(".")
        family, _, token = rest.partition(".")
        if not _NONCE.fullmatch(nonce) or family not in FAMILIES or not token:
            raise CallbackAuthError("the callback token is malformed", reason="token")
        expected = self._token(nonce, family).encode("ascii")
        if not hmac.compare_digest(expected, token.encode("utf-8", "replace")):
            raise CallbackAuthError("the callback token was not minted here", reason="token")
        return nonce, family

    def _check_timestamp(self, stamp: str) -> float:
        try:
            when = float(stamp.strip())
        except ValueError:
            raise CallbackAuthError(
                "X-Webhook-Timestamp is not a number", reason="timestamp"
            ) from None
        if not math.isfinite(when):
            raise CallbackAuthError("X-Webhook-Timestamp is not a number", reason="timestamp")
        if when > 1e11:  # milliseconds
            when /= 1000.0
        if abs(self._clock() - when) > self.tolerance:
            raise CallbackAuthError(
                f"the signature's timestamp is more than {self.tolerance:g} s away from now",
                reason="timestamp",
            )
        return when


def _signed_task_id(body: bytes | str | Mapping[str, Any]) -> str | None:
    """The task id a kie signature covers: ``data.task_id``, ``data.taskId``, or top level."""
    payload: Any = body
    if not isinstance(body, Mapping):
        try:
            payload = json.loads(body)
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
            return None
    if not isinstance(payload, Mapping):
        return None
    data = payload.get("data")
    places = [data] if isinstance(data, Mapping) else []
    places.append(payload)
    for place in places:
        for key in ("task_id", "taskId"):
            value = place.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
                return str(value)
    return None
