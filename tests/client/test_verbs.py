"""The cross-provider verbs and provider namespaces, independent of any one endpoint.

The endpoints themselves are tested per provider (test_suno_*.py, test_mureka_endpoints.py);
here: how a verb picks its provider, refuses one without the endpoint before sending anything,
skips the request when the answer is known, and how namespaces run driver methods.
"""

from __future__ import annotations

from typing import Any

import pytest

from musicgen import (
    BadRequestError,
    Balance,
    ConfigurationError,
    Generation,
    TaskStatus,
    Track,
    UnsupportedOperationError,
)
from musicgen.observability import Event, EventName
from musicgen.testing import Emulator

from .conftest import MakeClient, Runner
from .test_run import acme_example

WAV_TRACK = Track(
    id="t-1", audio_url="https://cdn.test/t-1.mp3", wav_url="https://cdn.test/t-1.wav"
)


@pytest.fixture
def acme_client(make_client: MakeClient, emulator: Emulator) -> Runner:
    acme_example.emulate_acme(emulator)
    acme = acme_example.AcmeProvider(api_key="acme-test-key", base_url="http://acme.emulated")
    return make_client(providers=[acme])


@pytest.mark.parametrize(
    ("verb", "args"),
    [
        ("extend", ("track-1",)),
        ("lyrics", ("rain",)),
        ("extend_lyrics", ("[Verse]\nla",)),
        ("separate", ("track-1",)),
        ("upload", (b"RIFF",)),
        ("convert", (Track(id="t"),)),
    ],
)
def test_a_provider_without_the_endpoint_is_refused_before_sending(
    acme_client: Runner, emulator: Emulator, verb: str, args: tuple[Any, ...]
) -> None:
    with pytest.raises(UnsupportedOperationError, match=f"does not support {verb}"):
        getattr(acme_client, verb)(*args)
    assert emulator.requests == []


def test_the_refusal_is_reported_as_a_failed_call(
    make_client: MakeClient, emulator: Emulator
) -> None:
    acme_example.emulate_acme(emulator)
    events: list[Event] = []
    acme = acme_example.AcmeProvider(api_key="acme-test-key", base_url="http://acme.emulated")
    client = make_client(providers=[acme], hooks=[events.append])
    with pytest.raises(UnsupportedOperationError):
        client.lyrics("rain")
    assert [e.name for e in events] == [EventName.CALL_STARTED, EventName.CALL_FAILED]
    assert events[-1].operation == "lyrics"


def test_convert_returns_a_track_that_has_the_format_without_a_request(
    client: Runner, emulator: Emulator
) -> None:
    assert client.convert(WAV_TRACK, format="wav") is WAV_TRACK
    assert emulator.requests == []


def test_convert_of_a_generation_uses_its_first_track(client: Runner, emulator: Emulator) -> None:
    generation = Generation(
        task_id="g",
        provider="mureka",
        model=None,
        status=TaskStatus.SUCCEEDED,
        provider_status="succeeded",
        tracks=(WAV_TRACK,),
    )
    assert client.convert(generation) is WAV_TRACK
    assert emulator.requests == []


def test_a_verb_follows_the_provider_of_the_generation_it_is_given(
    make_client: MakeClient, emulator: Emulator
) -> None:
    acme_example.emulate_acme(emulator)
    acme = acme_example.AcmeProvider(api_key="acme-test-key", base_url="http://acme.emulated")
    client = make_client(providers=[acme, *make_client().providers.values()])
    generation = Generation(
        task_id="g",
        provider="suno",
        model=None,
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
        tracks=(Track(id="a"),),
    )
    # Acme is the default provider, but the generation came from Suno: Suno is asked (and
    # knows no task "g"), not Acme.
    with pytest.raises(BadRequestError, match="taskId"):
        client.separate(generation)
    assert [r.path for r in emulator.requests] == ["/api/v1/vocal-removal/generate"]


def test_a_namespace_runs_a_driver_method_by_name(client: Runner) -> None:
    balance = client.suno.balance()
    assert isinstance(balance, Balance)
    assert balance.provider == "suno"


def test_a_namespace_call_is_stamped_with_its_options(client: Runner) -> None:
    generation = client.generate("a calm tune", provider="suno")
    read = client.suno.with_options(correlation_id="c-42").status(generation.task_id)
    assert read.correlation_id == "c-42"


def test_a_namespace_of_an_unconfigured_provider_refuses_the_call(
    make_client: MakeClient, emulator: Emulator
) -> None:
    suno_only = [make_client().providers["suno"]]
    client = make_client(providers=suno_only)
    with pytest.raises(ConfigurationError, match="mureka"):
        client.mureka.balance()
    assert emulator.requests == []


def test_a_namespace_method_keeps_the_drivers_documentation(client: Runner) -> None:
    from musicgen import SunoProvider

    assert client.client.suno.balance.__doc__ == SunoProvider.balance.__doc__
