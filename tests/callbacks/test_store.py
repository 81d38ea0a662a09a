"""The storage contract the client reads: keys, JSON layout, stage order, nonce binding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musicgen.cache import DiskCache, MemoryCache
from musicgen.callbacks import (
    CallbackError,
    MusicCallback,
    StoredCallback,
    WavCallback,
    bind_nonce,
    bound_task,
    callback_key,
    load_event,
    nonce_key,
    parse_callback,
    store_event,
)

from .conftest import music_body


def music(stage: str, task_id: str = "t1", *, code: int = 200) -> MusicCallback:
    event = parse_callback(music_body(task_id, stage, code=code), family="music")
    assert isinstance(event, MusicCallback)
    return event


def test_the_key_and_the_json_layout(cache: MemoryCache) -> None:
    event = music("complete")

    assert store_event(cache, event, ttl=60, received_at=1700000000.5)

    assert callback_key("suno", "t1") == "callback:suno:t1"
    document = json.loads(cache.get("callback:suno:t1") or "")
    assert document["format"] == 1
    assert document["stage"] == "complete"
    assert document["final"] is True
    assert document["failed"] is False
    assert document["received_at"] == 1700000000.5
    stored = document["event"]
    assert stored["family"] == "music"
    assert stored["task_id"] == "t1"
    assert stored["provider"] == "suno"
    assert stored["tracks"][0]["audio_url"] == "https://cdn.example.net/t1-0.mp3"
    assert "raw" not in stored


def test_load_event_reads_back_an_equal_event(cache: MemoryCache) -> None:
    event = music("first")
    store_event(cache, event, ttl=60, received_at=5.0)

    stored = load_event(cache, "suno", "t1")

    assert stored == StoredCallback(
        stage="first", final=False, failed=False, received_at=5.0, event=event
    )
    assert stored is not None
    assert stored.event.raw == {}


def test_a_failure_is_stored_as_final_and_failed(cache: MemoryCache) -> None:
    store_event(cache, music("error", code=451), ttl=60)

    stored = load_event(cache, "suno", "t1")

    assert stored is not None
    assert (stored.stage, stored.final, stored.failed) == ("error", True, True)
    assert stored.event.code == 451


def test_nothing_secret_or_raw_is_stored(cache: MemoryCache) -> None:
    body = json.loads(music_body("t1"))
    body["data"]["param"] = "the user's private prompt"
    body["callbackUrl"] = "https://app.example.net/cb?mg=nonce.music.TOKEN"
    event = parse_callback(body, family="music")

    store_event(cache, event, ttl=60)

    text = cache.get(callback_key("suno", "t1")) or ""
    assert "private prompt" not in text
    assert "TOKEN" not in text


@pytest.mark.parametrize(
    ("order", "kept"),
    [
        (["text", "first", "complete"], "complete"),
        (["complete", "first", "text"], "complete"),
        (["first", "text"], "first"),
        (["text", "complete", "complete", "first"], "complete"),
        (["error", "text", "first"], "error"),
        (["first", "error"], "error"),
    ],
)
def test_a_later_stage_wins_whatever_the_arrival_order(
    cache: MemoryCache, order: list[str], kept: str
) -> None:
    for stage in order:
        store_event(cache, music(stage), ttl=60)

    stored = load_event(cache, "suno", "t1")

    assert stored is not None
    assert stored.stage == kept


def test_duplicates_keep_the_first_arrival(cache: MemoryCache) -> None:
    assert store_event(cache, music("complete"), ttl=60, received_at=1.0)
    assert not store_event(cache, music("complete"), ttl=60, received_at=2.0)

    stored = load_event(cache, "suno", "t1")

    assert stored is not None
    assert stored.received_at == 1.0


def test_complete_and_error_are_both_final_the_first_stays(cache: MemoryCache) -> None:
    store_event(cache, music("complete"), ttl=60)

    assert not store_event(cache, music("error", code=500), ttl=60)
    stored = load_event(cache, "suno", "t1")
    assert stored is not None
    assert stored.stage == "complete"


def test_tasks_do_not_mix(cache: MemoryCache) -> None:
    store_event(cache, music("complete", "a"), ttl=60)
    store_event(cache, music("text", "b"), ttl=60)

    a, b = load_event(cache, "suno", "a"), load_event(cache, "suno", "b")

    assert a is not None
    assert b is not None
    assert (a.stage, b.stage) == ("complete", "text")
    assert load_event(cache, "suno", "c") is None


def test_every_family_round_trips(cache: MemoryCache) -> None:
    bodies = [
        {"code": 200, "data": {"audioWavUrl": "https://x/a.wav", "task_id": "w"}},
        {"code": 200, "data": {"task_id": "v", "vocal_removal_info": {"vocal_url": "https://x/v"}}},
        {"code": 200, "data": {"taskId": "c", "images": ["https://x/1.png"]}},
        {"code": 200, "data": {"callbackType": "complete", "taskId": "l", "data": [{"text": "x"}]}},
        {
            "task_id": "m",
            "code": 200,
            "data": {"state": "complete", "instruments": [{"name": "Bass", "notes": []}]},
        },
        {"code": 200, "data": {"task_id": "v2", "video_url": "https://x/v.mp4"}},
        {"code": 200, "data": {"taskId": "p", "validateInfo": "sing", "status": "wait_validating"}},
        {"code": 200, "data": {"taskId": "vo", "voiceId": "abc", "status": "success"}},
        {"code": 200, "task_id": "r", "data": [{"id": "a", "audio_url": "u", "status": "success"}]},
    ]
    for body in bodies:
        event = parse_callback(body)
        assert event.task_id is not None
        store_event(cache, event, ttl=60)

        stored = load_event(cache, "suno", event.task_id)

        assert stored is not None
        assert stored.event == event
        assert type(stored.event) is type(event)


def test_an_event_without_a_task_id_cannot_be_stored(cache: MemoryCache) -> None:
    event = parse_callback(
        {"code": 200, "data": {"callbackType": "text", "data": []}}, family="music"
    )

    with pytest.raises(CallbackError, match="task id"):
        store_event(cache, event, ttl=60)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": 2}',
        '{"format": 1, "stage": "x"}',
        '{"format": 1, "event": {}}',
    ],
)
def test_an_unreadable_value_reads_as_absent_and_is_replaced(cache: MemoryCache, text: str) -> None:
    cache.set(callback_key("suno", "t1"), text)

    assert load_event(cache, "suno", "t1") is None
    assert store_event(cache, music("text"), ttl=60)


def test_the_ttl_reaches_the_cache(cache: MemoryCache) -> None:
    seen: list[float | None] = []
    original = cache.set

    def spy(key: str, value: str, *, ttl: float | None = None) -> None:
        seen.append(ttl)
        original(key, value, ttl=ttl)

    cache.set = spy  # type: ignore[method-assign]
    store_event(cache, music("text"), ttl=123.0)
    bind_nonce(cache, "n" * 22, "suno", "t1", ttl=45.0)

    assert seen == [123.0, 45.0]


def test_a_nonce_binds_to_its_first_task(cache: MemoryCache) -> None:
    nonce = "abcdefghijklmnopqrstuv"

    assert bind_nonce(cache, nonce, "suno", "t1", ttl=60) == "t1"
    assert bind_nonce(cache, nonce, "suno", "t1", ttl=60) == "t1"  # a replay
    assert bind_nonce(cache, nonce, "suno", "t2", ttl=60) == "t1"  # another task: refused
    assert bound_task(cache, nonce) == "t1"
    assert nonce_key(nonce) == f"callback:nonce:{nonce}"
    assert json.loads(cache.get(nonce_key(nonce)) or "")["task_id"] == "t1"


def test_a_disk_cache_shares_callbacks_between_stores(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    writer, reader = DiskCache(path), DiskCache(path)
    try:
        store_event(
            writer,
            parse_callback({"code": 200, "data": {"audioWavUrl": "u", "task_id": "w"}}),
            ttl=60,
        )

        stored = load_event(reader, "suno", "w")

        assert stored is not None
        assert isinstance(stored.event, WavCallback)
        assert stored.event.wav_url == "u"
    finally:
        writer.close()
        reader.close()
