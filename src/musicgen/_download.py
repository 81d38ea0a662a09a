"""Downloading a track: the URL and file to write, atomic writes, and errors (no I/O loop here).

Both clients stream with their own httpx client; what they share, pure or file-local, is here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ._errors import APIConnectionError, APIError, NotFoundError, ServerError, ValidationError
from ._exchange import USER_AGENT
from ._models import Track

__all__ = ["atomic_file", "check_download", "download_error", "download_headers", "download_target"]

_AUDIO_SUFFIXES = {".mp3", ".wav", ".flac", ".m4a", ".ogg", ".aac", ".opus"}


def download_target(
    source: Track | str, dest: str | os.PathLike[str], format: str
) -> tuple[str, Path]:
    """Pick the URL for ``format`` and the file to write.

    ``source`` is a track, or the URL of any file a provider made (a stems ZIP, a part of
    ``Stems.parts``, a video, cover art). ``dest`` is a file path (it has a suffix, like
    ``song.mp3``), or a directory: an existing one, one ending in a separator, or a path
    without a suffix (created if missing), in which a file named after the track's title and id
    (or the URL's own file name) is written. A track's suffix follows the URL's own when that
    names an audio type, else ``format``.

    Raises:
        ValidationError: The track has no URL for ``format`` (yet), or ``source`` is neither a
            track nor an http(s) URL.
    """
    if isinstance(source, str):
        url = _checked_url(source)
        path = Path(httpx.URL(url).path)
        suffix, stem = path.suffix.lower(), _safe_name(path.stem or "download")
    elif isinstance(source, Track):
        url = _track_url(source, format)
        suffix = Path(httpx.URL(url).path).suffix.lower()
        if suffix not in _AUDIO_SUFFIXES:
            suffix = f".{'mp3' if format == 'stream' else format}"
        stem = _safe_name(f"{source.title} - {source.id}" if source.title else source.id)
    else:
        msg = f"download() takes a musicgen.Track or a file URL, got {type(source).__name__}"
        raise ValidationError(msg, field="track")
    target = Path(dest)
    if target.is_dir() or str(dest).endswith((os.sep, "/")) or not target.suffix:
        target = target / f"{stem}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    return url, target


def _track_url(track: Track, format: str) -> str:
    url = track.url_for(format)
    if not url:
        known = ", ".join(f for f in ("mp3", "flac", "wav", "stream") if track.url_for(f))
        msg = (
            f"track {track.id} has no {format!r} URL (available: {known or 'none yet'}); "
            "wait for the generation to succeed or pick another format="
        )
        raise ValidationError(msg, field="format")
    return url


def _checked_url(url: str) -> str:
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        msg = f"download() needs an http(s) URL, got {url!r}"
        raise ValidationError(msg, field="track")
    return str(parsed)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w\-. ]+", "_", name).strip(" .")
    return cleaned[:120] or "track"


def download_headers() -> dict[str, str]:
    # Only a user agent: the provider's Authorization header must never reach the audio host.
    return {"User-Agent": USER_AGENT}


def check_download(response: httpx.Response, url: str) -> None:
    if response.status_code < 400:
        return
    msg = f"downloading {_what(url)} failed with HTTP {response.status_code}"
    cls: type[APIError] = APIError
    if response.status_code >= 500:
        cls = ServerError  # worth retrying
    elif response.status_code in (404, 410):
        cls = NotFoundError  # the provider's links expire (Suno 15 days, Mureka 30)
    raise cls(msg, provider="download", status_code=response.status_code)


def _what(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{Path(parsed.path).name or 'a file'} from {parsed.host}"


def download_error(error: httpx.TransportError, url: str) -> APIConnectionError:
    msg = f"downloading {_what(url)} failed: {type(error).__name__}"
    return APIConnectionError(msg, provider="download", request_sent=True)


class atomic_file:
    """Write to a temporary file next to ``path``; rename over it only on success."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> Any:
        import tempfile

        fd, self._tmp = tempfile.mkstemp(
            prefix=f".{self._path.name}.", suffix=".part", dir=self._path.parent
        )
        self._file = os.fdopen(fd, "wb")
        return self._file

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        if exc_type is None:
            os.replace(self._tmp, self._path)
        else:
            os.unlink(self._tmp)
