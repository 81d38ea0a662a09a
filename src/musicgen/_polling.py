"""PollPolicy: how often a running task is read, and the overall deadline.

The interval starts short, because a task may already be done, and grows geometrically to a cap,
because generations take from ~45 s (Mureka) to 2-3 min (Suno). With the defaults a Suno task is
read about 40 times and a Mureka task about 14, and a finished track is noticed within 4 s
(see `python -m benchmarks --only polling`).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ._retry import _NON_NEGATIVE, optional_seconds

__all__ = ["Deadline", "PollPolicy"]


@attrs.frozen(kw_only=True)
class PollPolicy:
    """How a task is polled until it is terminal.

    Attributes:
        interval: The first wait between two reads, in seconds.
        max_interval: The longest wait between two reads, in seconds.
        backoff: The factor the wait grows by after each read (1 keeps it fixed).
        timeout: The default overall deadline of ``generate``/``wait`` in seconds (None: none).
    """

    interval: float = attrs.field(default=1.0, validator=_NON_NEGATIVE)
    max_interval: float = attrs.field(default=4.0, validator=_NON_NEGATIVE)
    backoff: float = attrs.field(default=1.5, validator=attrs.validators.ge(1.0))
    timeout: float | None = attrs.field(default=600.0, validator=optional_seconds)

    def intervals(self) -> Iterator[float]:
        """Yield the successive waits between reads, forever."""
        wait = min(self.interval, self.max_interval)
        while True:
            yield wait
            wait = min(self.max_interval, wait * self.backoff)


@attrs.frozen
class Deadline:
    """A point on a monotonic clock after which a call gives up.

    Attributes:
        at: The clock value, or None for no deadline.
    """

    at: float | None

    @classmethod
    def after(cls, seconds: float | None, now: float) -> Deadline:
        """A deadline ``seconds`` from ``now`` (None: never)."""
        return cls(None if seconds is None else now + seconds)

    def remaining(self, now: float) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        return None if self.at is None else max(0.0, self.at - now)

    def expired(self, now: float) -> bool:
        """True once the deadline has passed."""
        return self.at is not None and now >= self.at

    def clamp(self, seconds: float, now: float) -> float:
        """``seconds``, shortened so as not to run past the deadline."""
        left = self.remaining(now)
        return seconds if left is None else min(seconds, left)
