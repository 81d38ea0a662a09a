"""limiter=: a client keeps its providers' accounts under their limits, shared with others."""

from __future__ import annotations

import time
from typing import Any

import pytest

from musicgen import APITimeoutError, Generation, SunoProvider
from musicgen.limits import LocalLimiter, account_key
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator

from .conftest import MakeClient

MUREKA: dict[str, Any] = {"provider": "mureka"}
MUREKA_KEY = "emulator-mureka-key"


def _mureka_account(client: Any) -> str:
    return account_key("mureka", client.providers["mureka"]._api_key)


def _songs(count: int) -> list[dict[str, Any]]:
    return [{**MUREKA, "lyrics": f"[Verse]\nsong {n}"} for n in range(count)]


def test_a_batch_stays_under_murekas_limit_without_a_refusal(make_client: MakeClient) -> None:
    emulator = Emulator(mureka_concurrent_request_limit=3)
    retries: list[Event] = []
    client = make_client(
        emulator,
        limiter=LocalLimiter(),
        hooks=[lambda e: retries.append(e) if e.name == EventName.RETRY_SCHEDULED else None],
    )

    results = client.generate_many(_songs(9), concurrency=9)

    assert all(isinstance(r, Generation) for r in results)
    assert emulator.max_concurrent("mureka") <= 3  # the limit read from the billing answer
    assert retries == []  # never refused with 429: the limiter waited instead


def test_without_a_limiter_the_same_batch_is_refused_and_retried(make_client: MakeClient) -> None:
    # The contrast that makes the test above mean something.
    emulator = Emulator(mureka_concurrent_request_limit=3)
    retries: list[Event] = []
    client = make_client(
        emulator,
        hooks=[lambda e: retries.append(e) if e.name == EventName.RETRY_SCHEDULED else None],
    )

    client.generate_many(_songs(9), concurrency=9)

    assert retries


def test_the_slot_is_freed_once_the_task_is_seen_finished(make_client: MakeClient) -> None:
    limiter = LocalLimiter()
    client = make_client(limiter=limiter)

    client.generate(**MUREKA, lyrics="[Verse]\nla")

    assert limiter.running(_mureka_account(client)) == 0


def test_a_submitted_task_keeps_its_slot_until_a_wait_sees_it_finished(
    make_client: MakeClient,
) -> None:
    limiter = LocalLimiter()
    client = make_client(limiter=limiter)
    account = _mureka_account(client)

    queued = client.submit(**MUREKA, lyrics="[Verse]\nla")
    held = limiter.running(account)
    client.wait(queued)

    assert held == 1
    assert limiter.running(account) == 0


def test_a_submission_waiting_for_a_slot_past_its_deadline_sends_nothing(
    make_client: MakeClient, emulator: Emulator
) -> None:
    limiter = LocalLimiter()
    client = make_client(limiter=limiter)
    account = _mureka_account(client)
    taken = [limiter.acquire(account, limit=5, ttl=60) for _ in range(5)]  # other workers

    with pytest.raises(APITimeoutError, match="account's limit") as caught:
        client.generate(**MUREKA, lyrics="[Verse]\nla", timeout=0.5)

    assert caught.value.request_sent is False
    assert emulator.submissions("mureka") == 0
    for slot in taken:
        slot.release()


class _BriskSuno(SunoProvider):
    """Suno with a tiny rate window, so the test waits a fraction of a second."""

    submissions_per_window = (2, 0.5)


class _GrantLog(LocalLimiter):
    """A LocalLimiter that notes when it granted a submission of a rate window."""

    def __init__(self) -> None:
        super().__init__()
        self.granted: list[float] = []

    def try_acquire_rate(self, account: str, *, count: int, per: float) -> float:
        wait = super().try_acquire_rate(account, count=count, per=per)
        if wait == 0:
            self.granted.append(time.monotonic())
        return wait


def test_submissions_keep_to_the_providers_rate_window(make_client: MakeClient) -> None:
    emulator = Emulator()
    limiter = _GrantLog()
    suno = _BriskSuno(api_key="k", base_url="http://emulator.musicgen.test")
    client = make_client(emulator, providers=[suno], limiter=limiter)

    client.generate_many([f"tune {n}" for n in range(4)], provider="suno", concurrency=4)

    assert emulator.submissions("suno") == len(limiter.granted) == 4  # one grant each
    # Two per 0.5 s: the third waited for the first to leave the window.
    assert limiter.granted[2] - limiter.granted[0] >= 0.5
