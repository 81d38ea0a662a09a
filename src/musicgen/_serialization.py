"""JSON for the values the cache keeps: cattrs, never pickle.

A stored value that no longer reads (an older layout, a hand-edited file) is treated as absent:
the cache is an optimisation and must never turn into a wrong answer or a crash.
"""

from __future__ import annotations

import json
import logging
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs

__all__ = ["JournalEntry", "dump_journal", "dump_result", "load_journal", "load_result"]

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
        submitted_at: Wall-clock time of the submission.
        operation: The name of the operation that started it (``"generate"``...).
    """

    provider: str
    task_id: str
    submitted_at: float
    operation: str = "generate"


def dump_result(value: Any) -> str:
    """Serialise a finished result (an attrs value, raw payload included) to JSON text."""
    return json.dumps({"format": FORMAT, "result": _converter.unstructure(value)})


def load_result(text: str, cls: type[T]) -> T | None:
    """Read what ``dump_result`` wrote as a ``cls``, or None when it cannot be read."""
    return _load(text, cls, "result", "generation")  # "generation": what 0.1 wrote


def dump_journal(entry: JournalEntry) -> str:
    """Serialise a journal entry to JSON text."""
    return json.dumps({"format": FORMAT, "journal": _converter.unstructure(entry)})


def load_journal(text: str) -> JournalEntry | None:
    """Read what ``dump_journal`` wrote, or None when it cannot be read."""
    return _load(text, JournalEntry, "journal")


def _load(text: str, cls: type[T], *fields: str) -> T | None:
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            return None
        field = next(name for name in fields if name in document)
        value: T = _converter.structure(document[field], cls)
        return value
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        StopIteration,
        cattrs.BaseValidationError,
    ) as error:
        logger.warning("ignoring an unreadable cached %s: %s", cls.__name__, type(error).__name__)
        return None
