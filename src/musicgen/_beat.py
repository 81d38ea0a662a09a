"""A daemon thread that calls one function at a steady beat, started on first use.

Held leases and limiter slots are renewed this way: one thread per set of them, not one per
lease, since most are released within milliseconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Beat"]


class Beat:
    """Calls ``tick()`` every ``seconds`` from a daemon thread, once ``start`` was called."""

    def __init__(self, seconds: float, tick: Callable[[], None], name: str) -> None:
        self._seconds = seconds
        self._tick = tick
        self._name = name
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread, unless it runs already."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self._seconds)
            self._tick()
