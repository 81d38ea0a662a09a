"""The receiver: verify, parse and store; 200 at once, 401 forged, 400 unreadable."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from musicgen.cache import MemoryCache
from musicgen.callbacks import (
    CallbackAuth,
    CallbackEvent,
    bound_task,
    callback_app,
    callback_key,
    load_event,
)

from ._testclient import TestClient
from .conftest import SECRET, WEBHOOK_KEY, music_body, sign

PATH = "/musicgen/callback"
PRIVATE = "a private prompt about my neighbour's cat"


def target(auth: CallbackAuth, family: str = "music") -> str:
    """The path and query a minted URL posts to (TestClient serves any host)."""
    parts = urlsplit(auth.url(f"http://testserver{PATH}", family=family))
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def stored_events() -> list[CallbackEvent]:
    return []


@pytest.fixture
def client(
    cache: MemoryCache, auth: CallbackAuth, stored_events: list[CallbackEvent]
) -> Iterator[TestClient]:
    with TestClient(callback_app(cache, auth, on_stored=stored_events.append)) as test_client:
        yield test_client


def test_a_genuine_callback_is_stored_and_answered_200(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth, stored_events: list[CallbackEvent]
) -> None:
    response = client.post(target(auth), content=music_body("t1"))

    assert response.status_code == 200
    assert response.json() == {"code": 200, "msg": "success"}
    stored = load_event(cache, "suno", "t1")
    assert stored is not None
    assert stored.stage == "complete"
    assert [event.task_id for event in stored_events] == ["t1"]


def test_every_stage_lands_in_order_and_duplicates_change_nothing(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth, stored_events: list[CallbackEvent]
) -> None:
    url = target(auth)
    for stage in ["text", "first", "first", "complete", "text", "complete"]:
        assert client.post(url, content=music_body("t1", stage)).status_code == 200

    stored = load_event(cache, "suno", "t1")

    assert stored is not None
    assert stored.stage == "complete"
    assert [event.stage for event in stored_events] == ["text", "first", "complete"]


def test_a_forged_callback_is_rejected_and_stored_nowhere(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth
) -> None:
    forged = CallbackAuth("the attacker's own secret!!").url(f"http://testserver{PATH}")

    response = client.post(forged.removeprefix("http://testserver"), content=music_body("t1"))
    missing = client.post(PATH, content=music_body("t1"))

    assert response.status_code == 401
    assert missing.status_code == 401
    assert cache.stats().size == 0


def test_a_bad_signature_or_stale_timestamp_is_rejected(cache: MemoryCache) -> None:
    auth = CallbackAuth(SECRET, webhook_key=WEBHOOK_KEY)
    now = int(time.time())
    with TestClient(callback_app(cache, auth)) as client:
        url = target(auth)
        wrong = client.post(url, content=music_body("t1"), headers=sign("t1", str(now), "nope"))
        stale = client.post(url, content=music_body("t1"), headers=sign("t1", str(now - 3600)))
        good = client.post(url, content=music_body("t2"), headers=sign("t2", str(now)))

    assert (wrong.status_code, stale.status_code, good.status_code) == (401, 401, 200)
    assert load_event(cache, "suno", "t1") is None
    assert load_event(cache, "suno", "t2") is not None


def test_a_url_used_for_one_task_cannot_speak_for_another(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth
) -> None:
    url = target(auth)
    assert client.post(url, content=music_body("t1", "text")).status_code == 200

    replayed = client.post(url, content=music_body("t1", "complete"))
    hijack = client.post(url, content=music_body("t2", "complete"))

    assert replayed.status_code == 200
    assert hijack.status_code == 401
    assert load_event(cache, "suno", "t2") is None


def test_a_body_without_a_task_id_takes_the_one_its_url_is_bound_to(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth
) -> None:
    url = target(auth)
    no_id = json.dumps(
        {"code": 200, "msg": "ok", "data": {"callbackType": "first", "data": []}}
    ).encode()

    early = client.post(url, content=no_id)  # nothing bound yet: acknowledged, not stored
    assert early.status_code == 200
    assert cache.stats().size == 0

    assert client.post(url, content=music_body("t1", "text")).status_code == 200
    assert client.post(url, content=no_id).status_code == 200

    stored = load_event(cache, "suno", "t1")
    assert stored is not None
    assert stored.stage == "first"
    assert stored.event.task_id == "t1"


def test_unreadable_bodies_get_400_and_are_logged_without_the_body(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="musicgen")
    url = target(auth)
    bodies = [
        b"{not json " + PRIVATE.encode(),
        json.dumps({"code": 200, "data": {"callbackType": PRIVATE, "task_id": "t"}}).encode(),
        json.dumps(
            {
                "code": 200,
                "data": {
                    "callbackType": "complete",
                    "task_id": "t",
                    "data": [{"prompt": 5, "title": PRIVATE}],
                },
            }
        ).encode(),
    ]

    answers = [client.post(url, content=body).status_code for body in bodies]

    assert answers == [400, 400, 400]
    assert cache.get(callback_key("suno", "t")) is None
    assert PRIVATE not in caplog.text
    assert "mg=" not in caplog.text  # the URL's token is never logged either


def test_logs_name_the_task_and_stage_never_the_token(
    client: TestClient, auth: CallbackAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="musicgen")
    url = target(auth)
    token = url.split("mg=")[1]

    client.post(url, content=music_body("t1"))
    client.post(url.replace(token[-4:], "AAAA"), content=music_body("t1"))

    assert "t1 complete" in caplog.text
    assert "rejected (token)" in caplog.text
    assert token.split(".")[-1] not in caplog.text


def test_oversized_bodies_and_other_methods_are_refused(
    cache: MemoryCache, auth: CallbackAuth
) -> None:
    with TestClient(callback_app(cache, auth, max_body=100)) as client:
        big = client.post(target(auth), content=b"{" + b" " * 200 + b"}")
        get = client.get(target(auth))

    assert big.status_code == 413
    assert get.status_code == 405
    assert cache.stats().size == 0


def test_a_failing_on_stored_hook_does_not_change_the_answer(
    cache: MemoryCache, auth: CallbackAuth, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: CallbackEvent) -> None:
        raise RuntimeError("hook bug")

    with TestClient(callback_app(cache, auth, on_stored=broken)) as client:
        response = client.post(target(auth), content=music_body("t1"))

    assert response.status_code == 200
    assert load_event(cache, "suno", "t1") is not None
    assert "on_stored failed" in caplog.text


def test_the_family_comes_from_the_url(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth
) -> None:
    # A lyrics failure looks like a music failure; the URL says which it is.
    body = json.dumps(
        {
            "code": 500,
            "msg": "failed",
            "data": {"callbackType": "error", "task_id": "l1", "data": None},
        }
    )

    assert client.post(target(auth, "lyrics"), content=body).status_code == 200

    stored = load_event(cache, "suno", "l1")
    assert stored is not None
    assert stored.event.family == "lyrics"


def test_the_nonce_binding_is_kept_in_the_same_cache(
    client: TestClient, cache: MemoryCache, auth: CallbackAuth
) -> None:
    url = target(auth)
    client.post(url, content=music_body("t1"))
    nonce = url.split("mg=")[1].split(".")[0]

    assert bound_task(cache, nonce) == "t1"
