"""JSON for the values the cache keeps: cattrs, never pickle.

A stored value that no longer reads (an older layout, a hand-edited file) is treated as absent:
the cache is an optimisation and must never turn into a wrong answer or a crash.
"""

from __future__ import annotations

import json
import logging
from types import MappingProxyType
from typing import TypeVar

import attrs
import cattrs

from ._models import Generation

__all__ = ["JournalEntry", "dump_generation", "dump_journal", "load_generation", "load_journal"]

logger = logging.getLogger("musicgen")

T = TypeVar("T")

FORMAT = 1  # bump when the stored layout changes: older entries then read as absent

_converter = cattrs.Converter()
_converter.register_unstructure_hook(MappingProxyType, dict)


@attrs.frozen
class JournalEntry:
    """A submitted request's task: what lets a re-run resume instead of paying again.

    Attributes:
        provider: The provider name.
        task_id: The task the request started.
        instrumental: Whether it is an instrumental task (Mureka polls another path).
        submitted_at: Wall-clock time of the submission.
    """

    provider: str
    task_id: str
    instrumental: bool
    submitted_at: float


def dump_generation(generation: Generation) -> str:
    """Serialise a generation (with its raw payload) to JSON text."""
    return json.dumps({"format": FORMAT, "generation": _converter.unstructure(generation)})


def load_generation(text: str) -> Generation | None:
    """Read what ``dump_generation`` wrote, or None when it cannot be read."""
    return _load(text, "generation", Generation)


def dump_journal(entry: JournalEntry) -> str:
    """Serialise a journal entry to JSON text."""
    return json.dumps({"format": FORMAT, "journal": _converter.unstructure(entry)})


def load_journal(text: str) -> JournalEntry | None:
    """Read what ``dump_journal`` wrote, or None when it cannot be read."""
    return _load(text, "journal", JournalEntry)


def _load(text: str, field: str, cls: type[T]) -> T | None:
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            return None
        value: T = _converter.structure(document[field], cls)
        return value
    except (ValueError, TypeError, KeyError, AttributeError, cattrs.BaseValidationError) as error:
        logger.warning("ignoring an unreadable cached %s: %s", field, type(error).__name__)
        return None
