"""A planted secret reaches no event, log record or exception, on any path, on both clients."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from musicgen import MurekaProvider, MusicGenError, PollPolicy, SunoProvider
from musicgen.observability import Event, LoggingHook
from musicgen.testing import Emulator, Fault

from .conftest import MakeClient

KEY = "sk-planted-SECRET-0123456789abcdef"
TOKEN = "PLANTEDTOKEN123"
EMAIL = "planted.person@example.org"
BASE = "http://emulator.musicgen.test"


def _providers() -> list[object]:
    return [
        SunoProvider(
            api_key=KEY, base_url=BASE, callback_url=f"https://hooks.example.com/cb?token={TOKEN}"
        ),
        MurekaProvider(api_key=KEY, base_url=BASE),
    ]


def _break_submission(emulator: Emulator) -> None:
    emulator.inject(Fault("drop", operation="submit"))


def _fail_task(emulator: Emulator) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")


def _exhaust_reads(emulator: Emulator) -> None:
    emulator.inject(Fault("server_error", operation="status", times=1000))


def _refuse_key(emulator: Emulator) -> None:
    emulator.inject(Fault("auth", message=f"bad key {KEY}"))


def _nothing(emulator: Emulator) -> None:
    return None


@pytest.mark.parametrize(
    "arrange",
    [_nothing, _break_submission, _fail_task, _exhaust_reads, _refuse_key],
    ids=["success", "uncertain-submit", "failed-task", "timeout-after-retries", "auth"],
)
def test_no_secret_in_events_logs_or_errors(
    make_client: MakeClient,
    emulator: Emulator,
    caplog: pytest.LogCaptureFixture,
    arrange: Callable[[Emulator], None],
) -> None:
    events: list[Event] = []
    client = make_client(
        providers=_providers(),
        hooks=[events.append, LoggingHook()],
        poll=PollPolicy(interval=0, max_interval=0, timeout=0.3),
    )
    arrange(emulator)
    caught: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        try:
            client.generate(f"mail {EMAIL}", provider="suno")
        except MusicGenError as error:
            caught.append(error)
    texts = [repr(e) for e in events]
    texts += [r.getMessage() + repr(r.__dict__) for r in caplog.records]
    texts += [repr(e) + str(e) for e in caught]
    assert events
    for text in texts:
        assert KEY not in text
        assert TOKEN not in text
        assert EMAIL not in text
