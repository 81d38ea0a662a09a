"""What the client keeps in a ``musicgen.cache`` store, so nothing is paid for twice.

- Finished generations, by (provider, task id): immutable, so reading one again costs no
  request. They expire when the provider's audio links do.
- A journal, by request fingerprint: the task a request started, written right after the
  submission is accepted and before waiting. A re-run of the same request (after a crash, or
  just again) finds it and resumes that task, or returns its result, instead of submitting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._models import Generation, GenerationRequest, TaskStatus
from ._serialization import (
    JournalEntry,
    dump_generation,
    dump_journal,
    load_generation,
    load_journal,
)

if TYPE_CHECKING:
    from .cache import Cache

__all__ = ["ResultStore"]


class ResultStore:
    """The journal and the finished results, over any ``Cache``.

    Args:
        cache: Where to keep them.
        wall_clock: Wall-clock time, for journal timestamps.
    """

    def __init__(self, cache: Cache, *, wall_clock: Callable[[], float] = time.time) -> None:
        self.cache = cache
        self._wall_clock = wall_clock

    @staticmethod
    def journal_key(request: GenerationRequest) -> str:
        """The journal key of a request: every generation parameter, hashed."""
        return f"journal:{request.fingerprint()}"

    @staticmethod
    def result_key(provider: str, task_id: str) -> str:
        """The key of a finished generation."""
        return f"generation:{provider}:{task_id}"

    def journaled(self, request: GenerationRequest) -> JournalEntry | None:
        """The task an identical request started before, if any."""
        text = self.cache.get(self.journal_key(request))
        return None if text is None else load_journal(text)

    def journal(self, request: GenerationRequest, generation: Generation, ttl: float) -> None:
        """Record that ``request`` started ``generation``'s task."""
        entry = JournalEntry(
            provider=generation.provider,
            task_id=generation.task_id,
            instrumental=request.instrumental,
            submitted_at=self._wall_clock(),
        )
        self.cache.set(self.journal_key(request), dump_journal(entry), ttl=ttl)

    def forget(self, request: GenerationRequest) -> None:
        """Drop the journal entry of ``request`` (its task failed or vanished)."""
        self.cache.delete(self.journal_key(request))

    def finished(self, provider: str, task_id: str) -> Generation | None:
        """A finished generation kept earlier, or None."""
        text = self.cache.get(self.result_key(provider, task_id))
        return None if text is None else load_generation(text)

    def remember(self, generation: Generation, ttl: float) -> None:
        """Keep a successful generation; other states may still change, so they are not kept."""
        if generation.status is TaskStatus.SUCCEEDED:
            key = self.result_key(generation.provider, generation.task_id)
            self.cache.set(key, dump_generation(generation), ttl=ttl)
