"""Account limits in the task flow: a limiter slot per running task, a rate grant per submission.

A provider limits an account, not a process. With ``limiter=`` a client takes, before each paid
submission of a task:

- a **rate grant** when the provider declares ``submissions_per_window`` (Suno: 20 per 10 s);
- a **slot** when it declares ``concurrent_tasks`` (Mureka: the billing endpoint's
  ``concurrent_request_limit``, read again every ``LIMIT_REFRESH`` seconds; 5 until known).

A slot is held from the submission until the client sees the task terminal. One daemon thread
per client renews the slots it holds every third of ``SLOT_TTL``, so a worker that dies frees
its slots within ``SLOT_TTL`` whatever its polling cadence. A task the client stops following
(a deadline, an interrupt, ``submit`` without a wait) keeps its slot, renewed, for at most
``MAX_HOLD`` seconds from its submission, and then ``SLOT_TTL`` more: it may still be running at
the provider, and freeing its slot early would let the fleet go over the limit.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

from ._beat import Beat

__all__ = ["LIMIT_REFRESH", "MAX_HOLD", "SLOT_TTL", "AccountSlots", "account_of"]

logger = logging.getLogger("musicgen")

#: Seconds a slot lives without renewal: how long a dead worker's task keeps its place.
SLOT_TTL = 10.0
#: Seconds a slot is renewed at most: longer than any task a limit applies to should run.
MAX_HOLD = 600.0
#: Seconds between two reads of an account's concurrency limit from the provider.
LIMIT_REFRESH = 600.0


def account_of(provider: Any) -> str | None:
    """The limiter account of ``provider`` (``ProviderBase.account``), or None for a provider
    that has none: the limits then do not apply to it."""
    account = getattr(provider, "account", None)
    return account if isinstance(account, str) else None


class AccountSlots:
    """The slots one client holds, one per running task it submitted; and the limits it knows.

    The limiter calls are brief (a lock, or one Redis round trip) and never wait for a slot: the
    flow waits between tries with ``Sleep``, so the async client's event loop and its worker
    threads are never tied up by a full account.
    """

    def __init__(self, limiter: Any, clock: Any = time.monotonic) -> None:
        self.limiter = limiter
        self._clock = clock
        self._lock = threading.Lock()
        self._held: dict[tuple[str, str], tuple[Any, float]] = {}  # -> (slot, held since)
        self._beat = Beat(SLOT_TTL / 3, self.renew_all, "musicgen-slots")
        self._limits: dict[str, tuple[int, float]] = {}  # account -> (limit, read at)
        self._lines: dict[str, collections.deque[object]] = {}  # account -> waiting tickets

    def limit_is_stale(self, account: str) -> bool:
        """Whether the account's concurrency limit should be read again from the provider."""
        with self._lock:
            known = self._limits.get(account)
        return known is None or self._clock() - known[1] >= LIMIT_REFRESH

    def learn_limit(self, account: str, limit: int | None, default: int) -> None:
        """Remember what the provider said (or, when it said nothing usable, the default)."""
        with self._lock:
            self._limits[account] = (limit or default, self._clock())

    def try_rate(self, account: str, provider: Any) -> float:
        """Take a grant of the account's rate window: 0.0 when granted (or there is no window),
        else the seconds until it has room (nothing taken). Never waits."""
        rate = getattr(provider, "submissions_per_window", None)
        if rate is None:
            return 0.0
        count, per = rate
        return float(self.limiter.try_acquire_rate(account, count=count, per=per))

    def queue(self, account: str) -> object:
        """A place in this client's line for the account's slots (``leave`` it when done).

        Only the first in line asks the limiter: this client's waiters get slots in the order
        they came, and a full account costs one limiter call per try per client, not one per
        waiting call.
        """
        ticket = object()
        with self._lock:
            self._lines.setdefault(account, collections.deque()).append(ticket)
        return ticket

    def leave(self, account: str, ticket: object) -> None:
        """Give up a place in line (a slot was taken, or the wait ended). Never blocks."""
        with self._lock:
            line = self._lines.get(account)
            if line is not None and ticket in line:
                line.remove(ticket)
                if not line:
                    del self._lines[account]

    def try_slot(self, account: str, provider: Any, ticket: object) -> tuple[bool, Any, int]:
        """Take a slot of the account if ``ticket`` is first in line: ``(True, slot, 0)`` when
        taken, or when the provider has no concurrency limit (slot None); else ``(False,
        None, n)`` with ``n`` the waiters ahead of it. Never waits."""
        concurrent = getattr(provider, "concurrent_tasks", None)
        if concurrent is None:
            return True, None, 0
        with self._lock:
            line = self._lines.get(account) or collections.deque([ticket])
            ahead = line.index(ticket) if ticket in line else 0
            limit = self._limits.get(account, (concurrent, 0.0))[0]
        if ahead:
            return False, None, ahead
        slot = self.limiter.try_acquire(account, limit=limit, ttl=SLOT_TTL)
        return slot is not None, slot, 0

    def hold(self, provider: str, task_id: str, slot: Any) -> None:
        """Keep ``slot`` (renewed in the background) until the task is seen terminal."""
        with self._lock:
            self._held[(provider, task_id)] = (slot, self._clock())
        self._beat.start()

    def holds(self, provider: str, task_id: str) -> bool:
        """Whether this client holds a slot for the task (never blocks)."""
        with self._lock:
            return (provider, task_id) in self._held

    def release(self, provider: str, task_id: str) -> None:
        """Free the task's slot (it is terminal)."""
        slot = self.forget(provider, task_id)
        if slot is not None:
            slot.release()

    def forget(self, provider: str, task_id: str) -> Any:
        """Stop renewing the task's slot; it is returned, not released."""
        with self._lock:
            held = self._held.pop((provider, task_id), None)
        return None if held is None else held[0]

    def renew_all(self) -> None:
        """Renew every held slot; stop renewing lost ones and those held ``MAX_HOLD``."""
        now = self._clock()
        with self._lock:
            held = list(self._held.items())
        for key, (slot, since) in held:
            if now - since >= MAX_HOLD:
                self.forget(*key)  # its task should have ended long ago: let it expire
                continue
            try:
                kept = slot.renew(SLOT_TTL)
            except Exception:
                logger.debug("renewing a limiter slot failed; trying again", exc_info=True)
                continue
            if not kept:
                self.forget(*key)  # it expired meanwhile: nothing left to renew
