"""Mureka's files: ``files/upload`` (purpose-bound ids) and ``vocal/clone``.

Both are multipart and answer at once. Mureka takes the file's content, never a URL, so a URL
is refused here with the advice to download it first. Sizes (10 MB) and, when the file name or
its content tells, formats are checked before anything is sent (``endpoints.md`` §2.1-§2.2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from .._errors import ValidationError
from .._operations import Operation
from .._results import Upload
from ._mureka_base import MAX_FILE_BYTES, MurekaBase

__all__ = ["PURPOSES", "MurekaFileEndpoints", "read_source"]

#: The upload purposes and the formats each takes (2026: mp3 and m4a; MIDI for melodies).
PURPOSES: Mapping[str, frozenset[str]] = {
    "reference": frozenset({"mp3", "m4a"}),
    "vocal": frozenset({"mp3", "m4a"}),
    "melody": frozenset({"mp3", "m4a", "mid", "midi"}),
    "instrumental": frozenset({"mp3", "m4a"}),
    "voice": frozenset({"mp3", "m4a"}),
    "audio": frozenset({"mp3", "m4a"}),
    "remix": frozenset({"mp3", "m4a"}),
}

#: What each purpose is for, for messages.
_USES: Mapping[str, str] = {
    "reference": "song reference_id (30 s)",
    "vocal": "song vocal_id (15-30 s)",
    "melody": "song melody_id (5-60 s; MIDI recommended)",
    "instrumental": "instrumental_id (30 s)",
    "voice": "tts voice_id (5-15 s)",
    "audio": "upload_audio_id of extend, recognize, region edits and added tracks",
    "remix": "upload_audio_id of remix",
}

_CONTENT_TYPES: Mapping[str, str] = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mid": "audio/midi",
    "midi": "audio/midi",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
}


class MurekaFileEndpoints(MurekaBase):
    """Mureka's uploads and vocal clones."""

    def upload(
        self,
        source: str | bytes | os.PathLike[str],
        *,
        purpose: str | None = None,
        filename: str | None = None,
    ) -> Operation[Upload]:
        """Upload a file for one purpose (``POST /v1/files/upload``, multipart, sync, free).

        The id it returns only works in the parameters of its purpose: ``reference``, ``vocal``,
        ``melody``, ``instrumental`` and ``voice`` for generation and speech, ``audio`` for
        extend, recognize, region edits and added tracks, ``remix`` for remixes.

        Args:
            source: The file's content, or the path of a file (read at once). A URL is refused:
                Mureka takes file content, so download it first.
            purpose: Required: one of ``reference``, ``vocal``, ``melody``, ``instrumental``,
                ``voice``, ``audio``, ``remix``.
            filename: The name to send (its extension tells Mureka the format); defaults to the
                path's name, or for content a name from what the bytes look like.

        Returns:
            An operation giving the ``Upload`` (``id``, ``purpose``, ``filename``, ``size``).

        Raises:
            ValidationError: No or an unknown purpose, a URL, an unreadable path, a file over
                10 MB, or a format the purpose does not take (mp3 or m4a; melody also MIDI).
        """
        purpose = _check_purpose(purpose)
        file = read_source(source, filename)
        _check_format(file, purpose)
        request = self.multipart("/files/upload", {"purpose": purpose}, file.part())
        return self.operation("upload", request, self._uploaded(purpose))

    def vocal_clone(
        self, source: str | bytes | os.PathLike[str], *, filename: str | None = None
    ) -> Operation[Upload]:
        """Clone a voice from a vocal sample (``POST /v1/vocal/clone``, multipart, sync).

        The id it returns is a ``vocal_id`` for songs. ⚠ Mureka's spec names the path
        ``/v1/vocal/clone`` while its own example posts to ``/v1/song/vocal-clone``: the first
        is sent, and the second tried when Mureka answers 404. Mureka publishes no price for
        it; musicgen treats it like an upload (not paid, so a failed attempt may be resent,
        which at worst makes a second clone). An ``upload(..., purpose="vocal")`` id works as a
        ``vocal_id`` too.

        Args:
            source: The vocal sample (mp3 or m4a, under 10 MB): content or a path; not a URL.
            filename: The bare ``name.ext`` to send (Mureka reads the format from the suffix).

        Returns:
            An operation giving the ``Upload`` (``purpose="vocal"``).

        Raises:
            ValidationError: A URL, an unreadable path, over 10 MB, or not mp3/m4a.
        """
        file = read_source(source, filename)
        _check_format(file, "vocal")
        parse = self._uploaded("vocal")
        # The fallback is only sent after a 404, which starts nothing.
        fallback = self.operation(
            "vocal_clone", self.multipart("/song/vocal-clone", {}, file.part()), parse
        )
        request = self.multipart("/vocal/clone", {}, file.part())
        return self.operation("vocal_clone", request, parse, if_missing=fallback)

    def _uploaded(self, purpose: str) -> Callable[[httpx.Response], Upload]:
        def parse(response: httpx.Response) -> Upload:
            from ._mureka_wire import read_upload

            return self.read_answer(response, lambda body: read_upload(body, purpose=purpose))

        return parse


class _File:
    """A file to send: its name (None when unknown), content and format."""

    def __init__(self, name: str | None, content: bytes) -> None:
        self.content = content
        self.format = _extension(name) or _sniff(content)
        if self.format is not None and _extension(name) is None:
            # Mureka reads the format from the name's suffix, so content gets a fitting one.
            name = f"{name or 'upload'}.{self.format}"
        self.name = name or "upload"

    def part(self) -> tuple[str, bytes, str]:
        content_type = _CONTENT_TYPES.get(self.format or "", "application/octet-stream")
        return (self.name, self.content, content_type)


def read_source(source: object, filename: str | None, field: str = "source") -> _File:
    """The file to send: ``source``'s content, or the file at its path (read now).

    Raises:
        ValidationError: A URL, something that is neither content nor a path, a path that
            cannot be read, or more than 10 MB.
    """
    if filename is not None and (not isinstance(filename, str) or not filename.strip()):
        msg = f"filename must be a non-empty string such as 'song.mp3', got {filename!r}"
        raise ValidationError(msg, field="filename")
    name = None if filename is None else Path(filename.strip()).name
    if isinstance(source, (bytes, bytearray, memoryview)):
        content = bytes(source)
    elif isinstance(source, str) and source.strip().lower().startswith(("http://", "https://")):
        msg = (
            f"{field} is a URL, but Mureka uploads take the file's content. Download it first "
            "and pass the bytes or a file path"
        )
        raise ValidationError(msg, field=field)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:  # refused before reading it all into memory
                raise ValidationError(_too_big(field, size), field=field)
            content = path.read_bytes()
        except OSError as error:
            msg = f"{field}: cannot read {str(path)!r} ({error.strerror or error})"
            raise ValidationError(msg, field=field) from None
        name = name or path.name
    else:
        msg = (
            f"{field} must be the file's content (bytes) or a path to it, got "
            f"{type(source).__name__}"
        )
        raise ValidationError(msg, field=field)
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(_too_big(field, len(content)), field=field)
    if not content:
        raise ValidationError(f"{field} is empty: there is nothing to upload", field=field)
    return _File(name, content)


def _too_big(field: str, size: int) -> str:
    return (
        f"{field} is {size / 1024 / 1024:.1f} MB; Mureka takes files of at most 10 MB. "
        "Shorten or compress it (e.g. a lower mp3 bitrate)"
    )


def _check_purpose(purpose: object) -> str:
    names = ", ".join(PURPOSES)
    if purpose is None:
        msg = (
            f"purpose is required for Mureka uploads: one of {names}. Each id works only where "
            "its purpose does (e.g. 'audio' for extend, 'remix' for remix)"
        )
        raise ValidationError(msg, field="purpose")
    cleaned = purpose.strip().lower() if isinstance(purpose, str) else purpose
    if cleaned not in PURPOSES:
        msg = f"purpose {purpose!r} is not a Mureka upload purpose; use one of {names}"
        raise ValidationError(msg, field="purpose")
    return str(cleaned)


def _check_format(file: _File, purpose: str) -> None:
    allowed = PURPOSES[purpose]
    if file.format is None or file.format in allowed:
        return
    kinds = " or ".join(sorted(f for f in allowed if f != "midi"))
    msg = (
        f"{file.name!r} looks like {file.format}; Mureka's {purpose!r} purpose "
        f"({_USES[purpose]}) takes {kinds} files. Convert it first"
    )
    raise ValidationError(msg, field="source")


def _extension(name: str | None) -> str | None:
    if name is None:
        return None
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix or None


def _sniff(content: bytes) -> str | None:
    """The format the first bytes show, for content sent without a name."""
    if content.startswith(b"ID3") or (
        len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0
    ):
        return "mp3"
    if content[4:8] == b"ftyp":
        return "m4a"
    if content.startswith(b"MThd"):
        return "mid"
    if content.startswith(b"RIFF") and content[8:12] == b"WAVE":
        return "wav"
    if content.startswith(b"fLaC"):
        return "flac"
    if content.startswith(b"OggS"):
        return "ogg"
    return None
