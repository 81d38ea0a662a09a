"""JSON for the values the cache keeps: cattrs, never pickle.

A stored value that no longer reads (an older layout, a hand-edited file) is treated as absent:
the cache is an optimisation and must never turn into a wrong answer or a crash.

What is kept is what a re-run needs (task id, status, tracks, the result's own fields) and
never a provider's ``raw`` payload: that echoes the request (Suno's ``param`` holds the prompt
and the callback URL with its token), and a cache file must hold no request text or secret. A
result read back from the cache has an empty ``raw``.
"""

from __future__ import annotations

import json
import logging
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

__all__ = ["JournalEntry", "dump_journal", "dump_result", "load_journal", "load_result"]

logger = logging.getLogger("musicgen")

T = TypeVar("T")

# Bump when a stored layout changes: older entries then read as absent.
# Results 2: no ``raw`` any more (format 1 results held the echoed request). A result that
# reads as absent costs one free status read; the new one then replaces it.
FORMAT = 2
# Journal entries keep format 1: reading one as absent would pay for its request again.
JOURNAL_FORMAT = 1

#: The field of result values that holds the provider's payload: never stored.
_RAW = "raw"  # also the keyword of the override in _without_raw

_converter = cattrs.Converter()
_converter.register_unstructure_hook(MappingProxyType, dict)


def _has_raw(cls: Any) -> bool:
    cls = getattr(cls, "__origin__", None) or cls  # Task[Stems] -> Task
    return attrs.has(cls) and any(field.name == _RAW for field in attrs.fields(cls))


def _without_raw(cls: Any) -> Any:
    return make_dict_unstructure_fn(cls, _converter, raw=override(omit=True))


_converter.register_unstructure_hook_factory(_has_raw, _without_raw)


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
    """Serialise a finished result (an attrs value) to JSON text, without any ``raw`` payload,
    its nested values' included."""
    return json.dumps({"format": FORMAT, "result": _converter.unstructure(value)})


def load_result(text: str, cls: type[T]) -> T | None:
    """Read what ``dump_result`` wrote as a ``cls``, or None when it cannot be read."""
    return _load(text, cls, FORMAT, "result", "generation")  # "generation": what 0.1 wrote


def dump_journal(entry: JournalEntry) -> str:
    """Serialise a journal entry to JSON text."""
    return json.dumps({"format": JOURNAL_FORMAT, "journal": _converter.unstructure(entry)})


def load_journal(text: str) -> JournalEntry | None:
    """Read what ``dump_journal`` wrote, or None when it cannot be read."""
    return _load(text, JournalEntry, JOURNAL_FORMAT, "journal")


def _load(text: str, cls: type[T], version: int, *fields: str) -> T | None:
    try:
        document = json.loads(text)
        if document.get("format") != version:
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
