"""Single flight: identical requests in flight at once share one provider task."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["ABANDONED", "Flights"]

ABANDONED = object()  # what followers see when the leader was interrupted: try again


class Flights:
    """The identical requests in flight in one client, each with the future its callers share."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Any] = {}

    def join(self, key: str, new_future: Callable[[], Any]) -> tuple[Any, bool]:
        """The future for ``key``, and whether the caller leads (must run the flow)."""
        with self._lock:
            future = self._running.get(key)
            if future is not None:
                return future, False
            future = self._running[key] = new_future()
            return future, True

    def lead(self, key: str, future: Any, run: Callable[[], Any]) -> Any:
        """Run the shared flow as the leader and hand its outcome to the followers."""
        try:
            result = run()
        except Exception as error:
            self.settle(key, future, error=error)
            raise
        except BaseException:
            self.settle(key, future, result=ABANDONED)
            raise
        self.settle(key, future, result=result)
        return result

    def settle(
        self, key: str, future: Any, *, result: Any = None, error: Exception | None = None
    ) -> None:
        """Publish the outcome and let the next identical request start a flight of its own."""
        with self._lock:
            del self._running[key]
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
            future.exception()  # retrieved: asyncio warns of an unretrieved error otherwise
