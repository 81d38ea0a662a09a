"""download() as a new user meets it: names any file system takes, the umask's permissions, the
suffix of what was written, errors that name the user's path, and audio hosts that push back."""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from musicgen import RateLimitError, Track
from musicgen.testing import Emulator, Fault
from musicgen.testing._media import render_wav

from .conftest import MakeClient, Runner

WAV = render_wav("a calm tune", 0.5)
CDN = "http://emulator.musicgen.test/cdn"

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


class Host(Emulator):
    """The emulator, plus an audio host serving scripted files under ``/cdn/``."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[bytes, str]] = {}

    def serve(self, name: str, content: bytes, content_type: str = "") -> str:
        self.files[f"/cdn/{name}"] = (content, content_type)
        return f"{CDN}/{name}"

    def _execute(self, request: httpx.Request, fault: Any) -> httpx.Response:
        # Both transports (sync and async) answer through _execute.
        if request.url.path in self.files:
            content, content_type = self.files[request.url.path]
            headers = {"content-type": content_type} if content_type else {}
            return httpx.Response(200, headers=headers, content=content)
        return super()._execute(request, fault)


@pytest.fixture
def host() -> Host:
    return Host()


@pytest.fixture
def client(make_client: MakeClient, host: Host) -> Runner:
    return make_client(host)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _track(host: Host, **fields: Any) -> Track:
    fields.setdefault("id", "0a1b2c3d-4e5f-6789-abcd-ef0123456789")
    return Track(audio_url=host.serve(f"{fields['id']}.wav", WAV, "audio/wav"), **fields)


# -- names ---------------------------------------------------------------------------------------


def test_a_long_cjk_title_is_cut_to_fit_the_file_system_in_bytes(
    client: Runner, host: Host, tmp_path: Path
) -> None:
    # 70 characters, 210 bytes: with the id and the temporary file's decoration, over 255.
    track = _track(host, title="静かな夜の歌" * 12)

    path = client.download(track, tmp_path)

    assert path.read_bytes() == WAV
    assert len(path.name.encode()) <= 255 - len(".") - len(".12345678.part")
    assert path.name.startswith("静かな夜の歌")


def test_a_long_name_given_by_the_user_is_written_though_the_temporary_name_would_not_fit(
    client: Runner, host: Host, tmp_path: Path
) -> None:
    dest = tmp_path / ("x" * 250 + ".wav")  # 254 bytes: a valid name, not with ".part" added

    assert client.download(_track(host), dest) == dest
    assert dest.read_bytes() == WAV


@pytest.mark.parametrize("name", ["CON", "nul", "COM1", "lpt9", "Aux", "prn.tar"])
def test_a_windows_device_name_is_never_a_file_name(
    client: Runner, host: Host, tmp_path: Path, name: str
) -> None:
    url = host.serve(f"{name}.mp3", WAV)

    path = client.download(url, tmp_path)

    base = path.name.split(".")[0].rstrip(" ").upper()
    assert base not in {"CON", "NUL", "COM1", "LPT9", "AUX", "PRN"}
    assert path.name.lower().startswith(name.split(".")[0].lower())


def test_a_name_cut_to_length_ends_in_no_space_or_dot(
    client: Runner, host: Host, tmp_path: Path
) -> None:
    # Cut to 120 characters, "<title> - <id>" would end in the space after the title.
    track = _track(host, title="x" * 119)

    path = client.download(track, tmp_path)

    stem = path.name[: -len(path.suffix)]
    assert not stem.endswith((" ", "."))


# -- what is written -------------------------------------------------------------------------


@posix_only
def test_a_new_file_gets_the_permissions_the_umask_gives(
    client: Runner, host: Host, tmp_path: Path, umask_022: None
) -> None:
    path = client.download(_track(host), tmp_path / "song.wav")

    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@posix_only
def test_a_replaced_file_keeps_its_own_permissions(
    client: Runner, host: Host, tmp_path: Path, umask_022: None
) -> None:
    dest = tmp_path / "song.wav"
    dest.write_bytes(b"old")
    dest.chmod(0o640)

    path = client.download(_track(host), dest)

    assert path.read_bytes() == WAV
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_file_musicgen_names_gets_the_suffix_of_the_bytes_written(
    client: Runner, host: Host, tmp_path: Path
) -> None:
    # The URL says MP3 and so does the Content-Type; the bytes are a WAV file.
    track = Track(id="t1", audio_url=host.serve("t1.mp3", WAV, "audio/mpeg"))

    path = client.download(track, tmp_path, format="mp3")

    assert path.suffix == ".wav"
    assert path.read_bytes() == WAV


def test_bytes_that_tell_nothing_are_named_by_the_content_type(
    client: Runner, host: Host, tmp_path: Path
) -> None:
    url = host.serve("stems", b"\x00\x01 not a known header", "application/zip")

    path = client.download(url, tmp_path)

    assert path.name == "stems.zip"


# -- errors name the user's path ---------------------------------------------------------------


def test_an_unwritable_destination_raises_an_error_naming_the_path_given(
    client: Runner, host: Host, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refuse_part_files(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        # What a directory without write permission does (root ignores chmod, so it is faked).
        if str(path).endswith(".part"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", refuse_part_files)
    dest = tmp_path / "song.wav"

    with pytest.raises(PermissionError) as info:
        client.download(_track(host), dest)

    assert info.value.filename == str(dest)
    assert ".part" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# -- the audio host pushes back --------------------------------------------------------------


def _emulated_track(client: Runner) -> Track:
    track: Track = client.generate("a calm tune", provider="suno").tracks[0]
    return track


def test_a_rate_limited_download_is_retried(
    make_client: MakeClient, emulator: Emulator, tmp_path: Path
) -> None:
    client = make_client()
    track = _emulated_track(client)
    emulator.inject(Fault("rate_limit", operation="audio", times=2))

    path = client.download(track, tmp_path / "song.wav")

    assert path.stat().st_size > 44


def test_a_download_still_rate_limited_after_its_retries_is_a_rate_limit_error(
    make_client: MakeClient, emulator: Emulator, tmp_path: Path
) -> None:
    client = make_client()
    track = _emulated_track(client)
    emulator.inject(Fault("rate_limit", operation="audio", times=100, retry_after="0"))

    with pytest.raises(RateLimitError) as info:
        client.download(track, tmp_path / "song.wav")

    assert info.value.retry_after == 0
    assert list(tmp_path.iterdir()) == []


def test_a_retry_after_longer_than_the_retry_budget_ends_the_download_at_once(
    make_client: MakeClient, emulator: Emulator, tmp_path: Path
) -> None:
    client = make_client()
    track = _emulated_track(client)
    emulator.inject(Fault("rate_limit", operation="audio", times=100, retry_after="3600"))
    started = time.monotonic()

    with pytest.raises(RateLimitError):
        client.download(track, tmp_path / "song.wav")

    assert time.monotonic() - started < 5
