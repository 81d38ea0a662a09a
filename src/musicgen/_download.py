"""Downloading a file: the URL and name to write, atomic writes, and errors (no I/O loop here).

Both clients stream with their own httpx client; what they share, pure or file-local, is here.

Names musicgen picks (when ``dest`` is a directory) are safe on every platform: only letters,
digits, ``_ - . `` and spaces; no leading or trailing dots or spaces; never a Windows device
name (``CON``, ``nul.mp3``, ``COM1``...); at most 120 characters and short enough in UTF-8
bytes for the file system, the temporary file's decoration included. Their suffix follows the
bytes written (``RIFF``/``WAVE`` is ``.wav``, ``ID3`` or an MPEG frame ``.mp3``, ``fLaC``
``.flac``, ``PK`` ``.zip``...), then the ``Content-Type``, then the URL's own suffix, then
``format``: a file is named after what it is. A path given with a suffix is written as given.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

import httpx

from ._errors import (
    APIConnectionError,
    APIError,
    MusicGenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    UnexpectedResponseError,
    ValidationError,
)
from ._exchange import USER_AGENT
from ._models import Track
from ._retry import RetryPolicy

__all__ = [
    "DownloadTarget",
    "atomic_file",
    "check_download",
    "download_deadline",
    "download_error",
    "download_headers",
    "download_target",
    "safe_name",
    "sniff_suffix",
]

_AUDIO_SUFFIXES = {".mp3", ".wav", ".flac", ".m4a", ".ogg", ".aac", ".opus"}

#: The longest name musicgen picks, in characters: long titles stay readable.
MAX_NAME_CHARS = 120
# A file name's limit in bytes where the file system does not say (ext4, APFS, NTFS in UTF-16).
_DEFAULT_NAME_MAX = 255
# The temporary file is ".<name>.<8 hex>.part": 15 bytes more than the name it becomes.
_TEMP_OVERHEAD = len(".") + len(".") + 8 + len(".part")
# Room kept for the suffix, which is only known once the first bytes arrived.
_SUFFIX_ROOM = 8
# Windows opens a device, not a file, for these names, whatever their case or extension.
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)


class DownloadTarget(NamedTuple):
    """Where a download goes.

    Attributes:
        url: The URL to fetch.
        path: The file to write. When ``stem`` is set its suffix is provisional: the bytes
            decide it (see ``atomic_file``).
        stem: The file name musicgen chose, without its suffix (``dest`` was a directory), or
            None when ``dest`` named the file.
    """

    url: str
    path: Path
    stem: str | None


def download_target(
    source: Track | str, dest: str | os.PathLike[str], format: str
) -> DownloadTarget:
    """Pick the URL for ``format`` and the file to write.

    ``source`` is a track, or the URL of any file a provider made (a stems ZIP, a part of
    ``Stems.parts``, a video, cover art). ``dest`` is a file path (it has a suffix, like
    ``song.mp3``), written as given; or a directory: an existing one, one ending in a
    separator, or a path without a suffix (created if missing), in which a file named after the
    track's title and id (or the URL's own file name) is written, with the suffix of what the
    bytes turn out to be.

    Raises:
        ValidationError: The track has no URL for ``format`` (yet), or ``source`` is neither a
            track nor an http(s) URL.
        UnexpectedResponseError: The track's URL is malformed (the provider's answer was wrong).
        OSError: The directory cannot be created (it names the directory).
    """
    if isinstance(source, str):
        url = _checked_url(source)
        path = Path(httpx.URL(url).path)
        suffix, stem = path.suffix.lower(), path.stem or "download"
        if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
            suffix = ""
    elif isinstance(source, Track):
        url = _track_url(source, format)
        suffix = Path(httpx.URL(url).path).suffix.lower()
        if suffix not in _AUDIO_SUFFIXES:
            suffix = f".{'mp3' if format == 'stream' else format}"
        stem = f"{source.title} - {source.id}" if source.title else source.id
    else:
        msg = f"download() takes a musicgen.Track or a file URL, got {type(source).__name__}"
        raise ValidationError(msg, field="track")
    target = Path(dest)
    named = target.is_dir() or str(dest).endswith((os.sep, "/")) or not target.suffix
    directory = target if named else target.parent
    directory.mkdir(parents=True, exist_ok=True)
    if not named:
        return DownloadTarget(url, target, None)
    stem = safe_name(stem, _name_max(directory) - _TEMP_OVERHEAD - _SUFFIX_ROOM)
    return DownloadTarget(url, directory / f"{stem}{suffix}", stem)


def _track_url(track: Track, format: str) -> str:
    url = track.url_for(format)
    if not url:
        known = ", ".join(f for f in ("mp3", "flac", "wav", "stream") if track.url_for(f))
        msg = (
            f"track {track.id} has no {format!r} URL (available: {known or 'none yet'}); "
            "wait for the generation to succeed or pick another format="
        )
        raise ValidationError(msg, field="format")
    try:
        httpx.URL(url)
    except httpx.InvalidURL as error:
        # The provider's own link: its answer was wrong, not the caller's input.
        msg = f"track {track.id} has an unusable {format!r} URL ({error}); it cannot be downloaded"
        raise UnexpectedResponseError(msg, provider="download") from error
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


def _name_max(directory: Path) -> int:
    """The longest file name ``directory``'s file system takes, in bytes (255 if unknown)."""
    try:
        found = os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf
        return _DEFAULT_NAME_MAX
    return min(found, _DEFAULT_NAME_MAX) if found > 0 else _DEFAULT_NAME_MAX


def safe_name(name: str, max_bytes: int = _DEFAULT_NAME_MAX - _TEMP_OVERHEAD) -> str:
    """``name`` made into a file name stem that is valid everywhere.

    Anything but letters, digits, ``_``, ``-``, ``.`` and spaces becomes ``_``; leading and
    trailing dots and spaces go (Windows drops them, hidden files start with a dot); it is cut
    to ``MAX_NAME_CHARS`` characters and ``max_bytes`` UTF-8 bytes, never inside a character;
    a Windows device name (``CON``, ``nul``, ``COM1``..., with any extension) gets a ``_``.
    An empty result is ``"track"``.
    """
    cleaned = re.sub(r"[^\w\-. ]+", "_", name).strip(" .")[:MAX_NAME_CHARS]
    cleaned = _cut_bytes(cleaned, max(1, max_bytes - 1)).strip(" .")  # room for the "_"
    if not cleaned:
        return "track"
    head, dot, rest = cleaned.partition(".")
    if head.rstrip(" ").upper() in _DEVICES:
        cleaned = f"{head}_{dot}{rest}"
    return cleaned


def _cut_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")  # a cut character is dropped whole


_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"ID3", ".mp3"),
    (0, b"fLaC", ".flac"),
    (0, b"PK\x03\x04", ".zip"),
    (0, b"PK\x05\x06", ".zip"),
    (0, b"\x89PNG\r\n\x1a\n", ".png"),
    (0, b"\xff\xd8\xff", ".jpg"),
    (0, b"GIF8", ".gif"),
    (0, b"MThd", ".mid"),
    (0, b"\x1aE\xdf\xa3", ".webm"),
)
_RIFF = {b"WAVE": ".wav", b"WEBP": ".webp", b"AVI ": ".avi"}
_CONTENT_TYPES = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/wave": ".wav",
    "audio/x-wav": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/midi": ".mid",
    "audio/x-midi": ".mid",
    "video/mp4": ".mp4",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}


def sniff_suffix(head: bytes, content_type: str | None = None) -> str | None:
    """The suffix of a file that starts with ``head`` (its first bytes), or, when they tell
    nothing, the one its ``Content-Type`` names; None when neither says."""
    for offset, magic, suffix in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return suffix
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[:4] == b"OggS":
        return ".opus" if b"OpusHead" in head[:64] else ".ogg"
    if head[4:8] == b"ftyp":
        return {b"M4A ": ".m4a", b"qt  ": ".mov"}.get(head[8:12], ".mp4")
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: AAC without a container
            return ".aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # an MPEG audio frame, layer I-III
            return ".mp3"
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return _CONTENT_TYPES.get(media_type)


def download_headers() -> dict[str, str]:
    # Only a user agent: the provider's Authorization header must never reach the audio host.
    return {"User-Agent": USER_AGENT}


def download_deadline(policy: RetryPolicy) -> float | None:
    """Until when (``time.monotonic()``) a download may wait to retry: the policy's retry
    timeout, so that a huge ``Retry-After`` from the audio host ends the download at once
    instead of sleeping through it."""
    return None if policy.timeout is None else time.monotonic() + policy.timeout


def check_download(response: httpx.Response, url: str) -> None:
    """Raise the error an audio host's error status stands for.

    A 429 is a ``RateLimitError`` and a 5xx a ``ServerError`` (503: ``ServiceUnavailableError``),
    both retried like status reads, ``Retry-After`` honoured; 404 and 410 (expired links) are
    ``NotFoundError``; anything else an ``APIError``.
    """
    if response.status_code < 400:
        return
    from .providers._base import parse_retry_after

    code = response.status_code
    msg = f"downloading {_what(url)} failed with HTTP {code}"
    cls: type[APIError] = APIError
    if code == 429:
        cls = RateLimitError
    elif code == 503:
        cls = ServiceUnavailableError
    elif code >= 500:
        cls = ServerError
    elif code in (404, 410):
        cls = NotFoundError  # the provider's links expire (Suno 15 days, Mureka 30)
    raise cls(
        msg,
        provider="download",
        status_code=code,
        retry_after=parse_retry_after(response.headers),
    )


def _what(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "a file from an unusable URL"
    return f"{Path(parsed.path).name or 'a file'} from {parsed.host}"


#: What a download may raise of httpx's own: every failure, whatever its base class.
DOWNLOAD_FAILURES = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict)


def download_error(error: Exception, url: str) -> MusicGenError:
    """The musicgen error for an httpx failure while downloading ``url``.

    A URL httpx cannot use (malformed, not http(s)), an undecodable body or a redirect loop is
    the provider's answer being wrong: ``UnexpectedResponseError``, not retried. Anything else
    on the way (connection, timeouts, a broken stream) is an ``APIConnectionError``, retried.
    """
    msg = f"downloading {_what(url)} failed: {type(error).__name__}"
    unusable = (
        httpx.InvalidURL,
        httpx.UnsupportedProtocol,
        httpx.DecodingError,
        httpx.TooManyRedirects,
        httpx.HTTPStatusError,
    )
    if isinstance(error, unusable):
        return UnexpectedResponseError(msg, provider="download")
    return APIConnectionError(msg, provider="download", request_sent=True)


def _path_error(error: OSError, path: Path) -> OSError:
    """``error`` again, naming ``path`` (the user's) instead of the hidden temporary file."""
    new = type(error)(error.errno, error.strerror or str(error), str(path))
    new.__suppress_context__ = True
    return new


class atomic_file:
    """Write to a temporary file next to ``path``; rename over it only on success.

    The temporary file is created with mode ``0o666`` less the umask, as any new file (an
    existing file keeps its own mode). With a ``stem`` (a name musicgen chose) the file is
    named ``stem`` plus the suffix of the bytes written (``sniff_suffix``), else keeps
    ``path``'s; ``path`` then holds the file written. An ``OSError`` (no permission, disk full,
    a name too long) names ``path``, not the temporary file.
    """

    _HEAD = 64

    def __init__(self, path: Path, *, stem: str | None = None) -> None:
        self.path = path
        self._stem = stem
        self._head = b""
        self._content_type: str | None = None

    def __enter__(self) -> atomic_file:
        budget = _name_max(self.path.parent) - _TEMP_OVERHEAD
        prefix = _cut_bytes(self.path.name, budget)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        for _ in range(100):
            self._tmp = self.path.parent / f".{prefix}.{secrets.token_hex(4)}.part"
            try:
                fd = os.open(self._tmp, flags, 0o666)
                break
            except FileExistsError:
                continue
            except OSError as error:
                raise _path_error(error, self.path) from None
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise _path_error(FileExistsError(17, "no free temporary name"), self.path)
        with contextlib.suppress(OSError):
            # Replacing a file keeps its mode, as editing it would.
            os.chmod(self._tmp, stat.S_IMODE(os.stat(self.path).st_mode))
        self._file = os.fdopen(fd, "wb")
        return self

    def content_type(self, value: str | None) -> None:
        """Record the answer's ``Content-Type``, the second hint of what the bytes are."""
        self._content_type = value

    def write(self, data: bytes) -> None:
        if len(self._head) < self._HEAD:
            self._head += data[: self._HEAD - len(self._head)]
        try:
            self._file.write(data)
        except OSError as error:
            raise _path_error(error, self.path) from None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._file.close()
            if exc_type is None:
                if self._stem is not None:
                    suffix = sniff_suffix(self._head, self._content_type)
                    if suffix is not None:
                        self.path = self.path.parent / f"{self._stem}{suffix}"
                os.replace(self._tmp, self.path)
                return
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            raise _path_error(error, self.path) from None
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)
