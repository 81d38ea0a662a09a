"""Where a received callback is kept for waiting clients: the same ``Cache`` the client uses.

Keys and values (the contract the client reads):

* ``callback:<provider>:<task_id>`` (``callback_key``) holds JSON text::

      {"format": 1, "stage": "complete", "final": true, "failed": false,
       "received_at": 1718000000.123, "event": {"family": "music", "task_id": ..., ...}}

  ``event`` is the event's fields without ``raw``, plus its ``family``. A later stage replaces
  an earlier one; an equal or earlier stage never replaces what is there (so duplicates and
  out-of-order deliveries change nothing, and ``received_at`` is the first arrival of the
  stage stored).
* ``callback:ready:<provider>:<task_id>:done`` / ``...:stream`` (``ready_key``): written with
  the callback's ttl when a final callback (``done``) or a streaming one (``stream``) is
  stored, after it. Waiting clients ``wait_for`` these markers (on a ``RedisCache``, a worker
  on any machine wakes within milliseconds); the value (``{"format": 1, "stage": ...}``) is
  not read.
* ``callback:nonce:<nonce>`` (``nonce_key``) binds a callback URL's nonce to the first task id
  delivered to it: ``{"format": 1, "provider": ..., "task_id": ..., "bound_at": ...}``.

Nothing secret is stored: no URL token, no request text, no raw payload (which may echo the
prompt). Tracks keep their lyrics and titles, as finished results in the cache do.

Reads and writes of one process are serialised here; between processes sharing a disk cache,
two deliveries arriving within the same millisecond may both write (the later write wins).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from types import MappingProxyType
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from .._callback_wait import FORMAT, callback_key, ready_key, ready_marker
from ..cache import Cache
from ._errors import CallbackError
from ._events import FAMILIES, CallbackEvent, stage_rank

__all__ = [
    "FORMAT",
    "StoredCallback",
    "bind_nonce",
    "callback_key",
    "dump_event",
    "load_event",
    "nonce_key",
    "store_event",
]

logger = logging.getLogger("musicgen.callbacks")


_lock = threading.Lock()

_converter = cattrs.Converter()
_converter.register_unstructure_hook(MappingProxyType, dict)


def _has_raw(cls: Any) -> bool:
    return attrs.has(cls) and any(field.name == "raw" for field in attrs.fields(cls))


_converter.register_unstructure_hook_factory(
    _has_raw, lambda cls: make_dict_unstructure_fn(cls, _converter, raw=override(omit=True))
)


@attrs.frozen
class StoredCallback:
    """A callback as the store keeps it.

    Attributes:
        stage: The stage stored (``"text"``, ``"first"``, ``"complete"``, ``"error"``...).
        final: No later stage follows (``complete`` or ``error``).
        failed: The task failed.
        received_at: When this stage first arrived (unix seconds).
        event: The event, read back (its ``raw`` is empty).
    """

    stage: str
    final: bool
    failed: bool
    received_at: float
    event: CallbackEvent


def nonce_key(nonce: str) -> str:
    """The cache key binding a callback URL's nonce to its task: ``callback:nonce:<nonce>``."""
    return f"callback:nonce:{nonce}"


def dump_event(event: CallbackEvent, *, received_at: float) -> str:
    """The JSON text ``store_event`` writes for ``event`` (without ``raw``)."""
    fields = _converter.unstructure(event)
    return json.dumps(
        {
            "format": FORMAT,
            "stage": event.stage,
            "final": event.is_final,
            "failed": event.failed,
            "received_at": received_at,
            "event": {"family": event.family, **fields},
        },
        separators=(",", ":"),
    )


def _read(text: str | None) -> StoredCallback | None:
    if text is None:
        return None
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            return None
        fields = dict(document["event"])
        cls = FAMILIES[fields.pop("family")]
        event = _converter.structure(fields, cls)
        return StoredCallback(
            stage=str(document["stage"]),
            final=bool(document["final"]),
            failed=bool(document["failed"]),
            received_at=float(document["received_at"]),
            event=event,
        )
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        RecursionError,
        cattrs.BaseValidationError,
    ) as error:
        logger.warning("ignoring an unreadable stored callback: %s", type(error).__name__)
        return None


def load_event(cache: Cache, provider: str, task_id: str) -> StoredCallback | None:
    """The latest callback stored for a task, or None (none yet, expired, or unreadable)."""
    return _read(cache.get(callback_key(provider, task_id)))


def store_event(
    cache: Cache, event: CallbackEvent, *, ttl: float | None, received_at: float | None = None
) -> bool:
    """Keep ``event`` for waiting clients unless what is stored is as far or further.

    Args:
        cache: The client's cache.
        event: A parsed callback with a task id.
        ttl: Seconds the entry lives (None: the cache's default).
        received_at: When it arrived (default: now).

    Returns:
        True when it was written; False when an equal or later stage was there already.

    Raises:
        CallbackError: The event has no task id.
    """
    if event.task_id is None:
        raise CallbackError(f"a {event.family} callback without a task id cannot be stored")
    key = callback_key(event.provider, event.task_id)
    arrived = time.time() if received_at is None else received_at
    with _lock:
        held = _read(cache.get(key))
        if held is not None and stage_rank(held.stage) >= stage_rank(event.stage):
            return False
        cache.set(key, dump_event(event, received_at=arrived), ttl=ttl)
        # After the callback itself: a waiter woken by the marker reads the callback.
        marker = ready_marker(event.stage, final=event.is_final)
        if marker is not None:
            value = json.dumps({"format": FORMAT, "stage": event.stage}, separators=(",", ":"))
            cache.set(ready_key(event.provider, event.task_id, marker), value, ttl=ttl)
    return True


def bind_nonce(cache: Cache, nonce: str, provider: str, task_id: str, *, ttl: float | None) -> str:
    """Bind a callback URL's nonce to the first task id delivered to it.

    Returns:
        The task id the nonce is bound to: ``task_id`` on the first delivery (and on its
        replays), another id when the URL was already used for another task.
    """
    key = nonce_key(nonce)
    with _lock:
        bound = bound_task(cache, nonce)
        if bound is not None:
            return bound
        value = {
            "format": FORMAT,
            "provider": provider,
            "task_id": task_id,
            "bound_at": time.time(),
        }
        cache.set(key, json.dumps(value, separators=(",", ":")), ttl=ttl)
    return task_id


def bound_task(cache: Cache, nonce: str) -> str | None:
    """The task id a nonce is bound to, or None."""
    text = cache.get(nonce_key(nonce))
    if text is None:
        return None
    try:
        value = json.loads(text)
        if value.get("format") == FORMAT:
            task_id = value.get("task_id")
            return task_id if isinstance(task_id, str) else None
    except (ValueError, AttributeError, RecursionError):
        pass
    return None
