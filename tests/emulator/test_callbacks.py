"""The emulator posts real callbacks: the documented bodies, per stage, by reads or by the clock,
with retries and injected faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from musicgen.cache import MemoryCache
from musicgen.callbacks import (
    CallbackAuth,
    MusicCallback,
    callback_app,
    load_event,
    parse_callback,
)
from musicgen.providers._suno_base import PLACEHOLDER_CALLBACK_URL
from musicgen.testing import CallbackFault, Emulator
from musicgen.testing._callbacks import RETRIES, TIMEOUT, is_real

from ..callbacks._testclient import TestClient
from .conftest import SunoAPI

HOOK = "https://hooks.musicgen.test/callback?job=1"
GENEROUS = 20.0
# The emulator's task kinds and the callback families that read them.
FAMILY = {"cover": "cover_art"}


class Receiver:
    """An in-process callback receiver: records each POST, answers ``statuses`` in turn."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self.client = httpx.Client(transport=httpx.MockTransport(self._handle))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json={"code": status, "msg": "ok"})

    def stages(self) -> list[str]:
        return [parse_callback(r.content).stage for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.client.close()


@pytest.fixture
def make(
    receiver: Receiver, suno_for: Callable[[Emulator], SunoAPI]
) -> Callable[..., tuple[Emulator, SunoAPI]]:
    def build(**options: Any) -> tuple[Emulator, SunoAPI]:
        options.setdefault("callback_client", receiver.client)
        options.setdefault("callback_retry_seconds", 0.0)
        emulator = Emulator(**options)
        return emulator, suno_for(emulator)

    return build


def settle(emulator: Emulator) -> None:
    assert emulator.wait_for_callbacks(GENEROUS)


# -- where callbacks go ----


@pytest.mark.parametrize(
    "url",
    [
        PLACEHOLDER_CALLBACK_URL,
        "https://example.com/callback",
        "https://api.example.org/hook",
        "https://x.invalid/hook",
        "ftp://hooks.musicgen.test/x",
        "not a url",
    ],
)
def test_placeholders_and_unusable_urls_get_no_callbacks(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver, url: str
) -> None:
    emulator, suno = make(polls_per_stage=0)
    suno.finish(suno.submit(callBackUrl=url), reads=1)

    settle(emulator)

    assert not is_real(url)
    assert receiver.requests == []
    assert emulator.callbacks_sent == []


def test_status_reads_post_each_stage_as_it_is_reached(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1)
    task_id = suno.submit(callBackUrl=HOOK)

    statuses = suno.statuses(task_id, 4)
    settle(emulator)

    assert statuses == ["PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS"]
    assert receiver.stages() == ["text", "first", "complete"]
    assert all(str(r.url) == HOOK for r in receiver.requests)
    assert all(r.headers["content-type"] == "application/json" for r in receiver.requests)
    text, first, complete = (parse_callback(r.content) for r in receiver.requests)
    assert isinstance(text, MusicCallback)
    assert isinstance(first, MusicCallback)
    assert isinstance(complete, MusicCallback)
    assert [t.audio_url for t in text.tracks] == [None, None]
    assert first.tracks[0].audio_url is not None
    assert first.tracks[1].audio_url is None
    assert all(t.audio_url for t in complete.tracks)
    assert complete.task_id == task_id
    assert [s.stage for s in emulator.callbacks_sent] == ["text", "first", "complete"]


def test_the_tracks_are_snake_case_like_the_docs(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)
    settle(emulator)

    item = emulator.callbacks_sent[-1].body["data"]["data"][0]

    assert {"audio_url", "stream_audio_url", "image_url", "model_name", "createTime"} <= set(item)
    assert "audioUrl" not in item


def test_one_read_that_jumps_to_the_end_posts_every_stage_in_order(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == ["text", "first", "complete"]


def test_with_a_stage_clock_a_task_finishes_and_posts_without_any_status_read(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1000, callback_stage_seconds=0.01)
    task_id = suno.submit(callBackUrl=HOOK)

    settle(emulator)

    assert receiver.stages() == ["text", "first", "complete"]
    assert emulator.tasks[task_id].status == "SUCCESS"
    assert emulator.tasks[task_id].status_reads == 0
    # Reads agree with what was posted, and the finished task takes follow-up work at once.
    assert suno.record_info(task_id)["data"]["status"] == "SUCCESS"
    audio_id = suno.record_info(task_id)["data"]["response"]["sunoData"][0]["id"]
    wav = suno.client.post(
        "/api/v1/wav/generate", json={"taskId": task_id, "audioId": audio_id, "callBackUrl": HOOK}
    ).json()
    assert wav["code"] == 200


def test_the_clock_does_not_move_tasks_without_a_real_callback_url(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1000, callback_stage_seconds=0.01)
    task_id = suno.submit()  # the placeholder on example.com

    time.sleep(0.1)

    assert emulator.tasks[task_id].status == "PENDING"
    assert suno.record_info(task_id)["data"]["status"] == "PENDING"


def test_reads_never_go_back_behind_the_clock(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1, callback_stage_seconds=0.01)
    task_id = suno.submit(callBackUrl=HOOK)
    settle(emulator)

    assert suno.statuses(task_id, 3) == ["SUCCESS"] * 3


@pytest.mark.parametrize(
    ("final", "stages", "code"),
    [
        ("GENERATE_AUDIO_FAILED", ["text", "error"], 500),
        ("SENSITIVE_WORD_ERROR", ["error"], 400),
        ("CREATE_TASK_FAILED", ["error"], 500),
        ("CALLBACK_EXCEPTION", ["text", "first"], None),
    ],
)
def test_scripted_failures_post_an_error_callback(
    make: Callable[..., tuple[Emulator, SunoAPI]],
    receiver: Receiver,
    final: str,
    stages: list[str],
    code: int | None,
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.script_next_task("suno", final_status=final)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == stages
    last = parse_callback(receiver.requests[-1].content)
    if code is not None:
        assert last.failed
        assert last.code == code
        assert receiver.requests[-1].content.count(b'"callbackType":"error"') == 1


def test_the_music_edits_post_music_callbacks(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    source = suno.finish(suno.submit())  # no callbacks for the source
    audio_id = source["response"]["sunoData"][0]["id"]
    body = {"defaultParamFlag": False, "audioId": audio_id, "model": "V4_5", "callBackUrl": HOOK}
    extended = suno.client.post("/api/v1/generate/extend", json=body).json()["data"]["taskId"]

    suno.finish(extended, reads=1)
    settle(emulator)

    assert receiver.stages() == ["text", "first", "complete"]
    assert parse_callback(receiver.requests[-1].content).task_id == extended


# -- the other families ----


def finished_music(suno: SunoAPI) -> tuple[str, str]:
    data = suno.finish(suno.submit())
    return data["taskId"], data["response"]["sunoData"][0]["id"]


def submit_family(suno: SunoAPI, kind: str, url: str = HOOK) -> str:
    """Start a task of ``kind`` with callbacks to ``url``; return its id."""
    task_id, audio_id = finished_music(suno)
    track = {"taskId": task_id, "audioId": audio_id, "callBackUrl": url}
    if kind == "midi":
        separation = submit_family(suno, "vocal_removal", url="https://example.com/cb")
        for _ in range(3):
            suno.client.get("/api/v1/vocal-removal/record-info", params={"taskId": separation})
        path, body = "/api/v1/midi/generate", {"taskId": separation, "callBackUrl": url}
    else:
        path, body = {
            "lyrics": ("/api/v1/lyrics", {"prompt": "a song about rain", "callBackUrl": url}),
            "wav": ("/api/v1/wav/generate", track),
            "vocal_removal": ("/api/v1/vocal-removal/generate", track),
            "mp4": ("/api/v1/mp4/generate", track),
            "cover": ("/api/v1/suno/cover/generate", {"taskId": task_id, "callBackUrl": url}),
        }[kind]
    answer = suno.client.post(path, json=body).json()
    assert answer["code"] == 200, answer
    return str(answer["data"]["taskId"])


READS = {
    "lyrics": "/api/v1/lyrics/record-info",
    "wav": "/api/v1/wav/record-info",
    "vocal_removal": "/api/v1/vocal-removal/record-info",
    "mp4": "/api/v1/mp4/record-info",
    "cover": "/api/v1/suno/cover/record-info",
    "midi": "/api/v1/midi/record-info",
}


@pytest.mark.parametrize("kind", sorted(READS))
def test_each_family_posts_its_documented_complete_callback(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver, kind: str
) -> None:
    emulator, suno = make(polls_per_stage=0)
    task_id = submit_family(suno, kind)

    suno.client.get(READS[kind], params={"taskId": task_id})
    settle(emulator)

    assert len(receiver.requests) == 1
    family = FAMILY.get(kind, kind)
    event = parse_callback(receiver.requests[0].content, family=family)
    assert event.task_id == task_id
    assert event.stage == "complete"
    assert not event.failed
    assert parse_callback(receiver.requests[0].content).family == family  # guessable too


@pytest.mark.parametrize(
    ("kind", "final"),
    [
        ("wav", "GENERATE_WAV_FAILED"),
        ("vocal_removal", "GENERATE_AUDIO_FAILED"),
        ("mp4", "GENERATE_MP4_FAILED"),
        ("lyrics", "GENERATE_LYRICS_FAILED"),
        ("cover", "3"),
        ("midi", "3"),
    ],
)
def test_each_family_posts_its_failure(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver, kind: str, final: str
) -> None:
    emulator, suno = make(polls_per_stage=0, callback_stage_seconds=0.01)
    finished = finished_music(suno)  # the scripts apply to the next task only
    del finished
    if kind == "midi":
        # The separation MIDI needs must succeed first; the MIDI task itself fails.
        separation = submit_family(suno, "vocal_removal", url="https://example.com/cb")
        suno.client.get(READS["vocal_removal"], params={"taskId": separation})
        emulator.script_next_task("suno", final_status=final)
        answer = suno.client.post(
            "/api/v1/midi/generate", json={"taskId": separation, "callBackUrl": HOOK}
        ).json()
        task_id = answer["data"]["taskId"]
    else:
        task_id, audio_id = finished_music(suno)
        emulator.script_next_task("suno", final_status=final)
        body = {
            "lyrics": {"prompt": "rain", "callBackUrl": HOOK},
            "cover": {"taskId": task_id, "callBackUrl": HOOK},
        }.get(kind, {"taskId": task_id, "audioId": audio_id, "callBackUrl": HOOK})
        path = {
            "lyrics": "/api/v1/lyrics",
            "wav": "/api/v1/wav/generate",
            "vocal_removal": "/api/v1/vocal-removal/generate",
            "mp4": "/api/v1/mp4/generate",
            "cover": "/api/v1/suno/cover/generate",
        }[kind]
        task_id = suno.client.post(path, json=body).json()["data"]["taskId"]

    settle(emulator)

    assert len(receiver.requests) == 1
    event = parse_callback(receiver.requests[0].content, family=FAMILY.get(kind, kind))
    assert event.task_id == task_id
    assert event.failed
    assert event.code == 500


# -- delivery ----


def test_a_failing_receiver_gets_three_retries_then_nothing(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1000, callback_stage_seconds=0.01)
    receiver.statuses = [500] * 100
    emulator.script_next_task("suno", final_status="SENSITIVE_WORD_ERROR")  # one stage only
    suno.submit(callBackUrl=HOOK)

    settle(emulator)

    assert TIMEOUT == 15.0
    assert RETRIES == 3
    assert [c.attempt for c in emulator.callbacks_sent] == [1, 2, 3, 4]
    assert {c.status_code for c in emulator.callbacks_sent} == {500}
    assert not any(c.delivered for c in emulator.callbacks_sent)


def test_a_retry_that_succeeds_stops_retrying(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1000, callback_stage_seconds=0.01)
    receiver.statuses = [503, 500]
    emulator.script_next_task("suno", final_status="SENSITIVE_WORD_ERROR")
    suno.submit(callBackUrl=HOOK)

    settle(emulator)

    assert [(c.attempt, c.status_code) for c in emulator.callbacks_sent] == [
        (1, 503),
        (2, 500),
        (3, 200),
    ]


def test_an_unreachable_receiver_is_retried_too(
    make: Callable[..., tuple[Emulator, SunoAPI]],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        emulator, suno = make(polls_per_stage=0, callback_client=client)
        emulator.script_next_task("suno", final_status="SENSITIVE_WORD_ERROR")
        suno.finish(suno.submit(callBackUrl=HOOK), reads=1)
        settle(emulator)

    assert [c.error for c in emulator.callbacks_sent] == ["ConnectError"] * 4
    assert all(c.status_code is None for c in emulator.callbacks_sent)


# -- faults ----


def test_a_lost_callback_is_never_sent(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("lost", stage="complete")
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == ["text", "first"]
    assert [c.stage for c in emulator.callbacks_lost] == ["complete"]


def test_a_duplicated_callback_is_sent_twice(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback(CallbackFault("duplicate", stage="complete"))
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == ["text", "first", "complete", "complete"]
    assert receiver.requests[-1].content == receiver.requests[-2].content


def test_a_delayed_callback_arrives_after_later_ones(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("delay", stage="text", delay=0.2)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == ["first", "complete", "text"]
    assert [c.fault for c in emulator.callbacks_sent] == [None, None, "delay"]


def test_an_out_of_order_callback_follows_the_next_one(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=1)
    emulator.inject_callback("out_of_order", stage="text")
    task_id = suno.submit(callBackUrl=HOOK)

    suno.statuses(task_id, 2)  # reaches TEXT_SUCCESS: held back
    settle(emulator)
    assert receiver.stages() == []
    suno.statuses(task_id, 2)  # FIRST_SUCCESS, then SUCCESS
    settle(emulator)

    assert receiver.stages() == ["first", "text", "complete"]


def test_a_final_out_of_order_callback_comes_late(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("out_of_order", stage="complete", delay=0.05)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages() == ["text", "first", "complete"]


def test_a_forgery_precedes_the_genuine_callback(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("forged", stage="first")
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    faults = [(c.stage, c.fault) for c in emulator.callbacks_sent]
    assert faults == [("text", None), ("complete", "forged"), ("first", None), ("complete", None)]
    forged = emulator.callbacks_sent[1]
    assert forged.url != HOOK
    assert "attacker.invalid" in str(forged.body)


def test_faults_select_by_family_and_count_down(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("lost", family="wav")
    emulator.inject_callback("lost", stage="text", times=2)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert receiver.stages().count("text") == 1
    assert [c.family for c in emulator.callbacks_lost] == ["music", "music"]


def test_clear_faults_disarms_callback_faults(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    emulator, suno = make(polls_per_stage=0)
    emulator.inject_callback("lost")
    emulator.clear_faults()
    suno.finish(suno.submit(callBackUrl=HOOK), reads=1)

    settle(emulator)

    assert len(receiver.requests) == 3


def test_bad_faults_are_refused_early(em: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown callback fault"):
        em.inject_callback("misplaced")
    with pytest.raises(ValueError, match="stage"):
        CallbackFault("lost", stage="SUCCESS")
    with pytest.raises(ValueError, match="times"):
        CallbackFault("lost", times=0)
    with pytest.raises(ValueError, match="options"):
        em.inject_callback(CallbackFault("lost"), stage="text")
    with pytest.raises(ValueError, match="callback_stage_seconds"):
        Emulator(callback_stage_seconds=0)


# -- with musicgen's receiver ----


def test_signed_callbacks_verify_with_callback_auth(
    make: Callable[..., tuple[Emulator, SunoAPI]], receiver: Receiver
) -> None:
    auth = CallbackAuth("a" * 32, webhook_key="hook-key", require_signature=True)
    url = auth.url("https://hooks.musicgen.test/cb")
    emulator, suno = make(polls_per_stage=0, callback_webhook_key="hook-key")
    suno.finish(suno.submit(callBackUrl=url), reads=1)

    settle(emulator)

    for request in receiver.requests:
        assert auth.verify(str(request.url), request.content, dict(request.headers)).signed


def test_an_in_process_receiver_through_starlettes_test_client(
    suno_for: Callable[[Emulator], SunoAPI],
) -> None:
    cache, auth = MemoryCache(), CallbackAuth("b" * 32)
    with TestClient(callback_app(cache, auth)) as client:
        emulator = Emulator(callback_client=client, polls_per_stage=0)
        suno = suno_for(emulator)
        task_id = suno.submit(callBackUrl=auth.url("http://testserver/musicgen/callback"))
        suno.finish(task_id, reads=1)
        settle(emulator)

    stored = load_event(cache, "suno", task_id)
    assert stored is not None
    assert stored.stage == "complete"
    assert all(c.status_code == 200 for c in emulator.callbacks_sent)
