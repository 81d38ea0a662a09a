"""Live progress: on_progress, until="stream" and watch(), on both clients."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from musicgen import (
    GenerationFailedError,
    Progress,
    TaskStatus,
    ValidationError,
)
from musicgen._callback_wait import callback_key, ready_key
from musicgen.cache import MemoryCache
from musicgen.testing import Emulator

from .conftest import MakeClient, Runner

SUNO = {"provider": "suno", "prompt": "a calm tune"}


def test_on_progress_gets_each_change_once_ending_terminal(client: Runner) -> None:
    seen: list[Progress] = []
    client.generate(**SUNO, on_progress=seen.append)
    statuses = [update.provider_status for update in seen]
    assert statuses == ["PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS"]
    assert seen[-1].is_done


def test_progress_shows_the_stream_url_as_soon_as_there_is_one(client: Runner) -> None:
    seen: list[Progress] = []
    generation = client.generate(**SUNO, on_progress=seen.append)
    first_streaming = next(update for update in seen if update.stream_url)
    assert first_streaming.provider_status == "TEXT_SUCCESS"
    assert first_streaming.stream_url == generation.tracks[0].stream_url


def test_progress_counts_the_status_reads(client: Runner) -> None:
    seen: list[Progress] = []
    client.generate(**SUNO, on_progress=seen.append)
    polls = [update.polls for update in seen]
    assert polls == sorted(polls)
    assert polls[0] == 0
    assert polls[-1] >= 3


def test_an_async_on_progress_is_awaited(make_client: MakeClient) -> None:
    client = make_client()
    if not client.is_async:
        pytest.skip("coroutine callbacks are for the async client")
    seen: list[str] = []

    async def record(update: Progress) -> None:
        seen.append(update.provider_status)

    client.generate(**SUNO, on_progress=record)
    assert seen[-1] == "SUCCESS"


def test_an_on_progress_that_raises_ends_the_call_with_a_note_on_resuming(
    client: Runner,
) -> None:
    def broken(update: Progress) -> None:
        raise RuntimeError("the app's own bug")

    with pytest.raises(RuntimeError) as caught:
        client.generate(**SUNO, on_progress=broken)
    notes = getattr(caught.value, "__notes__", [])
    assert any("client.wait(" in note for note in notes)


def test_until_stream_returns_a_streaming_generation_and_wait_finishes_it(
    client: Runner,
) -> None:
    streaming = client.generate(**SUNO, until="stream")
    assert streaming.status is TaskStatus.STREAMING
    assert streaming.tracks[0].stream_url is not None
    finished = client.wait(streaming)
    assert finished.status is TaskStatus.SUCCEEDED
    assert finished.task_id == streaming.task_id


def test_an_unknown_until_is_refused_before_sending(client: Runner, emulator: Emulator) -> None:
    with pytest.raises(ValidationError, match="until"):
        client.generate(**SUNO, until="soon")
    assert emulator.requests == []


def test_watch_yields_every_change_of_a_task(client: Runner) -> None:
    task = client.submit(provider="mureka", lyrics="[Verse]\nla")
    updates, error = _watch(client, task)
    assert error is None
    assert [u.provider_status for u in updates] == ["preparing", "queued", "running", "succeeded"]


def test_watch_of_a_failing_task_raises_after_its_last_update(
    client: Runner, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    task = client.submit(**SUNO)
    updates, error = _watch(client, task)
    assert isinstance(error, GenerationFailedError)
    assert updates[-1].provider_status == "GENERATE_AUDIO_FAILED"


def _watch(client: Runner, task: Any) -> tuple[list[Progress], Exception | None]:
    """watch()'s updates on either client (the async one through its portal), and the error
    that ended it, if any."""
    updates: list[Progress] = []
    if not client.is_async:
        try:
            updates.extend(client.client.watch(task))
        except GenerationFailedError as error:
            return updates, error
        return updates, None

    async def collect() -> Exception | None:
        try:
            async for update in client.client.watch(task):
                updates.append(update)
        except GenerationFailedError as error:
            return error
        return None

    assert client.portal is not None
    return updates, client.portal.call(collect)


# -- waking on a stored callback -------------------------------------------------------------


def _store_complete_later(cache: MemoryCache, task_id: str, delay: float) -> threading.Timer:
    """What the callback receiver does when Suno posts the complete stage: the callback, then
    the ready marker the wait is woken by."""
    value = {
        "format": 1,
        "stage": "complete",
        "final": True,
        "failed": False,
        "received_at": time.time(),
        "event": {},
    }

    def store() -> None:
        cache.set(callback_key("suno", task_id), json.dumps(value))
        cache.set(ready_key("suno", task_id, "done"), '{"format":1,"stage":"complete"}')

    timer = threading.Timer(delay, store)
    timer.start()
    return timer


def test_a_stored_final_callback_wakes_the_wait_for_one_confirming_read(
    make_client: MakeClient,
) -> None:
    emulator = Emulator(polls_per_stage=0)  # final on its first read
    cache = MemoryCache()
    client = make_client(emulator, cache=cache, callbacks=True)
    task = client.submit(**SUNO)
    timer = _store_complete_later(cache, task.task_id, delay=0.2)
    finished = client.wait(task)
    timer.join()
    assert finished.status is TaskStatus.SUCCEEDED
    assert emulator.tasks[task.task_id].status_reads == 1


def test_without_a_callback_the_wait_polls_slowly_until_its_deadline(
    make_client: MakeClient,
) -> None:
    emulator = Emulator(polls_per_stage=0)
    client = make_client(emulator, cache=MemoryCache(), callbacks=True)
    task = client.submit(**SUNO)
    with pytest.raises(Exception, match="deadline"):
        client.wait(task, timeout=0.5)
    # The fallback poll is far apart: no read fitted in half a second.
    assert emulator.tasks[task.task_id].status_reads == 0


def test_callbacks_need_a_cache(make_client: MakeClient) -> None:
    from musicgen import ConfigurationError

    with pytest.raises(ConfigurationError, match="cache"):
        make_client(callbacks=True)
