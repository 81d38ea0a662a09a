"""Batches: what ``generate_many`` accepts, and what it tells while it runs.

Both clients run a batch the same way, each with its own concurrency (threads for the blocking
client, tasks for the async one): every request becomes one ``generate`` call, journalled like
any other, so running the same batch again after a crash resumes its unfinished tasks and
returns its finished ones from the cache instead of paying again. A request that fails is a
value in its slot, not an exception: one bad request does not sink the batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ._errors import MusicGenError, ValidationError
from ._models import Generation, GenerationRequest

__all__ = ["DEFAULT_BATCH_CONCURRENCY", "BatchProgress", "BatchTally", "batch_calls"]

#: Generations a batch runs at once unless told otherwise: enough to keep a provider busy,
#: few enough to stay polite to an account's limits (a ``limiter=`` caps them exactly).
DEFAULT_BATCH_CONCURRENCY = 8

#: What one item of a batch may set: ``generate``'s own keyword arguments.
_CALL_KEYS = frozenset(
    {
        "prompt",
        "provider",
        "model",
        "lyrics",
        "style",
        "title",
        "instrumental",
        "timeout",
        "correlation_id",
        "fresh",
        "cache",
        "options",
    }
)

Outcome = Generation | MusicGenError


@attrs.frozen(kw_only=True)
class BatchProgress:
    """Where a batch stands, sent each time one of its generations ends.

    Attributes:
        total: Requests in the batch.
        done: How many have ended (succeeded or failed).
        failed: How many of those failed.
        index: The position in the batch of the request that just ended.
        outcome: Its ``Generation``, or the ``MusicGenError`` it ended with.
    """

    total: int
    done: int
    failed: int
    index: int
    outcome: Outcome = attrs.field(eq=False, repr=False)

    @property
    def is_done(self) -> bool:
        """True for the batch's last update."""
        return self.done == self.total


def batch_calls(requests: Iterable[Any], defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``generate`` keyword arguments of each request, checked before anything is sent.

    Args:
        requests: Prompts (``str``), mappings of ``generate``'s keyword arguments (provider
            options may sit beside them, as with ``generate(**extra)``), or
            ``GenerationRequest`` values.
        defaults: What every request gets unless it sets it (``provider=``, ``timeout=``).

    Raises:
        ValidationError: An item is none of these. (What ``generate`` itself refuses, such as
            a request with nothing to generate from, is that item's outcome instead.)
    """
    calls = []
    for index, item in enumerate(requests):
        call = dict(defaults)
        if isinstance(item, str):
            call["prompt"] = item
        elif isinstance(item, GenerationRequest):
            call.update(_from_request(item))
        elif isinstance(item, Mapping):
            call.update(item)
        else:
            msg = (
                f"requests[{index}] is a {type(item).__name__}; give a prompt (str), a mapping "
                "of generate()'s keyword arguments, or a GenerationRequest"
            )
            raise ValidationError(msg, field=f"requests[{index}]")
        calls.append(call)
    return calls


def split_call(call: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``generate``'s own keyword arguments, and the provider options beside them."""
    own = {key: value for key, value in call.items() if key in _CALL_KEYS}
    extra = {key: value for key, value in call.items() if key not in _CALL_KEYS}
    return own, extra


def _from_request(request: GenerationRequest) -> dict[str, Any]:
    return {
        "provider": request.provider,
        "model": request.model,
        "prompt": request.prompt,
        "lyrics": request.lyrics,
        "style": request.style,
        "title": request.title,
        "instrumental": request.instrumental,
        "options": dict(request.options),
    }


class BatchTally:
    """The outcomes of a batch in input order, and its progress reports (thread-safe)."""

    def __init__(self, total: int, on_progress: Callable[[BatchProgress], Any] | None) -> None:
        self.outcomes: list[Outcome | None] = [None] * total
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self._done = 0
        self._failed = 0

    def record(self, index: int, outcome: Outcome) -> BatchProgress | None:
        """Keep ``outcome`` in its slot; the progress to report, when someone listens."""
        with self._lock:
            self.outcomes[index] = outcome
            self._done += 1
            self._failed += isinstance(outcome, MusicGenError)
            if self._on_progress is None:
                return None
            return BatchProgress(
                total=len(self.outcomes),
                done=self._done,
                failed=self._failed,
                index=index,
                outcome=outcome,
            )

    def results(self) -> list[Outcome]:
        """Every outcome, in the order the requests were given."""
        return [outcome for outcome in self.outcomes if outcome is not None]


def check_concurrency(value: object) -> int:
    """``generate_many``'s ``concurrency=``: a positive int, or None for the default."""
    if value is None:
        return DEFAULT_BATCH_CONCURRENCY
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = (
            f"concurrency must be a positive int (generations at once), got {value!r}; "
            f"None uses {DEFAULT_BATCH_CONCURRENCY}"
        )
        raise ValidationError(msg, field="concurrency")
    return value
