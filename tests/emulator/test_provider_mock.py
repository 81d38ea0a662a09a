"""ProviderMock: provider answers in each wire format, registered on pytest-httpx's httpx_mock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from musicgen import (
    AsyncMusicGenClient,
    Balance,
    GenerationFailedError,
    InsufficientCreditsError,
    MurekaProvider,
    MusicGenClient,
    PollPolicy,
    RateLimitError,
    RetryPolicy,
    SunoProvider,
    TaskStatus,
)
from musicgen.testing import ProviderMock

POLL = PollPolicy(interval=0)
RETRY = RetryPolicy(attempts=2, wait_initial=0, wait_max=0, wait_jitter=0)


def client() -> MusicGenClient:
    providers = [SunoProvider(api_key="test-key"), MurekaProvider(api_key="test-key")]
    return MusicGenClient(providers=providers, poll=POLL, retry=RETRY)


def test_a_suno_generation_is_read_until_it_succeeds(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.suno_generation(
        task_id="t-1", tracks=[{"title": "Neon Rain", "duration": 181.5}, {}], pending=2
    )
    with client() as c:
        song = c.generate("synthwave", provider="suno")
    assert (song.task_id, song.status) == ("t-1", TaskStatus.SUCCEEDED)
    assert [t.title for t in song.tracks] == ["Neon Rain", "Track 2"]
    assert song.tracks[0].duration == 181.5
    reads = musicgen_httpx_mock.httpx_mock.get_requests(method="GET")
    assert len(reads) == 3


def test_a_mureka_generation_has_its_durations_in_seconds(
    musicgen_httpx_mock: ProviderMock,
) -> None:
    musicgen_httpx_mock.mureka_generation(songs=[{"duration": 91051}], pending=1)
    with client() as c:
        song = c.generate(lyrics="[Verse]\nla", provider="mureka")
    assert song.status is TaskStatus.SUCCEEDED
    assert song.tracks[0].duration == pytest.approx(91.051)


def test_a_failed_suno_task_raises_with_its_message(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.suno_generation(
        status="GENERATE_AUDIO_FAILED", error_message="audio generation failed"
    )
    with client() as c, pytest.raises(GenerationFailedError, match="audio generation failed"):
        c.generate("synthwave", provider="suno")


def test_a_failed_mureka_task_raises(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.mureka_generation(status="failed", failed_reason="content rejected")
    with client() as c, pytest.raises(GenerationFailedError, match="content rejected"):
        c.generate(lyrics="[Verse]\nla", provider="mureka")


def test_out_of_credits_is_refused_once_and_never_retried(
    musicgen_httpx_mock: ProviderMock,
) -> None:
    musicgen_httpx_mock.suno_refusal(429, "Insufficient credits")
    musicgen_httpx_mock.mureka_refusal(429, "You exceeded your current quota")
    with client() as c:
        with pytest.raises(InsufficientCreditsError):
            c.generate("synthwave", provider="suno")
        with pytest.raises(InsufficientCreditsError):
            c.generate(lyrics="[Verse]\nla", provider="mureka")
    assert len(musicgen_httpx_mock.httpx_mock.get_requests()) == 2


def test_a_rate_limited_submission_is_retried(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.suno_refusal(430, "Too many requests")
    musicgen_httpx_mock.suno_generation()
    with client() as c:
        assert c.generate("synthwave", provider="suno").status is TaskStatus.SUCCEEDED


def test_a_rate_limit_on_every_try_is_a_rate_limit_error(
    musicgen_httpx_mock: ProviderMock,
) -> None:
    musicgen_httpx_mock.mureka_refusal(429, "Rate limit reached")
    musicgen_httpx_mock.mureka_refusal(429, "Rate limit reached")
    with client() as c, pytest.raises(RateLimitError):
        c.generate(lyrics="[Verse]\nla", provider="mureka")


def test_balances_in_each_providers_unit(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.suno_balance(42.5)
    musicgen_httpx_mock.mureka_balance(1234)
    with client() as c:
        assert c.balance("suno") == Balance("suno", 42.5, "credits")
        assert c.balance("mureka") == Balance("mureka", 1234, "cents")


def test_the_async_client_is_answered_too(musicgen_httpx_mock: ProviderMock) -> None:
    musicgen_httpx_mock.suno_generation(tracks=1)

    async def main() -> int:
        providers = [SunoProvider(api_key="test-key")]
        async with AsyncMusicGenClient(providers=providers, poll=POLL, retry=RETRY) as c:
            return len((await c.generate("synthwave", provider="suno")).tracks)

    assert asyncio.run(main()) == 1


def test_other_base_urls(httpx_mock: HTTPXMock) -> None:
    mock = ProviderMock(httpx_mock, suno_base_url="https://suno.proxy.test/")
    mock.suno_generation(tracks=1)
    suno = SunoProvider(api_key="test-key", base_url="https://suno.proxy.test")
    with MusicGenClient(providers=[suno], poll=POLL, retry=RETRY) as c:
        assert c.generate("synthwave", provider="suno").tracks[0].id == "suno-task-1-track-0"


def test_emulate_answers_a_client_built_from_the_environment(
    musicgen_httpx_mock: ProviderMock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUSICGEN_SUNO_API_KEY", "test-key")
    monkeypatch.delenv("MUSICGEN_MUREKA_API_KEY", raising=False)
    monkeypatch.delenv("MUREKA_API_KEY", raising=False)
    emulator = musicgen_httpx_mock.emulate()
    with MusicGenClient(poll=POLL, retry=RETRY) as c:  # the code under test builds its own client
        song = c.generate("synthwave", provider="suno")
        path = c.download(song.tracks[0], tmp_path)
    assert emulator.submissions("suno") == 1
    assert path.read_bytes()[:4] == b"RIFF"
