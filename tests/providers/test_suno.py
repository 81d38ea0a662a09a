"""The sunoapi.org driver, tested sans-I/O: plain request and response values, no mocks.

Payloads come from ``tests/fixtures/suno`` (their sources are listed in the README there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    Generation,
    GenerationRequest,
    InsufficientCreditsError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TaskStatus,
    Track,
    UnexpectedResponseError,
    ValidationError,
)
from musicgen._models_catalog import SUNO_CATALOG
from musicgen.providers import Provider
from musicgen.providers.suno import (
    DEFAULT_BASE_URL,
    PLACEHOLDER_CALLBACK_URL,
    SunoProvider,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "suno"
KEY = "sk-test-planted-secret-0123456789"
TASK_ID = "09c0edbd9dc50df9b6174a7b240bbcba"
ENV_VARS = ("MUSICGEN_SUNO_API_KEY", "SUNO_API_KEY")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def provider(**kwargs: Any) -> SunoProvider:
    kwargs.setdefault("api_key", KEY)
    return SunoProvider(**kwargs)


def response(
    payload: Any = None,
    status: int = 200,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request("GET", f"{DEFAULT_BASE_URL}/api/v1/generate/record-info")
    if content is not None:
        return httpx.Response(status, content=content, headers=headers, request=request)
    return httpx.Response(status, json=payload, headers=headers, request=request)


def simple(prompt: str = "A calm piano melody about rain", **kwargs: Any) -> GenerationRequest:
    kwargs.setdefault("model", "V4_5")
    return GenerationRequest(provider="suno", prompt=prompt, **kwargs)


def custom(**kwargs: Any) -> GenerationRequest:
    fields: dict[str, Any] = {
        "model": "V4_5",
        "lyrics": "[Verse]\nRain on the window",
        "style": "Classical, piano",
        "title": "Rainy Memories",
    }
    fields.update(kwargs)
    return GenerationRequest(provider="suno", **fields)


def body_of(request: httpx.Request) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(request.content)
    return decoded


def envelope(data: Any, code: Any = 200, msg: str = "success") -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data}


def record(status: str, tracks: list[Any] | None = None, **data: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "taskId": TASK_ID,
        "status": status,
        "response": None if tracks is None else {"taskId": TASK_ID, "sunoData": tracks},
        "errorCode": None,
        "errorMessage": None,
    }
    payload.update(data)
    return envelope(payload)


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_provider_satisfies_the_protocol() -> None:
    assert isinstance(provider(), Provider)
    assert provider().name == "suno"
    assert provider().catalog is SUNO_CATALOG


@pytest.mark.parametrize("variable", ENV_VARS)
def test_api_key_is_read_from_each_environment_variable(
    no_env_key: pytest.MonkeyPatch, variable: str
) -> None:
    no_env_key.setenv(variable, "env-key")
    request = SunoProvider().balance().request
    assert request.headers["Authorization"] == "Bearer env-key"


def test_musicgen_variable_wins_over_suno_variable(no_env_key: pytest.MonkeyPatch) -> None:
    no_env_key.setenv("MUSICGEN_SUNO_API_KEY", "first")
    no_env_key.setenv("SUNO_API_KEY", "second")
    assert SunoProvider().balance().request.headers["Authorization"] == "Bearer first"


def test_explicit_api_key_wins_over_environment(no_env_key: pytest.MonkeyPatch) -> None:
    no_env_key.setenv("SUNO_API_KEY", "from-env")
    assert provider().balance().request.headers["Authorization"] == f"Bearer {KEY}"


def test_missing_api_key_is_a_configuration_error_naming_the_variables(
    no_env_key: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SunoProvider()
    assert "MUSICGEN_SUNO_API_KEY" in str(caught.value)
    assert "SUNO_API_KEY" in str(caught.value)


def test_repr_shows_name_and_base_url_but_never_the_key() -> None:
    text = repr(provider())
    assert KEY not in text
    assert "suno" in text
    assert DEFAULT_BASE_URL in text


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.sunoapi.org",
        "https://api.sunoapi.org/",
        "https://api.sunoapi.org/api/v1",
        "https://api.sunoapi.org/api/v1/",
    ],
)
def test_base_url_with_or_without_api_v1_suffix_builds_the_same_paths(base_url: str) -> None:
    request = provider(base_url=base_url).balance().request
    assert str(request.url) == "https://api.sunoapi.org/api/v1/generate/credit"


def test_custom_base_url_is_used() -> None:
    request = provider(base_url="http://localhost:8080").generate(simple()).request
    assert str(request.url) == "http://localhost:8080/api/v1/generate"


def test_constructor_rejects_a_callback_url_that_is_not_http() -> None:
    with pytest.raises(ConfigurationError, match="callback_url"):
        provider(callback_url="ftp://example.org/hook")


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def test_submit_request_is_an_authenticated_json_post_to_generate() -> None:
    request = provider().generate(simple()).request
    assert request.method == "POST"
    assert str(request.url) == "https://api.sunoapi.org/api/v1/generate"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"


def test_simple_mode_body_sends_the_description_as_prompt() -> None:
    body = body_of(provider().generate(simple("A calm piano melody")).request)
    assert body == {
        "customMode": False,
        "instrumental": False,
        "model": "V4_5",
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
        "prompt": "A calm piano melody",
    }


def test_custom_mode_body_sends_lyrics_as_prompt_with_style_and_title() -> None:
    body = body_of(provider().generate(custom(model="V5")).request)
    assert body == {
        "customMode": True,
        "instrumental": False,
        "model": "V5",
        "callBackUrl": PLACEHOLDER_CALLBACK_URL,
        "prompt": "[Verse]\nRain on the window",
        "style": "Classical, piano",
        "title": "Rainy Memories",
    }


def test_custom_instrumental_body_omits_prompt() -> None:
    body = body_of(provider().generate(custom(lyrics=None, instrumental=True)).request)
    assert "prompt" not in body
    assert body["customMode"] is True
    assert body["instrumental"] is True


def test_text_fields_are_sent_without_surrounding_whitespace() -> None:
    body = body_of(provider().generate(custom(style="  Jazz \n", title="\tBlue ")).request)
    assert (body["style"], body["title"]) == ("Jazz", "Blue")


def test_placeholder_callback_url_is_sent_when_none_is_configured() -> None:
    assert PLACEHOLDER_CALLBACK_URL.startswith("https://example.com/")
    body = body_of(provider().generate(simple()).request)
    assert body["callBackUrl"] == PLACEHOLDER_CALLBACK_URL


def test_constructor_callback_url_is_sent() -> None:
    body = body_of(provider(callback_url="https://hooks.test/suno").generate(simple()).request)
    assert body["callBackUrl"] == "https://hooks.test/suno"


def test_per_call_callback_url_overrides_the_constructor() -> None:
    driver = provider(callback_url="https://hooks.test/default")
    body = body_of(
        driver.generate(simple(options={"callback_url": "https://hooks.test/x"})).request
    )
    assert body["callBackUrl"] == "https://hooks.test/x"
    assert "callback_url" not in body


def test_options_are_sent_under_their_camel_case_names() -> None:
    options = {
        "negative_tags": "heavy metal",
        "vocal_gender": "female",
        "style_weight": 0.65,
        "weirdness_constraint": 0,
        "audio_weight": 1,
        "persona_id": "persona-123",
        "persona_model": "voice_persona",
    }
    body = body_of(provider().generate(custom(options=options)).request)
    assert {key: body[key] for key in body if key not in custom_keys()} == {
        "negativeTags": "heavy metal",
        "vocalGender": "f",
        "styleWeight": 0.65,
        "weirdnessConstraint": 0.0,
        "audioWeight": 1.0,
        "personaId": "persona-123",
        "personaModel": "voice_persona",
    }


def custom_keys() -> set[str]:
    return {"customMode", "instrumental", "model", "callBackUrl", "prompt", "style", "title"}


@pytest.mark.parametrize(("given_value", "sent"), [("m", "m"), ("Male", "m"), ("F", "f")])
def test_vocal_gender_accepts_letters_and_words(given_value: str, sent: str) -> None:
    body = body_of(provider().generate(simple(options={"vocal_gender": given_value})).request)
    assert body["vocalGender"] == sent


def test_none_and_blank_options_are_not_sent() -> None:
    options = {"negative_tags": "  ", "persona_id": None, "style_weight": None}
    body = body_of(provider().generate(simple(options=options)).request)
    assert set(body) == {"customMode", "instrumental", "model", "callBackUrl", "prompt"}


def test_submit_request_validates_before_building() -> None:
    with pytest.raises(ValidationError):
        provider().generate(simple(prompt="   "))


def test_status_request_is_an_authenticated_get_of_record_info() -> None:
    request = provider().status(TASK_ID).request
    assert request.method == "GET"
    assert str(request.url) == (
        f"https://api.sunoapi.org/api/v1/generate/record-info?taskId={TASK_ID}"
    )
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"
    assert request.content == b""


def test_status_request_rejects_an_empty_task_id() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().status(" ")
    assert caught.value.field == "task_id"


def test_balance_request_is_an_authenticated_get_of_credit() -> None:
    request = provider().balance().request
    assert request.method == "GET"
    assert str(request.url) == "https://api.sunoapi.org/api/v1/generate/credit"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

LIMIT_CASES = [
    (model, field, SUNO_CATALOG.get(model).limits[field])
    for model in SUNO_CATALOG.ids
    for field in ("prompt", "lyrics", "style", "title")
]


def request_with(model: str, field: str, value: str) -> GenerationRequest:
    if field == "prompt":
        return simple(value, model=model)
    return custom(model=model, **{field: value})


@pytest.mark.parametrize(("model", "field", "limit"), LIMIT_CASES)
def test_field_at_its_limit_is_accepted(model: str, field: str, limit: int) -> None:
    provider().validate(request_with(model, field, "x" * limit))


@pytest.mark.parametrize(("model", "field", "limit"), LIMIT_CASES)
def test_field_over_its_limit_names_field_limit_length_and_model(
    model: str, field: str, limit: int
) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(request_with(model, field, "x" * (limit + 1)))
    message = str(caught.value)
    assert caught.value.field == field
    assert field in message
    assert str(limit) in message
    assert str(limit + 1) in message
    assert model in message
    assert "shorten" in message


def test_known_limits_match_the_current_docs() -> None:
    assert SUNO_CATALOG.get("V4").limits == {
        "lyrics": 3000,
        "style": 200,
        "title": 80,
        "prompt": 500,
    }
    assert SUNO_CATALOG.get("V4_5ALL").limits["title"] == 80
    assert SUNO_CATALOG.get("V5").limits["lyrics"] == 5000


def test_over_limit_message_points_to_models_with_a_higher_limit() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(request_with("V4", "lyrics", "x" * 3001))
    assert "V4_5" in str(caught.value)
    assert "5000" in str(caught.value)


def test_whitespace_only_prompt_counts_as_missing() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(simple("  \n "))
    assert caught.value.field == "prompt"


def test_simple_mode_requires_a_prompt() -> None:
    with pytest.raises(ValidationError, match="prompt") as caught:
        provider().validate(GenerationRequest(provider="suno", model="V4_5"))
    assert caught.value.field == "prompt"


@pytest.mark.parametrize("missing", ["style", "title"])
def test_custom_mode_requires_style_and_title(missing: str) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(custom(**{missing: " "}))
    assert caught.value.field == missing
    assert missing in str(caught.value)


def test_custom_mode_requires_lyrics_unless_instrumental() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(custom(lyrics=None))
    assert caught.value.field == "lyrics"
    assert "instrumental" in str(caught.value)


def test_custom_instrumental_without_lyrics_is_valid() -> None:
    provider().validate(custom(lyrics=None, instrumental=True))


def test_instrumental_with_lyrics_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(custom(instrumental=True))
    assert caught.value.field == "lyrics"


def test_prompt_in_custom_mode_explains_where_lyrics_and_style_go() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(custom(prompt="a sad song"))
    assert caught.value.field == "prompt"
    assert "lyrics=" in str(caught.value)
    assert "style=" in str(caught.value)


def test_unknown_option_is_named_and_accepted_ones_listed() -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(simple(options={"tempo": 120}))
    assert caught.value.field == "tempo"
    assert "'tempo'" in str(caught.value)
    assert "negative_tags" in str(caught.value)
    assert "persona_model" in str(caught.value)


def test_camel_case_option_suggests_its_snake_case_name() -> None:
    with pytest.raises(ValidationError, match="Did you mean 'negative_tags'"):
        provider().validate(simple(options={"negativeTags": "metal"}))


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("negative_tags", 3),
        ("vocal_gender", "x"),
        ("vocal_gender", 1),
        ("style_weight", True),
        ("style_weight", "0.5"),
        ("style_weight", 1.01),
        ("weirdness_constraint", -0.1),
        ("audio_weight", float("nan")),
        ("persona_id", ["p"]),
        ("persona_model", "other_persona"),
        ("callback_url", "not a url"),
        ("callback_url", "ftp://example.org/hook"),
    ],
)
def test_option_of_the_wrong_type_or_range_is_rejected(option: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider().validate(simple(options={option: value}))
    assert caught.value.field == option
    assert option in str(caught.value)


@given(
    prompt=st.one_of(st.none(), st.text(max_size=600)),
    lyrics=st.one_of(st.none(), st.text(max_size=30)),
    style=st.one_of(st.none(), st.text(max_size=30)),
    title=st.one_of(st.none(), st.text(max_size=30)),
    instrumental=st.booleans(),
    model=st.sampled_from(SUNO_CATALOG.ids),
)
@settings(max_examples=100, deadline=None)
def test_submit_either_rejects_input_or_sends_a_body_without_nulls(
    prompt: str | None,
    lyrics: str | None,
    style: str | None,
    title: str | None,
    instrumental: bool,
    model: str,
) -> None:
    request = GenerationRequest(
        provider="suno",
        model=model,
        prompt=prompt,
        lyrics=lyrics,
        style=style,
        title=title,
        instrumental=instrumental,
    )
    try:
        built = provider().generate(request).request
    except ValidationError:
        return
    body = body_of(built)
    assert None not in body.values()
    assert {"customMode", "instrumental", "model", "callBackUrl"} <= set(body)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

ERROR_ROWS = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (404, NotFoundError),
    (405, RateLimitError),
    (409, BadRequestError),
    (413, BadRequestError),
    (429, InsufficientCreditsError),
    (430, RateLimitError),
    (455, MaintenanceError),
    (500, ServerError),
    (422, BadRequestError),  # another 4xx
    (451, BadRequestError),
    (501, ServerError),  # another 5xx
    (531, ServerError),
]


@pytest.mark.parametrize(("code", "error_type"), ERROR_ROWS)
def test_body_code_on_http_200_raises_its_error_type(code: int, error_type: type[APIError]) -> None:
    with pytest.raises(error_type) as caught:
        provider().generate(simple()).parse(response(envelope(None, code, "nope")))
    assert type(caught.value) is error_type
    assert (caught.value.status_code, caught.value.code) == (200, code)


@pytest.mark.parametrize(("code", "error_type"), ERROR_ROWS)
def test_real_http_status_with_body_code_raises_its_error_type(
    code: int, error_type: type[APIError]
) -> None:
    with pytest.raises(error_type) as caught:
        provider().generate(simple()).parse(response(envelope(None, code, "nope"), code))
    assert type(caught.value) is error_type
    assert (caught.value.status_code, caught.value.code) == (code, code)


def test_a_status_read_refused_as_a_bad_parameter_means_no_such_task() -> None:
    # The read's only parameter is a non-empty task id: code 400 can only mean an unknown task.
    answer = response(envelope(None, 400, "Task not found: no music task with taskId x"))
    with pytest.raises(NotFoundError) as caught:
        provider().status(TASK_ID).parse(answer)
    assert caught.value.code == 400


def test_429_credits_is_not_a_rate_limit() -> None:
    with pytest.raises(InsufficientCreditsError) as caught:
        provider().generate(simple()).parse(response(envelope(None, 429, "Insufficient credits")))
    assert not isinstance(caught.value, RateLimitError)
    assert "top up" in caught.value.message


def test_error_carries_provider_message_and_body() -> None:
    payload = load("error_callback_url_missing.json")
    with pytest.raises(BadRequestError) as caught:
        provider().generate(simple()).parse(response(payload))
    error = caught.value
    assert error.provider == "suno"
    assert error.message == "Please enter callBackUrl."
    assert error.body == payload
    assert "Please enter callBackUrl." in str(error)


def test_body_code_may_be_a_numeric_string() -> None:
    with pytest.raises(RateLimitError) as caught:
        provider().status(TASK_ID).parse(response(envelope(None, "430")))
    assert caught.value.code == 430


def test_string_success_code_is_accepted() -> None:
    assert provider().balance().parse(response(envelope(7, "200"))).amount == 7


@pytest.mark.parametrize(
    ("code", "hint"),
    [(405, "20 generate requests"), (430, "slow down"), (455, "maintenance")],
)
def test_retryable_refusals_carry_a_short_hint(code: int, hint: str) -> None:
    with pytest.raises(APIError) as caught:
        provider().status(TASK_ID).parse(response(envelope(None, code, "refused")))
    assert caught.value.message.startswith("refused")
    assert hint in caught.value.message


def test_missing_msg_falls_back_to_the_documented_meaning() -> None:
    with pytest.raises(MaintenanceError, match="system maintenance"):
        provider().status(TASK_ID).parse(response({"code": 455, "data": None}))


def test_plain_non_json_401_is_an_authentication_error() -> None:
    with pytest.raises(AuthenticationError) as caught:
        provider().status(TASK_ID).parse(response(content=b"Unauthorized", status=401))
    assert caught.value.status_code == 401
    assert caught.value.code is None
    assert "Unauthorized" in caught.value.message


def test_plain_non_json_502_is_a_server_error() -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    with pytest.raises(ServerError) as caught:
        provider().generate(simple()).parse(response(content=page, status=502))
    assert caught.value.status_code == 502


def test_bare_http_429_without_envelope_is_a_gateway_rate_limit() -> None:
    with pytest.raises(RateLimitError):
        provider().status(TASK_ID).parse(response(content=b"Too Many Requests", status=429))


def test_error_status_with_success_body_code_is_still_an_error() -> None:
    with pytest.raises(ServerError):
        provider().status(TASK_ID).parse(response(envelope(None), 503))


def test_retry_after_is_parsed_from_the_headers() -> None:
    answer = response(envelope(None, 430), headers={"Retry-After": "7"})
    with pytest.raises(RateLimitError) as caught:
        provider().generate(simple()).parse(answer)
    assert caught.value.retry_after == 7.0


def test_error_without_retry_after_has_none() -> None:
    with pytest.raises(ServerError) as caught:
        provider().status(TASK_ID).parse(response(envelope(None, 500)))
    assert caught.value.retry_after is None


def test_error_message_never_echoes_the_api_key() -> None:
    answer = response(envelope(None, 401, f"invalid key {KEY}"))
    with pytest.raises(AuthenticationError) as caught:
        provider().status(TASK_ID).parse(answer)
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


def test_malformed_json_on_2xx_is_an_unexpected_response() -> None:
    with pytest.raises(UnexpectedResponseError, match="not valid JSON"):
        provider().status(TASK_ID).parse(response(content=b'{"code": 200, "data": '))


@pytest.mark.parametrize("payload", [[1, 2], "success", 200, None])
def test_json_that_is_not_an_envelope_is_an_unexpected_response(payload: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().status(TASK_ID).parse(response(content=json.dumps(payload).encode()))


@pytest.mark.parametrize("code", [None, "abc", True, 1.5, {"x": 1}])
def test_envelope_without_a_usable_code_is_an_unexpected_response(code: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().balance().parse(response({"code": code, "msg": "success", "data": 1}))


def test_unknown_non_error_body_code_is_an_unexpected_response() -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().status(TASK_ID).parse(response(envelope(None, 302)))


# ---------------------------------------------------------------------------------------------
# Submit
# ---------------------------------------------------------------------------------------------


def test_parse_submit_returns_a_queued_generation() -> None:
    payload = load("submit_live.json")
    generation = provider().generate(custom(instrumental=False)).parse(response(payload))
    assert generation == Generation(
        task_id=TASK_ID,
        provider="suno",
        model="V4_5",
        status=TaskStatus.QUEUED,
        provider_status="PENDING",
        instrumental=False,
    )
    assert generation.raw == payload


def test_parse_submit_accepts_snake_case_task_id() -> None:
    generation = provider().generate(simple()).parse(response(envelope({"task_id": "abc"})))
    assert generation.task_id == "abc"


@pytest.mark.parametrize("data", [None, {}, {"taskId": ""}, {"taskId": None}, ["abc"], "abc"])
def test_parse_submit_without_task_id_is_an_unexpected_response(data: Any) -> None:
    with pytest.raises(UnexpectedResponseError, match="taskId"):
        provider().generate(simple()).parse(response(envelope(data)))


# ---------------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------------

AUDIO = {"id": "a", "audioUrl": "https://cdn.test/a.mp3"}


@pytest.mark.parametrize(
    ("provider_status", "expected"),
    [
        ("PENDING", TaskStatus.QUEUED),
        ("TEXT_SUCCESS", TaskStatus.RUNNING),
        ("FIRST_SUCCESS", TaskStatus.RUNNING),
        ("SUCCESS", TaskStatus.SUCCEEDED),
        ("CREATE_TASK_FAILED", TaskStatus.FAILED),
        ("GENERATE_AUDIO_FAILED", TaskStatus.FAILED),
        ("SENSITIVE_WORD_ERROR", TaskStatus.FAILED),
        ("GENERATING", TaskStatus.RUNNING),
        ("FAILED", TaskStatus.FAILED),
        ("RUNNING", TaskStatus.RUNNING),
        ("PROCESSING", TaskStatus.RUNNING),
        ("success", TaskStatus.SUCCEEDED),
        ("Text_Success", TaskStatus.RUNNING),
        ("pending", TaskStatus.QUEUED),
    ],
)
def test_every_status_value_maps_to_a_shared_status(
    provider_status: str, expected: TaskStatus
) -> None:
    generation = provider().status(TASK_ID).parse(response(record(provider_status, [AUDIO])))
    assert generation.status is expected
    assert generation.provider_status == provider_status


def test_unknown_status_is_unknown_and_not_terminal() -> None:
    generation = provider().status(TASK_ID).parse(response(record("QUEUED_FOR_MIXING")))
    assert generation.status is TaskStatus.UNKNOWN
    assert not generation.is_done
    assert generation.provider_status == "QUEUED_FOR_MIXING"


def test_missing_status_is_unknown() -> None:
    generation = provider().status(TASK_ID).parse(response(envelope({"taskId": TASK_ID})))
    assert generation.status is TaskStatus.UNKNOWN


def test_callback_exception_with_audio_on_every_track_succeeded() -> None:
    tracks = [AUDIO, {"id": "b", "audioUrl": "https://cdn.test/b.mp3"}]
    generation = provider().status(TASK_ID).parse(response(record("CALLBACK_EXCEPTION", tracks)))
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.error is None


@pytest.mark.parametrize("tracks", [None, [], [AUDIO, {"id": "b", "audioUrl": ""}], [{"id": "b"}]])
def test_callback_exception_without_audio_for_every_track_failed(tracks: Any) -> None:
    generation = provider().status(TASK_ID).parse(response(record("CALLBACK_EXCEPTION", tracks)))
    assert generation.status is TaskStatus.FAILED
    assert generation.error


def test_sensitive_word_error_says_it_was_a_content_filter_refusal() -> None:
    answer = response(record("SENSITIVE_WORD_ERROR", errorMessage="Contains banned words"))
    generation = provider().status(TASK_ID).parse(answer)
    assert generation.error is not None
    assert "content-filter refusal" in generation.error
    assert "Contains banned words" in generation.error


def test_live_failure_reports_message_and_error_code() -> None:
    generation = provider().status("t").parse(response(load("record_info_live_failure.json")))
    assert generation.status is TaskStatus.FAILED
    assert generation.error == "Internal Error, Please try again later. (errorCode 500)"
    assert generation.model == "V4_5"
    assert generation.tracks == ()


def test_failure_without_a_message_gets_a_readable_error() -> None:
    generation = provider().status(TASK_ID).parse(response(record("CREATE_TASK_FAILED")))
    assert generation.error == "Suno could not create the task"


@pytest.mark.parametrize("provider_status", ["PENDING", "TEXT_SUCCESS", "SUCCESS", "WHATEVER"])
def test_error_is_none_unless_the_task_failed(provider_status: str) -> None:
    answer = response(record(provider_status, [AUDIO], errorMessage="stale text"))
    assert provider().status(TASK_ID).parse(answer).error is None


def test_data_null_right_after_submit_is_queued() -> None:
    generation = (
        provider()
        .status(TASK_ID, instrumental=True)
        .parse(response(load("record_info_data_null.json")))
    )
    assert generation.status is TaskStatus.QUEUED
    assert generation.provider_status == "PENDING"
    assert generation.tracks == ()
    assert generation.instrumental is True


def test_live_pending_reads_model_and_instrumental_from_the_param_string() -> None:
    payload = load("record_info_live_pending.json")
    generation = provider().status(TASK_ID, instrumental=True).parse(response(payload))
    assert generation.status is TaskStatus.QUEUED
    assert generation.tracks == ()
    assert generation.model == "V4"
    assert generation.instrumental is False
    assert generation.raw == payload


def test_param_may_be_an_object() -> None:
    generation = provider().status("t").parse(response(load("record_info_callback_items.json")))
    assert generation.model == "V4_5"
    assert generation.instrumental is False


def test_unreadable_param_falls_back_to_the_instrumental_argument() -> None:
    payload = load("record_info_live_success.json")
    generation = provider().status("t", instrumental=True).parse(response(payload))
    assert generation.model is None
    assert generation.instrumental is True


def test_docs_example_reads_a_complete_track() -> None:
    generation = provider().status("t").parse(response(load("record_info_docs_success.json")))
    assert generation.status is TaskStatus.SUCCEEDED
    assert generation.model == "V4_5ALL"
    assert generation.instrumental is True
    assert generation.tracks == (
        Track(
            id="8551****662c",
            audio_url="https://example.cn/****.mp3",
            stream_url="https://example.cn/****",
            image_url="https://example.cn/****.jpeg",
            duration=198.44,
            title="Track Title",
            lyrics="[Verse] lyrics content",
            tags=("electrifying", "rock"),
            index=0,
        ),
    )


def test_live_success_prefers_proxied_urls_and_tolerates_partial_items() -> None:
    generation = provider().status("t").parse(response(load("record_info_live_success.json")))
    first, second = generation.tracks
    assert first.audio_url == "https://tempfile.aiquickdraw.com/r/xxxx.mp3"
    assert first.stream_url == "https://musicfile.kie.ai/xxxx"
    assert first.image_url == "https://musicfile.kie.ai/xxxx.jpeg"
    assert first.lyrics is None  # "" for an instrumental
    assert first.tags == ("electronic", "ambient", "calm", "piano", "soft pad", "bpm 90")
    assert first.duration == 154.68
    assert second == Track(
        id="7d3a0f7b-b0d2-481e-8ae5-f1e54ef9b39a",
        audio_url="https://tempfile.aiquickdraw.com/r/yyyy.mp3",
        duration=192.0,
        index=1,
    )


def test_empty_audio_url_is_none_and_never_replaced_by_the_expiring_source_url() -> None:
    item = {"id": "a", "audioUrl": "", "sourceAudioUrl": "https://cdn1.suno.ai/a.mp3"}
    generation = provider().status(TASK_ID).parse(response(record("FIRST_SUCCESS", [item])))
    assert generation.tracks[0].audio_url is None


def test_text_success_falls_back_to_source_stream_and_image_urls() -> None:
    generation = provider().status("t").parse(response(load("record_info_text_success.json")))
    (track,) = generation.tracks
    assert generation.status is TaskStatus.RUNNING
    assert track.audio_url is None
    assert track.stream_url == "https://cdn1.suno.ai/e231b6a2-7c1d-4f0e-9a55-2b8f8cadc7dc.mp3"
    assert track.image_url == (
        "https://cdn2.suno.ai/image_e231b6a2-7c1d-4f0e-9a55-2b8f8cadc7dc.jpeg"
    )
    assert track.duration is None
    assert track.lyrics == "[Verse]\nRain on the window\nA calm piano melody"


def test_callback_style_snake_case_items_are_read() -> None:
    generation = provider().status("t").parse(response(load("record_info_callback_items.json")))
    first, second = generation.tracks
    assert first.id == "783cadd1-f619-40f5-b446-49b57cfc5eb2"
    assert first.audio_url == "https://apiboxfiles.erweima.ai/Nzgz.mp3"
    assert first.stream_url == "https://mfile.erweima.ai/Nzgz"
    assert first.image_url == "https://apiboxfiles.erweima.ai/Nzgz.jpeg"
    assert first.title == "Night Drive"
    assert (first.index, second.index) == (0, 1)


def test_tags_with_a_trailing_space_are_split_and_stripped() -> None:
    generation = provider().status("t").parse(response(load("record_info_callback_items.json")))
    assert generation.tracks[0].tags == ("synthwave", "retro", "upbeat")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(198.44, 198.44), (180, 180.0), ("187.36", 187.36), (None, None), ("n/a", None), (True, None)],
)
def test_duration_is_float_seconds_from_a_number_or_numeric_string(
    raw: Any, expected: float | None
) -> None:
    item = {"id": "a", "duration": raw}
    generation = provider().status(TASK_ID).parse(response(record("SUCCESS", [item])))
    assert generation.tracks[0].duration == expected


@pytest.mark.parametrize("create_time", ["2025-01-01 00:00:00", 1772624679694, None, "junk"])
def test_create_time_of_any_shape_breaks_nothing(create_time: Any) -> None:
    item = {"id": "a", "audioUrl": "https://cdn.test/a.mp3", "createTime": create_time}
    payload = record("SUCCESS", [item], createTime=create_time)
    generation = provider().status(TASK_ID).parse(response(payload))
    assert generation.tracks[0].audio_url == "https://cdn.test/a.mp3"


def test_unknown_fields_are_ignored() -> None:
    item = {"id": "a", "futureField": {"nested": [1, 2]}, "audioUrl": "https://cdn.test/a.mp3"}
    payload = record("SUCCESS", [item], brandNew=True)
    generation = provider().status(TASK_ID).parse(response(payload))
    assert generation.tracks[0].audio_url == "https://cdn.test/a.mp3"


def test_track_without_id_uses_its_index() -> None:
    payload = record("TEXT_SUCCESS", [{"title": "a"}, {"title": "b"}])
    generation = provider().status(TASK_ID).parse(response(payload))
    assert [track.id for track in generation.tracks] == ["0", "1"]


@pytest.mark.parametrize(
    "payload",
    [
        envelope([1, 2]),
        envelope("PENDING"),
        envelope(5),
        envelope({"status": 3}),
        envelope({"status": "SUCCESS", "response": [1]}),
        envelope({"status": "SUCCESS", "response": "done"}),
        envelope({"status": "SUCCESS", "response": {"sunoData": {"id": "a"}}}),
        envelope({"status": "SUCCESS", "response": {"sunoData": "a,b"}}),
        envelope({"status": "SUCCESS", "response": {"sunoData": [None]}}),
        envelope({"status": "SUCCESS", "response": {"sunoData": ["a"]}}),
    ],
)
def test_wrong_shapes_are_unexpected_responses(payload: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().status(TASK_ID).parse(response(payload))


# Anything JSON can hold, nested.
SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON = st.recursive(
    SCALAR,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
# Track leaves: mostly scalars (the readers' real inputs), sometimes a small container.
LEAF = (
    SCALAR | st.lists(SCALAR, max_size=2) | st.dictionaries(st.text(max_size=4), SCALAR, max_size=2)
)
STATUSES = st.sampled_from(
    ["PENDING", "SUCCESS", "CALLBACK_EXCEPTION", "SENSITIVE_WORD_ERROR", "FAILED", "other"]
)
TRACK = st.fixed_dictionaries(
    {},
    optional={
        key: LEAF
        for key in (
            "id",
            "audioUrl",
            "audio_url",
            "streamAudioUrl",
            "sourceStreamAudioUrl",
            "imageUrl",
            "sourceImageUrl",
            "prompt",
            "title",
            "tags",
            "duration",
            "createTime",
        )
    },
)
RECORD = st.fixed_dictionaries(
    {
        "code": st.one_of(st.just(200), st.just("200"), JSON),
        "msg": JSON,
        "data": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {},
                optional={
                    "status": st.one_of(STATUSES, JSON),
                    "param": st.one_of(JSON, JSON.map(json.dumps)),
                    "response": st.one_of(
                        JSON,
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "sunoData": st.one_of(JSON, st.lists(TRACK, max_size=3)),
                                "suno_data": st.lists(st.one_of(TRACK, JSON), max_size=3),
                            },
                        ),
                    ),
                    "errorCode": JSON,
                    "errorMessage": JSON,
                    "createTime": JSON,
                },
            ),
        ),
    }
)
# The real envelope and track keys with random leaf values, so the track readers get exercised.
WELL_FORMED = st.builds(
    lambda status, tracks, param, extra: envelope(
        {"status": status, "param": param, "response": {"sunoData": tracks}, **extra}
    ),
    status=STATUSES,
    tracks=st.lists(TRACK, min_size=1, max_size=3),
    param=st.one_of(JSON, JSON.map(json.dumps)),
    extra=st.fixed_dictionaries({}, optional={"errorCode": JSON, "errorMessage": JSON}),
)
HTTP_STATUS = st.sampled_from([200, 200, 200, 201, 400, 401, 404, 429, 500, 502])


def check_parse_status(answer: httpx.Response) -> None:
    try:
        generation = provider().status(TASK_ID).parse(answer)
    except APIError:  # includes UnexpectedResponseError
        return
    assert isinstance(generation, Generation)
    assert isinstance(generation.status, TaskStatus)


@given(payload=JSON, status=HTTP_STATUS)
@settings(max_examples=100, deadline=None)
def test_parse_status_on_arbitrary_json_returns_or_raises_api_errors(
    payload: Any, status: int
) -> None:
    check_parse_status(response(payload, status))


@given(payload=RECORD, status=HTTP_STATUS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_status_on_real_keys_with_random_values_returns_or_raises_api_errors(
    payload: Any, status: int
) -> None:
    check_parse_status(response(payload, status))


@given(payload=WELL_FORMED)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_status_on_random_track_values_returns_or_raises_api_errors(payload: Any) -> None:
    check_parse_status(response(payload))


@given(content=st.binary(max_size=64), status=HTTP_STATUS)
@settings(max_examples=100, deadline=None)
def test_parse_status_on_arbitrary_bytes_returns_or_raises_api_errors(
    content: bytes, status: int
) -> None:
    check_parse_status(response(content=content, status=status))


# ---------------------------------------------------------------------------------------------
# Balance
# ---------------------------------------------------------------------------------------------


def test_parse_balance_reads_credits() -> None:
    payload = load("credit.json")
    balance = provider().balance().parse(response(payload))
    assert (balance.provider, balance.amount, balance.unit) == ("suno", 100, "credits")
    assert balance.raw == payload


@pytest.mark.parametrize(("data", "amount"), [("250", 250.0), (12.5, 12.5), (0, 0.0)])
def test_parse_balance_accepts_numeric_strings_and_floats(data: Any, amount: float) -> None:
    assert provider().balance().parse(response(envelope(data))).amount == amount


@pytest.mark.parametrize("data", [None, True, "lots", {"credits": 5}, [5]])
def test_parse_balance_without_a_number_is_an_unexpected_response(data: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().balance().parse(response(envelope(data)))


def test_parse_balance_rejects_nan() -> None:
    with pytest.raises(UnexpectedResponseError):
        provider().balance().parse(response(content=b'{"code": 200, "msg": "ok", "data": NaN}'))


def test_parse_balance_raises_the_provider_error() -> None:
    with pytest.raises(AuthenticationError):
        provider().balance().parse(response(envelope(None, 401, "Unauthorized access")))
