"""Mureka task lifecycle, payload variants, validation, billing and auth."""

from __future__ import annotations

import re
from typing import Any

import pytest

from musicgen.testing import MUREKA_CENTS_PER_SONG, Emulator


def test_song_generate_returns_a_preparing_song_task(mureka: Any) -> None:
    response = mureka.generate(model="mureka-6")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "created_at", "model", "status", "trace_id"}
    assert re.fullmatch(r"\d{15}", body["id"])
    assert isinstance(body["created_at"], int)
    assert (body["model"], body["status"]) == ("mureka-6", "preparing")


def test_auto_model_resolves_in_the_response(mureka: Any) -> None:
    task_id = mureka.submit(model="auto")

    assert mureka.query(task_id)["model"] == "mureka-7.6"


def test_song_progression_without_stream(mureka: Any) -> None:
    task_id = mureka.submit()

    statuses = mureka.statuses(task_id, 6)

    assert statuses == ["preparing", "queued", "running", "succeeded", "succeeded", "succeeded"]


def test_song_progression_with_stream_passes_through_streaming(mureka: Any) -> None:
    task_id = mureka.submit(stream=True)

    statuses = mureka.statuses(task_id, 5)

    assert statuses == ["preparing", "queued", "running", "streaming", "succeeded"]


def test_streaming_choices_carry_stream_urls(mureka: Any) -> None:
    task_id = mureka.submit(stream=True)
    mureka.statuses(task_id, 3)

    body = mureka.query(task_id)

    assert body["status"] == "streaming"
    assert all(c["stream_url"].endswith(".stream.wav") for c in body["choices"])


def test_unfinished_task_has_no_choices_and_no_finished_at(mureka: Any) -> None:
    task_id = mureka.submit()

    body = mureka.query(task_id)

    assert "choices" not in body
    assert "finished_at" not in body
    assert body["watermarked"] is False
    assert body["trace_id"]


def test_succeeded_song_has_n_choices_and_finished_at(mureka: Any) -> None:
    task_id = mureka.submit(n=3)
    mureka.statuses(task_id, 3)

    body = mureka.query(task_id)

    assert body["status"] == "succeeded"
    assert len(body["choices"]) == 3
    assert body["finished_at"] >= body["created_at"]
    assert body["trace_id"]


def test_default_n_is_two(mureka: Any) -> None:
    task_id = mureka.submit()
    mureka.statuses(task_id, 3)

    assert len(mureka.query(task_id)["choices"]) == 2


def test_first_choice_has_no_index_key_second_has_index_1(mureka: Any) -> None:
    task_id = mureka.submit()
    mureka.statuses(task_id, 3)

    first, second = mureka.query(task_id)["choices"]

    assert "index" not in first  # ⚠ live omits index 0
    assert second["index"] == 1


def test_song_choice_fields_and_units(mureka: Any) -> None:
    task_id = mureka.submit()
    mureka.statuses(task_id, 3)

    choice = mureka.query(task_id)["choices"][0]

    assert {"id", "url", "flac_url", "wav_url", "duration", "lyrics_sections"} <= set(choice)
    assert choice["duration"] == 2000  # integer milliseconds
    assert isinstance(choice["duration"], int)
    for absent in ("title", "image_url", "tags", "stream_url"):
        assert absent not in choice


def test_lyrics_sections_include_an_intro_without_lines(mureka: Any) -> None:
    task_id = mureka.submit(lyrics="[Verse]\nHello moon\n\n[Chorus]\nShine on")
    mureka.statuses(task_id, 3)

    sections = mureka.query(task_id)["choices"][0]["lyrics_sections"]

    assert sections[0]["section_type"] == "intro"
    assert "lines" not in sections[0]
    assert [s["section_type"] for s in sections[1:]] == ["verse", "chorus"]
    assert sections[1]["lines"][0]["text"] == "Hello moon"
    assert all(s["start"] <= s["end"] <= 2000 for s in sections)


def test_instrumental_progression_and_choices_have_no_lyrics(mureka: Any) -> None:
    task_id = mureka.submit("instrumental", model="mureka-7.5")

    statuses = mureka.statuses(task_id, 4, "instrumental")
    choices = mureka.query(task_id, "instrumental")["choices"]

    assert statuses[-1] == "succeeded"
    assert all("lyrics_sections" not in c for c in choices)
    assert all(c["url"].endswith(".wav") for c in choices)


def test_querying_on_the_wrong_kind_path_is_404(mureka: Any) -> None:
    task_id = mureka.submit()

    response = mureka.client.get(f"/v1/instrumental/query/{task_id}")

    assert response.status_code == 404
    assert response.json()["error"]["message"]
    assert response.json()["trace_id"]


def test_unknown_task_is_404(mureka: Any) -> None:
    response = mureka.client.get("/v1/song/query/123")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("final", "before"),
    [
        ("failed", ["preparing", "queued", "running"]),
        ("timeouted", ["preparing", "queued", "running"]),
        ("cancelled", ["preparing", "queued"]),
    ],
)
def test_scripted_failures_are_terminal_with_a_reason(
    em: Emulator, mureka: Any, final: str, before: list[str]
) -> None:
    em.script_next_task("mureka", final_status=final)
    task_id = mureka.submit()

    statuses = mureka.statuses(task_id, len(before) + 2)
    body = mureka.query(task_id)

    assert statuses == [*before, final, final]
    assert body["failed_reason"]
    assert "choices" not in body
    assert "finished_at" in body


def test_scripted_reason_becomes_failed_reason(em: Emulator, mureka: Any) -> None:
    em.script_next_task("mureka", final_status="failed", reason="content review failed")
    task_id = mureka.submit()
    mureka.statuses(task_id, 3)

    assert mureka.query(task_id)["failed_reason"] == "content review failed"


def test_unknown_status_is_served_forever(em: Emulator, mureka: Any) -> None:
    em.script_next_task("mureka", final_status="reviewing")
    task_id = mureka.submit()

    statuses = mureka.statuses(task_id, 4)

    assert statuses == ["preparing", "reviewing", "reviewing", "reviewing"]
    assert "finished_at" not in mureka.query(task_id)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"lyrics": ""}, "The lyrics are empty."),
        ({"lyrics": "   "}, "The lyrics are empty."),
        ({"lyrics": "a" * 3001}, "lyrics are too long"),
        ({"prompt": "a" * 1025}, "prompt is too long"),
        ({"n": 4}, "n must be"),
        ({"n": 0}, "n must be"),
        ({"model": "mureka-1"}, "model"),
        ({"model": "mureka-o1", "stream": True}, "mureka-o1"),
        ({"melody_id": "m1", "prompt": "pop"}, "melody_id"),
    ],
)
def test_song_validation_is_http_400(
    em: Emulator, mureka: Any, body: dict[str, Any], fragment: str
) -> None:
    response = mureka.generate(**body)

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("Invalid Request, ")
    assert fragment in message
    assert em.submissions() == 0


def test_empty_lyrics_message_is_verbatim(mureka: Any) -> None:
    response = mureka.generate(lyrics="")

    assert response.json()["error"] == {"message": "Invalid Request, The lyrics are empty."}


def test_limits_are_inclusive(mureka: Any) -> None:
    response = mureka.generate(lyrics="a" * 3000, prompt="b" * 1024, n=3)

    assert response.status_code == 200


def test_instrumental_requires_a_model(mureka: Any) -> None:
    response = mureka.generate("instrumental", model=None)

    assert response.status_code == 400
    assert "model" in response.json()["error"]["message"]


def test_generation_charges_per_song(em: Emulator, mureka: Any) -> None:
    mureka.submit(n=3)

    assert em.mureka_balance_cents == 10_000 - 3 * MUREKA_CENTS_PER_SONG


def test_billing_reports_balance_and_spending(mureka: Any) -> None:
    mureka.submit(n=2)

    body = mureka.client.get("/v1/account/billing").json()

    assert body["balance"] == 10_000 - 2 * MUREKA_CENTS_PER_SONG
    assert body["total_spending"] == 2 * MUREKA_CENTS_PER_SONG
    assert body["total_recharge"] == 10_000
    assert body["concurrent_request_limit"] == 5
    assert isinstance(body["account_id"], int)


def test_short_balance_is_429_quota_and_creates_nothing(mureka_for: Any) -> None:
    em = Emulator(mureka_balance_cents=2 * MUREKA_CENTS_PER_SONG)
    api = mureka_for(em)

    response = api.generate(n=3)

    assert response.status_code == 429
    assert response.json()["error"]["message"] == (
        "You exceeded your current quota, please check your plan and billing details"
    )
    assert em.submissions() == 0
    assert em.mureka_balance_cents == 2 * MUREKA_CENTS_PER_SONG


def test_missing_token_is_401_invalid_authentication(mureka: Any) -> None:
    response = mureka.client.get("/v1/account/billing", headers={"Authorization": "Bearer "})

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid Authentication"


def test_unknown_mureka_path_is_404_error_body(mureka: Any) -> None:
    response = mureka.client.post("/v1/song/unknown", json={})

    assert response.status_code == 404
    assert set(response.json()) == {"error", "trace_id"}
