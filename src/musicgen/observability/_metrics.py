"""Metrics: a hook that aggregates events in memory, and the immutable snapshot it reports.

::

    metrics = MetricsHook()
    client = MusicGenClient(hooks=[metrics])
    ...
    print(metrics.snapshot())          # an aligned table
    json.dumps(metrics.snapshot().to_dict())

The hook runs on every HTTP attempt, so it only counts and appends under one lock; sorting and
percentiles happen in ``snapshot()``. Memory stays flat however long it runs: every series keeps
its count, sum and maximum exactly, but percentiles come from a bounded sample of the latest
``sample_size`` values (default 1024).
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ._events import Event, EventName

if TYPE_CHECKING:
    from ..cache._base import CacheStats

__all__ = ["Distribution", "GenerationStats", "MetricsHook", "MetricsSnapshot", "OperationStats"]

# Bound once and compared by identity (``Event`` makes every known name its member): an
# ``EventName.X == name`` test cost more than the rest of a hook's dispatch.
_GENERATION_SUCCEEDED = EventName.GENERATION_SUCCEEDED
_HTTP_REQUEST = EventName.HTTP_REQUEST
_RETRY_SCHEDULED = EventName.RETRY_SCHEDULED

DEFAULT_SAMPLE_SIZE = 1024


def _frozen_counts(value: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted((value or {}).items())))


@attrs.frozen
class Distribution:
    """A summary of a series of numbers (seconds, or counts for polls).

    Attributes:
        count: How many values were recorded in all.
        total: Their sum.
        mean: ``total / count`` (None when empty).
        p50: The median of the latest ``sampled`` values (None when empty).
        p95: The 95th percentile of the latest ``sampled`` values (None when empty).
        max: The largest value ever recorded (None when empty).
        sampled: How many of the latest values the percentiles were computed from.
    """

    count: int = 0
    total: float = 0.0
    mean: float | None = None
    p50: float | None = None
    p95: float | None = None
    max: float | None = None
    sampled: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-serialisable dict."""
        return attrs.asdict(self)


@attrs.frozen
class OperationStats:
    """HTTP attempts of one provider and operation.

    Attributes:
        provider: The provider name.
        operation: ``submit``, ``status``, ``balance``, ...
        count: Attempts made (each retry counts).
        errors: Attempts that ended in an error (refusals, unreadable answers, network).
        latency: Seconds per attempt.
    """

    provider: str | None
    operation: str | None
    count: int
    errors: int
    latency: Distribution

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-serialisable dict."""
        return {
            "provider": self.provider,
            "operation": self.operation,
            "count": self.count,
            "errors": self.errors,
            "latency": self.latency.to_dict(),
        }


@attrs.frozen
class GenerationStats:
    """How generations went.

    Attributes:
        submitted: Tasks accepted by a provider.
        succeeded: Tasks that finished with audio.
        failed: Tasks that ended in failure.
        timed_out: Waits whose deadline passed first.
        polls: Status reads per finished wait.
        polling_duration: Seconds spent polling per finished wait.
        time_to_stream: Seconds from the call's start to the first stream or audio URL.
        time_to_result: Seconds from the call's start to a succeeded result.
    """

    submitted: int = 0
    succeeded: int = 0
    failed: int = 0
    timed_out: int = 0
    polls: Distribution = Distribution()
    polling_duration: Distribution = Distribution()
    time_to_stream: Distribution = Distribution()
    time_to_result: Distribution = Distribution()

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-serialisable dict."""
        return attrs.asdict(self)


def _operations(value: Iterable[OperationStats]) -> tuple[OperationStats, ...]:
    return tuple(value)


@attrs.frozen
class MetricsSnapshot:
    """What a ``MetricsHook`` had counted at one moment; immutable.

    Attributes:
        operations: HTTP attempts per (provider, operation), sorted.
        generations: Outcomes and timings of generations.
        retries: Retries scheduled, by cause (the error type name).
        fallbacks: Unknown models replaced by a provider default.
        unknown_statuses: Task reads that returned a status musicgen did not know.
        calls_failed: Public calls that raised.
        events: Every event seen, by name (new kinds, e.g. cache hits, show up here).
        cache: The client cache's own statistics (size, evictions, ...), when it has one.
    """

    operations: tuple[OperationStats, ...] = attrs.field(default=(), converter=_operations)
    generations: GenerationStats = GenerationStats()
    retries: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_counts)
    fallbacks: int = 0
    unknown_statuses: int = 0
    calls_failed: int = 0
    events: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_counts)
    cache: CacheStats | None = None

    def operation(self, provider: str | None, operation: str | None) -> OperationStats | None:
        """Return the stats of one provider and operation, or None if it was never seen."""
        for stats in self.operations:
            if stats.provider == provider and stats.operation == operation:
                return stats
        return None

    def latency(self, provider: str | None, operation: str | None) -> Distribution:
        """Return the latency of one provider and operation (empty if never seen)."""
        stats = self.operation(provider, operation)
        return Distribution() if stats is None else stats.latency

    def counter(self, name: str) -> int:
        """Return how many events called ``name`` were seen."""
        return self.events.get(name, 0)

    @property
    def retries_total(self) -> int:
        """All retries scheduled, whatever the cause."""
        return sum(self.retries.values())

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-serialisable dict (seconds for times)."""
        return {
            "operations": [stats.to_dict() for stats in self.operations],
            "generations": self.generations.to_dict(),
            "retries": dict(self.retries),
            "fallbacks": self.fallbacks,
            "unknown_statuses": self.unknown_statuses,
            "calls_failed": self.calls_failed,
            "events": dict(self.events),
            "cache": None if self.cache is None else self.cache.to_dict(),
        }

    def __str__(self) -> str:
        return _render(self)


class _Series:
    """Count, sum and max of every value, plus a bounded sample for percentiles."""

    __slots__ = ("count", "max", "sample", "total")

    def __init__(self, sample_size: int) -> None:
        self.count = 0
        self.total = 0.0
        self.max: float | None = None
        # A deque with maxlen drops the oldest value in O(1): memory stays flat.
        self.sample: deque[float] = deque(maxlen=sample_size)

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        if self.max is None or value > self.max:
            self.max = value
        self.sample.append(value)


class _Operation:
    __slots__ = ("count", "errors", "latency")

    def __init__(self, sample_size: int) -> None:
        self.count = 0
        self.errors = 0
        self.latency = _Series(sample_size)


class _State:
    """Everything a MetricsHook counts; replaced whole by ``reset()``."""

    def __init__(self, sample_size: int) -> None:
        self.sample_size = sample_size
        self.operations: dict[tuple[str | None, str | None], _Operation] = {}
        self.events: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.polls = _Series(sample_size)
        self.polling_duration = _Series(sample_size)
        self.time_to_stream = _Series(sample_size)
        self.time_to_result = _Series(sample_size)


class MetricsHook:
    """Aggregate musicgen events into counts and latencies; thread-safe.

    Pass it in ``hooks=[...]`` (one hook may serve several clients and threads), then read
    ``snapshot()``. Count, errors, mean and max cover every value ever recorded; p50 and p95
    cover the latest ``sample_size`` values of each series, so memory stays bounded.

    Args:
        sample_size: Values kept per series for percentiles (default 1024).

    Raises:
        ValueError: ``sample_size`` is below 1.
    """

    def __init__(self, *, sample_size: int = DEFAULT_SAMPLE_SIZE) -> None:
        if sample_size < 1:
            msg = f"sample_size must be at least 1, got {sample_size}"
            raise ValueError(msg)
        self._sample_size = sample_size
        self._lock = threading.Lock()
        self._state = _State(sample_size)

    def __repr__(self) -> str:
        return f"MetricsHook(sample_size={self._sample_size})"

    def __call__(self, event: Event, /) -> None:
        """Record ``event``: a few counter updates under the lock, no sorting."""
        name = event.name
        if name is _HTTP_REQUEST:
            self.http(event.provider, event.operation, event.duration, event.error is not None)
        elif name is _RETRY_SCHEDULED:
            self.retry(event.cause)
        elif name in _FINISHED:
            self.finished(
                name, event.polls, event.polling_duration, event.time_to_stream, event.duration
            )
        else:
            self.count(name)

    # The recording methods: what __call__ does per event, callable without an Event. A client's
    # own metrics (metrics=True) are recorded through them, so a client without other hooks
    # builds no Event at all.

    def count(self, name: str) -> None:
        """Count one event called ``name``."""
        with self._lock:
            self._state.events[name] += 1

    def http(
        self, provider: str | None, operation: str | None, duration: float | None, failed: bool
    ) -> None:
        """Record one HTTP attempt (an ``http.request`` event)."""
        with self._lock:
            state = self._state
            state.events[EventName.HTTP_REQUEST] += 1
            key = (provider, operation)
            op = state.operations.get(key)
            if op is None:
                op = state.operations[key] = _Operation(state.sample_size)
            op.count += 1
            if duration is not None:
                op.latency.add(duration)
            if failed:
                op.errors += 1

    def retry(self, cause: str | None) -> None:
        """Record a scheduled retry (a ``retry.scheduled`` event)."""
        with self._lock:
            state = self._state
            state.events[EventName.RETRY_SCHEDULED] += 1
            state.retries[cause or "unknown"] += 1

    def finished(
        self,
        name: str,
        polls: int | None,
        polling_duration: float | None,
        time_to_stream: float | None,
        duration: float | None,
    ) -> None:
        """Record how a wait ended (``generation.succeeded``, ``.failed`` or ``.timed_out``)."""
        with self._lock:
            state = self._state
            state.events[name] += 1
            if polls is not None:
                state.polls.add(polls)
            if polling_duration is not None:
                state.polling_duration.add(polling_duration)
            if time_to_stream is not None:
                state.time_to_stream.add(time_to_stream)
            if name == _GENERATION_SUCCEEDED and duration is not None:
                state.time_to_result.add(duration)

    def snapshot(self) -> MetricsSnapshot:
        """Return an immutable copy of everything counted so far, with percentiles."""
        with self._lock:
            state = self._state
            # Copy under the lock, sort outside it: hook calls wait only for the copy.
            operations = [
                (key, op.count, op.errors, _copy(op.latency))
                for key, op in state.operations.items()
            ]
            polls = _copy(state.polls)
            polling = _copy(state.polling_duration)
            stream = _copy(state.time_to_stream)
            result = _copy(state.time_to_result)
            events = dict(state.events)
            retries = dict(state.retries)
        ops = tuple(
            OperationStats(
                provider=key[0],
                operation=key[1],
                count=count,
                errors=errors,
                latency=_summary(*latency),
            )
            for key, count, errors, latency in sorted(operations, key=_sort_key)
        )
        return MetricsSnapshot(
            operations=ops,
            generations=GenerationStats(
                submitted=events.get(EventName.GENERATION_SUBMITTED, 0),
                succeeded=events.get(EventName.GENERATION_SUCCEEDED, 0),
                failed=events.get(EventName.GENERATION_FAILED, 0),
                timed_out=events.get(EventName.GENERATION_TIMED_OUT, 0),
                polls=_summary(*polls),
                polling_duration=_summary(*polling),
                time_to_stream=_summary(*stream),
                time_to_result=_summary(*result),
            ),
            retries=retries,
            fallbacks=events.get(EventName.MODEL_FALLBACK, 0),
            unknown_statuses=events.get(EventName.STATUS_UNKNOWN, 0),
            calls_failed=events.get(EventName.CALL_FAILED, 0),
            events=events,
        )

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._state = _State(self._sample_size)


_FINISHED = frozenset(
    {
        EventName.GENERATION_SUCCEEDED,
        EventName.GENERATION_FAILED,
        EventName.GENERATION_TIMED_OUT,
    }
)


def _copy(series: _Series) -> tuple[int, float, float | None, list[float]]:
    return series.count, series.total, series.max, list(series.sample)


def _summary(count: int, total: float, high: float | None, sample: list[float]) -> Distribution:
    if not count:
        return Distribution()
    ordered = sorted(sample)
    return Distribution(
        count=count,
        total=total,
        mean=total / count,
        p50=_percentile(ordered, 0.50),
        p95=_percentile(ordered, 0.95),
        max=high,
        sampled=len(ordered),
    )


def _percentile(ordered: list[float], q: float) -> float | None:
    # Nearest rank: always a value that was actually observed.
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _sort_key(row: tuple[Any, ...]) -> tuple[str, str]:
    provider, operation = row[0]
    return (provider or "", operation or "")


# -- the table ---------------------------------------------------------------------------------


def _fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def _fmt_s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    body = [header, *rows]
    widths = [max(len(row[i]) for row in body) for i in range(len(header))]
    lines = []
    for row in body:
        # Text columns left-aligned, numbers right-aligned.
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _render(snapshot: MetricsSnapshot) -> str:
    lines = ["HTTP requests"]
    lines += _table(
        ["provider", "operation", "count", "errors", "mean ms", "p50 ms", "p95 ms", "max ms"],
        (
            [
                stats.provider or "-",
                stats.operation or "-",
                str(stats.count),
                str(stats.errors),
                _fmt_ms(stats.latency.mean),
                _fmt_ms(stats.latency.p50),
                _fmt_ms(stats.latency.p95),
                _fmt_ms(stats.latency.max),
            ]
            for stats in snapshot.operations
        ),
    )
    gen = snapshot.generations
    lines += [
        "",
        f"Generations: {gen.submitted} submitted, {gen.succeeded} succeeded, {gen.failed} failed, "
        f"{gen.timed_out} timed out",
    ]
    lines += _table(
        ["series", "", "count", "mean", "p50", "p95", "max", "total"],
        (
            [
                label,
                unit,
                str(dist.count),
                fmt(dist.mean),
                fmt(dist.p50),
                fmt(dist.p95),
                fmt(dist.max),
                fmt(dist.total if dist.count else None),
            ]
            for label, unit, dist, fmt in (
                ("polls per generation", "n", gen.polls, _fmt_count),
                ("polling duration", "s", gen.polling_duration, _fmt_s),
                ("time to first stream", "s", gen.time_to_stream, _fmt_s),
                ("time to result", "s", gen.time_to_result, _fmt_s),
            )
        ),
    )
    retries = ", ".join(f"{cause} {n}" for cause, n in snapshot.retries.items()) or "none"
    lines += [
        "",
        f"Retries: {snapshot.retries_total} ({retries})",
        f"Model fallbacks: {snapshot.fallbacks}; unknown statuses: {snapshot.unknown_statuses}; "
        f"failed calls: {snapshot.calls_failed}",
    ]
    if snapshot.cache is not None:
        stats = snapshot.cache
        rate = "-" if stats.hit_rate is None else f"{stats.hit_rate:.0%}"
        lines.append(
            f"Cache: {stats.hits} hits, {stats.misses} misses (hit rate {rate}), "
            f"{stats.size} entries, {stats.evictions} evictions, {stats.expirations} expired"
        )
    return "\n".join(lines)


def _fmt_count(value: float | None) -> str:
    return "-" if value is None else f"{value:g}" if value == int(value) else f"{value:.1f}"
