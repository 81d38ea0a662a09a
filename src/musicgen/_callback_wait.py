"""What a waiting client reads of a stored callback (the receiver in ``musicgen.callbacks``
writes it): the cache key, and whether what is stored is worth a status read now.

The stored value is JSON text ``{"format": 1, "stage", "final", "failed", "received_at",
"event"}``; only ``stage`` and ``final`` matter here. The read that follows confirms the result
with the provider, so a forged or stale entry can cost one read, never a wrong answer.
"""

from __future__ import annotations

import json

__all__ = ["FORMAT", "callback_key", "worth_a_read"]

#: The layout version of stored callbacks (the receiver writes it, waits check it).
FORMAT = 1

#: Stages that carry a playable stream (Suno posts ``first`` when the first track streams).
_STREAM_STAGES = frozenset({"first", "complete"})


def callback_key(provider: str, task_id: str) -> str:
    """Where the receiver keeps the latest callback of a task."""
    return f"callback:{provider}:{task_id}"


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
