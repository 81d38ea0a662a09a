"""The client's waits on the provider-aware schedule, driven on a virtual clock.

The core's flows are run by hand, as the clients run them: each ``Sleep`` advances a virtual
clock, each ``Send`` is answered with the state a scripted task shows at that time (or an error).
So the read times asserted here are the ones the shipped core asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from musicgen import (
    Generation,
    GenerationRequest,
    GenerationTimeoutError,
    MurekaProvider,
    MusicGenClient,
    PollPolicy,
    RateLimitError,
    SunoProvider,
    TaskStatus,
    Track,
)
from musicgen._core import ClientCore
from musicgen._effects import SUBMIT, Flow, Send, Sleep
from musicgen._polling import NEUTRAL, TIMELINES_ENV
from musicgen.providers._mureka_base import SONG_TIMELINE
from musicgen.providers._suno_base import MUSIC_TIMELINE


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Task:
    """A scripted task: done at ``done_at``, its stream URL from ``stream_at``."""

    provider: str
    done_at: float
    stream_at: float | None = None

    def at(self, t: float) -> Generation:
        done = t >= self.done_at
        streaming = self.stream_at is not None and t >= self.stream_at
        tracks: tuple[Track, ...] = ()
        if done or streaming:
            tracks = (
                Track(
                    id="track-0",
                    stream_url="https://cdn.example/0.stream" if streaming else None,
                    audio_url="https://cdn.example/0.mp3" if done else None,
                ),
            )
        return Generation(
            task_id="task-1",
            provider=self.provider,
            model=None,
            status=TaskStatus.SUCCEEDED if done else TaskStatus.RUNNING,
            provider_status="SUCCESS" if done else "RUNNING",
            tracks=tracks,
        )


@dataclass
class Run:
    """What a driven flow did: its read times and its sleeps."""

    reads: list[float]
    sleeps: list[float]
    result: Any = None


@pytest.fixture
def clock() -> Clock:
    return Clock()


def client(clock: Clock, poll: PollPolicy | None = None) -> MusicGenClient:
    providers = [SunoProvider(api_key="k"), MurekaProvider(api_key="k")]
    made = MusicGenClient(providers=providers, poll=poll, metrics=False)
    made._core.clock = clock
    return made


def drive(
    flow: Flow[Any], clock: Clock, task: Task, errors: dict[int, Exception] | None = None
) -> Run:
    """Run ``flow``: the submission answers at t=0; read ``n`` raises ``errors[n]``."""
    run = Run(reads=[], sleeps=[])
    errors = errors or {}
    outcome: Any = None
    error: Exception | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(outcome)
        except StopIteration as stop:
            run.result = stop.value
            return run
        outcome, error = None, None
        if isinstance(step, Sleep):
            run.sleeps.append(step.seconds)
            clock.now += step.seconds
        elif isinstance(step, Send) and step.role == SUBMIT:
            outcome = task.at(0.0)
        elif isinstance(step, Send):
            run.reads.append(round(clock.now, 6))
            error = errors.get(len(run.reads))
            outcome = None if error is not None else task.at(clock.now)
        else:  # pragma: no cover - these waits yield nothing else
            raise AssertionError(step)


def generate(core: ClientCore, provider: str, **context: Any) -> Flow[Generation]:
    """The flow of ``generate`` without a cache: submit, then wait."""
    driver = core.provider(provider)
    request = GenerationRequest(
        provider=provider,
        model=driver.catalog.default,
        prompt="a tune" if provider == "suno" else None,
        lyrics=None if provider == "suno" else "[Verse]\nla",
    )
    ctx = core.context("generate", correlation_id="test", **{"timeout": None, **context})
    return core.task_flow(driver.generate(request), ctx, wait=True)  # type: ignore[attr-defined]


def test_a_generation_is_read_when_each_stage_can_first_be_done(clock: Clock) -> None:
    with client(clock) as c:
        run = drive(generate(c._core, "suno"), clock, Task("suno", done_at=125.0, stream_at=33.0))
    assert run.reads == [30.0, 34.0, 120.0, 124.0, 128.0]
    assert run.result.status is TaskStatus.SUCCEEDED


def test_the_deadline_cuts_the_wait_for_a_first_read(clock: Clock) -> None:
    with client(clock) as c:
        flow = generate(c._core, "mureka", timeout=10.0)
        with pytest.raises(GenerationTimeoutError):
            drive(flow, clock, Task("mureka", done_at=45.0))
    assert clock.now == 10.0


def test_a_client_learns_from_its_own_tasks(clock: Clock) -> None:
    with client(clock) as c:
        for _ in range(5):
            clock.now = 0.0
            drive(generate(c._core, "mureka"), clock, Task("mureka", done_at=70.0))
        clock.now = 0.0
        learned = drive(generate(c._core, "mureka"), clock, Task("mureka", done_at=70.0))
    with client(clock) as fresh:
        clock.now = 0.0
        first = drive(generate(fresh._core, "mureka"), clock, Task("mureka", done_at=70.0))
    assert first.reads[0] == 40.0
    assert learned.reads[0] == 45.0  # later, but no later than the middle of 40-50 s


def test_a_users_poll_policy_is_followed_exactly(clock: Clock) -> None:
    with client(clock, PollPolicy(interval=2.0, max_interval=2.0, backoff=1.0)) as c:
        run = drive(generate(c._core, "mureka"), clock, Task("mureka", done_at=7.0))
    assert run.reads == [2.0, 4.0, 6.0, 8.0]


def test_a_wait_on_a_generation_of_unknown_age_reads_it_soon(clock: Clock) -> None:
    with client(clock) as c:
        core = c._core
        state = Task("suno", done_at=0.5).at(0.0)
        reader = core.providers["suno"].status("task-1")  # type: ignore[attr-defined]
        ctx = core.context("wait", correlation_id="test", timeout=None)
        run = drive(core.follow(reader, state, ctx), clock, Task("suno", done_at=0.5))
    assert run.reads == [1.0]


def test_a_wait_for_the_stream_returns_at_the_read_that_shows_it(clock: Clock) -> None:
    with client(clock) as c:
        flow = generate(c._core, "suno", until="stream")
        run = drive(flow, clock, Task("suno", done_at=150.0, stream_at=31.0))
    assert run.reads == [30.0, 34.0]
    assert run.result.status is TaskStatus.STREAMING


def test_a_retry_after_still_holds_the_next_read_back(clock: Clock) -> None:
    refused = RateLimitError("slow down", provider="mureka", retry_after=20.0)
    with client(clock) as c:
        run = drive(generate(c._core, "mureka"), clock, Task("mureka", done_at=45.0), {1: refused})
    assert run.reads == [40.0, 60.0]


def test_drivers_set_their_timelines_on_their_song_reads() -> None:
    suno, mureka = SunoProvider(api_key="k"), MurekaProvider(api_key="k")
    assert suno.status("t").task.timeline == MUSIC_TIMELINE  # type: ignore[union-attr]
    assert mureka.status("t").task.timeline == SONG_TIMELINE  # type: ignore[union-attr]
    assert suno.lyrics_status("t").task.timeline == NEUTRAL  # type: ignore[union-attr]


def test_an_emulator_server_gets_the_neutral_timeline() -> None:
    suno = SunoProvider(api_key="k", base_url="http://127.0.0.1:8765")
    assert suno.status("t").task.timeline == NEUTRAL  # type: ignore[union-attr]


def test_the_httpx_mock_fixture_turns_the_documented_timelines_off(
    musicgen_httpx_mock: object,
) -> None:
    import os

    assert os.environ[TIMELINES_ENV] == "off"
    assert SunoProvider(api_key="k").status("t").task.timeline == NEUTRAL  # type: ignore[union-attr]
