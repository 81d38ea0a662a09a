"""The emulated sunoapi.org ("Suno-style") API: its endpoints and their wire formats.

:class:`SunoService` declares the routes and answers them; the functions above it validate,
plan and render payloads without touching any state. Shared state sits in the emulator's
:class:`~._store.Store`, behind its one lock.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._model import Task, Track, media_url
from ._route import ANY_METHOD, BearerService, Route
from ._wire import decode_json, truncated_json

if TYPE_CHECKING:
    from ._fault import Fault
    from ._store import Store

MODELS: tuple[str, ...] = ("V3_5", "V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5")

# Internal model names as seen live in ``modelName`` / ``type``. V4_5ALL's is not documented
# anywhere, so the emulator invents one in the same style.
MODEL_NAMES: dict[str, str] = {
    "V3_5": "chirp-v3-5",
    "V4": "chirp-v4",
    "V4_5": "chirp-auk",
    "V4_5PLUS": "chirp-bluejay",
    "V4_5ALL": "chirp-v4-5-all",
    "V5": "chirp-crow",
    "V5_5": "chirp-fenix",
}

CREDITS_PER_GENERATE = 12
SIMPLE_PROMPT_LIMIT = 500

# Default ``msg`` per body code, worded like the docs' error table.
MESSAGES: dict[int, str] = {
    200: "success",
    400: "Invalid parameters",
    401: "Unauthorized access",
    404: "Invalid request method or path",
    405: "Rate limit exceeded",
    413: "Theme or prompt too long",
    429: "Insufficient credits. Please top up your account and try again.",
    430: "Your call frequency is too high. Please try again later.",
    455: "System maintenance",
    500: "Server error",
    503: "Service temporarily unavailable, please try again later.",
}

SUCCESS_STAGES: tuple[str, ...] = ("PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS")

# Scripted failures: the stages walked before the failure, then (errorCode, errorMessage).
# The stage where each fails follows its meaning: moderation and task creation fail up front,
# audio generation after the text stage, the callback only after the audio is done.
_FAILURES: dict[str, tuple[tuple[str, ...], int | None, str]] = {
    "CREATE_TASK_FAILED": (("PENDING",), 500, "Create task failed, please try again later."),
    "SENSITIVE_WORD_ERROR": (
        ("PENDING",),
        400,
        "The prompt contains sensitive words. Please modify it and try again.",
    ),
    "GENERATE_AUDIO_FAILED": (
        ("PENDING", "TEXT_SUCCESS"),
        500,
        "Internal Error, Please try again later.",
    ),
    "CALLBACK_EXCEPTION": (
        ("PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS"),
        None,
        "Callback exception: the callback URL did not accept the notification.",
    ),
}

_GENRES = ("pop", "rock", "lo-fi", "electronic", "acoustic", "jazz", "synthwave", "folk")
_MOODS = ("upbeat", "mellow", "dreamy", "energetic", "melancholic", "warm")


class SunoError(Exception):
    """A request the real API would refuse with this body ``code`` and ``msg``."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


@dataclass(frozen=True)
class GenerateParams:
    """A validated ``POST /api/v1/generate`` body."""

    custom_mode: bool
    instrumental: bool
    model: str
    prompt: str
    style: str
    title: str


def envelope(
    code: int,
    msg: str | None = None,
    data: Any = None,
    *,
    http_status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Build a ``{code, msg, data}`` response (HTTP 200 unless told otherwise)."""
    body = {
        "code": code,
        "msg": msg if msg is not None else MESSAGES.get(code, "error"),
        "data": data,
    }
    return httpx.Response(
        http_status,
        headers={"content-type": "application/json", **(headers or {})},
        content=json.dumps(body, separators=(",", ":")).encode(),
    )


def limits(model: str) -> tuple[int, int, int]:
    """Return the (custom prompt, style, title) length limits of a model.

    These are the newer docs' limits; V3_5 is gone from them and is treated like V4.
    """
    legacy = model in ("V3_5", "V4")
    title = 80 if model in ("V3_5", "V4", "V4_5ALL") else 100
    return (3000 if legacy else 5000, 200 if legacy else 1000, title)


def _bool_field(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        raise SunoError(400, f"{name} cannot be null")
    if not isinstance(value, bool):
        raise SunoError(400, f"{name} must be a boolean")
    return value


def _text_field(body: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise SunoError(400, f"{name} cannot be null")
        return ""
    if not isinstance(value, str):
        raise SunoError(400, f"{name} must be a string")
    return value


def validate_tuning(body: Mapping[str, Any]) -> None:
    """Check the optional tuning fields generate and its relatives share.

    Raises:
        SunoError: 400 for a bad ``vocalGender``, weight or ``personaModel``.
    """
    gender = body.get("vocalGender")
    if gender not in (None, "", "m", "f"):
        raise SunoError(400, "vocalGender must be 'm' or 'f'")
    for name in ("styleWeight", "weirdnessConstraint", "audioWeight"):
        weight = body.get(name)
        if weight is None:
            continue
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
            raise SunoError(400, f"{name} must be a number between 0 and 1")
    persona_model = body.get("personaModel")
    if persona_model not in (None, "", "style_persona", "voice_persona"):
        raise SunoError(400, "personaModel must be 'style_persona' or 'voice_persona'")


def validate_generate(body: object) -> GenerateParams:
    """Validate a generate body the way the real API does.

    Raises:
        SunoError: With code 400 (missing or bad field) or 413 (text over the model's limit).
    """
    if not isinstance(body, dict):
        raise SunoError(400, "Request body must be a JSON object")
    callback = body.get("callBackUrl")
    if not isinstance(callback, str) or not callback.strip():
        raise SunoError(400, "Please enter callBackUrl.")
    custom = _bool_field(body, "customMode")
    instrumental = _bool_field(body, "instrumental")
    model = body.get("model")
    if model is None or model == "":
        raise SunoError(400, "model cannot be null")
    if model not in MODELS:
        raise SunoError(400, f"model is invalid, it must be one of: {', '.join(MODELS)}")
    if custom:
        style = _text_field(body, "style", required=True)
        title = _text_field(body, "title", required=True)
        prompt = _text_field(body, "prompt", required=not instrumental)
    else:
        # Simple mode ignores style and title ("leave the other fields empty").
        prompt = _text_field(body, "prompt", required=True)
        style = title = ""
    validate_tuning(body)
    prompt_limit, style_limit, title_limit = limits(model)
    if not custom:
        prompt_limit = SIMPLE_PROMPT_LIMIT
    if len(prompt) > prompt_limit or len(style) > style_limit or len(title) > title_limit:
        raise SunoError(413, MESSAGES[413])
    return GenerateParams(custom, instrumental, model, prompt, style, title)


def plan_stages(
    final_status: str | None, reason: str | None
) -> tuple[tuple[str, ...], int | None, str | None]:
    """Return the status sequence of a task, and its errorCode / errorMessage once final.

    Only SUCCESS and the documented failures are terminal. A final status from the normal
    progression (e.g. TEXT_SUCCESS) stops the task there for good, and an unknown one is
    served after PENDING for ever: both model a task that never finishes.
    """
    if final_status is None or final_status == "SUCCESS":
        return SUCCESS_STAGES, None, None
    if final_status in SUCCESS_STAGES:
        return SUCCESS_STAGES[: SUCCESS_STAGES.index(final_status) + 1], None, None
    if final_status in _FAILURES:
        before, code, message = _FAILURES[final_status]
        return (*before, final_status), code, reason or message
    return ("PENDING", final_status), None, reason


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _theme(prompt: str) -> str:
    words = re.findall(r"[^\W_]+(?:'[^\W_]+)?", prompt)
    return " ".join(words[:5]).lower() or "the music"


def invent_lyrics(prompt: str, index: int) -> str:
    """Write deterministic placeholder lyrics about a simple-mode prompt."""
    theme = _theme(prompt)
    second = ("Every step I take feels right", "Holding on with all my might")[index % 2]
    return (
        f"[Verse]\n{theme.capitalize()} in the evening light\n{second}\n\n"
        f"[Chorus]\nSing it loud, {theme}\nWe keep going till the morning\n\n"
        "[Outro]\nTill the morning\n"
    )


def invent_title(prompt: str) -> str:
    """Make a title out of the first words of a simple-mode prompt."""
    return _theme(prompt).title()[:80]


def invent_tags(prompt: str) -> str:
    """Pick deterministic style tags for a simple-mode prompt (comma string, trailing space)."""
    digest = _digest(prompt)
    return f"{_GENRES[digest[0] % len(_GENRES)]}, {_MOODS[digest[1] % len(_MOODS)]} "


def build_tracks(params: GenerateParams, ids: tuple[str, str]) -> list[Track]:
    """Create the two tracks every generate request produces."""
    tracks = []
    for index, track_id in enumerate(ids):
        if params.custom_mode:
            lyrics = "" if params.instrumental else params.prompt
            title = params.title
            # Live tags echo the style, with a trailing space.
            tags = params.style.rstrip() + " "
        else:
            lyrics = "" if params.instrumental else invent_lyrics(params.prompt, index)
            title = invent_title(params.prompt)
            tags = invent_tags(params.prompt)
        seed = f"suno|{params.prompt}|{params.style}|{params.title}|{index}"
        tracks.append(Track(track_id, index, seed, title, lyrics, tags))
    return tracks


def _track_payload(task: Task, track: Track, audio_ready: bool) -> dict[str, Any]:
    base = task.base_url
    return {
        "id": track.id,
        "audioUrl": media_url(base, track.id) if audio_ready else "",
        "sourceAudioUrl": media_url(base, track.id, "source") if audio_ready else "",
        "streamAudioUrl": media_url(base, track.id, "stream"),
        "sourceStreamAudioUrl": media_url(base, track.id, "source-stream"),
        "imageUrl": media_url(base, track.id, ext="png"),
        "sourceImageUrl": media_url(base, track.id, "source", ext="png"),
        "prompt": track.lyrics,
        "modelName": MODEL_NAMES[task.model],
        "title": track.title,
        "tags": track.tags,
        # Live sends epoch milliseconds as a number (the docs say a date string).
        "createTime": task.created_ms + 1000 * (track.index + 1),
        "duration": round(task.duration_s, 2) if audio_ready else None,
    }


def record_info(task: Task, status: str) -> dict[str, Any]:
    """Build the ``data`` object of ``GET /api/v1/generate/record-info`` for one status."""
    if status in ("TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS", "CALLBACK_EXCEPTION"):
        ready = {"TEXT_SUCCESS": 0, "FIRST_SUCCESS": 1}.get(status, len(task.tracks))
        response: dict[str, Any] | None = {
            "taskId": task.id,
            "sunoData": [_track_payload(task, t, t.index < ready) for t in task.tracks],
        }
    else:
        # PENDING, failures and unknown statuses carry no tracks (live PENDING has null).
        response = None
    final = status == task.stages[-1]
    return {
        "taskId": task.id,
        # Set by the music edits (extend...); a plain generation has "" and "generate".
        "parentMusicId": task.extra.get("parent_music_id", ""),
        # ⚠ Live sends the original request as a JSON *string*.
        "param": json.dumps(task.request, separators=(",", ":"), ensure_ascii=False),
        "response": response,
        "status": status,
        "type": MODEL_NAMES[task.model],
        "operationType": task.extra.get("operation_type", "generate"),
        "errorCode": task.error_code if final else None,
        "errorMessage": task.error_message if final else None,
        "createTime": task.created_ms,
    }


# --------------------------------------------------------------------------- the service

TERMINAL: frozenset[str] = frozenset({"SUCCESS", *_FAILURES})

# Refusal shapes per fault kind: (body code, HTTP status).
_REFUSALS: dict[str, tuple[int, int]] = {
    "rate_limit": (430, 200),
    "credits": (429, 200),
    "server_error": (500, 200),
    "maintenance": (455, 200),
    # No documented shape: a gateway 503 is what an overloaded service looks like.
    "overloaded": (503, 503),
    "auth": (401, 401),
}


class SunoService(BearerService):
    """The emulated sunoapi.org: its account, its endpoints and how it words a refusal.

    Args:
        store: The emulator's shared state; handlers hold its lock while they touch it.
        api_key: The only Bearer token accepted; None accepts any non-empty token.
        credits: Starting credits (:data:`CREDITS_PER_GENERATE` per generate).
    """

    provider = "suno"

    def __init__(self, store: Store, *, api_key: str | None, credits: int) -> None:
        self._store = store
        self._api_key = api_key
        self.credits = credits  # guarded by store.lock

    def routes(self) -> list[Route]:
        """Declare the emulated endpoints; each checks the Bearer token before anything else."""
        # The endpoint families live in their own modules, which build on this one.
        from ._suno_files import file_routes
        from ._suno_music import music_routes
        from ._suno_tasks import task_routes

        return [
            self.bearer_route(
                "POST", "/api/v1/generate", self._generate, "submit", endpoint="generate"
            ),
            self.bearer_route(
                "GET",
                "/api/v1/generate/record-info",
                self._record_info,
                "status",
                endpoint="status",
            ),
            self.bearer_route(
                "GET", "/api/v1/generate/credit", self._credit, "balance", endpoint="balance"
            ),
            *music_routes(self),
            *task_routes(self),
            *file_routes(self),
            # Any other /api/ path or method gets Suno's own 404 envelope.
            self.bearer_route(ANY_METHOD, re.compile(r"/api/.*"), self._not_found, fallback=True),
        ]

    def refusal(self, fault: Fault, headers: Mapping[str, str]) -> httpx.Response:
        """Answer a refused request the way sunoapi.org words that kind of failure."""
        if fault.kind == "malformed_json":
            return truncated_json(b'{"code": 200, "data": {', fault.http_status or 200, headers)
        if fault.kind == "null_data":
            return envelope(
                fault.code or 200,
                fault.message or "success",
                None,
                http_status=fault.http_status or 200,
                headers=headers,
            )
        code, http_status = _REFUSALS[fault.kind]
        code = fault.code or code
        return envelope(
            code,
            fault.message or MESSAGES.get(code, "error"),
            None,
            http_status=fault.http_status or http_status,
            headers=headers,
        )

    def unauthorized(self) -> httpx.Response:
        """Gateway-level refusal: a real 401, with the envelope clients read anyway."""
        return envelope(401, http_status=401)

    @property
    def store(self) -> Store:
        """The emulator's shared state (take its ``lock`` before touching it)."""
        return self._store

    def _generate(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            params = validate_generate(body)
        except SunoError as exc:
            return envelope(exc.code, exc.msg)
        return self.create_music_task(request, body, params)

    def create_music_task(
        self,
        request: httpx.Request,
        body: dict[str, Any],
        params: GenerateParams,
        *,
        cost: int = CREDITS_PER_GENERATE,
        extra: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Charge ``cost`` credits and start a music task of two tracks made from ``params``.

        Answers like ``generate``: ``{"taskId"}``, or code 429 when the credits run short.
        ``extra`` is kept on the task: ``operation_type`` and ``parent_music_id`` show in
        ``record-info``; ``instrumental`` (default ``params.instrumental``) tells the edits of
        its tracks whether they have vocals.

        Args:
            request: The submission (its host is the base of the media URLs).
            body: The validated body, echoed in ``record-info`` as ``param``.
            params: What the tracks are made from.
            cost: Credits charged on acceptance.
            extra: What the task keeps besides (see above).
        """
        store = self._store
        with store.lock:
            if self.credits < cost:
                return envelope(429)
            self.credits -= cost
            final, reason = store.pop_script(self.provider)
            stages, code, message = plan_stages(final, reason)
            task = Task(
                id=store.new_id(lambda: uuid.uuid4().hex),
                provider=self.provider,
                kind="music",
                model=params.model,
                stages=stages,
                error_code=code,
                error_message=message,
                created_ms=int(time.time() * 1000),
                base_url=store.base_url(request),
                request=body,
                duration_s=store.audio_seconds,
                status="PENDING",
                extra={"instrumental": params.instrumental, **(extra or {})},
            )
            track_ids = (
                store.new_id(lambda: str(uuid.uuid4())),
                store.new_id(lambda: str(uuid.uuid4())),
            )
            task.tracks = build_tracks(params, track_ids)
            store.register(task)
            store.watch_callbacks(task)
        return envelope(200, "success", {"taskId": task.id})

    def _record_info(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = request.url.params.get("taskId")
        if not task_id:
            return envelope(400, "taskId cannot be null")
        with self._store.lock:
            task = self._store.tasks.get(task_id)
            if task is None or task.provider != self.provider:
                return envelope(400, f"Task not found: no music task with taskId {task_id}")
            data = record_info(task, self._store.advance(task, TERMINAL))
        return envelope(200, "success", data)

    def _credit(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        with self._store.lock:
            return envelope(200, "success", self.credits)

    def _not_found(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return envelope(404, http_status=404)
