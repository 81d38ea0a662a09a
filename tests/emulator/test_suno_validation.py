"""Suno request validation, auth and routing, faithful to the real API's messages."""

from __future__ import annotations

from typing import Any

import pytest

from musicgen.testing import Emulator


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"callBackUrl": None}, "Please enter callBackUrl."),
        ({"customMode": None}, "customMode cannot be null"),
        ({"instrumental": None}, "instrumental cannot be null"),
        ({"model": None}, "model cannot be null"),
        ({"style": None}, "style cannot be null"),
        ({"title": None}, "title cannot be null"),
        ({"prompt": None}, "prompt cannot be null"),
        ({"customMode": False, "prompt": None}, "prompt cannot be null"),
    ],
)
def test_missing_field_is_code_400_with_the_real_message(
    em: Emulator, suno: Any, overrides: dict[str, Any], message: str
) -> None:
    response = suno.generate(**overrides)

    assert response.status_code == 200  # body-level error, like the live API
    assert response.json() == {"code": 400, "msg": message, "data": None}
    assert em.submissions() == 0


def test_unknown_model_is_rejected(suno: Any) -> None:
    body = suno.generate(model="V9").json()

    assert body["code"] == 400
    assert "model" in body["msg"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customMode", "yes"),
        ("vocalGender", "x"),
        ("styleWeight", 1.5),
        ("personaModel", "other"),
    ],
)
def test_badly_typed_or_ranged_field_is_rejected(suno: Any, field: str, value: Any) -> None:
    body = suno.generate(**{field: value}).json()

    assert body["code"] == 400
    assert field in body["msg"]


def test_instrumental_custom_mode_needs_no_prompt(suno: Any) -> None:
    body = suno.generate(instrumental=True, prompt=None).json()

    assert body["code"] == 200


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        ("V4", "prompt", 3000),
        ("V3_5", "prompt", 3000),
        ("V4_5", "prompt", 5000),
        ("V5", "prompt", 5000),
        ("V4", "style", 200),
        ("V4_5PLUS", "style", 1000),
        ("V4", "title", 80),
        ("V4_5ALL", "title", 80),
        ("V5", "title", 100),
        ("V5_5", "title", 100),
    ],
)
def test_custom_mode_length_limits_per_model(suno: Any, model: str, field: str, limit: int) -> None:
    at_limit = suno.generate(model=model, **{field: "a" * limit}).json()
    over_limit = suno.generate(model=model, **{field: "a" * (limit + 1)}).json()

    assert at_limit["code"] == 200
    assert over_limit == {"code": 413, "msg": "Theme or prompt too long", "data": None}


def test_simple_mode_prompt_is_limited_to_500(suno: Any) -> None:
    ok = suno.generate(customMode=False, prompt="a" * 500).json()
    too_long = suno.generate(customMode=False, prompt="a" * 501).json()

    assert ok["code"] == 200
    assert too_long["code"] == 413


def test_rejected_request_charges_nothing(em: Emulator, suno: Any) -> None:
    suno.generate(title="t" * 500)

    assert em.suno_credits == 500


def test_missing_bearer_token_is_401(suno: Any) -> None:
    response = suno.client.get("/api/v1/generate/credit", headers={"Authorization": ""})

    assert response.status_code == 401
    assert response.json()["code"] == 401


def test_configured_key_rejects_other_tokens(suno_for: Any) -> None:
    api = suno_for(Emulator(suno_api_key="right"))

    wrong = api.client.get("/api/v1/generate/credit")
    right = api.client.get("/api/v1/generate/credit", headers={"Authorization": "Bearer right"})

    assert wrong.json()["code"] == 401
    assert right.json()["code"] == 200


def test_unknown_suno_path_is_a_404_envelope(suno: Any) -> None:
    response = suno.client.get("/api/v1/get-credits")

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "msg": "Invalid request method or path",
        "data": None,
    }


def test_wrong_method_is_a_404_envelope(suno: Any) -> None:
    response = suno.client.get("/api/v1/generate")

    assert response.json()["code"] == 404


def test_non_json_body_is_rejected(suno: Any) -> None:
    body = suno.client.post("/api/v1/generate", content=b"not json").json()

    assert body["code"] == 400
