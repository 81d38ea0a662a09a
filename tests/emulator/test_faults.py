"""Injected faults: each kind, per provider, with its real error shape and side effects."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from musicgen.testing import SUNO_CREDITS_PER_GENERATE, Emulator, Fault

SUNO_REFUSALS = [
    ("rate_limit", 200, 430, "Your call frequency is too high. Please try again later."),
    ("credits", 200, 429, None),
    ("server_error", 200, 500, "Server error"),
    ("maintenance", 200, 455, "System maintenance"),
    ("overloaded", 503, 503, None),
    ("auth", 401, 401, None),
]
MUREKA_REFUSALS = [
    ("rate_limit", 429, "Rate limit reached for requests"),
    ("credits", 429, "You exceeded your current quota, please check your plan and billing details"),
    ("server_error", 500, "Server Error"),
    ("maintenance", 503, None),
    ("overloaded", 503, "Engine overloaded"),
    ("auth", 401, "Invalid Authentication"),
]


@pytest.mark.parametrize(("kind", "http_status", "code", "msg"), SUNO_REFUSALS)
def test_suno_refusal_shape_and_nothing_processed(
    em: Emulator, suno: Any, kind: str, http_status: int, code: int, msg: str | None
) -> None:
    em.inject(Fault(kind, provider="suno"))

    response = suno.generate()

    assert response.status_code == http_status
    body = response.json()
    assert body["code"] == code
    assert body["data"] is None
    if msg is not None:
        assert body["msg"] == msg
    assert em.submissions() == 0
    assert em.suno_credits == 500


def test_suno_credits_fault_reads_like_insufficient_credits(em: Emulator, suno: Any) -> None:
    em.inject(Fault("credits"))

    assert suno.generate().json()["msg"].startswith("Insufficient credits")


@pytest.mark.parametrize(("kind", "http_status", "message"), MUREKA_REFUSALS)
def test_mureka_refusal_shape_and_nothing_processed(
    em: Emulator, mureka: Any, kind: str, http_status: int, message: str | None
) -> None:
    em.inject(Fault(kind, provider="mureka"))

    response = mureka.generate()

    assert response.status_code == http_status
    body = response.json()
    assert set(body) == {"error", "trace_id"}
    if message is not None:
        assert body["error"]["message"] == message
    assert em.submissions() == 0
    assert em.mureka_balance_cents == 10_000


def test_suno_rate_limit_code_can_be_405(em: Emulator, suno: Any) -> None:
    em.inject(Fault("rate_limit", code=405))

    body = suno.generate().json()

    assert (body["code"], body["msg"]) == (405, "Rate limit exceeded")


def test_suno_server_error_can_be_a_real_http_500(em: Emulator, suno: Any) -> None:
    em.inject(Fault("server_error", http_status=500))

    response = suno.generate()

    assert response.status_code == 500
    assert response.json()["code"] == 500


def test_retry_after_header_is_added_to_refusals(em: Emulator, mureka: Any) -> None:
    em.inject(Fault("rate_limit", retry_after="7"))

    response = mureka.generate()

    assert response.headers["Retry-After"] == "7"


def test_fault_affects_exactly_times_requests(em: Emulator, suno: Any) -> None:
    em.inject(Fault("maintenance", times=2))

    codes = [suno.generate().json()["code"] for _ in range(3)]

    assert codes == [455, 455, 200]


def test_provider_filter_spares_the_other_provider(em: Emulator, suno: Any, mureka: Any) -> None:
    em.inject(Fault("server_error", provider="mureka"))

    assert suno.generate().json()["code"] == 200
    assert mureka.generate().status_code == 500


def test_operation_filter_spares_other_operations(em: Emulator, suno: Any) -> None:
    em.inject(Fault("rate_limit", operation="status"))

    task_id = suno.submit()
    refused = suno.record_info(task_id)
    served = suno.record_info(task_id)

    assert refused["code"] == 430
    assert served["data"]["status"] == "PENDING"  # the refused read did not advance the task


def test_balance_operation_matches_credit_and_billing(em: Emulator, suno: Any, mureka: Any) -> None:
    em.inject(Fault("server_error", operation="balance", times=2))

    assert suno.client.get("/api/v1/generate/credit").json()["code"] == 500
    assert mureka.client.get("/v1/account/billing").status_code == 500


def test_processed_server_error_still_creates_and_charges(em: Emulator, suno: Any) -> None:
    em.inject(Fault("server_error", processed=True))

    body = suno.generate().json()

    assert body["code"] == 500
    assert em.submissions("suno") == 1
    assert em.suno_credits == 500 - SUNO_CREDITS_PER_GENERATE


def test_slow_sleeps_then_answers_normally(em: Emulator, suno: Any) -> None:
    em.inject(Fault("slow", delay=0.05))

    started = time.monotonic()
    body = suno.generate().json()

    assert time.monotonic() - started >= 0.05
    assert body["code"] == 200


def test_drop_processes_suno_submit_but_loses_the_answer(em: Emulator, suno: Any) -> None:
    em.inject(Fault("drop", operation="submit"))

    with pytest.raises(httpx.ReadTimeout):
        suno.generate()

    assert em.submissions("suno") == 1
    assert em.suno_credits == 500 - SUNO_CREDITS_PER_GENERATE
    assert len(em.tasks) == 1


def test_drop_processes_mureka_submit_but_loses_the_answer(em: Emulator, mureka: Any) -> None:
    em.inject(Fault("drop", provider="mureka"))

    with pytest.raises(httpx.ReadTimeout):
        mureka.generate(n=1)

    assert em.submissions("mureka") == 1
    assert em.mureka_balance_cents < 10_000


def test_drop_on_status_advances_the_task(em: Emulator, suno: Any) -> None:
    task_id = suno.submit()
    em.inject(Fault("drop", operation="status"))

    with pytest.raises(httpx.ReadTimeout):
        suno.record_info(task_id)

    assert suno.record_info(task_id)["data"]["status"] == "TEXT_SUCCESS"


@pytest.mark.parametrize("provider", ["suno", "mureka"])
def test_connect_error_processes_nothing(
    em: Emulator, suno: Any, mureka: Any, provider: str
) -> None:
    em.inject(Fault("connect_error", provider=provider))
    api = suno if provider == "suno" else mureka

    with pytest.raises(httpx.ConnectError):
        api.generate()

    assert em.submissions() == 0
    assert em.tasks == {}


@pytest.mark.parametrize("provider", ["suno", "mureka"])
def test_malformed_json_is_truncated_json(
    em: Emulator, suno: Any, mureka: Any, provider: str
) -> None:
    em.inject(Fault("malformed_json", provider=provider))
    api = suno if provider == "suno" else mureka

    response = api.generate()

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_suno_malformed_json_body_is_the_documented_prefix(em: Emulator, suno: Any) -> None:
    em.inject(Fault("malformed_json"))

    assert suno.generate().content == b'{"code": 200, "data": {'


def test_suno_null_data_on_record_info(em: Emulator, suno: Any) -> None:
    task_id = suno.submit()
    em.inject(Fault("null_data", operation="status"))

    body = suno.record_info(task_id)

    assert body == {"code": 200, "msg": "success", "data": None}
    assert suno.record_info(task_id)["data"]["status"] == "PENDING"


def test_mureka_null_data_is_a_null_body(em: Emulator, mureka: Any) -> None:
    task_id = mureka.submit()
    em.inject(Fault("null_data", operation="status"))

    response = mureka.client.get(f"/v1/song/query/{task_id}")

    assert response.status_code == 200
    assert response.json() is None


def test_audio_faults_are_plain_http_errors(em: Emulator, suno: Any) -> None:
    task_id = suno.submit()
    url = suno.finish(task_id)["response"]["sunoData"][0]["audioUrl"]
    em.inject(Fault("rate_limit", operation="audio", provider="suno"))

    refused = suno.client.get(url)
    served = suno.client.get(url)

    assert refused.status_code == 429
    assert served.status_code == 200


def test_clear_faults_disarms_everything(em: Emulator, suno: Any) -> None:
    em.inject(Fault("server_error", times=5))
    em.clear_faults()

    assert suno.generate().json()["code"] == 200


def test_first_injected_matching_fault_wins(em: Emulator, suno: Any) -> None:
    em.inject(Fault("maintenance"))
    em.inject(Fault("rate_limit"))

    codes = [suno.generate().json()["code"] for _ in range(3)]

    assert codes == [455, 430, 200]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "ratelimit"},
        {"kind": "slow", "operation": "poll"},
        {"kind": "slow", "times": 0},
        {"kind": "slow", "delay": -1.0},
    ],
)
def test_invalid_fault_is_rejected_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Fault(**kwargs)


def test_misspelt_provider_is_rejected_at_inject(em: Emulator) -> None:
    # Providers depend on the routes an emulator has, so Fault itself cannot check them.
    with pytest.raises(ValueError, match="udio"):
        em.inject(Fault("slow", provider="udio"))


def test_refused_requests_are_still_recorded(em: Emulator, suno: Any) -> None:
    em.inject(Fault("rate_limit"))

    suno.generate(title="Recorded")

    (recorded,) = em.requests
    assert (recorded.method, recorded.path) == ("POST", "/api/v1/generate")
    assert recorded.url == "https://api.sunoapi.org/api/v1/generate"
    assert recorded.json["title"] == "Recorded"
    assert recorded.headers["authorization"] == "Bearer test-key"
