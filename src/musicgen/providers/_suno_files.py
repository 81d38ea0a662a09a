"""Suno's files and voices: uploads (URL, stream, base64), personas, style boost, custom voices,
recovery of expired links.

Wire facts relied on (``endpoints.md`` §1.9, §1.16-§1.19):

* Uploads go to a separate host (``SunoBase.upload_base_url``) whose paths have no ``/api/v1``
  prefix. Its answers add ``success`` to the ``{code, msg, data}`` envelope. Files are deleted
  3 days after upload, and an upload under the same ``uploadPath`` + ``fileName`` replaces the
  earlier file; uploads are free.
* ``generate-persona``, ``style/generate`` and ``voice/check-voice`` answer at once. The style
  boost reports a string ``successFlag`` ("1" success) and the credits it used.
* Suno Voice: ``voice/validate`` and ``voice/regenerate`` start phrase tasks (read with
  ``voice/validate-info``), ``voice/generate`` a voice task (``voice/record-info``).
  ``regenerate`` spells its callback field ``calBackUrl``; ``check-voice`` takes snake_case
  ``task_id``.
* ``suno/recovery`` starts a recovery task whose record-info answers envelope code 201 while it
  runs: a state, not an error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import mimetypes
import os
import posixpath
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from .._errors import BadRequestError, ValidationError
from .._models import Generation, TaskStatus, Track
from .._operations import Operation, TaskSpec
from .._results import Persona, StyleBoost, Task, Upload, Voice, VoicePhrase
from ._base import clean_text, track_of
from ._suno_base import SunoBase, request_key

__all__ = [
    "DEFAULT_UPLOAD_PATH",
    "MAX_BASE64_UPLOAD_BYTES",
    "MAX_UPLOAD_BYTES",
    "SINGER_SKILL_LEVELS",
    "VOICE_LANGUAGES",
    "SunoFileEndpoints",
]

#: The ``uploadPath`` (folder on the upload host) used when a call names none.
DEFAULT_UPLOAD_PATH = "musicgen"

#: The largest file ``upload`` sends. The docs give no hard limit for stream uploads; 100 MB is
#: their recommended maximum for URL uploads, and a music file is far smaller.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

#: The largest file ``upload_base64`` sends: the docs recommend base64 for small files and the
#: stream upload above 10 MB (base64 adds about a third to the body).
MAX_BASE64_UPLOAD_BYTES = 10 * 1024 * 1024

#: Languages ``validate_voice`` can write its phrase in.
VOICE_LANGUAGES = ("en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru")

#: ``singerSkillLevel`` values of ``create_voice`` (Suno's default: beginner).
SINGER_SKILL_LEVELS = ("beginner", "intermediate", "advanced", "professional")

_PERSONA_WINDOW = (10.0, 30.0)  # seconds between vocal_start and vocal_end
_MAX_FILENAME = 200

# Magic numbers of the formats an audio API is sent, for a content type when the name has none.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"fLaC", "audio/flac"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (4, b"ftyp", "audio/mp4"),
)


def _sniff(content: bytes) -> str | None:
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return "audio/wav"
    for offset, magic, mime in _SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return mime
    if len(content) >= 2 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MPEG audio frame without an ID3 tag
    return None


def _extension(mime: str) -> str:
    return {
        "audio/wav": ".wav",
        "audio/mpeg": ".mp3",
        "audio/flac": ".flac",
        "audio/ogg": ".ogg",
        "audio/mp4": ".m4a",
        "image/png": ".png",
        "image/jpeg": ".jpg",
    }.get(mime, "")


def content_type(name: str | None, content: bytes = b"") -> str:
    """The MIME type of a file: from its first bytes, else its name, else octet-stream."""
    sniffed = _sniff(content)
    if sniffed is not None:
        return sniffed
    guessed = mimetypes.guess_type(name, strict=False)[0] if name else None
    return guessed or "application/octet-stream"


def _is_http_url(text: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _check_url(value: object, field: str, what: str) -> str:
    url = value.url if isinstance(value, Upload) else value
    text = clean_text(url)
    if text is None or not _is_http_url(text):
        msg = (
            f"{field} must be an http(s) URL of {what}, got {url!r}; upload a local file first "
            "(provider.upload(path).url)"
        )
        raise ValidationError(msg, field=field)
    return text


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_upload_path(upload_path: object) -> str:
    text = clean_text(upload_path)
    if text is None:
        msg = f"upload_path is empty: pass a folder name such as {DEFAULT_UPLOAD_PATH!r}"
        raise ValidationError(msg, field="upload_path")
    if text.startswith("/") or text.endswith("/"):
        msg = (
            f"upload_path must not start or end with '/' (Suno's rule), got {text!r}: "
            f"pass {text.strip('/')!r}"
        )
        raise ValidationError(msg, field="upload_path")
    if any(part in ("", ".", "..") for part in text.split("/")) or "\\" in text:
        msg = f"upload_path must be folder names joined by single '/', got {text!r}"
        raise ValidationError(msg, field="upload_path")
    return text


def _check_filename(filename: object) -> str | None:
    if filename is None:
        return None
    text = clean_text(filename)
    if text is None or any(c in text for c in "/\\") or text in (".", ".."):
        msg = (
            f"filename must be a plain file name such as 'song.mp3' (no folders), got {filename!r}"
        )
        raise ValidationError(msg, field="filename")
    if len(text) > _MAX_FILENAME:
        msg = f"filename is {len(text)} characters long; the limit is {_MAX_FILENAME}"
        raise ValidationError(msg, field="filename")
    return text


def _unique_name(stem: str, suffix: str, token: str) -> str:
    """``<stem>-<12 hex of token's digest><suffix>``: a name no other content or URL gets.

    The upload host replaces a file uploaded under the same name, which would silently change
    what an earlier ``Upload.url`` serves; a digest keeps distinct files apart, and re-uploading
    the same file harmlessly replaces it with itself.
    """
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "upload"
    return f"{safe}-{digest}{suffix}"


def _read_file(source: str | os.PathLike[str], limit: int, hint: str) -> tuple[bytes, str]:
    """The bytes and name of the file at ``source``, refused before reading when too large."""
    path = Path(os.fspath(source)).expanduser()
    try:
        size = path.stat().st_size
        if path.is_dir():
            msg = f"source {str(path)!r} is a folder; pass a file"
            raise ValidationError(msg, field="source")
        if size > limit:
            msg = (
                f"source {str(path)!r} is {_megabytes(size)}; the limit is {_megabytes(limit)}"
                f"{hint}"
            )
            raise ValidationError(msg, field="source")
        with path.open("rb") as file:
            content = file.read(limit + 1)
    except FileNotFoundError:
        msg = f"source: no file at {str(path)!r} (a str that is not an http(s) URL is a path)"
        raise ValidationError(msg, field="source") from None
    except OSError as error:
        msg = f"source {str(path)!r} cannot be read: {error.strerror or error}"
        raise ValidationError(msg, field="source") from None
    return content, path.name


def _source_bytes(source: object, limit: int, hint: str) -> tuple[bytes, str | None]:
    """Bytes to upload and their original name (None for bytes), checked against ``limit``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        content, name = bytes(source), None
    elif isinstance(source, (str, os.PathLike)):
        content, name = _read_file(source, limit, hint)
    else:
        msg = f"source must be an http(s) URL, a file path or bytes, got {type(source).__name__}"
        raise ValidationError(msg, field="source")
    if not content:
        what = f"file {name!r}" if name else "bytes"
        raise ValidationError(f"source is empty: the {what} hold nothing to upload", field="source")
    if len(content) > limit:
        msg = f"source is {_megabytes(len(content))}; the limit is {_megabytes(limit)}{hint}"
        raise ValidationError(msg, field="source")
    return content, name


def _seconds(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{field} must be a number of seconds, got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        msg = f"{field} must be a finite number of seconds, 0 or more, got {value!r}"
        raise ValidationError(msg, field=field)
    return number


def _wire_seconds(value: float) -> int | float:
    """Whole seconds as an int (the peers send ints; a float would do too), else the float."""
    return int(value) if value.is_integer() else value


def _task_id_of(value: object, field: str) -> str:
    """The task id of a ``Task``, ``VoicePhrase``, ``Generation`` or a plain id."""
    if isinstance(value, (Task, VoicePhrase, Generation)):
        return value.task_id
    if isinstance(value, str) and value.strip():
        return value.strip()
    msg = f"{field} must be a task id or the Task that holds it, got {value!r}"
    raise ValidationError(msg, field=field)


class SunoFileEndpoints(SunoBase):
    """Suno's files and voices: uploads, personas, style boost, custom voices, recovery."""

    # -- uploads --------------------------------------------------------------------------------

    def upload(
        self,
        source: str | bytes | os.PathLike[str],
        *,
        purpose: str | None = None,
        filename: str | None = None,
        upload_path: str = DEFAULT_UPLOAD_PATH,
    ) -> Operation[Upload]:
        """Put a file on Suno's upload host, to pass its URL to other endpoints. Free, sync.

        An http(s) URL is fetched by Suno (``POST /api/file-url-upload``; it should be at most
        100 MB and reachable within 30 s). Bytes or a file path (read at once) are streamed as
        multipart (``POST /api/file-stream-upload``); ``upload_base64`` sends base64 instead.
        Files are deleted 3 days after upload (``Upload.expires_at``).

        Args:
            source: An http(s) URL, a file path (str or PathLike), or the bytes themselves.
            purpose: Mureka's notion; Suno has none, so only None is accepted.
            filename: The name to store the file under. An upload with the same
                ``upload_path`` and name replaces the earlier file. None stores it under its own
                name (the URL's or the path's, or ``upload`` for bytes) plus a digest of its
                content (or URL), so different files never replace each other.
            upload_path: The folder on the upload host, without leading or trailing ``/``.

        Returns:
            An operation whose result is an ``Upload`` with ``url`` set.

        Raises:
            ValidationError: A ``purpose``, a bad ``filename`` or ``upload_path``, a missing,
                empty or over-100-MB file; raised before any request exists.
        """
        if purpose is not None:
            msg = (
                f"purpose={purpose!r} is Mureka's upload setting; Suno uploads have no purpose "
                "(any Suno endpoint takes the resulting URL): drop purpose="
            )
            raise ValidationError(msg, field="purpose")
        name = _check_filename(filename)
        folder = _check_upload_path(upload_path)
        if isinstance(source, str) and _is_http_url(source.strip()):
            return self._upload_url(source.strip(), name, folder)
        if isinstance(source, str) and "://" in source and not Path(source).exists():
            msg = (
                f"source {source!r} looks like a URL but is not http(s); only http(s) URLs can "
                "be uploaded by URL (download it and pass the file instead)"
            )
            raise ValidationError(msg, field="source")
        content, original = _source_bytes(source, MAX_UPLOAD_BYTES, "")
        name = name or self._default_name(original, content)
        mime = content_type(name, content)
        form = {"uploadPath": folder, "fileName": name}
        request = self.http_request(
            "POST",
            "/api/file-stream-upload",
            data=form,
            files={"file": (name, content, mime)},
            base_url=self.upload_base_url,
        )
        # Materialise the multipart body: the request then serves every attempt, and its
        # content can be read. Its boundary is random, so the key is the content's digest.
        request.read()
        digest = hashlib.sha256(content).hexdigest()
        return self.operation(
            "upload",
            request,
            self._uploaded,
            key=f"suno:upload:stream:{folder}:{name}:{digest}",
        )

    def upload_base64(
        self,
        data: bytes | str | os.PathLike[str],
        *,
        filename: str | None = None,
        upload_path: str = DEFAULT_UPLOAD_PATH,
    ) -> Operation[Upload]:
        """Put a small file on Suno's upload host as base64 (``POST /api/file-base64-upload``).

        Free, sync. Meant for small files (at most 10 MB); ``upload`` streams larger ones.

        Args:
            data: The bytes, or the path of a file (read at once).
            filename: As for ``upload``.
            upload_path: As for ``upload``.

        Returns:
            An operation whose result is an ``Upload`` with ``url`` set.

        Raises:
            ValidationError: A bad ``filename`` or ``upload_path``, an http(s) URL (use
                ``upload``), a missing, empty or over-10-MB file.
        """
        name = _check_filename(filename)
        folder = _check_upload_path(upload_path)
        if isinstance(data, str) and _is_http_url(data.strip()):
            msg = "upload_base64 takes bytes or a file path; upload(url) uploads a URL"
            raise ValidationError(msg, field="source")
        content, original = _source_bytes(
            data, MAX_BASE64_UPLOAD_BYTES, "; upload() streams files up to 100 MB"
        )
        name = name or self._default_name(original, content)
        mime = content_type(name, content)
        encoded = base64.b64encode(content).decode("ascii")
        body = {
            # A data URI names the type even where the file name does not (both are accepted).
            "base64Data": f"data:{mime};base64,{encoded}",
            "uploadPath": folder,
            "fileName": name,
        }
        return self.operation(
            "upload_base64",
            self.http_request(
                "POST", "/api/file-base64-upload", json=body, base_url=self.upload_base_url
            ),
            self._uploaded,
        )

    def _upload_url(self, url: str, name: str | None, folder: str) -> Operation[Upload]:
        if name is None:
            base = posixpath.basename(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            stem, suffix = posixpath.splitext(base)
            name = _unique_name(stem or "upload", suffix[:10], url)
        body = {"fileUrl": url, "uploadPath": folder, "fileName": name}
        return self.operation(
            "upload",
            self.http_request(
                "POST", "/api/file-url-upload", json=body, base_url=self.upload_base_url
            ),
            self._uploaded,
        )

    @staticmethod
    def _default_name(original: str | None, content: bytes) -> str:
        token = hashlib.sha256(content).hexdigest()
        if original is None:
            return _unique_name("upload", _extension(_sniff(content) or ""), token)
        stem, suffix = os.path.splitext(original)
        return _unique_name(stem, suffix, token)

    def _uploaded(self, response: httpx.Response) -> Upload:
        """Read an upload answer (``{success, code, msg, data}``).

        Raises:
            APIError: The code's error (400 bad parameters, 401 key, 500 server).
            UnexpectedResponseError: ``success: false`` with code 200, or no ``downloadUrl``.
        """
        from ._suno_file_wire import read_upload
        from ._wire import WireError

        envelope = self._envelope(response)
        if envelope.get("success") is False:
            msg = clean_text(envelope.get("msg")) or "no message"
            self._unexpected(
                response, f"the upload answer has code 200 but success: false ({msg})", envelope
            )
        try:
            return read_upload(envelope.get("data"), raw=envelope)
        except WireError as error:
            self._unexpected(response, f"unreadable upload answer: {error}", envelope)

    # -- persona and style -----------------------------------------------------------------------

    def persona(
        self,
        track: Track | Generation | str,
        *,
        name: str,
        description: str,
        vocal_start: float = 0.0,
        vocal_end: float = 30.0,
        style: str | None = None,
    ) -> Operation[Persona]:
        """Make a persona (a singer's style) from a generated track's vocals. Free, sync.

        ``POST /api/v1/generate/generate-persona``. Pass the persona's id as ``persona_id``
        (with ``persona_model="style_persona"``) to generate, extend and cover. Suno makes one
        persona per track; the source task must be finished and of model V4 or newer.

        Args:
            track: A ``Track`` of a finished generation (or the ``Generation``: its first
                track). Its ``task_id`` is needed, so a bare track id is not enough.
            name: The persona's name.
            description: What the persona sounds like.
            vocal_start: Where the vocals to learn from start, in seconds.
            vocal_end: Where they end; 10 to 30 seconds after ``vocal_start``.
            style: An optional style label.

        Raises:
            ValidationError: No task id, empty name or description, or a bad window.
            BadRequestError: A persona exists already for this track (409), or the task is
                unfinished or unknown (400).
        """
        source = track_of(track)
        if not source.task_id:
            msg = (
                "track: a persona needs the track's task id as well as its id; pass the Track "
                "from a finished Generation (generation.tracks[0]) rather than a track id"
            )
            raise ValidationError(msg, field="track")
        clean_name = clean_text(name)
        clean_description = clean_text(description)
        for field, value in (("name", clean_name), ("description", clean_description)):
            if value is None:
                raise ValidationError(f"{field} is required and must not be blank", field=field)
        start = _seconds(vocal_start, "vocal_start")
        end = _seconds(vocal_end, "vocal_end")
        low, high = _PERSONA_WINDOW
        if not low <= end - start <= high:
            msg = (
                f"vocal_end - vocal_start must be {low:g} to {high:g} seconds, got "
                f"{end - start:g} ({start:g} to {end:g})"
            )
            raise ValidationError(msg, field="vocal_end")
        if source.duration is not None and end > source.duration:
            msg = f"vocal_end {end:g} s is past the end of the track ({source.duration:g} s)"
            raise ValidationError(msg, field="vocal_end")
        body: dict[str, Any] = {
            "taskId": source.task_id,
            "audioId": source.id,
            "name": clean_name,
            "description": clean_description,
            "vocalStart": _wire_seconds(start),
            "vocalEnd": _wire_seconds(end),
        }
        label = clean_text(style)
        if label is not None:
            body["style"] = label
        return self.operation(
            "persona",
            self.http_request("POST", "/generate/generate-persona", json=body),
            self._persona,
        )

    def _persona(self, response: httpx.Response) -> Persona:
        from ._suno_file_wire import read_persona
        from ._wire import WireError

        try:
            envelope = self._envelope(response)
        except BadRequestError as error:
            if error.code != 409:
                raise
            raise BadRequestError(
                f"{error.message} (Suno makes one persona per track; reuse the persona made "
                "for it, or pick another track)",
                provider=error.provider,
                status_code=error.status_code,
                code=error.code,
                retry_after=error.retry_after,
                body=error.body,
            ) from None
        try:
            return read_persona(envelope.get("data"), raw=envelope)
        except WireError as error:
            self._unexpected(response, f"unreadable persona answer: {error}", envelope)

    def boost_style(self, content: str) -> Operation[StyleBoost]:
        """Expand a short style (``"Pop, Mysterious"``) into a richer one. Paid, sync.

        ``POST /api/v1/style/generate``; the answer reports the credits it used.

        Raises:
            ValidationError: ``content`` is blank.
            BadRequestError: Suno reports the boost failed (``successFlag`` "2").
            UncertainResponseError: Any other ``successFlag`` (the docs' "0" is "pending",
                which a sync call cannot follow): the call may have been charged.
        """
        text = clean_text(content)
        if text is None:
            msg = "content is required: a short style to expand, e.g. 'Pop, Mysterious'"
            raise ValidationError(msg, field="content")
        return self.operation(
            "boost_style",
            self.http_request("POST", "/style/generate", json={"content": text}),
            self._style_boost,
            paid=True,
        )

    def _style_boost(self, response: httpx.Response) -> StyleBoost:
        """Read the boost; ``successFlag`` "1" is success, "2" a failure, anything else unknown.

        A failure is a ``BadRequestError`` (Suno ran the request and refused it: retrying the
        same content will not help). Any other flag leaves the result unknown although the
        request was taken (and perhaps charged), so it is an ``UnexpectedResponseError``,
        which the client reports as uncertain and never resends.
        """
        from ._suno_file_wire import read_style_boost
        from ._wire import WireError

        envelope = self._envelope(response)
        try:
            boost = read_style_boost(envelope.get("data"))
        except WireError as error:
            self._unexpected(response, f"unreadable style boost answer: {error}", envelope)
        flag = boost.success_flag
        where = f"task {boost.task_id}" if boost.task_id else "no task id"
        if flag == "1" and boost.result is not None:
            return StyleBoost(
                text=boost.result,
                credits_consumed=boost.credits_consumed,
                credits_remaining=boost.credits_remaining,
                raw=envelope,
            )
        reason = boost.error_message or "no reason given"
        if boost.error_code is not None:
            reason = f"{reason} (errorCode {boost.error_code})"
        if flag == "2":
            raise BadRequestError(
                self.redact(f"Suno could not boost the style ({where}): {reason}"),
                provider=self.name,
                status_code=response.status_code,
                code=200,
                body=envelope,
            )
        detail = "no result" if flag == "1" else f"successFlag {flag!r}"
        self._unexpected(
            response,
            f"the style boost answered with {detail} ({where}; {reason}); it may have been "
            "charged: check your sunoapi.org dashboard before retrying",
            envelope,
        )

    # -- Suno Voice --------------------------------------------------------------------------------

    def validate_voice(
        self,
        voice_url: str | Upload,
        *,
        start: float,
        end: float,
        language: str | None = None,
    ) -> Operation[Task[VoicePhrase]]:
        """Start a custom voice: Suno writes a phrase for the voice's owner to record. Task.

        ``POST /api/v1/voice/validate``, polled with ``voice_validation_status``. The cost is
        not documented, so it is treated as paid (never resent once it may have arrived).
        Next: record the phrase (singing is recommended), upload it, ``create_voice``.

        Args:
            voice_url: An http(s) URL (or an ``Upload``) of a recording of the voice.
            start: Where a clean stretch of the voice starts, in seconds.
            end: Where it ends, after ``start``.
            language: The phrase's language, one of ``VOICE_LANGUAGES``; None: Suno's default.

        Raises:
            ValidationError: A bad URL, window or language.
        """
        url = _check_url(voice_url, "voice_url", "a recording of the voice")
        first = _seconds(start, "start")
        last = _seconds(end, "end")
        if last <= first:
            msg = f"end must be after start, got start={first:g} and end={last:g}"
            raise ValidationError(msg, field="end")
        body: dict[str, Any] = {
            "voiceUrl": url,
            "vocalStartS": _wire_seconds(first),
            "vocalEndS": _wire_seconds(last),
            "callBackUrl": self.callback(family="voice_phrase"),
        }
        if language is not None:
            code = clean_text(language)
            code = code.lower() if code else code
            if code not in VOICE_LANGUAGES:
                msg = f"language must be one of {', '.join(VOICE_LANGUAGES)}, got {language!r}"
                raise ValidationError(msg, field="language")
            body["language"] = code
        return self.task_operation(
            "validate_voice",
            "/voice/validate",
            body,
            self.voice_validation_status,
            self._phrase_started,
            result_type=Task[VoicePhrase],
        )

    def regenerate_voice_phrase(
        self, task_id: str | Task[VoicePhrase] | VoicePhrase
    ) -> Operation[Task[VoicePhrase]]:
        """Ask for a new phrase for a voice being validated (``POST /api/v1/voice/regenerate``).

        Task, polled with ``voice_validation_status`` under the new task id it returns; use
        that id with ``create_voice``. Treated as paid, like ``validate_voice``.

        The docs spell the callback field ``calBackUrl``; musicgen sends that and the usual
        ``callBackUrl`` with the same value, so whichever the server reads is set (an unknown
        field is ignored).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        tid = self.check_task_id(_task_id_of(task_id, "task_id"))
        callback = self.callback(family="voice_phrase")
        body = {"taskId": tid, "calBackUrl": callback, "callBackUrl": callback}
        return self.task_operation(
            "regenerate_voice_phrase",
            "/voice/regenerate",
            body,
            self.voice_validation_status,
            self._phrase_started,
            result_type=Task[VoicePhrase],
        )

    def voice_validation_status(self, task_id: str) -> Operation[Task[VoicePhrase]]:
        """Read a phrase task (``GET /api/v1/voice/validate-info``). Free.

        Ready (``SUCCEEDED``, ``result`` the phrase) at ``wait_validating`` with a
        ``validateInfo``; failed at ``processing_validate_fail`` or ``fail``.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        tid = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[VoicePhrase]:
            from ._suno_file_wire import read_voice_phrase

            return read_voice_phrase(data, task_id=tid, raw=raw)

        return self.task_read(
            "voice_validation_status",
            "/voice/validate-info",
            tid,
            read,
            self.voice_validation_status,
            Task[VoicePhrase],
        )

    def create_voice(
        self,
        validation_task_id: str | Task[VoicePhrase] | VoicePhrase,
        verify_url: str | Upload,
        *,
        name: str | None = None,
        description: str | None = None,
        style: str | None = None,
        singer_skill_level: str | None = None,
    ) -> Operation[Task[Voice]]:
        """Make the custom voice from the recorded phrase (``POST /api/v1/voice/generate``).

        Task, polled with ``voice_status``; its result's ``id`` is the ``voiceId``, used as
        ``persona_id`` with ``persona_model="voice_persona"``. Treated as paid (cost unknown).

        Args:
            validation_task_id: The phrase task (from ``validate_voice`` or
                ``regenerate_voice_phrase``), or its ``VoicePhrase``.
            verify_url: An http(s) URL (or an ``Upload``) of the owner saying or singing the
                phrase.
            name: The voice's name.
            description: A description.
            style: A style label.
            singer_skill_level: One of ``SINGER_SKILL_LEVELS`` (Suno's default: beginner).

        Raises:
            ValidationError: An empty task id, a bad URL or an unknown skill level.
        """
        tid = self.check_task_id(_task_id_of(validation_task_id, "validation_task_id"))
        url = _check_url(verify_url, "verify_url", "the recorded phrase")
        body: dict[str, Any] = {
            "taskId": tid,
            "verifyUrl": url,
            "callBackUrl": self.callback(family="voice"),
        }
        for key, value in (("voiceName", name), ("description", description), ("style", style)):
            text = clean_text(value)
            if text is not None:
                body[key] = text
        if singer_skill_level is not None:
            level = clean_text(singer_skill_level)
            level = level.lower() if level else level
            if level not in SINGER_SKILL_LEVELS:
                msg = (
                    f"singer_skill_level must be one of {', '.join(SINGER_SKILL_LEVELS)}, got "
                    f"{singer_skill_level!r}"
                )
                raise ValidationError(msg, field="singer_skill_level")
            body["singerSkillLevel"] = level
        return self.task_operation(
            "create_voice",
            "/voice/generate",
            body,
            self.voice_status,
            self._voice_started,
            result_type=Task[Voice],
        )

    def voice_status(self, task_id: str) -> Operation[Task[Voice]]:
        """Read a voice task (``GET /api/v1/voice/record-info``). Free.

        Done (``SUCCEEDED``, ``result`` the ``Voice``) at ``success`` with a ``voiceId``.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        tid = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[Voice]:
            from ._suno_file_wire import read_voice

            return read_voice(data, task_id=tid, raw=raw)

        return self.task_read(
            "voice_status", "/voice/record-info", tid, read, self.voice_status, Task[Voice]
        )

    def check_voice(self, task_id: str | Task[Voice]) -> Operation[bool]:
        """Tell whether a custom voice can be used (``POST /api/v1/voice/check-voice``). Free.

        Args:
            task_id: The voice task (``create_voice``'s), or its ``Task``. Sent as snake_case
                ``task_id``, as the docs spell it for this endpoint.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        tid = self.check_task_id(_task_id_of(task_id, "task_id"))

        def parse(response: httpx.Response) -> bool:
            from ._suno_file_wire import read_check_voice
            from ._wire import WireError

            envelope = self._envelope(response)
            try:
                return read_check_voice(envelope.get("data"))
            except WireError as error:
                self._unexpected(response, f"unreadable check-voice answer: {error}", envelope)

        return self.operation(
            "check_voice",
            self.http_request("POST", "/voice/check-voice", json={"task_id": tid}),
            parse,
        )

    @staticmethod
    def _phrase_started(task_id: str, envelope: Mapping[str, Any]) -> Task[VoicePhrase]:
        return Task(
            task_id=task_id,
            provider="suno",
            kind="voice_phrase",
            status=TaskStatus.QUEUED,
            provider_status="wait_processing",
            raw=envelope,
        )

    @staticmethod
    def _voice_started(task_id: str, envelope: Mapping[str, Any]) -> Task[Voice]:
        return Task(
            task_id=task_id,
            provider="suno",
            kind="voice",
            status=TaskStatus.QUEUED,
            provider_status="wait_processing",
            raw=envelope,
        )

    # -- recovery ----------------------------------------------------------------------------------

    def recover(self, task: Generation | Track | str) -> Operation[Task[tuple[Track, ...]]]:
        """Get fresh playable links for a finished music task's tracks. Task, treated as paid.

        ``POST /api/v1/suno/recovery``, polled with ``recovery_status``: every track of the
        task is recovered together. The result holds the recovered tracks (``audio_url`` set;
        it may be an ``.m4a`` file); tracks that could not be recovered are named in ``error``.
        The old ``sourceAudioUrl`` links expire, which is what this is for.

        Args:
            task: The music ``Generation``, one of its tracks (its ``task_id`` is used), or
                the music task id.

        Raises:
            ValidationError: No music task id.
        """
        if isinstance(task, Track):
            if not task.task_id:
                msg = (
                    "task: this Track does not know its task id; pass the Generation or its "
                    "task_id instead"
                )
                raise ValidationError(msg, field="task")
            music = task.task_id
        else:
            music = _task_id_of(task, "task")
        music = self.check_task_id(music, "task")
        body = {"sunoTaskId": music, "callBackUrl": self.callback(family="recovery")}

        def read(task_id: str) -> Operation[Task[tuple[Track, ...]]]:
            return self.recovery_status(task_id, music_task_id=music)

        def parse(response: httpx.Response) -> Task[tuple[Track, ...]]:
            from ._suno_file_wire import read_recovery_task_id
            from ._wire import WireError

            envelope = self._envelope(response)
            try:
                task_id = read_recovery_task_id(envelope)
            except WireError as error:
                self._unexpected(
                    response,
                    f"the recover answer has no task id ({error}); a recovery task may still "
                    "have been started: check your sunoapi.org dashboard before resubmitting",
                    envelope,
                )
            return Task(
                task_id=task_id,
                provider="suno",
                kind="recovery",
                status=TaskStatus.QUEUED,
                provider_status="201",
                raw=envelope,
            )

        return self.operation(
            "recover",
            self.http_request("POST", "/suno/recovery", json=body),
            parse,
            paid=True,
            task=TaskSpec(read=read, result_type=Task[tuple[Track, ...]]),
            key=lambda: request_key(self.name, "recover", "/suno/recovery", body),
        )

    def recovery_status(
        self, task_id: str, *, music_task_id: str | None = None
    ) -> Operation[Task[tuple[Track, ...]]]:
        """Read a recovery task (``GET /api/v1/suno/recovery/record-info``). Free.

        The envelope code is the task's state: 201 running, 200 done (at least one track
        recovered), 500 with the items every track failed (``FAILED``, their reasons in
        ``error``). A 500 without items is an ordinary server error, retried by the client.

        Args:
            task_id: The recovery task (``recover``'s), not the music task.
            music_task_id: The music task recovered, set as the tracks' ``task_id`` so they
                work with the endpoints that need it (WAV, stems...); ``recover`` passes it.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        tid = self.check_task_id(task_id)
        music = clean_text(music_task_id)

        def parse(response: httpx.Response) -> Task[tuple[Track, ...]]:
            return self._recovery(response, tid, music)

        def read(next_id: str) -> Operation[Task[tuple[Track, ...]]]:
            return self.recovery_status(next_id, music_task_id=music)

        return self.operation(
            "recovery_status",
            self.http_request("GET", "/suno/recovery/record-info", params={"taskId": tid}),
            parse,
            task=TaskSpec(read=read, task_id=tid, result_type=Task[tuple[Track, ...]]),
        )

    def _recovery(
        self, response: httpx.Response, task_id: str, music_task_id: str | None
    ) -> Task[tuple[Track, ...]]:
        from ._suno_base import _as_int
        from ._suno_file_wire import (
            RECOVERY_ALL_FAILED,
            RECOVERY_DONE,
            RECOVERY_RUNNING,
            read_recovery,
        )
        from ._wire import WireError

        envelope = _json_object(response) if response.is_success else None
        code = _as_int(envelope.get("code")) if envelope is not None else None
        data = envelope.get("data") if envelope is not None else None
        # 201 (running) and 500 with its items (all failed) describe the task: read them before
        # the envelope check, which takes any code but 200 for an error.
        if envelope is not None and code == RECOVERY_RUNNING:
            state = RECOVERY_RUNNING
        elif envelope is not None and code == RECOVERY_ALL_FAILED and isinstance(data, list):
            state = RECOVERY_ALL_FAILED
        else:
            envelope = self._envelope(response, reads_task=True)
            state, data = RECOVERY_DONE, envelope.get("data")
        try:
            return read_recovery(
                state,
                data,
                task_id=task_id,
                music_task_id=music_task_id,
                message=clean_text(envelope.get("msg")),
                raw=envelope,
            )
        except WireError as error:
            self._unexpected(response, f"unreadable recovery record: {error}", envelope)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None
