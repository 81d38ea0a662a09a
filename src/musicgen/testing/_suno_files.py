"""The emulated Suno files and voices: uploads, custom voices, personas, style boost, recovery.

Routes (endpoint names in brackets, as ``Fault(endpoint=...)`` selects them):

- the upload host (served on the same base URL as everything else): ``POST
  /api/file-url-upload`` and ``POST /api/file-stream-upload`` [upload], ``POST
  /api/file-base64-upload`` [upload_base64]; free. Answers add ``success`` to the envelope and
  refuse with ``{"success": false, "code": 400|401|413, "msg"}`` at that HTTP status;
- ``POST /api/v1/generate/generate-persona`` [persona], free;
- ``POST /api/v1/style/generate`` [boost_style], paid (submit);
- ``POST /api/v1/voice/validate`` [validate_voice], ``POST /api/v1/voice/regenerate``
  [regenerate_voice_phrase], ``POST /api/v1/voice/generate`` [create_voice], paid (submit);
  ``GET /api/v1/voice/validate-info`` [voice_validation_status] and ``GET
  /api/v1/voice/record-info`` [voice_status] (status); ``POST /api/v1/voice/check-voice``
  [check_voice], free;
- ``POST /api/v1/suno/recovery`` [recover] (submit) and ``GET
  /api/v1/suno/recovery/record-info`` [recovery_status] (status).

Choices where the docs are silent:

- uploaded files are served at ``<base>/files/<id>/<name>`` (the name reduced to letters,
  digits, ``.``, ``-`` and ``_``); an upload under the same ``uploadPath`` and ``fileName``
  replaces the earlier file at the same URL, as the real host does. Files are not deleted
  after 3 days. The emulator cannot fetch the internet: a URL upload of one of its own media
  files (``/audio/...``, ``/image/...``, ``/files/...``, any host) copies that file's bytes;
  any other URL is stored as a 1-second WAV rendered from the URL;
- costs are not documented: a style boost costs :data:`STYLE_BOOST_CREDITS`, a voice phrase
  (validate or regenerate) :data:`VOICE_PHRASE_CREDITS`, a voice :data:`VOICE_CREDITS`, a
  recovery :data:`RECOVERY_CREDITS`; uploads, personas and voice checks are free;
- phrases are English whatever ``language`` says; the style boost's text is built from the
  given styles; ``voiceId`` and ``personaId`` are 32 hex characters;
- scripts (``Emulator.script_next_task``) apply to the next task of this family too: a phrase
  or voice task ends in the scripted status (``processing_validate_fail``, ``fail``...); a
  style boost answers ``successFlag`` "2"; a recovery fails every track (``reason`` or
  ``feed_failed``), or with ``final_status="partial"`` every track but the first;
- a recovery of a music task that has not reached SUCCESS fails each track with
  ``clip_not_complete``; of an unknown task, it is refused at once (code 400). Recovered links
  are the tracks' media under a new variant (``/audio/<id>.recovered.wav``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import mimetypes
import re
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from ._media import render_png, render_wav
from ._model import Task, media_url
from ._route import Route
from ._suno import SunoError, envelope
from ._wire import authorized, decode_json, json_response

if TYPE_CHECKING:
    from ._store import Store
    from ._suno import SunoService

__all__ = [
    "RECOVERY_CREDITS",
    "STYLE_BOOST_CREDITS",
    "UPLOAD_LIMIT",
    "VOICE_CREDITS",
    "VOICE_PHRASE_CREDITS",
    "file_routes",
]

#: Bytes a stream or base64 upload may hold (the docs' recommended maximum for URL uploads).
UPLOAD_LIMIT = 100 * 1024 * 1024
STYLE_BOOST_CREDITS = 1
VOICE_PHRASE_CREDITS = 1
VOICE_CREDITS = 5
RECOVERY_CREDITS = 1

LANGUAGES = ("en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru")
SKILL_LEVELS = ("beginner", "intermediate", "advanced", "professional")
PERSONA_WINDOW = (10.0, 30.0)

PHRASE_STAGES = ("wait_processing", "processing_validate", "wait_validating")
VOICE_STAGES = ("wait_processing", "processing_validate", "wait_validating", "success")
VOICE_FAILURES = ("processing_validate_fail", "fail")
PHRASE_TERMINAL = frozenset({"wait_validating", "success", *VOICE_FAILURES})
VOICE_TERMINAL = frozenset({"success", *VOICE_FAILURES})
RECOVERY_STAGES = ("running", "done")
RECOVERY_TERMINAL = frozenset({"done"})

_OWN_MEDIA = re.compile(r"/(audio|image)/([^/.]+)((?:\.[^/.]+)*)|/files/([^/]+)/([^/]+)")
_PHRASE_WORDS = (
    "harmonies", "fill", "the", "air", "with", "joyful", "melodies", "tonight", "every",
    "morning", "brings", "a", "brighter", "song", "gentle", "rivers", "carry", "my", "voice",
    "home",
)  # fmt: skip
_STYLE_WORDS = (
    "polished production",
    "warm analog textures",
    "wide stereo image",
    "punchy drums",
    "airy vocals",
    "lush pads",
    "driving bassline",
    "intimate atmosphere",
)
_EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
}
_FAILURE_MESSAGES = {
    "processing_validate_fail": "Failed to obtain the validation phrase",
    "fail": "Voice creation failed",
}


@dataclass
class _State:
    """What this family keeps besides tasks (guarded by the store's lock)."""

    personas: dict[str, str] = field(default_factory=dict)  # audioId -> personaId
    uploads: dict[str, str] = field(default_factory=dict)  # "<uploadPath>/<fileName>" -> file id


@dataclass(frozen=True)
class _Part:
    filename: str | None
    content_type: str | None
    content: bytes


class _UploadError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def file_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    return _FileRoutes(service).routes()


# -- helpers -------------------------------------------------------------------------------------


def _upload_answer(code: int, msg: str, data: Any = None) -> httpx.Response:
    """The upload host's envelope: ``success`` beside ``{code, msg, data}``; errors at their
    HTTP status."""
    body = {"success": code == 200, "code": code, "msg": msg, "data": data}
    return json_response(body, 200 if code == 200 else code)


def parse_multipart(request: httpx.Request) -> dict[str, _Part] | None:
    """The fields of a ``multipart/form-data`` body by name; None when it is not one."""
    ctype = request.headers.get("content-type", "")
    found = re.search(r'boundary="?([^";]+)"?', ctype)
    if not ctype.lower().startswith("multipart/form-data") or found is None:
        return None
    delimiter = b"--" + found.group(1).encode("latin-1")
    parts: dict[str, _Part] = {}
    for chunk in request.content.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        chunk = chunk.removeprefix(b"\r\n")
        head, separator, content = chunk.partition(b"\r\n\r\n")
        if not separator:
            continue
        headers = head.decode("utf-8", "replace")
        disposition = re.search(r"(?im)^content-disposition:(.*)$", headers)
        if disposition is None:
            continue
        name = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition.group(1))
        if name is None:
            continue
        filename = re.search(r'(?:^|;)\s*filename="([^"]*)"', disposition.group(1))
        part_type = re.search(r"(?im)^content-type:\s*(.*?)\s*$", headers)
        parts[name.group(1)] = _Part(
            urllib.parse.unquote(filename.group(1)) if filename else None,
            part_type.group(1) if part_type else None,
            content.removesuffix(b"\r\n"),
        )
    return parts


def _sniff(content: bytes) -> str | None:
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return "audio/wav"
    for offset, magic, mime in (
        (0, b"ID3", "audio/mpeg"),
        (0, b"fLaC", "audio/flac"),
        (0, b"OggS", "audio/ogg"),
        (0, b"\x89PNG", "image/png"),
        (0, b"\xff\xd8\xff", "image/jpeg"),
        (4, b"ftyp", "audio/mp4"),
    ):
        if content[offset : offset + len(magic)] == magic:
            return mime
    return None


def _mime(name: str, content: bytes) -> str:
    """The type the host reports ("automatic MIME type recognition"): from the bytes, else
    the name."""
    guessed = mimetypes.guess_type(name, strict=False)[0]
    return _sniff(content) or guessed or "application/octet-stream"


def _served_name(name: str) -> str:
    """The name in the download URL: safe in a path segment without encoding."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    return safe.strip(".") or "file"


def _upload_path(value: object) -> str:
    if value is None or value == "":
        raise _UploadError(400, "Missing required parameter: uploadPath")
    if not isinstance(value, str) or not value.strip():
        raise _UploadError(400, "uploadPath must be a non-empty string")
    if value.startswith("/") or value.endswith("/"):
        raise _UploadError(400, "uploadPath must not start or end with '/'")
    return value


def _file_name(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or "/" in value or "\\" in value:
        raise _UploadError(400, "fileName must be a plain file name")
    return value


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name)
    if value is None:
        if default is None:
            raise SunoError(400, f"{name} cannot be null")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SunoError(400, f"{name} must be a number of seconds, 0 or more")
    return float(value)


def _optional(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SunoError(400, f"{name} must be a string")
    return value


def _required(body: dict[str, Any], name: str) -> str:
    value = _optional(body, name)
    if value is None:
        raise SunoError(400, f"{name} cannot be null")
    return value


def _http_url(body: dict[str, Any], name: str) -> str:
    url = _required(body, name)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SunoError(400, f"{name} must be an http or https URL")
    return url


def _plan(stages: tuple[str, ...], failures: tuple[str, ...], final: str | None) -> tuple[str, ...]:
    """The statuses a voice task walks: its normal stages, or a scripted ending."""
    if final is None or final == stages[-1]:
        return stages
    if final in stages:
        return stages[: stages.index(final) + 1]
    if final in failures:
        return (*stages[:2], final)
    return (stages[0], final)  # unknown: served for ever


def _phrase(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    words = [_PHRASE_WORDS[b % len(_PHRASE_WORDS)] for b in digest[:8]]
    return " ".join(words).capitalize()


def _boost(content: str) -> str:
    """A deterministic expansion of a short style: its parts, then descriptive phrases."""
    styles = [part.strip().lower() for part in re.split(r"[,;/]", content) if part.strip()]
    digest = hashlib.sha256(content.encode()).digest()
    extras = [_STYLE_WORDS[b % len(_STYLE_WORDS)] for b in digest[:3]]
    extras = list(dict.fromkeys(extras))  # no repeats, order kept
    return f"{', '.join(styles)} with {', '.join(extras)}"


# -- the routes ----------------------------------------------------------------------------------


class _FileRoutes:
    """Handlers of this family over one service's store, credits and key."""

    def __init__(self, service: SunoService) -> None:
        self.service = service
        self.state = _State()

    @property
    def store(self) -> Store:
        return self.service._store

    def routes(self) -> list[Route]:
        service = self.service
        upload = [
            self._upload_route("/api/file-url-upload", self._url_upload, "upload"),
            self._upload_route("/api/file-stream-upload", self._stream_upload, "upload"),
            self._upload_route("/api/file-base64-upload", self._base64_upload, "upload_base64"),
        ]
        v1 = "/api/v1"
        return [
            *upload,
            service.bearer_route(
                "POST", f"{v1}/generate/generate-persona", self._persona, endpoint="persona"
            ),
            service.bearer_route(
                "POST", f"{v1}/style/generate", self._style, "submit", endpoint="boost_style"
            ),
            service.bearer_route(
                "POST", f"{v1}/voice/validate", self._validate, "submit", endpoint="validate_voice"
            ),
            service.bearer_route(
                "POST",
                f"{v1}/voice/regenerate",
                self._regenerate,
                "submit",
                endpoint="regenerate_voice_phrase",
            ),
            service.bearer_route(
                "GET",
                f"{v1}/voice/validate-info",
                self._validate_info,
                "status",
                endpoint="voice_validation_status",
            ),
            service.bearer_route(
                "POST", f"{v1}/voice/generate", self._voice, "submit", endpoint="create_voice"
            ),
            service.bearer_route(
                "GET",
                f"{v1}/voice/record-info",
                self._voice_info,
                "status",
                endpoint="voice_status",
            ),
            service.bearer_route(
                "POST", f"{v1}/voice/check-voice", self._check_voice, endpoint="check_voice"
            ),
            service.bearer_route(
                "POST", f"{v1}/suno/recovery", self._recover, "submit", endpoint="recover"
            ),
            service.bearer_route(
                "GET",
                f"{v1}/suno/recovery/record-info",
                self._recovery_info,
                "status",
                endpoint="recovery_status",
            ),
        ]

    # -- uploads ---------------------------------------------------------------------------------

    def _upload_route(
        self,
        path: str,
        handler: Callable[[httpx.Request], httpx.Response],
        endpoint: str,
    ) -> Route:
        service = self.service

        def guarded(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
            if not authorized(request, service._api_key):
                return _upload_answer(401, "Unauthorized access")
            try:
                return handler(request)
            except _UploadError as error:
                return _upload_answer(error.code, error.msg)

        return Route(service.provider, "POST", path, guarded, endpoint=endpoint)

    def _url_upload(self, request: httpx.Request) -> httpx.Response:
        body = decode_json(request.content)
        if not isinstance(body, dict):
            raise _UploadError(400, "Request body must be a JSON object")
        url = body.get("fileUrl")
        if url is None or url == "":
            raise _UploadError(400, "Missing required parameter: fileUrl")
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _UploadError(400, "fileUrl must be an http or https URL")
        folder = _upload_path(body.get("uploadPath"))
        name = _file_name(body.get("fileName"))
        if name is None:
            name = parts.path.rsplit("/", 1)[-1] or f"{uuid.uuid4().hex}.wav"
            name = urllib.parse.unquote(name)
        copied = self._own_media(parts.path)
        if copied is None:
            # The emulator cannot fetch the internet: a short WAV stands in for the file.
            content, ctype = render_wav(f"upload|{url}", 1.0), "audio/wav"
        else:
            content, ctype = copied
        return self._stored(request, folder, name, content, ctype)

    def _stream_upload(self, request: httpx.Request) -> httpx.Response:
        parts = parse_multipart(request)
        if parts is None:
            raise _UploadError(400, "Content-Type must be multipart/form-data")
        folder_part = parts.get("uploadPath")
        folder = _upload_path(
            folder_part.content.decode("utf-8", "replace") if folder_part else None
        )
        name_part = parts.get("fileName")
        name = _file_name(name_part.content.decode("utf-8", "replace") if name_part else None)
        file = parts.get("file")
        if file is None or file.filename is None:
            raise _UploadError(400, "Missing required parameter: file")
        if not file.content:
            raise _UploadError(400, "The file is empty")
        if len(file.content) > UPLOAD_LIMIT:
            raise _UploadError(413, "File too large: the limit is 100MB")
        name = name or file.filename or f"{uuid.uuid4().hex}.bin"
        ctype = _mime(name, file.content)
        return self._stored(request, folder, name, file.content, ctype)

    def _base64_upload(self, request: httpx.Request) -> httpx.Response:
        body = decode_json(request.content)
        if not isinstance(body, dict):
            raise _UploadError(400, "Request body must be a JSON object")
        data = body.get("base64Data")
        if data is None or data == "":
            raise _UploadError(400, "Missing required parameter: base64Data")
        if not isinstance(data, str):
            raise _UploadError(400, "base64Data must be a string")
        folder = _upload_path(body.get("uploadPath"))
        name = _file_name(body.get("fileName"))
        declared = None
        found = re.fullmatch(r"data:([^;,]+)?(?:;[^,]*)?;base64,(.*)", data, re.DOTALL)
        if found:
            declared, data = found.group(1), found.group(2)
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _UploadError(400, "base64Data is not valid base64") from None
        if not content:
            raise _UploadError(400, "The file is empty")
        if len(content) > UPLOAD_LIMIT:
            raise _UploadError(413, "File too large: the limit is 100MB")
        kind = declared or _sniff(content) or ""
        ext = _EXTENSIONS.get(kind) or mimetypes.guess_extension(kind) or ".bin"
        name = name or f"{uuid.uuid4().hex}{ext}"
        return self._stored(request, folder, name, content, declared or _mime(name, content))

    def _own_media(self, path: str) -> tuple[bytes, str] | None:
        """The bytes and type of one of the emulator's media files, by URL path, or None."""
        found = _OWN_MEDIA.fullmatch(path)
        if found is None:
            return None
        store = self.store
        with store.lock:
            if found.group(4):
                stored = store.files.get(found.group(4))
                kept = None if stored is None else (stored.render, stored.content_type)
            else:
                owner = store.tracks.get(found.group(2))
                kept = None
                if owner is not None:
                    task, track = owner
                    if found.group(1) == "image":
                        kept = (lambda: render_png(track.seed), "image/png")
                    else:
                        seconds = task.duration_s
                        kept = (lambda: render_wav(track.seed, seconds), "audio/wav")
        if kept is None:
            return None
        render, ctype = kept
        return render(), ctype  # rendered outside the lock: synthesis takes a while

    def _stored(
        self, request: httpx.Request, folder: str, name: str, content: bytes, ctype: str
    ) -> httpx.Response:
        store = self.store
        served = _served_name(name)
        with store.lock:
            key = f"{folder}/{name}"
            file_id = self.state.uploads.get(key) or store.new_id(lambda: uuid.uuid4().hex)
            self.state.uploads[key] = file_id
            url = store.add_file(
                self.service.provider,
                store.base_url(request),
                served,
                ctype,
                lambda: content,
                file_id=file_id,
            )
        now = dt.datetime.now(dt.timezone.utc)
        data = {
            "fileName": name,
            "filePath": key,
            "downloadUrl": url,
            "fileSize": len(content),
            "mimeType": ctype,
            "uploadedAt": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        return _upload_answer(200, "File uploaded successfully", data)

    # -- persona and style -----------------------------------------------------------------------

    def _persona(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            task_id = _required(body, "taskId")
            audio_id = _required(body, "audioId")
            name = _required(body, "name")
            description = _required(body, "description")
            _optional(body, "style")
            start = _number(body, "vocalStart", 0.0)
            end = _number(body, "vocalEnd", 30.0)
            low, high = PERSONA_WINDOW
            if not low <= end - start <= high:
                raise SunoError(400, "vocalEnd - vocalStart must be between 10 and 30 seconds")
        except SunoError as error:
            return envelope(error.code, error.msg)
        store = self.store
        with store.lock:
            task = store.tasks.get(task_id)
            if task is None or task.provider != "suno" or task.kind != "music":
                return envelope(400, f"Task not found: no music task with taskId {task_id}")
            if task.status != "SUCCESS":
                return envelope(400, "The music task is not finished yet")
            if audio_id not in {track.id for track in task.tracks}:
                return envelope(400, f"audioId {audio_id} does not belong to task {task_id}")
            if end > task.duration_s:
                return envelope(400, "vocalEnd is past the end of the track")
            if audio_id in self.state.personas:
                return envelope(409, "Persona already exists for this music")
            persona_id = uuid.uuid4().hex
            self.state.personas[audio_id] = persona_id
        data = {"personaId": persona_id, "name": name, "description": description}
        return envelope(200, "success", data)

    def _style(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            content = _required(body, "content")
        except SunoError as error:
            return envelope(error.code, error.msg)
        store = self.store
        with store.lock:
            if self.service.credits < STYLE_BOOST_CREDITS:
                return envelope(429)
            self.service.credits -= STYLE_BOOST_CREDITS
            final, reason = store.pop_script(self.service.provider)
            failed = final not in (None, "1", "SUCCESS", "success")
            task = self._task(request, "style", body, ("2",) if failed else ("1",))
            task.status = task.stages[-1]
            store.register(task)
            remaining = self.service.credits
        data = {
            "taskId": task.id,
            "param": content,
            "result": None if failed else _boost(content),
            "creditsConsumed": STYLE_BOOST_CREDITS,
            "creditsRemaining": remaining,
            "successFlag": "2" if failed else "1",
            "errorCode": 500 if failed else None,
            "errorMessage": (reason or "Style generation failed") if failed else None,
            "createTime": task.created_ms,
        }
        return envelope(200, "success", data)

    # -- Suno Voice ------------------------------------------------------------------------------

    def _task(
        self, request: httpx.Request, kind: str, body: dict[str, Any], stages: tuple[str, ...]
    ) -> Task:
        """A new task of this family (the caller holds the lock and registers it)."""
        store = self.store
        return Task(
            id=store.new_id(lambda: uuid.uuid4().hex),
            provider=self.service.provider,
            kind=kind,
            model="",
            stages=stages,
            error_code=None,
            error_message=None,
            created_ms=int(time.time() * 1000),
            base_url=store.base_url(request),
            request=body,
            duration_s=0.0,
            status=stages[0],
        )

    def _charge(self, credits: int) -> bool:
        """Take ``credits`` (lock held); False when there are not enough."""
        if self.service.credits < credits:
            return False
        self.service.credits -= credits
        return True

    def _phrase_task(
        self, request: httpx.Request, body: dict[str, Any], seed: str, source: str | None
    ) -> httpx.Response:
        store = self.store
        with store.lock:
            if not self._charge(VOICE_PHRASE_CREDITS):
                return envelope(429)
            final, reason = store.pop_script(self.service.provider)
            task = self._task(
                request, "voice_phrase", body, _plan(PHRASE_STAGES, VOICE_FAILURES, final)
            )
            task.error_message = reason
            task.extra.update(phrase=_phrase(f"{seed}|{task.id}"), source=source)
            store.register(task)
        return envelope(200, "success", {"taskId": task.id})

    def _validate(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            url = _http_url(body, "voiceUrl")
            start = _number(body, "vocalStartS")
            end = _number(body, "vocalEndS")
            if end <= start:
                raise SunoError(400, "vocalEndS must be greater than vocalStartS")
            language = body.get("language")
            if language not in (None, "", *LANGUAGES):
                raise SunoError(400, f"language must be one of: {', '.join(LANGUAGES)}")
        except SunoError as error:
            return envelope(error.code, error.msg)
        return self._phrase_task(request, body, f"{url}|{start}|{end}|{language}", None)

    def _regenerate(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            task_id = _required(body, "taskId")
        except SunoError as error:
            return envelope(error.code, error.msg)
        with self.store.lock:
            source = self.store.tasks.get(task_id)
            if source is None or source.kind != "voice_phrase":
                return envelope(400, f"Task not found: no voice task with taskId {task_id}")
            if source.status not in PHRASE_TERMINAL:
                return envelope(400, "The validation phrase is still being generated")
        return self._phrase_task(request, body, f"regenerate|{task_id}", task_id)

    def _validate_info(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = request.url.params.get("taskId")
        if not task_id:
            return envelope(400, "taskId cannot be null")
        with self.store.lock:
            task = self.store.tasks.get(task_id)
            if task is None or task.provider != "suno" or task.kind != "voice_phrase":
                return envelope(400, f"Task not found: no voice task with taskId {task_id}")
            status = self.store.advance(task, PHRASE_TERMINAL)
            if status == "wait_validating" and task.extra.get("voice_made"):
                status = "success"  # "the full voice creation flow has completed"
            ready = status in ("wait_validating", "success")
            failed = status in VOICE_FAILURES
            data = {
                "taskId": task.id,
                "validateInfo": task.extra["phrase"] if ready else "",
                "status": status,
                "errorCode": 500 if failed else 0,
                "errorMessage": (task.error_message or _FAILURE_MESSAGES[status]) if failed else "",
            }
        return envelope(200, "success", data)

    def _voice(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            phrase_id = _required(body, "taskId")
            _http_url(body, "verifyUrl")
            for name in ("voiceName", "description", "style"):
                _optional(body, name)
            level = body.get("singerSkillLevel")
            if level not in (None, "", *SKILL_LEVELS):
                raise SunoError(400, f"singerSkillLevel must be one of: {', '.join(SKILL_LEVELS)}")
        except SunoError as error:
            return envelope(error.code, error.msg)
        store = self.store
        with store.lock:
            phrase = store.tasks.get(phrase_id)
            if phrase is None or phrase.kind != "voice_phrase":
                return envelope(400, f"Task not found: no voice task with taskId {phrase_id}")
            if phrase.status not in ("wait_validating", "success"):
                return envelope(400, "The validation phrase is not ready: poll validate-info first")
            if not self._charge(VOICE_CREDITS):
                return envelope(429)
            final, reason = store.pop_script(self.service.provider)
            task = self._task(request, "voice", body, _plan(VOICE_STAGES, VOICE_FAILURES, final))
            task.error_message = reason
            task.extra.update(phrase_task=phrase.id, voice_id=uuid.uuid4().hex)
            store.register(task)
        return envelope(200, "success", {"taskId": task.id})

    def _voice_info(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = request.url.params.get("taskId")
        if not task_id:
            return envelope(400, "taskId cannot be null")
        store = self.store
        with store.lock:
            task = store.tasks.get(task_id)
            if task is None or task.provider != "suno" or task.kind != "voice":
                return envelope(400, f"Task not found: no voice task with taskId {task_id}")
            status = store.advance(task, VOICE_TERMINAL)
            done = status == "success"
            failed = status in VOICE_FAILURES
            if done:
                phrase = store.tasks.get(task.extra["phrase_task"])
                if phrase is not None:
                    phrase.extra["voice_made"] = True
            data = {
                "taskId": task.id,
                "voiceId": task.extra["voice_id"] if done else "",
                "status": status,
                "errorCode": 500 if failed else 0,
                "errorMessage": (task.error_message or _FAILURE_MESSAGES[status]) if failed else "",
            }
        return envelope(200, "success", data)

    def _check_voice(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            # Snake case, as documented for this endpoint only; taskId is not read.
            task_id = _required(body, "task_id")
        except SunoError as error:
            return envelope(error.code, error.msg)
        with self.store.lock:
            task = self.store.tasks.get(task_id)
            if task is None or task.kind != "voice":
                return envelope(400, f"Task not found: no voice task with task_id {task_id}")
            available = task.status == "success"
        return envelope(200, "success", {"isAvailable": available})

    # -- recovery --------------------------------------------------------------------------------

    def _recover(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            callback = body.get("callBackUrl")
            if not isinstance(callback, str) or not callback.strip():
                raise SunoError(400, "Please enter callBackUrl.")
            music_id = _required(body, "sunoTaskId")
        except SunoError as error:
            return envelope(error.code, error.msg)
        store = self.store
        with store.lock:
            music = store.tasks.get(music_id)
            if music is None or music.provider != "suno" or music.kind != "music":
                return envelope(400, f"Task not found: no music task with sunoTaskId {music_id}")
            if not self._charge(RECOVERY_CREDITS):
                return envelope(429)
            final, reason = store.pop_script(self.service.provider)
            task = self._task(request, "recovery", body, RECOVERY_STAGES)
            items = []
            for track in music.tracks:
                if music.status != "SUCCESS":
                    failure = "clip_not_complete"
                elif final is None or (final == "partial" and track.index == 0):
                    failure = ""
                else:
                    failure = reason or "feed_failed"
                fresh = media_url(music.base_url, track.id, "recovered")
                items.append(
                    {
                        "id": track.id,
                        "audio_url": "" if failure else fresh,
                        "title": track.title,
                        "status": "failed" if failure else "success",
                        "error": failure,
                    }
                )
            task.extra["items"] = items
            store.register(task)
        return envelope(200, "success", {"taskId": task.id})

    def _recovery_info(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = request.url.params.get("taskId")
        if not task_id:
            return envelope(400, "taskId cannot be null")
        with self.store.lock:
            task = self.store.tasks.get(task_id)
            if task is None or task.provider != "suno" or task.kind != "recovery":
                return envelope(400, f"Task not found: no recovery task with taskId {task_id}")
            status = self.store.advance(task, RECOVERY_TERMINAL)
            items = json.loads(json.dumps(task.extra["items"]))  # a copy for the answer
        if status == "running":
            return envelope(201, "Recovery in progress", None)
        if any(item["status"] == "success" for item in items):
            return envelope(200, "success", items)
        return envelope(500, "All tracks failed to recover", items)
