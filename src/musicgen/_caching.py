"""What the client keeps in a ``musicgen.cache`` store, so nothing is paid for twice.

- Finished task results, by (provider, task id): immutable, so reading one again costs no
  request. They expire when the provider's audio links do.
- A journal, by request fingerprint: the task a paid request started, written right after the
  submission is accepted and before waiting. A re-run of the same request (after a crash, or
  just again) finds it and resumes that task, or returns its result, instead of submitting.

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
    "journal_key",
    "load_journal",
    "load_result",
    "result_key",
]


def journal_key(fingerprint: str) -> str:
    """The journal key of a paid request (``Operation.fingerprint()``)."""
    return f"journal:{fingerprint}"


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
