"""client.run(operation): a third party's paid task endpoint gets the whole machinery.

The provider is the one ``examples/custom_provider.py`` documents (loaded from there, so the
example is what is tested), emulated with ``Emulator.route``; every case runs on both clients.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from musicgen import (
    ConfigurationError,
    GenerationTimeoutError,
    PollPolicy,
    RateLimitError,
    SubmissionUncertainError,
    SunoProvider,
    TaskStatus,
    ValidationError,
)
from musicgen.cache import MemoryCache
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator, Fault

from .conftest import MakeClient, Runner

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_provider.py"
SOURCE = "https://example.com/song.mp3"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("custom_provider_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs resolves the example's annotations through it
    spec.loader.exec_module(module)
    return module


acme_example = _load_example()


@pytest.fixture
def reads(emulator: Emulator) -> dict[str, int]:
    """Acme's endpoints on the emulator; the status reads per task."""
    result: dict[str, int] = acme_example.emulate_acme(emulator)
    return result


@pytest.fixture
def acme() -> Any:
    return acme_example.AcmeProvider(api_key="acme-test-key", base_url="http://acme.emulated")


@pytest.fixture
def client(make_client: MakeClient, acme: Any, reads: dict[str, int]) -> Runner:
    return make_client(providers=[acme])


def test_a_third_party_task_is_polled_to_its_result(
    client: Runner, acme: Any, reads: dict[str, int]
) -> None:
    remix = client.run(acme.remix(SOURCE, style="dub"))
    assert remix.status is TaskStatus.SUCCEEDED
    assert remix.audio_url == f"https://cdn.acme.test/{remix.task_id}.mp3"
    assert reads[remix.task_id] == 3


def test_the_result_carries_the_calls_correlation_id(client: Runner, acme: Any) -> None:
    assert client.run(acme.remix(SOURCE, style="dub"), correlation_id="c-7").correlation_id == "c-7"


def test_wait_false_returns_the_task_as_submitted(
    client: Runner, acme: Any, reads: dict[str, int]
) -> None:
    remix = client.run(acme.remix(SOURCE, style="dub"), wait=False)
    assert remix.status is TaskStatus.QUEUED
    assert reads[remix.task_id] == 0


def test_a_lost_answer_to_a_paid_submission_is_not_sent_again(
    client: Runner, acme: Any, emulator: Emulator
) -> None:
    emulator.inject(Fault("drop", provider="acme", operation="submit"))
    with pytest.raises(SubmissionUncertainError):
        client.run(acme.remix(SOURCE, style="dub"))
    assert emulator.submissions("acme") == 1


def test_a_server_error_after_a_paid_submission_is_not_sent_again(
    client: Runner, acme: Any, emulator: Emulator
) -> None:
    emulator.inject(Fault("server_error", provider="acme", operation="submit", processed=True))
    with pytest.raises(SubmissionUncertainError):
        client.run(acme.remix(SOURCE, style="dub"))
    assert emulator.submissions("acme") == 1


@pytest.mark.parametrize("kind", ["rate_limit", "connect_error"])
def test_a_submission_that_certainly_started_nothing_is_retried(
    client: Runner, acme: Any, emulator: Emulator, kind: str
) -> None:
    emulator.inject(Fault(kind, provider="acme", operation="submit"))
    remix = client.run(acme.remix(SOURCE, style="dub"))
    assert remix.status is TaskStatus.SUCCEEDED
    assert emulator.submissions("acme") == 1


def test_a_failing_status_read_does_not_end_the_wait(
    client: Runner, acme: Any, emulator: Emulator
) -> None:
    emulator.inject(Fault("server_error", provider="acme", operation="status", times=6))
    assert client.run(acme.remix(SOURCE, style="dub")).status is TaskStatus.SUCCEEDED


def test_the_deadline_ends_the_wait_with_the_task_id(
    make_client: MakeClient, acme: Any, emulator: Emulator
) -> None:
    # Acme's emulation never finishes a task that nobody reads three times: slow reads stop it.
    acme_example.emulate_acme(emulator)
    emulator.inject(Fault("slow", provider="acme", operation="status", delay=0.2, times=100))
    client = make_client(providers=[acme], poll=PollPolicy(interval=0, timeout=0.3))
    with pytest.raises(GenerationTimeoutError) as caught:
        client.run(acme.remix(SOURCE, style="dub"))
    assert caught.value.task_id is not None
    assert caught.value.provider == "acme"


def test_an_identical_paid_request_resumes_from_the_journal(
    make_client: MakeClient, acme: Any, emulator: Emulator, reads: dict[str, int]
) -> None:
    cache = MemoryCache()
    first = make_client(providers=[acme], cache=cache).run(acme.remix(SOURCE, style="dub"))
    again = make_client(providers=[acme], cache=cache).run(acme.remix(SOURCE, style="dub"))
    assert again.task_id == first.task_id
    assert emulator.submissions("acme") == 1


def test_events_name_the_endpoint_and_the_part_each_request_plays(
    make_client: MakeClient, acme: Any, reads: dict[str, int]
) -> None:
    events: list[Event] = []
    make_client(providers=[acme], hooks=[events.append]).run(acme.remix(SOURCE, style="dub"))
    http = [e for e in events if e.name == EventName.HTTP_REQUEST]
    assert [(e.operation, e.data["endpoint"]) for e in http][:2] == [
        ("submit", "remix"),
        ("status", "remix_status"),
    ]
    assert events[-1].name == EventName.GENERATION_SUCCEEDED


def test_bad_input_is_refused_before_anything_is_sent(acme: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        acme.remix("ftp://example.com/song.mp3", style="dub")
    assert caught.value.field == "source_url"


def test_run_refuses_what_is_not_an_operation(client: Runner) -> None:
    with pytest.raises(ValidationError, match=r"musicgen\.Operation"):
        client.run({"provider": "acme"})


def test_run_refuses_an_operation_of_a_provider_the_client_does_not_have(
    make_client: MakeClient, emulator: Emulator
) -> None:
    suno = SunoProvider(api_key="emulator-key", base_url="http://emulator.musicgen.test")
    client = make_client(providers=[suno])
    acme = acme_example.AcmeProvider(api_key="k", base_url="http://acme.emulated")
    with pytest.raises(ConfigurationError, match="acme"):
        client.run(acme.remix(SOURCE, style="dub"))
    assert emulator.requests == []


def test_a_read_is_tried_as_often_as_the_retry_policy_allows(
    client: Runner, acme: Any, emulator: Emulator
) -> None:
    remix = client.run(acme.remix(SOURCE, style="dub"))
    emulator.inject(Fault("rate_limit", provider="acme", operation="status", times=10))
    before = len(emulator.requests)
    with pytest.raises(RateLimitError):
        client.run(acme.remix_status(remix.task_id), wait=False, cache=False)
    assert len(emulator.requests) - before == 4  # RetryPolicy().attempts
