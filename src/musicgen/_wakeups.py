"""One wake-up listener per client: a daemon thread that waits on every key the client's waits
need, with the cache's ``wait_for``, and wakes each wait when its key is written.

A wait registers its keys and a ``wake`` callable (the blocking client: ``Event.set``; the
async client: a ``call_soon_threadsafe`` that resolves a future), so thousands of waits share
one thread and, on a ``RedisCache``, one pub/sub connection at a time.

``wait_for`` watches a fixed set of keys for the length of a call. When a wait registers a key
that the call in progress does not watch, the registering side *pokes* the listener: it sets
the listener's own control key (``callback:wakeups:<id>``, one ``set`` however many waits
arrive meanwhile); the listener wakes, deletes it, and calls ``wait_for`` again with the new
set. Deleting before re-reading the set means a poke is never lost.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["Wakeups", "Watch", "wakeups_for"]

logger = logging.getLogger("musicgen")

#: The longest single ``wait_for``: the listener re-reads its keys at least this often (a
#: lost poke, a store that restarted), at a cost of a few commands per client.
REFRESH_SECONDS = 60.0
#: The first and longest pause after the store failed, before waiting again.
_BACKOFF = (0.5, 30.0)
#: The control key's lifetime: a leftover from a listener that died expires.
_CONTROL_TTL = 300.0


class Watch:
    """One wait's registration: its keys, what wakes it, and whether the caller must poke."""

    __slots__ = ("keys", "poke", "wake")

    def __init__(self, keys: tuple[str, ...], wake: Callable[[], object]) -> None:
        self.keys = keys
        self.wake = wake
        #: The listener's wait in progress does not watch these keys: call ``Wakeups.poke``
        #: (the async client, from a worker thread when the cache blocks).
        self.poke = False


def wakeups_for(cache: object, *, callbacks: bool) -> Wakeups | None:
    """The listener a client needs: one when it expects callbacks and its cache has
    ``wait_for`` (``SupportsWait``), else None (its waits check the cache on their own)."""
    if not callbacks or not callable(getattr(cache, "wait_for", None)):
        return None
    return Wakeups(cache)


class Wakeups:
    """The wake-up listener of one client (its thread starts with the first wait).

    Args:
        cache: A store with ``wait_for`` (``SupportsWait``), ``set`` and ``delete``.
    """

    def __init__(self, cache: Any) -> None:
        self._cache = cache
        self._control = f"callback:wakeups:{os.urandom(16).hex()}"
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._watches: dict[str, set[Watch]] = {}  # key -> the waits on it
        self._watching: frozenset[str] | None = None  # the keys of the wait_for in progress
        self._poked = False
        self._thread: threading.Thread | None = None
        self._closed = False
        self._broken = False

    @property
    def usable(self) -> bool:
        """False once closed, or once the store refused the keys (waits then poll)."""
        return not (self._closed or self._broken)

    def watch(self, keys: Sequence[str], wake: Callable[[], object]) -> Watch | None:
        """Register a wait: ``wake()`` is called once (from the listener's thread) when one of
        ``keys`` is written. None when the listener cannot wait (closed, or the store refused
        the keys): the caller checks on its own instead.

        If the returned ``Watch.poke`` is True, call ``poke()`` next.
        """
        registered = Watch(tuple(keys), wake)
        with self._lock:
            if not self.usable:
                return None
            for key in registered.keys:
                self._watches.setdefault(key, set()).add(registered)
            watching = self._watching
            if watching is not None and not watching.issuperset(registered.keys):
                registered.poke = not self._poked
                self._poked = True
            if self._thread is None or not self._thread.is_alive():  # first wait, or forked
                self._thread = threading.Thread(
                    target=self._run, name="musicgen-wakeups", daemon=True
                )
                self._thread.start()
            self._changed.notify()
        return registered

    def wait(self, keys: Sequence[str], seconds: float) -> bool:
        """Block until one of ``keys`` is written or ``seconds`` pass.

        Returns:
            False, at once, when the listener cannot wait (the caller checks on its own).
        """
        woken = threading.Event()
        registered = self.watch(keys, woken.set)
        if registered is None:
            return False
        try:
            if registered.poke:
                self.poke()
            woken.wait(seconds)
        finally:
            self.cancel(registered)
        return True

    async def wait_async(self, keys: Sequence[str], seconds: float, *, blocking: bool) -> bool:
        """``wait`` for the event loop: the wait is a future the listener resolves, so no
        thread is tied up. ``blocking``: the cache blocks, so a poke runs in a worker thread.

        Returns:
            False, at once, when the listener cannot wait (the caller checks on its own).
        """
        import asyncio  # here: a blocking client never needs it

        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def settle() -> None:
            if not woken.done():
                woken.set_result(None)

        registered = self.watch(keys, lambda: loop.call_soon_threadsafe(settle))
        if registered is None:
            return False
        try:
            if registered.poke:
                if blocking:
                    await asyncio.to_thread(self.poke)
                else:
                    self.poke()
            await asyncio.wait([woken], timeout=seconds)
        finally:
            self.cancel(registered)
            woken.cancel()
        return True

    def cancel(self, registered: Watch) -> None:
        """Forget a wait (woken or not). Its keys may stay watched until the next wake-up:
        a stray wake-up is harmless."""
        with self._lock:
            self._forget(registered)

    def poke(self) -> None:
        """Make the listener's ``wait_for`` return, so that it watches the new keys. Blocks
        for one ``set`` on the store."""
        try:
            self._cache.set(self._control, "1", ttl=_CONTROL_TTL)
        except Exception:  # the wait still ends at its own timeout
            logger.warning("could not wake the wake-up listener", exc_info=True)

    def close(self) -> bool:
        """Stop the thread and wake every wait still registered (each checks on its own).

        Returns:
            True when the thread is inside a ``wait_for``: call ``poke()`` to end it now
            (else it ends at its next wake-up, holding a pub/sub connection until then).
        """
        with self._lock:
            self._closed = True
            self._changed.notify()
            busy = self._watching is not None
        self._wake_all()
        return busy

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        pause = _BACKOFF[0]
        while True:
            with self._lock:
                self._watching = None
                while not self._watches and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                keys = sorted(self._watches)
                self._watching = frozenset(keys)
                self._poked = False
            try:
                woken = self._cache.wait_for([*keys, self._control], REFRESH_SECONDS)
                if woken == self._control:
                    # Before the keys are read again: a poke after this is then seen.
                    self._cache.delete(self._control)
            except (ValueError, TypeError) as error:
                # The store refuses these keys for good (RedisCache(watch=...) without
                # "callback:"): the waits go back to checking on their own.
                logger.warning(
                    "callback waits cannot use wake-ups (%s); they check the cache instead", error
                )
                with self._lock:
                    self._broken = True
                    self._watching = None
                self._wake_all()
                return
            except Exception:  # a store outage: each wait ends at its timeout
                logger.warning("waiting for callbacks failed; trying again", exc_info=True)
                with self._lock:
                    self._watching = None
                    if self._closed:
                        return
                    self._changed.wait(pause)
                pause = min(_BACKOFF[1], pause * 2)
                continue
            pause = _BACKOFF[0]
            if woken is not None and woken != self._control:
                self._wake(woken)

    def _wake(self, key: str) -> None:
        with self._lock:
            woken = list(self._watches.get(key, ()))
            for registered in woken:
                self._forget(registered)
        for registered in woken:
            _call(registered)

    def _wake_all(self) -> None:
        with self._lock:
            woken = {registered for waits in self._watches.values() for registered in waits}
            self._watches.clear()
        for registered in woken:
            _call(registered)

    def _forget(self, registered: Watch) -> None:
        """Drop a wait from every key it watches; call with the lock held."""
        for key in registered.keys:
            waits = self._watches.get(key)
            if waits is not None:
                waits.discard(registered)
                if not waits:
                    del self._watches[key]


def _call(registered: Watch) -> None:
    try:
        registered.wake()
    except Exception:  # one wait's trouble (its loop closed) stops no other
        logger.debug("waking a callback wait failed", exc_info=True)
