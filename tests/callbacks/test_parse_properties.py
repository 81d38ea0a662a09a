"""parse_callback never raises anything but CallbackError, whatever arrives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicgen.callbacks import FAMILIES, CallbackError, CallbackEvent, parse_callback

# Any JSON value, including the numbers and strings that trip lenient readers.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "200", "complete", "text", "error", "http://x/a.mp3", "1e999"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)

# Keys the readers look at, so generated objects reach deep into every family's code.
KEYS = [
    "code", "msg", "data", "task_id", "taskId", "callbackType", "callback_type", "id",
    "audio_url", "audioUrl", "stream_audio_url", "image_url", "prompt", "title", "tags",
    "duration", "text", "status", "errorMessage", "audioWavUrl", "vocal_removal_info",
    "vocal_separation_info", "vocal_url", "video_url", "images", "state", "instruments",
    "name", "notes", "pitch", "start", "end", "velocity", "validateInfo", "voiceId", "error",
]  # fmt: skip
key_objects = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)
families = st.none() | st.sampled_from(sorted(FAMILIES)) | st.text(max_size=6)


def _check(body: Any, family: str | None) -> None:
    try:
        event = parse_callback(body, family=family)
    except CallbackError:
        return
    assert isinstance(event, CallbackEvent)
    assert event.stage in ("progress", "text", "first", "complete", "error")
    assert event.failed == (event.stage == "error")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key_objects, families)
def test_no_payload_crashes_the_parser(body: Any, family: str | None) -> None:
    _check(body, family)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, families)
def test_no_json_value_crashes_the_parser(body: Any, family: str | None) -> None:
    _check(body, family)
    try:
        text = json.dumps(body)
    except ValueError:
        return
    _check(text, family)
    _check(text.encode(), family)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), families)
def test_no_bytes_crash_the_parser(body: bytes, family: str | None) -> None:
    _check(body, family)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FAMILIES)),
    st.dictionaries(st.sampled_from(KEYS), key_objects, max_size=6),
    st.sampled_from([200, 400, 451, 500, 501, 531, 201, "200", None]),
)
def test_documented_envelopes_with_any_data_never_crash(
    family: str, data: dict[str, Any], code: Any
) -> None:
    _check({"code": code, "msg": "m", "task_id": "t", "data": data}, family)
    _check({"code": code, "msg": "m", "data": {**data, "task_id": "t"}}, None)
