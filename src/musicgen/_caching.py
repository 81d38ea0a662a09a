"""What the client keeps in a ``musicgen.cache`` store, so nothing is paid for twice.

- Finished task results, by (provider, task id): immutable, so reading one again costs no
  request. They expire when the provider's audio links do.
- A journal, by request fingerprint: the task a paid request started, written right after the
  submission is accepted and before waiting. A re-run of the same request (after a crash, or
  just again) finds it and resumes that task, or returns its result, instead of submitting.
  While the task runs its entry is ``journal:<fingerprint>``, which a bounded store never
  evicts (losing it could mean paying twice); once the task finished it moves to
  ``finished:<fingerprint>``, an ordinary entry a bounded store may evict like a result.

Only keys and (de)serialisation live here, with no I/O: the flows read and write the cache
through effects that the clients perform (the async client in a worker thread for stores that
block, such as ``DiskCache``).
"""

from __future__ import annotations

from typing import Any

from ._serialization import JournalEntry, dump_journal, dump_result, load_journal, load_result

__all__ = [
    "JournalEntry",
    "dump_journal",
    "dump_result",
    "finished_key",
    "forget_journal",
    "journal_key",
    "journal_keys",
    "load_journal",
    "load_result",
    "result_key",
    "settle_journal",
]


def journal_key(fingerprint: str) -> str:
    """The journal key of a paid request (``Operation.fingerprint()``)."""
    return f"journal:{fingerprint}"


def finished_key(fingerprint: str) -> str:
    """The journal key of a paid request whose task finished (evictable, unlike ``journal:``)."""
    return f"finished:{fingerprint}"


def journal_keys(fingerprint: str) -> tuple[str, str]:
    """Where a paid request's journal entry may be: running, then finished."""
    return journal_key(fingerprint), finished_key(fingerprint)


def settle_journal(cache: Any, fingerprint: str, ttl: float | None) -> None:
    """Move a finished task's journal entry out of the pinned ``journal:`` keys."""
    running = journal_key(fingerprint)
    text = cache.get(running)
    if text is not None:
        cache.set(finished_key(fingerprint), text, ttl=ttl)
        cache.delete(running)


def forget_journal(cache: Any, fingerprint: str) -> None:
    """Drop a paid request's journal entry, running or finished."""
    for key in journal_keys(fingerprint):
        cache.delete(key)


def result_key(result_type: Any, provider: str, task_id: str) -> str:
    """The key of a finished task's result (``generation:suno:<task id>`` for a Generation,
    ``task[stems]:suno:<task id>`` for a ``Task[Stems]``)."""
    return f"{_type_name(result_type)}:{provider}:{task_id}"


def _type_name(result_type: Any) -> str:
    args = getattr(result_type, "__args__", ())
    name = getattr(result_type, "__name__", None) or repr(result_type)
    if args:
        name += "[" + ",".join(_type_name(arg) for arg in args) + "]"
    return name.lower()
