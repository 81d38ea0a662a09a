"""The provider-aware schedule: when a task is read, on its timeline and on what reads show."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from musicgen import PollPolicy, Stage, Timeline
from musicgen._polling import (
    LEARN_MIN_SAMPLES,
    MAX_LATE_INTERVAL,
    NEUTRAL,
    TIMELINES_ENV,
    PollMemory,
    Schedule,
    documented_at,
    schedule_for,
)
from musicgen.providers._mureka_base import SONG_TIMELINE
from musicgen.providers._suno_base import MUSIC_TIMELINE

KEY = ("suno", "generate")


@dataclass(frozen=True)
class Task:
    """A scripted task: when its stream URL appears and when it is done (None: never)."""

    done_at: float | None
    stream_at: float | None = None
    status_at: tuple[tuple[float, str], ...] = ()  # (time, provider status) from then on

    def status(self, t: float) -> str:
        shown = "RUNNING"
        for since, word in self.status_at:
            if t >= since:
                shown = word
        return shown


def start(
    timeline: Timeline,
    memory: PollMemory | None = None,
    *,
    policy: PollPolicy | None = None,
    until: str = "done",
    age: float | None = 0.0,
) -> Schedule:
    return schedule_for(
        policy or PollPolicy(),
        timeline,
        until=until,
        memory=memory or PollMemory(),
        key=KEY,
        now=0.0,
        age=age,
    )


def read_times(schedule: Schedule, task: Task, *, limit: int = 200) -> list[float]:
    """Drive ``schedule`` against ``task`` until a read shows it done; the read times."""
    now, times = 0.0, []
    for _ in range(limit):
        now += schedule.wait(now)
        times.append(round(now, 6))
        done = task.done_at is not None and now >= task.done_at
        stream = task.stream_at is not None and now >= task.stream_at
        schedule.saw(now, provider_status=task.status(now), stream=stream, done=done)
        if done:
            schedule.learn()
            return times
    return times


def test_a_suno_song_is_read_from_30_s_for_its_stream_then_from_120_s() -> None:
    times = read_times(start(MUSIC_TIMELINE), Task(done_at=130.0, stream_at=33.0))
    assert times == [30.0, 34.0, 120.0, 124.0, 128.0, 132.0]


def test_a_mureka_song_is_read_from_40_s_every_4_s() -> None:
    assert read_times(start(SONG_TIMELINE), Task(done_at=47.0)) == [40.0, 44.0, 48.0]


def test_a_status_showing_the_stream_stage_moves_to_the_final_stage() -> None:
    task = Task(done_at=125.0, status_at=((32.0, "FIRST_SUCCESS"),))
    assert read_times(start(MUSIC_TIMELINE), task)[:3] == [30.0, 34.0, 120.0]


def test_a_task_done_before_its_first_read_is_seen_at_that_read() -> None:
    assert read_times(start(MUSIC_TIMELINE), Task(done_at=5.0)) == [30.0]


def test_a_late_task_is_read_less_often_but_at_most_15_s_apart() -> None:
    times = read_times(start(SONG_TIMELINE), Task(done_at=None), limit=120)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    assert gaps[0] == 4.0
    assert gaps == sorted(gaps)  # grows with lateness, never shrinks
    assert gaps[-1] == MAX_LATE_INTERVAL
    assert times[-1] > 1000  # still read, far past the range


def test_the_wait_of_a_task_far_past_its_range_is_the_cap() -> None:
    schedule = start(SONG_TIMELINE)
    schedule.saw(40.0, provider_status="running", stream=False, done=False)
    assert schedule.wait(10_000.0) == MAX_LATE_INTERVAL


def test_a_fixed_policy_is_followed_exactly_whatever_the_task_shows() -> None:
    policy = PollPolicy(interval=2.0, max_interval=8.0, backoff=2.0)
    schedule = start(MUSIC_TIMELINE, policy=policy)
    waits = []
    for now in (0.0, 2.0, 6.0, 14.0):
        waits.append(schedule.wait(now))
        schedule.saw(now, provider_status="FIRST_SUCCESS", stream=True, done=False)
    assert waits == [2.0, 4.0, 8.0, 8.0]


def test_a_policy_with_only_a_timeout_keeps_the_provider_aware_schedule() -> None:
    assert PollPolicy(timeout=60).adaptive
    assert not PollPolicy(interval=0).adaptive
    assert start(SONG_TIMELINE, policy=PollPolicy(timeout=60)).wait(0.0) == 40.0


def test_a_task_with_no_timeline_is_read_as_before_then_less_often() -> None:
    times = read_times(start(NEUTRAL), Task(done_at=None), limit=40)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise([0.0, *times])]
    assert gaps[:6] == [1.0, 1.5, 2.25, 3.375, 4.0, 4.0]
    assert max(gaps) <= MAX_LATE_INTERVAL
    assert gaps[-1] > 4.0  # past a minute, a task nobody documented is late


def test_a_wait_for_the_stream_reads_no_further_than_the_stream_stage() -> None:
    # FIRST_SUCCESS without a URL yet: a wait for the stream keeps reading every 4 s.
    task = Task(done_at=None, stream_at=45.0, status_at=((32.0, "FIRST_SUCCESS"),))
    times = read_times(start(MUSIC_TIMELINE, until="stream"), task, limit=5)
    assert times == pytest.approx([30.0, 34.0, 38.0, 42.0, 46.2])  # 40 s passed: late


def test_a_wait_for_the_stream_without_a_stream_stage_uses_the_neutral_schedule() -> None:
    assert start(SONG_TIMELINE, until="stream").wait(0.0) == 1.0


def test_a_task_of_unknown_age_is_read_soon_then_every_few_seconds() -> None:
    schedule = start(MUSIC_TIMELINE, age=None)
    assert schedule.wait(0.0) == 1.0
    schedule.saw(1.0, provider_status="PENDING", stream=False, done=False)
    assert schedule.wait(1.0) == 4.0


def test_a_task_of_unknown_age_anchors_on_a_stage_it_is_seen_reaching() -> None:
    # Seen without, then with its stream: taken as reached at the stage's latest (40 s), so
    # the final stage is first read 80 s later, early rather than late.
    schedule = start(MUSIC_TIMELINE, age=None)
    schedule.saw(1.0, provider_status="PENDING", stream=False, done=False)
    schedule.saw(5.0, provider_status="FIRST_SUCCESS", stream=True, done=False)
    assert schedule.wait(5.0) == 80.0


def test_a_task_of_unknown_age_first_seen_streaming_is_read_every_few_seconds() -> None:
    schedule = start(MUSIC_TIMELINE, age=None)
    schedule.saw(1.0, provider_status="FIRST_SUCCESS", stream=True, done=False)
    assert schedule.wait(1.0) == 4.0


def finish_tasks(memory: PollMemory, done_at: float, count: int) -> None:
    for _ in range(count):
        read_times(start(SONG_TIMELINE, memory), Task(done_at=done_at))


def test_past_tasks_move_the_first_read_earlier() -> None:
    memory = PollMemory()
    finish_tasks(memory, done_at=30.0, count=LEARN_MIN_SAMPLES * 4)
    first = start(SONG_TIMELINE, memory).wait(0.0)
    assert 20.0 <= first < 40.0


def test_past_tasks_never_move_the_first_read_below_half_the_documented_soonest() -> None:
    memory = PollMemory()
    finish_tasks(memory, done_at=1.0, count=100)
    assert start(SONG_TIMELINE, memory).wait(0.0) == 20.0


def test_past_tasks_move_the_first_read_later_at_most_to_the_middle_of_the_range() -> None:
    memory = PollMemory()
    finish_tasks(memory, done_at=300.0, count=LEARN_MIN_SAMPLES)
    assert start(SONG_TIMELINE, memory).wait(0.0) == 45.0


def test_a_few_past_tasks_do_not_move_the_first_read() -> None:
    memory = PollMemory()
    finish_tasks(memory, done_at=300.0, count=LEARN_MIN_SAMPLES - 1)
    assert start(SONG_TIMELINE, memory).wait(0.0) == 40.0


def test_failed_and_unknown_age_waits_teach_nothing() -> None:
    memory = PollMemory()
    for _ in range(LEARN_MIN_SAMPLES):
        schedule = start(SONG_TIMELINE, memory)
        schedule.saw(300.0, provider_status="failed", stream=False, done=True)  # no learn()
        unknown = start(SONG_TIMELINE, memory, age=None)
        unknown.saw(1.0, provider_status="running", stream=False, done=False)
        unknown.saw(300.0, provider_status="succeeded", stream=False, done=True)
        unknown.learn()
    assert memory.learned(KEY, "done") is None


def test_one_unusually_fast_task_does_not_drag_the_first_read_early() -> None:
    memory = PollMemory()
    for seconds in [10.0] + [42.0] * 39:
        memory.record(KEY, "done", seconds)
    assert memory.learned(KEY, "done") == 42.0


def test_what_is_learned_is_kept_per_provider_and_operation() -> None:
    memory = PollMemory()
    for _ in range(LEARN_MIN_SAMPLES):
        memory.record(("mureka", "generate"), "done", 42.0)
    assert memory.learned(("mureka", "extend"), "done") is None
    assert memory.learned(("mureka", "generate"), "done") == 42.0


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.sunoapi.org",
        "https://127.0.0.1:8443",
        "https://localhost",
        "https://emulator.musicgen.test",
        "https://emulator",
        "https://10.0.0.5",
    ],
)
def test_a_stand_in_base_url_gets_the_neutral_timeline(base_url: str) -> None:
    assert documented_at(base_url, MUSIC_TIMELINE) == NEUTRAL


def test_the_real_service_gets_its_documented_timeline() -> None:
    assert documented_at("https://api.sunoapi.org", MUSIC_TIMELINE) == MUSIC_TIMELINE


def test_the_environment_can_turn_the_documented_timelines_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TIMELINES_ENV, "off")
    assert documented_at("https://api.sunoapi.org", MUSIC_TIMELINE) == NEUTRAL


def test_a_stage_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="latest must be >= earliest"):
        Stage(name="done", earliest=40.0, latest=30.0)


def test_a_stage_of_another_name_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        Stage(name="lyrics", earliest=1.0, latest=2.0)


def test_stages_out_of_order_are_refused() -> None:
    done = Stage(name="done", earliest=40.0, latest=50.0)
    stream = Stage(name="stream", earliest=30.0, latest=40.0)
    with pytest.raises(ValueError, match="in that order"):
        Timeline((done, stream))
