"""Polling: how often a running task is read, and the overall deadline.

``PollPolicy()`` (the default) polls on each task's **timeline**: when its stages are typically
reached (``Timeline``, set by the driver on the task's status read; ``/work/shared/providers.md``:
a Suno song streams after 30-40 s and is done after 2-3 min, a Mureka song takes about 45 s). It
reads the task when the current stage can first be done, then every few seconds; a stage reached
moves it to the next; a task later than its range is read ever less often, up to a cap. The first
read of each stage moves with what this client saw of its own tasks, within bounds.

A ``PollPolicy`` given any of ``interval``, ``max_interval`` or ``backoff`` polls on exactly that
fixed schedule instead. See ``python -m benchmarks --only polling`` for what each costs.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import attrs

from ._retry import optional_seconds

__all__ = ["Deadline", "PollMemory", "PollPolicy", "Schedule", "Stage", "Timeline"]

#: The fixed schedule's defaults (and the neutral timeline's start): 1 s, growing 1.5x to 4 s.
DEFAULT_INTERVAL = 1.0
DEFAULT_MAX_INTERVAL = 4.0
DEFAULT_BACKOFF = 1.5
#: A task with no timeline is read as before (1 s growing to 4 s) for its first minute, then
#: treated as late (below).
NEUTRAL_LATEST = 60.0
#: Past its typical range, each second late adds this much to the wait: the detection delay
#: stays about a tenth of the lateness, so a slow day costs few reads and little delay.
LATE_GROWTH = 0.1
#: The longest wait between two reads of a late task: reads never stop, and a result is never
#: noticed more than this late.
MAX_LATE_INTERVAL = 15.0
#: Learning: how many of a (provider, operation)'s latest observations of a stage are kept...
LEARN_WINDOW = 40
#: ...how many it takes before they move the first read...
LEARN_MIN_SAMPLES = 5
#: ...and which low quantile of them becomes the first read: at most about 1 task in 20 is
#: then done before it (a delay still shorter than the range's reads), and once the window is
#: full a single unusually fast task does not drag the next reads early.
LEARN_QUANTILE = 0.05
#: Stage names: what ``until=`` accepts, in the order a task reaches them.
STAGE_NAMES = ("stream", "done")
#: Set to ``off`` (or ``0``) to poll every task on the neutral schedule: for tests whose
#: providers are stand-ins answering the real hosts' names (the ``musicgen_httpx_mock`` fixture
#: sets it, since pytest-httpx answers every request).
TIMELINES_ENV = "MUSICGEN_POLL_TIMELINES"
#: Host suffixes of local stand-ins (RFC 2606/6761 and common private-network names).
_LOCAL_SUFFIXES = (".localhost", ".test", ".local", ".internal", ".invalid", ".example", ".lan")


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        msg = f"{attribute.name} must be > 0 seconds, got {value!r}"
        raise ValueError(msg)


def _seconds(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value >= 0:
        msg = f"{attribute.name} must be >= 0 seconds, got {value!r}"
        raise ValueError(msg)


def _words(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class Stage:
    """A point a task reaches, and when it typically does (seconds after its submission).

    Attributes:
        name: ``"stream"`` (a playable stream URL: the state carries one, or shows one of
            ``statuses``) or ``"done"`` (a terminal status).
        earliest: When the stage is typically reached at the soonest: its first read.
        latest: When it is typically reached at the latest; past it the task is late, and the
            wait grows (``LATE_GROWTH``) up to 15 s.
        every: Seconds between reads from ``earliest`` to ``latest``: the longest the stage goes
            unnoticed while the task is on time.
        statuses: Provider status words that also show the stage reached.
    """

    name: str = attrs.field(validator=attrs.validators.in_(STAGE_NAMES))
    earliest: float = attrs.field(validator=_seconds)
    latest: float = attrs.field()
    every: float = attrs.field(default=4.0, validator=_positive)
    statuses: frozenset[str] = attrs.field(default=frozenset(), converter=_words)

    @latest.validator
    def _check_latest(self, _attribute: attrs.Attribute[float], value: float) -> None:
        if not value >= self.earliest:
            msg = (
                f"latest must be >= earliest ({self.earliest:g} s), got {value!r}: it ends the "
                "stage's typical range"
            )
            raise ValueError(msg)

    def first_read(self, learned: float | None) -> float:
        """When the stage is first read: ``learned`` (a low quantile of what this client saw),
        kept between half of ``earliest`` and the middle of the range, else ``earliest``.

        Half: a provider twice as fast as documented is still followed. The middle: at most
        half the documented range is skipped on the strength of past tasks, so a task as fast
        as documented is noticed at most (``latest - earliest``) / 2 late.
        """
        if learned is None:
            return self.earliest
        return min(max(learned, self.earliest / 2), (self.earliest + self.latest) / 2)


def _ordered(_: object, _attribute: attrs.Attribute[Any], stages: tuple[Stage, ...]) -> None:
    names = [stage.name for stage in stages]
    expected = [name for name in STAGE_NAMES if name in names]
    if names != expected:
        msg = (
            f"stages must be at most one of each of {', '.join(STAGE_NAMES)}, in that order; "
            f"got {', '.join(names)}"
        )
        raise ValueError(msg)
    for before, after in itertools.pairwise(stages):
        if after.earliest < before.earliest:
            msg = (
                f"stage {after.name!r} starts at {after.earliest:g} s, before stage "
                f"{before.name!r} ({before.earliest:g} s): a later stage cannot start sooner"
            )
            raise ValueError(msg)


def _stage_tuple(value: Iterable[Stage]) -> tuple[Stage, ...]:
    return tuple(value)


@attrs.frozen
class Timeline:
    """When a task typically reaches its stages; ``Timeline()`` knows nothing (the neutral one:
    read after 1 s, then every 1.5x longer up to 4 s, then ever less often after a minute).

    Attributes:
        stages: The stages, in order (a ``"stream"`` stage, then a ``"done"`` one, either
            optional).
    """

    stages: tuple[Stage, ...] = attrs.field(default=(), converter=_stage_tuple, validator=_ordered)

    def until(self, goal: str) -> Timeline:
        """The stages a wait for ``goal`` (``"done"`` or ``"stream"``) reads for: a wait for
        the stream ends at the stream stage, and one with no stream stage uses the neutral
        timeline (nothing says when the stream comes)."""
        if goal != "stream":
            return self
        names = [stage.name for stage in self.stages]
        if "stream" not in names:
            return NEUTRAL
        return Timeline(self.stages[: names.index("stream") + 1])


#: The timeline of a task nobody documented.
NEUTRAL = Timeline()


@functools.lru_cache(maxsize=64)
def _is_local(base_url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "https" or "." not in host or host == "localhost":
        return True
    if host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def timelines_off() -> bool:
    """Whether ``MUSICGEN_POLL_TIMELINES`` turns the documented timelines off."""
    return os.environ.get(TIMELINES_ENV, "").strip().lower() in {"0", "off", "false", "no"}


def documented_at(base_url: str, timeline: Timeline) -> Timeline:
    """``timeline`` for a provider's service at ``base_url``; the neutral one for a stand-in.

    Emulators and mock servers (``musicgen.testing``'s among them) move a task on by status
    reads or in a fraction of a second, not in minutes: waiting the documented 30 s there would
    only make tests slow. A base URL that is not https, or whose host is loopback, private,
    single-label or under a reserved name (``.test``, ``.localhost``, ``.local``...) is taken
    for one; so is every base URL while ``MUSICGEN_POLL_TIMELINES=off`` (for a stand-in that
    answers the real host's name, as pytest-httpx does).
    """
    return NEUTRAL if timelines_off() or _is_local(base_url) else timeline


class PollMemory:
    """What this client saw of its own tasks: per (provider, operation, stage), when the
    latest ones reached it. Shared by the threads of a sync client, hence the lock."""

    def __init__(self, window: int = LEARN_WINDOW) -> None:
        self._window = window
        self._seen: dict[tuple[str, str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def record(self, key: tuple[str, str], stage: str, seconds: float) -> None:
        """Note that a task of ``key`` reached ``stage`` about ``seconds`` after submission."""
        with self._lock:
            seen = self._seen.setdefault((*key, stage), deque(maxlen=self._window))
            seen.append(seconds)

    def learned(self, key: tuple[str, str], stage: str) -> float | None:
        """A low quantile of what was seen (``LEARN_QUANTILE``), or None while it is too little."""
        with self._lock:
            seen = sorted(self._seen.get((*key, stage), ()))
        if len(seen) < LEARN_MIN_SAMPLES:
            return None
        return seen[max(0, math.ceil(LEARN_QUANTILE * len(seen)) - 1)]


class Schedule(Protocol):
    """One wait's schedule: how long until the next read, told what each read showed."""

    def wait(self, now: float) -> float:
        """Seconds from ``now`` until the next read."""

    def saw(self, now: float, *, provider_status: str, stream: bool, done: bool) -> None:
        """A read at ``now`` showed this: a stream URL (``stream``), a terminal status."""

    def learn(self) -> None:
        """The wait ended well: remember when the task reached its stages."""


@attrs.frozen(kw_only=True)
class PollPolicy:
    """How a task is polled until it is terminal, and the default deadline.

    Leave ``interval``, ``max_interval`` and ``backoff`` unset for the provider-aware schedule
    (the default): each task is read when its current stage can first be done (a Suno song's
    stream after about 30 s, its final audio after about 2 minutes; a Mureka song after about
    40 s), then every 4 s, less often once it is late, never more than 15 s apart. Set any of
    them for a fixed schedule of your own, followed exactly (unset ones take 1 s, 4 s and 1.5).

    Attributes:
        interval: The first wait between two reads, in seconds (fixed schedule).
        max_interval: The longest wait between two reads, in seconds (fixed schedule).
        backoff: The factor the wait grows by after each read; 1 keeps it fixed (fixed schedule).
        timeout: The default overall deadline of ``generate``/``wait`` in seconds (None: none).
    """

    interval: float | None = attrs.field(default=None, validator=optional_seconds)
    max_interval: float | None = attrs.field(default=None, validator=optional_seconds)
    backoff: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1.0))
    )
    timeout: float | None = attrs.field(default=600.0, validator=optional_seconds)

    @property
    def adaptive(self) -> bool:
        """True for the provider-aware schedule (none of the fixed schedule's fields set)."""
        return self.interval is None and self.max_interval is None and self.backoff is None

    def intervals(self) -> Iterator[float]:
        """Yield the fixed schedule's successive waits between reads, forever."""
        return _geometric(
            DEFAULT_INTERVAL if self.interval is None else self.interval,
            DEFAULT_MAX_INTERVAL if self.max_interval is None else self.max_interval,
            DEFAULT_BACKOFF if self.backoff is None else self.backoff,
        )


def _geometric(first: float, cap: float, factor: float) -> Iterator[float]:
    wait = min(first, cap)
    while True:
        yield wait
        wait = min(cap, wait * factor)


def schedule_for(
    policy: PollPolicy,
    timeline: Timeline,
    *,
    until: str,
    memory: PollMemory,
    key: tuple[str, str],
    now: float,
    age: float | None,
) -> Schedule:
    """The schedule of one wait that starts at ``now``.

    Args:
        policy: The client's policy; a fixed one ignores everything else.
        timeline: The task's timeline (``TaskSpec.timeline``).
        until: What the wait ends at (``"done"`` or ``"stream"``).
        memory: The client's record of its own tasks.
        key: (provider, operation): what the record is kept by.
        now: The clock at the start of the wait.
        age: Seconds since the task was submitted, when known; None when the wait picks up a
            task of unknown age (the schedule then anchors on what its reads show).
    """
    if not policy.adaptive:
        return _Fixed(policy.intervals())
    return _Staged(timeline.until(until), memory, key, now, age)


class _Fixed:
    """The user's own schedule, exactly: the policy's intervals, whatever the task shows."""

    def __init__(self, intervals: Iterator[float]) -> None:
        self._intervals = intervals

    def wait(self, now: float) -> float:
        return next(self._intervals)

    def saw(self, now: float, *, provider_status: str, stream: bool, done: bool) -> None:
        return

    def learn(self) -> None:
        return


def _late(t: float, latest: float, every: float) -> float:
    """The wait at ``t``: ``every`` up to ``latest``, then growing with lateness, capped."""
    return min(max(MAX_LATE_INTERVAL, every), every + LATE_GROWTH * max(0.0, t - latest))


class _Staged:
    """The provider-aware schedule of one wait.

    Times are seconds since the task's submission (``t``), from ``origin`` on the clock. With
    an unknown age, ``origin`` is first set so that the first read falls at the current stage's
    first read (read every few seconds from there: never late, whatever the real age), then,
    once a read shows a stage reached that an earlier read showed unreached, so that the stage
    was reached at its ``latest`` (the next stage is then read early rather than late).
    """

    def __init__(
        self,
        timeline: Timeline,
        memory: PollMemory,
        key: tuple[str, str],
        now: float,
        age: float | None,
    ) -> None:
        self._stages = timeline.stages
        self._memory = memory
        self._key = key
        self._known = age is not None
        self._anchored = age is not None
        self._origin: float | None = None if age is None else now - age
        self._neutral = _geometric(DEFAULT_INTERVAL, DEFAULT_MAX_INTERVAL, DEFAULT_BACKOFF)
        self._reached: set[str] = set()
        self._unreached: set[str] = set()  # stages some read showed not reached yet
        self._last_read = 0.0 if age is None else age  # t of the last read (or the submission)
        self._seen: dict[str, float] = {}  # stage -> when it was reached, about (known age)
        self._starts = {
            stage.name: stage.first_read(memory.learned(key, stage.name) if self._known else None)
            for stage in self._stages
        }

    def _current(self) -> Stage | None:
        return next((s for s in self._stages if s.name not in self._reached), None)

    def wait(self, now: float) -> float:
        if self._origin is None:
            # Not read yet, age unknown: read soon (as the neutral schedule would), then anchor.
            return next(self._neutral)
        t = now - self._origin
        if not self._stages:
            if t <= NEUTRAL_LATEST:
                return next(self._neutral)
            return _late(t, NEUTRAL_LATEST, DEFAULT_MAX_INTERVAL)
        stage = self._current()
        if stage is None:
            # Every stage read for is reached and the task is not over (say, a stream stage
            # shown by its status before the URL): keep reading, as late as the last stage.
            last = self._stages[-1]
            return _late(t, last.latest, last.every)
        start = self._starts[stage.name]
        if t < start:
            return start - t
        return _late(t, stage.latest, stage.every)

    def saw(self, now: float, *, provider_status: str, stream: bool, done: bool) -> None:
        newly = [
            stage
            for stage in self._stages
            if stage.name not in self._reached and _shows(stage, provider_status, stream, done)
        ]
        if self._origin is None:
            self._origin = now
            if self._stages:
                self._reached.update(stage.name for stage in newly)
                current = self._current()
                anchor = self._stages[-1].latest if current is None else self._starts[current.name]
                self._origin = now - anchor
            self._mark_unreached()
            self._last_read = now - self._origin
            return
        t = now - self._origin
        for stage in newly:
            self._reached.add(stage.name)
            if self._known:
                # Reached between the last read (or one interval ago, if that is later) and
                # now: remember the middle of that window.
                self._seen[stage.name] = (max(self._last_read, t - stage.every) + t) / 2
            elif stage.name in self._unreached and not self._anchored:
                self._origin = now - stage.latest
                self._anchored = True
                t = stage.latest
        self._mark_unreached()
        self._last_read = t

    def _mark_unreached(self) -> None:
        self._unreached.update(s.name for s in self._stages if s.name not in self._reached)

    def learn(self) -> None:
        for stage, seconds in self._seen.items():
            self._memory.record(self._key, stage, seconds)


def _shows(stage: Stage, provider_status: str, stream: bool, done: bool) -> bool:
    """Whether a read showing this has reached ``stage``."""
    if done:
        return True
    return stage.name == "stream" and (stream or provider_status in stage.statuses)


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
