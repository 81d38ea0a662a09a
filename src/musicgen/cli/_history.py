"""``musicgen history``: the paid tasks the cache's journal keeps, and what became of them.

The journal (``journal:<fingerprint>`` -> ``JournalEntry``) is written right after each paid
submission, and moves to ``finished:<fingerprint>`` once its task finished; a finished result
is cached under ``<kind>:<provider>:<task id>``. A task with a
result is shown with that result's status; one without is unfinished (or never waited on).
A failed task leaves the journal (the same request then tries anew), so it is not listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from .._serialization import load_journal
from ..cache import DiskCache
from ..cache._base import Cache

__all__ = ["HistoryRow", "history_rows", "journalled_provider"]

_JOURNAL = ("journal:", "finished:")


@attrs.frozen
class HistoryRow:
    """One journalled task."""

    provider: str
    task_id: str
    operation: str
    submitted_at: float
    status: str
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


def history_rows(path: Path | None, *, limit: int) -> list[HistoryRow]:
    """The ``limit`` most recent journalled tasks of the cache file ``path`` (None: the
    default cache), newest first. A missing file has none (and is not created)."""
    from ._runtime import default_cache_path

    path = default_cache_path() if path is None else path
    if not path.exists():
        return []
    with DiskCache(path) as cache:
        entries = cache.items()
    results: dict[tuple[str, str], dict[str, Any]] = {}
    journal = []
    for key, value in entries:
        if key.startswith(_JOURNAL):
            entry = load_journal(value)
            if entry is not None:
                journal.append(entry)
            continue
        parts = key.split(":", 2)
        if len(parts) == 3:
            result = _result(value)
            if result is not None:
                results[(parts[1], parts[2])] = result
    journal.sort(key=lambda entry: entry.submitted_at, reverse=True)
    rows = []
    for entry in journal[:limit]:
        result = results.get((entry.provider, entry.task_id))
        status = "unfinished" if result is None else str(result.get("status") or "finished")
        rows.append(
            HistoryRow(
                provider=entry.provider,
                task_id=entry.task_id,
                operation=entry.operation,
                submitted_at=entry.submitted_at,
                status=status,
                title=None if result is None else _title(result),
            )
        )
    return rows


def journalled_provider(cache: Cache | None, task_id: str) -> str | None:
    """The provider the journal recorded for ``task_id``, if the cache can list and has it."""
    if not isinstance(cache, DiskCache):
        return None
    for prefix in _JOURNAL:
        for _, value in cache.items(prefix):
            entry = load_journal(value)
            if entry is not None and entry.task_id == task_id:
                return entry.provider
    return None


def _result(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    result = document.get("result") if isinstance(document, dict) else None
    return result if isinstance(result, dict) else None


def _title(result: dict[str, Any]) -> str | None:
    tracks = result.get("tracks")
    if isinstance(tracks, list):
        titles = [str(t["title"]) for t in tracks if isinstance(t, dict) and t.get("title")]
        if titles:
            return " / ".join(dict.fromkeys(titles))
    return None
