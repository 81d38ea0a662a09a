"""The client's fast way to build an event gives the same event as the public constructor."""

from __future__ import annotations

from musicgen.observability import Event, EventName
from musicgen.observability._events import new_event
from musicgen.observability._format import describe


def test_new_event_equals_the_keyword_built_event_with_every_field_readable() -> None:
    fast = new_event(
        EventName.POLL, "corr-1", "generate", "suno", "V4", "task-1", 2, None, "running"
    )
    fast.elapsed = 1.5
    fast.provider_status = "TEXT_SUCCESS"
    slow = Event(
        EventName.POLL,
        "corr-1",
        operation="generate",
        provider="suno",
        model="V4",
        task_id="task-1",
        attempt=2,
        status="running",
        elapsed=1.5,
        provider_status="TEXT_SUCCESS",
        timestamp=fast.timestamp,
    )

    assert fast == slow
    assert fast.data == slow.data


def test_a_description_kept_for_the_next_hook_is_the_one_it_would_format() -> None:
    event = new_event(EventName.HTTP_REQUEST, "corr-1", "submit", "suno", None, None, 1, 0.25)
    event.method, event.path, event.status_code = "POST", "/api/v1/generate", 200

    first = describe(event, free_text=True)

    assert describe(event, free_text=False) is first
    assert first == "POST /api/v1/generate -> 200 in 250.0 ms (suno submit, attempt 1)"


def test_an_error_description_is_not_shared_between_free_text_and_type_only() -> None:
    event = new_event(
        EventName.CALL_FAILED, "corr-1", "generate", "suno", error=ValueError("my lyrics")
    )

    assert "my lyrics" in describe(event, free_text=True)
    assert "my lyrics" not in describe(event, free_text=False)
