"""Retries: status reads are retried; a paid submission is never sent twice."""

from __future__ import annotations

import pytest
import stamina

from musicgen import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InsufficientCreditsError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    SubmissionUncertainError,
    TaskStatus,
    UnexpectedResponseError,
)
from musicgen.testing import Emulator, Fault

from .conftest import MakeClient, Runner

SUNO = {"provider": "suno", "prompt": "a calm tune"}
MUREKA = {"provider": "mureka", "lyrics": "[Verse]\nla"}
BOTH = pytest.mark.parametrize("call", [SUNO, MUREKA], ids=["suno", "mureka"])


def _submit_posts(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.method == "POST")


@BOTH
def test_rate_limited_submission_is_retried_and_charged_once(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("rate_limit", operation="submit", times=2))
    generation = client.generate(**call)
    assert generation.status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 1
    assert _submit_posts(emulator) == 3


def test_maintenance_refusal_of_a_submission_is_retried(client: Runner, emulator: Emulator) -> None:
    emulator.inject(Fault("maintenance", provider="suno", operation="submit"))
    assert client.generate(**SUNO).status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 1


@BOTH
def test_connection_never_made_is_retried(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("connect_error", operation="submit"))
    assert client.generate(**call).status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 1


@BOTH
def test_dropped_submission_response_is_never_resent(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("drop", operation="submit"))
    with pytest.raises(SubmissionUncertainError) as info:
        client.generate(**call)
    assert isinstance(info.value, APITimeoutError)
    assert "may have" in str(info.value)
    assert emulator.submissions() == 1
    assert _submit_posts(emulator) == 1


@BOTH
def test_server_error_on_submission_is_never_resent(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("server_error", operation="submit", processed=True))
    with pytest.raises(SubmissionUncertainError) as info:
        client.generate(**call)
    assert isinstance(info.value, ServerError)
    assert _submit_posts(emulator) == 1


@BOTH
def test_malformed_submission_answer_is_never_resent(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("malformed_json", operation="submit"))
    with pytest.raises(SubmissionUncertainError) as info:
        client.generate(**call)
    assert isinstance(info.value, UnexpectedResponseError)
    assert _submit_posts(emulator) == 1


@BOTH
def test_out_of_credits_is_not_retried(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("credits", operation="submit"))
    with pytest.raises(InsufficientCreditsError):
        client.generate(**call)
    assert _submit_posts(emulator) == 1


def test_running_out_of_suno_credits_is_insufficient_credits_not_a_rate_limit(
    make_client: MakeClient,
) -> None:
    poor = Emulator(suno_credits=5)
    client = make_client(poor)
    with pytest.raises(InsufficientCreditsError) as info:
        client.generate(**SUNO)
    assert not isinstance(info.value, RateLimitError)
    assert info.value.code == 429


@BOTH
def test_auth_failure_is_not_retried(
    client: Runner, emulator: Emulator, call: dict[str, str]
) -> None:
    emulator.inject(Fault("auth", times=5))
    with pytest.raises(AuthenticationError):
        client.generate(**call)
    assert len(emulator.requests) == 1


@BOTH
@pytest.mark.parametrize("kind", ["server_error", "drop", "rate_limit", "malformed_json", "slow"])
def test_status_reads_survive_transient_faults(
    client: Runner, emulator: Emulator, call: dict[str, str], kind: str
) -> None:
    emulator.inject(Fault(kind, operation="status", times=2, delay=0.01))
    assert client.generate(**call).status is TaskStatus.SUCCEEDED
    assert emulator.submissions() == 1


def test_suno_null_data_right_after_submit_is_still_pending(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("null_data", provider="suno", operation="status"))
    assert client.generate(**SUNO).status is TaskStatus.SUCCEEDED


def test_read_failures_past_the_retry_budget_keep_polling(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(retry=RetryPolicy(attempts=1, wait_initial=0, wait_jitter=0))
    emulator.inject(Fault("server_error", operation="status", times=3))
    assert client.generate(**SUNO).status is TaskStatus.SUCCEEDED


def test_balance_read_is_retried_on_connection_errors(client: Runner, emulator: Emulator) -> None:
    emulator.inject(Fault("drop", operation="balance"))
    assert client.balance("suno").amount == emulator.suno_credits


def test_exhausted_read_retries_raise_a_connection_error(
    client: Runner, emulator: Emulator
) -> None:
    emulator.inject(Fault("drop", operation="balance", times=10))
    with pytest.raises(APIConnectionError) as info:
        client.balance("mureka")
    assert info.value.correlation_id


def test_stamina_testing_mode_keeps_retries_without_waiting(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(retry=RetryPolicy(wait_initial=30, wait_max=30))  # would wait 30 s
    emulator.inject(Fault("rate_limit", operation="submit", retry_after="30"))
    with stamina.set_testing(True, attempts=3):
        assert client.generate(**SUNO).status is TaskStatus.SUCCEEDED
    assert _submit_posts(emulator) == 2
