"""Configuration mistakes are refused at construction, with a message that says what to do."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from musicgen import (
    AsyncMusicGenClient,
    ConfigurationError,
    Generation,
    GenerationRequest,
    ModelCatalog,
    ModelInfo,
    MusicGenClient,
    Operation,
    ProviderBase,
    SunoProvider,
    UnsupportedOperationError,
    ValidationError,
    register_provider,
)
from musicgen.providers import _registry
from musicgen.testing import Emulator, ProviderMock

KEY_VARS = ("MUSICGEN_SUNO_API_KEY", "SUNO_API_KEY", "MUSICGEN_MUREKA_API_KEY", "MUREKA_API_KEY")


def suno() -> SunoProvider:
    return SunoProvider(api_key="emulator-key", base_url="http://emulator.musicgen.test")


def test_an_async_http_client_on_the_blocking_client_is_refused_before_anything_is_sent() -> None:
    emulator = Emulator()
    wrong = httpx.AsyncClient(transport=emulator.transport())
    with pytest.raises(ConfigurationError, match="AsyncMusicGenClient"):
        MusicGenClient(providers=[suno()], http_client=wrong)  # type: ignore[arg-type]
    assert emulator.submissions() == 0


def test_a_blocking_http_client_on_the_async_client_is_refused_before_anything_is_sent() -> None:
    emulator = Emulator()
    wrong = httpx.Client(transport=emulator.transport())
    with wrong, pytest.raises(ConfigurationError, match="MusicGenClient"):
        AsyncMusicGenClient(providers=[suno()], http_client=wrong)  # type: ignore[arg-type]
    assert emulator.submissions() == 0


def read_timeout_sent(mock: ProviderMock, **options: Any) -> float:
    """The read timeout a balance request carried, from a client made with ``options``."""
    mock.suno_balance(5)
    # No http_client: the client's own httpx.Client is the one pytest-httpx answers.
    with MusicGenClient(providers=[SunoProvider(api_key="test-key")], **options) as client:
        client.balance()
    request = mock.httpx_mock.get_request()
    assert request is not None
    read: float = request.extensions["timeout"]["read"]
    return read


def test_request_timeout_sets_the_timeout_of_one_request(musicgen_httpx_mock: ProviderMock) -> None:
    assert read_timeout_sent(musicgen_httpx_mock, request_timeout=7.0) == 7.0


def test_the_old_timeout_name_still_works_with_a_deprecation_warning(
    musicgen_httpx_mock: ProviderMock,
) -> None:
    with pytest.warns(DeprecationWarning, match="request_timeout="):
        assert read_timeout_sent(musicgen_httpx_mock, timeout=7.0) == 7.0


def test_both_timeout_names_at_once_are_refused() -> None:
    with warnings.catch_warnings(), pytest.raises(ConfigurationError, match="request_timeout"):
        MusicGenClient(providers=[suno()], timeout=7.0, request_timeout=3.0)


@pytest.fixture
def acme_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A registered provider whose factory refuses: its key is not in the environment."""

    def factory() -> SunoProvider:
        raise ConfigurationError("no API key for acme: set ACME_API_KEY")

    register_provider("acme", factory)
    yield
    _registry._FACTORIES.pop("acme", None)


def test_a_refusing_factorys_reason_reaches_a_client_with_no_provider(
    acme_factory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="set ACME_API_KEY"):
        MusicGenClient()


def test_a_refusing_factorys_reason_reaches_a_call_naming_that_provider(
    acme_factory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICGEN_SUNO_API_KEY", "a-suno-key")
    with MusicGenClient() as client, pytest.raises(ConfigurationError, match="set ACME_API_KEY"):
        client.generate("a tune", provider="acme")


class TinyModels(ProviderBase):
    """A custom provider with a length limit of its own, and a generate endpoint that trusts
    the client to have checked it."""

    name = "tiny"
    catalog = ModelCatalog("tiny", default="t-1", models=[ModelInfo("t-1", limits={"prompt": 10})])

    def generate(self, request: GenerationRequest) -> Operation[Generation]:
        raise AssertionError("not reached: the client checks the catalog's limits first")


def test_a_custom_providers_model_limits_are_checked_before_anything_is_sent() -> None:
    client = MusicGenClient(providers=[TinyModels(api_key="k")])
    with client, pytest.raises(ValidationError) as caught:
        client.generate("a prompt much longer than ten characters")
    assert caught.value.field == "prompt"
    assert "10-character limit" in str(caught.value)


def test_a_provider_without_an_endpoint_says_so_before_anything_is_sent() -> None:
    client = MusicGenClient(providers=[TinyModels(api_key="k")])
    with client, pytest.raises(UnsupportedOperationError, match="does not support balance"):
        client.balance()
