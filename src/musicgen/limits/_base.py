"""The ``Limiter`` protocol, the ``Slot`` it hands out, and what both limiters share."""

from __future__ import annotations

import abc
import hashlib
import math
import os
import time
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from .._errors import MusicGenError

__all__ = ["Limiter", "LimiterTimeoutError", "Slot", "account_key"]

#: The longest a blocked ``acquire`` sleeps between two tries when no release wakes it: a
#: missed wake-up (a reconnect) then costs at most this much.
MAX_WAIT = 1.0


class LimiterTimeoutError(MusicGenError):
    """No slot (or no room in the rate window) freed up before the ``timeout`` passed.

    Nothing was submitted: the call may be retried later, or with a longer timeout.
    """


LimiterTimeoutError.__module__ = "musicgen.limits"  # its public home, in reprs and tracebacks


def account_key(provider: str, api_key: str) -> str:
    """The limiter account of an API key: ``<provider>:<digest>``, never the key itself.

    Every worker that uses the same key gets the same account, so the fleet shares its limits;
    the digest (SHA-256 with a fixed label, 32 hex characters) cannot be turned back into the
    key, so a Redis dump never leaks it.

    Raises:
        ValueError: ``provider`` or ``api_key`` is empty.
    """
    if not provider or not api_key:
        raise ValueError("account_key needs a provider name and a non-empty api_key")
    digest = hashlib.sha256(b"musicgen-limits\x00" + api_key.encode("utf-8")).hexdigest()
    return f"{provider}:{digest[:32]}"


def new_token() -> str:
    """A fresh holder token (random: it proves nothing but who holds a slot)."""
    return os.urandom(16).hex()  # like the client's other tokens: no uuid import


class Slot(AbstractContextManager["Slot"]):
    """One held place under an account's concurrency limit.

    Hold it while the task runs: ``with limiter.acquire(account, limit=5, ttl=60) as slot:``.
    The slot expires ``ttl`` seconds after it was taken or last renewed, so a worker that dies
    frees it by itself; a live holder calls :meth:`renew` more often than that (e.g. at every
    status read). Leaving the ``with`` block releases it.

    Attributes:
        account: The account it counts against.
        token: Its holder token (unique per slot).
        ttl: Seconds it lives after each take or renewal.
    """

    def __init__(self, limiter: Limiter, account: str, token: str, ttl: float) -> None:
        self._limiter = limiter
        self.account = account
        self.token = token
        self.ttl = ttl
        self._released = False

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called."""
        return self._released

    def renew(self, ttl: float | None = None) -> bool:
        """Push the slot's expiry to ``ttl`` (default: its own ttl) seconds from now.

        Returns:
            False when the slot was lost (it expired and may be someone else's now): the
            holder is over the limit and should say so (or take a new slot).
        """
        if self._released:
            return False
        return self._limiter.renew(self, self.ttl if ttl is None else ttl)

    def release(self) -> bool:
        """Free the slot and wake a waiter; False when it had expired already. Idempotent."""
        if self._released:
            return False
        self._released = True
        return self._limiter.release(self)

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Slot(account={self.account!r}, ttl={self.ttl!r}, released={self._released})"


@runtime_checkable
class Limiter(Protocol):
    """Caps what the workers sharing a provider account do at once, and how often.

    Two kinds of limit, per account (see :func:`account_key`):

    - **concurrency**: at most ``limit`` slots held at once (Mureka: ``concurrent_request_limit``
      running tasks); a slot is a lease with a ttl, so a dead worker's slot frees itself;
    - **rate**: at most ``count`` grants in any ``per`` seconds (Suno: 20 submissions per 10 s).

    ``limit``, ``count`` and ``per`` are given per call, not per limiter: the client reads
    Mureka's limit from the billing endpoint and may see it change.

    Every method blocks its thread (``LocalLimiter`` on a lock, ``RedisLimiter`` on the
    network); async code calls them from a worker thread (``asyncio.to_thread``).
    """

    def try_acquire(self, account: str, *, limit: int, ttl: float) -> Slot | None:
        """Take a slot if fewer than ``limit`` are held now; None otherwise (never waits)."""
        ...

    def acquire(
        self, account: str, *, limit: int, ttl: float, timeout: float | None = None
    ) -> Slot:
        """Take a slot, waiting for one to be released or to expire.

        Args:
            account: Whose limit (``account_key(provider, api_key)``).
            limit: How many slots the account has (at least 1).
            ttl: Seconds the slot lives unless renewed (finite, positive).
            timeout: Seconds to wait at most; None waits for ever.

        Raises:
            LimiterTimeoutError: ``timeout`` passed with every slot taken.
            ValueError: ``limit`` below 1, or a ttl or timeout out of range.
        """
        ...

    def renew(self, slot: Slot, ttl: float) -> bool:
        """Push ``slot``'s expiry to ``ttl`` seconds from now; False when it was lost."""
        ...

    def release(self, slot: Slot) -> bool:
        """Free ``slot`` and wake a waiter; False when it had expired already."""
        ...

    def try_acquire_rate(self, account: str, *, count: int, per: float) -> float:
        """Record one grant if fewer than ``count`` were granted in the last ``per`` seconds.

        Returns:
            0.0 when granted; otherwise the seconds until the oldest grant leaves the window
            (nothing recorded).
        """
        ...

    def acquire_rate(
        self, account: str, *, count: int, per: float, timeout: float | None = None
    ) -> None:
        """Wait until the rate window has room, then record one grant.

        Raises:
            LimiterTimeoutError: The window would not have room before ``timeout``.
            ValueError: ``count`` below 1, or ``per`` or ``timeout`` out of range.
        """
        ...

    def running(self, account: str) -> int:
        """How many slots of ``account`` are held now (expired ones not counted)."""
        ...

    def close(self) -> None:
        """Release the limiter's resources (connections); held slots expire on their own."""
        ...


def check_account(account: object) -> str:
    if not isinstance(account, str) or not account:
        raise ValueError(
            f"account must be a non-empty str (use account_key(provider, api_key)), got {account!r}"
        )
    return account


def check_slot_args(limit: int, ttl: float) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be an int of at least 1, got {limit!r}")
    check_seconds("ttl", ttl)


def check_rate_args(count: int, per: float) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an int of at least 1, got {count!r}")
    check_seconds("per", per)


def check_seconds(name: str, seconds: float) -> None:
    if not (isinstance(seconds, (int, float)) and seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"{name} must be a finite, positive number of seconds, got {seconds!r}")


def check_timeout(timeout: float | None) -> float | None:
    """The deadline (``time.monotonic()``) of a wait of ``timeout`` seconds; None: none."""
    if timeout is None:
        return None
    if not timeout >= 0:
        raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
    return time.monotonic() + timeout


def left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


class Waiter(Protocol):
    """Blocks until a slot of the account may have freed up, or ``seconds`` pass."""

    def __call__(self, seconds: float) -> None: ...


class BlockingLimiter(abc.ABC):
    """The waiting loops both limiters share, on top of their ``try_`` methods."""

    @abc.abstractmethod
    def _try(self, account: str, limit: int, ttl: float) -> tuple[Slot | None, float]:
        """A slot, or None and the seconds until the soonest held slot expires."""

    @abc.abstractmethod
    def _listen(self, account: str) -> AbstractContextManager[Waiter]:
        """Start listening for releases of ``account`` (before the first try: none missed)."""

    @abc.abstractmethod
    def try_acquire_rate(self, account: str, *, count: int, per: float) -> float:
        """See ``Limiter.try_acquire_rate``."""

    def try_acquire(self, account: str, *, limit: int, ttl: float) -> Slot | None:
        check_account(account)
        check_slot_args(limit, ttl)
        return self._try(account, limit, ttl)[0]

    def acquire(
        self, account: str, *, limit: int, ttl: float, timeout: float | None = None
    ) -> Slot:
        check_account(account)
        check_slot_args(limit, ttl)
        deadline = check_timeout(timeout)
        with self._listen(account) as wait:
            while True:
                slot, expires_in = self._try(account, limit, ttl)
                if slot is not None:
                    return slot
                remaining = left(deadline)
                if remaining is not None and remaining <= 0:
                    raise LimiterTimeoutError(
                        f"no slot of {account} (limit {limit}) freed up within {timeout} s"
                    )
                wait(min(expires_in, MAX_WAIT, math.inf if remaining is None else remaining))

    def acquire_rate(
        self, account: str, *, count: int, per: float, timeout: float | None = None
    ) -> None:
        deadline = check_timeout(timeout)
        while True:
            wait = self.try_acquire_rate(account, count=count, per=per)
            if wait <= 0:
                return
            remaining = left(deadline)
            if remaining is not None and wait > remaining:
                raise LimiterTimeoutError(
                    f"{account} may make {count} requests per {per} s: the next one is "
                    f"allowed in {wait:.3f} s, past the {timeout} s timeout"
                )
            time.sleep(wait)
