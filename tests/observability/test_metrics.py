"""MetricsHook: exact counts, bounded memory, thread-safe; MetricsSnapshot: immutable, printable."""

from __future__ import annotations

import json
import threading

import attrs
import pytest

from musicgen.observability import Event, EventName, MetricsHook, MetricsSnapshot
from musicgen.testing import Emulator, Fault

from .conftest import Drive, step

PROMPT = "a calm piano piece"


def http_event(
    duration: float, *, error: bool = False, provider: str = "suno", operation: str = "status"
) -> Event:
    return Event(
        EventName.HTTP_REQUEST,
        "corr-synthetic",
        provider=provider,
        operation=operation,
        attempt=1,
        duration=duration,
        error=RuntimeError("boom") if error else None,
    )


# -- from real calls ------------------------------------------------------------------------------


def test_counts_attempts_and_errors_per_provider_and_operation(
    obs_drive: Drive, obs_emulator: Emulator
) -> None:
    obs_emulator.inject(Fault("server_error", operation="status", times=2))
    metrics = MetricsHook()

    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[metrics])

    snapshot = metrics.snapshot()
    submit = snapshot.operation("suno", "submit")
    status = snapshot.operation("suno", "status")
    assert submit is not None
    assert (submit.count, submit.errors) == (1, 0)
    assert status is not None
    # Every poll is one successful read; the two refused reads were retried.
    assert status.count == snapshot.generations.polls.total + 2
    assert status.errors == 2
    assert status.latency.count == status.count
    assert status.latency.max is not None
    assert status.latency.max >= status.latency.p95 >= status.latency.p50 > 0  # type: ignore[operator]


def test_counts_retries_by_cause(obs_drive: Drive, obs_emulator: Emulator) -> None:
    obs_emulator.inject(Fault("server_error", operation="status", times=2))
    obs_emulator.inject(Fault("rate_limit", operation="balance"))
    metrics = MetricsHook()

    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno"), step("balance", "suno")],
        hooks=[metrics],
    )

    snapshot = metrics.snapshot()
    assert dict(snapshot.retries) == {"RateLimitError": 1, "ServerError": 2}
    assert snapshot.retries_total == 3


def test_counts_polls_per_generation(obs_drive: Drive, obs_emulator: Emulator) -> None:
    metrics = MetricsHook()
    polls: list[Event] = []

    def record_polls(event: Event) -> None:
        if event.name == EventName.POLL:
            polls.append(event)

    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno"), step("generate", PROMPT, provider="suno")],
        hooks=[metrics, record_polls],
    )

    generations = metrics.snapshot().generations
    assert generations.polls.count == 2
    assert generations.polls.total == len(polls)
    assert generations.polls.max == max(p.attempt or 0 for p in polls)
    assert generations.polling_duration.count == 2
    assert generations.polling_duration.total > 0


def test_counts_generation_outcomes_and_their_timings(
    obs_drive: Drive, obs_emulator: Emulator
) -> None:
    obs_emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    metrics = MetricsHook()

    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno"), step("generate", PROMPT, provider="suno")],
        hooks=[metrics],
    )

    snapshot = metrics.snapshot()
    generations = snapshot.generations
    assert (generations.submitted, generations.succeeded, generations.failed) == (2, 1, 1)
    assert generations.timed_out == 0
    assert snapshot.calls_failed == 1
    # Only a success has a time to result; a stream URL may show up in either.
    assert generations.time_to_result.count == 1
    assert generations.time_to_stream.count >= 1


@pytest.mark.filterwarnings("ignore::musicgen.ModelFallbackWarning")
def test_counts_fallbacks_unknown_statuses_and_timeouts(
    obs_drive: Drive, obs_emulator: Emulator
) -> None:
    obs_emulator.script_next_task("suno", final_status="SOMETHING_NEW")
    metrics = MetricsHook()

    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno", model="no-such-model", timeout=0.05)],
        hooks=[metrics],
    )

    snapshot = metrics.snapshot()
    assert snapshot.fallbacks == 1
    assert snapshot.unknown_statuses >= 1
    assert snapshot.generations.timed_out == 1
    assert snapshot.counter(EventName.STATUS_UNKNOWN) == snapshot.unknown_statuses


def test_snapshot_to_dict_is_json_serialisable(obs_drive: Drive, obs_emulator: Emulator) -> None:
    metrics = MetricsHook()
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[metrics])

    data = json.loads(json.dumps(metrics.snapshot().to_dict()))

    assert {row["operation"] for row in data["operations"]} == {"submit", "status"}
    assert data["generations"]["succeeded"] == 1
    assert data["events"][EventName.GENERATION_SUCCEEDED] == 1


def test_str_prints_an_aligned_table(obs_drive: Drive, obs_emulator: Emulator) -> None:
    metrics = MetricsHook()
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[metrics])

    lines = str(metrics.snapshot()).splitlines()

    header = next(line for line in lines if line.startswith("provider"))
    assert header.split() == [
        "provider", "operation", "count", "errors", "mean", "ms", "p50", "ms", "p95", "ms",
        "max", "ms",
    ]  # fmt: skip
    rows = [line for line in lines if line.startswith("suno")]
    assert len(rows) == 2
    # Aligned: every row of the table is as wide as its header.
    assert {len(row) for row in rows} == {len(header)}
    assert any(line.startswith("Generations: 1 submitted, 1 succeeded") for line in lines)


# -- from synthetic events ------------------------------------------------------------------------


def test_latency_percentiles_use_nearest_rank() -> None:
    metrics = MetricsHook()
    for ms in range(100, 0, -1):
        metrics(http_event(ms / 1000))

    latency = metrics.snapshot().latency("suno", "status")

    assert latency.count == 100
    assert latency.mean == pytest.approx(0.0505)
    assert (latency.p50, latency.p95, latency.max) == (0.05, 0.095, 0.1)


def test_memory_stays_bounded_under_long_runs() -> None:
    metrics = MetricsHook()
    for i in range(100_000):
        metrics(http_event((i % 1000) / 1000, error=i % 10 == 0))

    stats = metrics.snapshot().operation("suno", "status")

    assert stats is not None
    assert (stats.count, stats.errors) == (100_000, 10_000)
    # Percentiles come from the latest 1024 values only; count, mean and max stay exact.
    assert stats.latency.sampled == 1024
    assert stats.latency.count == 100_000
    assert stats.latency.max == 0.999
    assert stats.latency.mean == pytest.approx(0.4995)


def test_sample_size_is_configurable() -> None:
    metrics = MetricsHook(sample_size=8)
    for i in range(20):
        metrics(http_event(i))

    latency = metrics.snapshot().latency("suno", "status")

    assert latency.sampled == 8
    assert latency.p50 == 15  # the median of 12..19


def test_sample_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="sample_size must be at least 1"):
        MetricsHook(sample_size=0)


def test_totals_are_exact_when_fed_from_many_threads() -> None:
    metrics = MetricsHook()
    retry = Event(EventName.RETRY_SCHEDULED, "c", data={"wait": 0.0, "cause": "ServerError"})
    per_thread, threads = 5_000, 8
    start = threading.Barrier(threads)

    def feed(worker: int) -> None:
        events = [http_event(0.001, error=i % 5 == 0, provider=f"p{worker % 2}") for i in range(10)]
        start.wait()
        for i in range(per_thread):
            metrics(events[i % 10])
            if i % 10 == 0:
                metrics(retry)

    workers = [threading.Thread(target=feed, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    snapshot = metrics.snapshot()
    assert sum(op.count for op in snapshot.operations) == per_thread * threads
    assert sum(op.errors for op in snapshot.operations) == per_thread * threads // 5
    assert [op.count for op in snapshot.operations] == [per_thread * threads // 2] * 2
    assert snapshot.retries == {"ServerError": per_thread * threads // 10}


def test_snapshots_are_immutable_copies() -> None:
    metrics = MetricsHook()
    metrics(http_event(0.1))
    before = metrics.snapshot()

    metrics(http_event(0.2))

    assert before.latency("suno", "status").count == 1
    assert metrics.snapshot().latency("suno", "status").count == 2
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        before.fallbacks = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        before.events["x"] = 1  # type: ignore[index]


def test_reset_forgets_everything() -> None:
    metrics = MetricsHook()
    metrics(http_event(0.1))
    metrics(Event(EventName.MODEL_FALLBACK, "c"))

    metrics.reset()

    assert metrics.snapshot() == MetricsSnapshot()


def test_unknown_events_are_counted_by_name() -> None:
    metrics = MetricsHook()

    metrics(Event("cache.hit", "c"))
    metrics(Event("cache.hit", "c"))
    metrics(Event("cache.miss", "c"))

    snapshot = metrics.snapshot()
    assert (snapshot.counter("cache.hit"), snapshot.counter("cache.miss")) == (2, 1)
    assert snapshot.counter("cache.expired") == 0


def test_an_unseen_operation_has_an_empty_latency() -> None:
    snapshot = MetricsHook().snapshot()

    assert snapshot.operation("suno", "submit") is None
    assert snapshot.latency("suno", "submit").count == 0
    assert "Retries: 0 (none)" in str(snapshot)
