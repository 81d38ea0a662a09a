"""What a waiting client reads of a stored callback (the receiver in ``musicgen.callbacks``
writes it): the cache key, and whether what is stored is worth a status read now.

The stored value is JSON text ``{"format": 1, "stage", "final", "failed", "received_at",
"event"}``; only ``stage`` and ``final`` matter here. The read that follows confirms the result
with the provider, so a forged or stale entry can cost one read, never a wrong answer.

Beside it the receiver writes a *ready marker* when a callback worth a read arrives:
``callback:ready:<provider>:<task_id>:done`` (a final callback) or ``...:stream`` (a stream
URL is there). A marker is written once and never changes, so a waiter can ``wait_for`` it:
``wait_for`` returns at once on a key that holds a value, and the callback key itself holds an
early stage long before the one a waiter needs.
"""

from __future__ import annotations

import json

__all__ = [
    "FORMAT",
    "READY_PREFIX",
    "callback_key",
    "ready_key",
    "ready_keys",
    "ready_marker",
    "worth_a_read",
]

#: The layout version of stored callbacks (the receiver writes it, waits check it).
FORMAT = 1

#: Stages that carry a playable stream (Suno posts ``first`` when the first track streams).
_STREAM_STAGES = frozenset({"first", "complete"})


def callback_key(provider: str, task_id: str) -> str:
    """Where the receiver keeps the latest callback of a task."""
    return f"callback:{provider}:{task_id}"


#: Where the ready markers live (under ``callback:``, so ``RedisCache(watch=["callback:"])``
#: publishes their wake-ups).
READY_PREFIX = "callback:ready:"


def ready_key(provider: str, task_id: str, what: str) -> str:
    """The marker a callback worth a read leaves: ``what`` is ``"done"`` or ``"stream"``."""
    return f"{READY_PREFIX}{provider}:{task_id}:{what}"


def ready_keys(provider: str, task_id: str, *, until: str = "done") -> list[str]:
    """The markers a wait for ``until`` wakes on: a final callback always, a stream one for
    ``until="stream"``."""
    keys = [ready_key(provider, task_id, "done")]
    if until == "stream":
        keys.append(ready_key(provider, task_id, "stream"))
    return keys


def ready_marker(stage: str, *, final: bool) -> str | None:
    """Which marker (``"done"``, ``"stream"``) a stored callback of ``stage`` leaves, or None."""
    if final:
        return "done"
    return "stream" if stage in _STREAM_STAGES else None


def worth_a_read(stored: str, *, until: str = "done") -> bool:
    """Whether a stored callback means a status read now would see news: the task is final,
    or (``until="stream"``) it streams. An unreadable value is not (polling goes on)."""
    try:
        value = json.loads(stored)
    except (ValueError, TypeError):
        return False
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return False
    if value.get("final") is True:
        return True
    return until == "stream" and value.get("stage") in _STREAM_STAGES
