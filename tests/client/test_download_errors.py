"""Downloads map every httpx failure to the documented errors, like the API calls do."""

from __future__ import annotations

import httpx
import pytest

from musicgen import APIConnectionError, MusicGenError, Track, UnexpectedResponseError

from .test_hardening_exchange import (
    Connect,
    connect,  # noqa: F401 - the fixture
    httpx_exceptions,
    instance,
    outcome,
    root_cause,
)

TRACK = Track(id="t-1", audio_url="https://cdn.example.test/t-1.mp3")


def expected(cls: type[Exception]) -> type[MusicGenError]:
    unusable = (
        httpx.InvalidURL,
        httpx.UnsupportedProtocol,
        httpx.DecodingError,
        httpx.TooManyRedirects,
        httpx.HTTPStatusError,
    )
    return UnexpectedResponseError if issubclass(cls, unusable) else APIConnectionError


def test_every_httpx_exception_of_a_download_becomes_the_documented_error(
    connect: Connect,  # noqa: F811 - the fixture imported above
    tmp_path: object,
) -> None:
    raising: list[type[Exception]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        raise instance(raising[0], request)

    client = connect(transport=httpx.MockTransport(answer))
    wrong = []
    for cls in httpx_exceptions():
        raising[:] = [cls]
        _, error = outcome(lambda: client.download(TRACK, f"{tmp_path}/song.mp3"))
        if not isinstance(error, expected(cls)) or type(root_cause(error)) is not cls:
            wrong.append(f"{cls.__name__} -> {error!r}")
    assert not wrong, "; ".join(wrong)


def test_a_malformed_audio_url_is_an_unexpected_response(
    connect: Connect,  # noqa: F811 - the fixture imported above
    tmp_path: object,
) -> None:
    broken = Track(id="t-2", audio_url="https://cdn.example.test:abc/t-2.mp3")
    client = connect(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    with pytest.raises(UnexpectedResponseError, match=r"unusable .mp3. URL"):
        client.download(broken, f"{tmp_path}/song.mp3")
