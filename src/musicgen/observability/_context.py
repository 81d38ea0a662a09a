"""The ambient correlation id: a contextvar, so it follows asyncio tasks and copied contexts."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

__all__ = ["correlation_id", "current_correlation_id", "new_correlation_id"]

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "musicgen_correlation_id", default=None
)


def new_correlation_id() -> str:
    """A fresh random correlation id (32 hex characters, 128 random bits)."""
    # os.urandom, not uuid4: the same randomness, without importing uuid (and platform).
    return os.urandom(16).hex()


def current_correlation_id() -> str | None:
    """The id set by the innermost ``correlation_id()`` block, or None."""
    return _CURRENT.get()


@contextlib.contextmanager
def correlation_id(value: str | None = None) -> Iterator[str]:
    """Run every musicgen call in the block under one correlation id.

    Args:
        value: The id to use (e.g. your web request's id); None makes a fresh one.

    Yields:
        The id in force.

    A call's own ``correlation_id=`` argument still wins. The id crosses into asyncio tasks
    created inside the block and into threads started with ``contextvars.copy_context()``.
    """
    chosen = value or new_correlation_id()
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)
