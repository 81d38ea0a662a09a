"""Distributed single flight: one lease per paid request, held while it is looked up and sent.

Identical paid requests on different machines must start one task. The journal already makes
a later identical request resume the task an earlier one started; what it cannot do alone is
stop two workers that look it up at the same moment, both find nothing, and both pay. So the
task flow takes a lease on the request's fingerprint (``flight:<fingerprint>``) around "read
the journal; if empty, submit and journal": the holder submits, the others wait for the lease,
then find the journal entry and resume that task. The lease covers only that short stretch,
not the wait for the result.

A held lease is renewed from a daemon thread (a submission may retry for a while under rate
limits); a holder that dies stops renewing, its lease expires after ``LEASE_TTL`` and the next
worker takes over: it finds the journal entry if the dead one got that far, and otherwise the
submission is uncertain the way a crash between sending and journalling always is.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from ._beat import Beat

__all__ = ["LEASE_TTL", "HeldLease", "flight_name", "hold_lease"]

logger = logging.getLogger("musicgen")

#: Seconds a lease lives without renewal: how long a dead holder delays the others.
LEASE_TTL = 15.0
#: The longest pause between two tries for a lease held elsewhere (without wake-ups).
_MAX_PAUSE = 0.5
#: The longest wait for a wake-up before trying again (with wake-ups).
_RECHECK = 1.0


def flight_name(fingerprint: str) -> str:
    """The lease name of a paid request."""
    return f"flight:{fingerprint}"


class HeldLease:
    """A lease this process holds, renewed in the background until released."""

    def __init__(self, cache: Any, name: str, token: str, ttl: float) -> None:
        self._cache = cache
        self.name = name
        self._token = token
        self._ttl = ttl
        _RENEWER.add(self)

    def renew(self) -> bool:
        """Push its expiry out again; False once it is lost (it expired meanwhile)."""
        try:
            return bool(self._cache.renew_lease(self.name, self._token, self._ttl))
        except Exception:
            logger.debug("renewing the lease %s failed; trying again", self.name, exc_info=True)
            return True  # a store hiccup: try again at the next beat

    def release(self) -> None:
        """Stop renewing and give the lease up (waking whoever waits for it)."""
        _RENEWER.discard(self)
        try:
            self._cache.release_lease(self.name, self._token)
        except Exception:
            logger.debug("releasing the lease %s failed; it expires", self.name, exc_info=True)


class _Renewer:
    """Every lease this process holds, renewed every third of its ttl by one ``Beat``."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._held: set[HeldLease] = set()
        self._beat = Beat(LEASE_TTL / 3, self._renew_all, "musicgen-leases")

    def add(self, lease: HeldLease) -> None:
        with self._lock:
            self._held.add(lease)
        self._beat.start()

    def discard(self, lease: HeldLease) -> None:
        with self._lock:
            self._held.discard(lease)

    def _renew_all(self) -> None:
        with self._lock:
            held = list(self._held)
        for lease in held:
            if not lease.renew():
                self.discard(lease)


_RENEWER = _Renewer()
if hasattr(os, "register_at_fork"):
    # A child process inherits the set but not the thread, and holds none of the leases.
    os.register_at_fork(after_in_child=_RENEWER._reset)


def hold_lease(cache: Any, name: str, timeout: float | None) -> HeldLease | None:
    """Take the lease ``name`` on ``cache``, waiting while another worker holds it.

    Returns:
        The held lease; None when ``cache`` grants no leases (single flight then stays
        within this process).

    Raises:
        TimeoutError: ``timeout`` seconds passed while another worker held it.
    """
    if not callable(getattr(cache, "acquire_lease", None)):
        return None
    token = os.urandom(16).hex()
    waits = callable(getattr(cache, "wait_for", None))
    deadline = None if timeout is None else time.monotonic() + timeout
    pause = 0.02
    while not cache.acquire_lease(name, token, LEASE_TTL):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            msg = f"an identical request held {name!r} until the deadline"
            raise TimeoutError(msg)
        if waits:
            # Woken when the holder releases it; re-checked every second anyway: a release
            # just before the wait began, or a holder that died, wakes no one.
            cache.wait_for([name], _RECHECK if left is None else min(left, _RECHECK))
        else:
            time.sleep(pause if left is None else min(pause, left))
            pause = min(_MAX_PAUSE, pause * 2)
    return HeldLease(cache, name, token, LEASE_TTL)
