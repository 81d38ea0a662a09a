"""The emulated Mureka API: its endpoints and their wire formats.

:class:`MurekaService` declares the routes and answers them; the functions above it validate,
plan and render payloads without touching any state. Shared state sits in the emulator's
:class:`~._store.Store`, behind its one lock.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._model import Task, Track, media_url
from ._route import ANY_METHOD, BearerService, Route
from ._wire import decode_json, json_response, truncated_json

if TYPE_CHECKING:
    from ._fault import Fault
    from ._store import Store

SONG_MODELS: tuple[str, ...] = (
    "auto",
    "mureka-5.5",
    "mureka-6",
    "mureka-7",
    "mureka-7.5",
    "mureka-7.6",
    "mureka-o1",
    "mureka-o2",
    "mureka-8",
    "mureka-9",
    "mureka-9.5",
)
# mureka-5.5 never supported instrumentals (2025-06 client enum).
INSTRUMENTAL_MODELS: tuple[str, ...] = tuple(m for m in SONG_MODELS if m != "mureka-5.5")
AUTO_MODEL = "mureka-7.6"
CENTS_PER_SONG = 5
# What the other paid endpoints cost, in cents. Mureka publishes none of these prices: they are
# estimates from endpoints.md (its own list price where quoted, else resellers' and third-party
# summaries), rounded to whole cents. Song edits (extend, track, region edit, remix) cost
# CENTS_PER_SONG per song made, like song/generate.
CENTS_PER_LYRICS = 1  # lyrics/generate, ~$0.009
CENTS_PER_LYRICS_EXTENSION = 0  # lyrics/extend, ~$0.002: under a cent
CENTS_PER_STEM = 6  # song/stem, ~$0.06 per song
CENTS_PER_DESCRIBE = 10  # song/describe, $0.10 at a reseller
CENTS_PER_RECOGNIZE = 1  # song/recognize: no price found anywhere; a guess
CENTS_PER_TTS = 1  # tts/generate, ~$4.9 per hour of speech: a short call rounds up to a cent
CENTS_PER_PODCAST = 2  # tts/podcast, ~$6.9 per hour
CENTS_PER_FINETUNE = 9_900  # finetuning/create, $99-$199 one-off
CONCURRENT_REQUEST_LIMIT = 5
MAX_LYRICS = 3000
MAX_PROMPT = 1024
MAX_N = 3
DEFAULT_N = 2

QUOTA_MESSAGE = "You exceeded your current quota, please check your plan and billing details"
RATE_LIMIT_MESSAGE = "Rate limit reached for requests"
# Mureka's 429 past the account's concurrent_request_limit (providers.md 2.6).
CONCURRENCY_MESSAGE = (
    "Rate limit reached for requests: you are sending requests too quickly, please check "
    "the concurrent request limit"
)

# Default ``error.message`` per HTTP status.
MESSAGES: dict[int, str] = {
    400: "Invalid Request",
    401: "Invalid Authentication",
    403: "Forbidden",
    404: "Not Found",
    429: RATE_LIMIT_MESSAGE,
    451: "Unavailable For Legal Reasons",
    500: "Server Error",
    503: "Engine overloaded",
}

#: How long the URLs of sync answers (stems, speech) stay valid: ``expires_at`` is now + this.
URL_LIFETIME_S = 24 * 3600

#: Task kinds polled at ``/v1/song/query/{id}``: songs and every song edit.
SONG_KINDS: frozenset[str] = frozenset({"song", "extend", "track", "region_edit", "remix"})

SUCCESS_STAGES: tuple[str, ...] = ("preparing", "queued", "running", "succeeded")
STREAM_STAGES: tuple[str, ...] = ("preparing", "queued", "running", "streaming", "succeeded")
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "timeouted", "cancelled"})

_FAILURES: dict[str, tuple[tuple[str, ...], str]] = {
    "failed": (("preparing", "queued", "running"), "Internal error, please try again later."),
    "timeouted": (("preparing", "queued", "running"), "The task timed out."),
    "cancelled": (("preparing", "queued"), "The task was cancelled."),
}

_SECTION_WORDS = (
    ("pre-chorus", "pre-chorus"),
    ("prechorus", "pre-chorus"),
    ("pre chorus", "pre-chorus"),
    ("chorus", "chorus"),
    ("hook", "chorus"),
    ("verse", "verse"),
    ("bridge", "bridge"),
    ("intro", "intro"),
    ("outro", "outro"),
    ("breakdown", "breakdown"),
    ("break", "break"),
    ("interlude", "break"),
    ("instrumental", "break"),
)


class MurekaError(Exception):
    """A request the real API would refuse with this HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class GenerateParams:
    """A validated song or instrumental generate body."""

    kind: str
    model: str
    n: int
    prompt: str
    lyrics: str
    stream: bool
    seed_text: str


def trace_id() -> str:
    """Return a fresh trace id (32 hex characters, like live)."""
    return uuid.uuid4().hex


def error(
    status: int, message: str | None = None, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Build Mureka's error body ``{"error": {"message"}, "trace_id"}`` with a real status."""
    text = message if message is not None else MESSAGES.get(status, "Error")
    return json_response({"error": {"message": text}, "trace_id": trace_id()}, status, headers)


def invalid(detail: str) -> MurekaError:
    """Mureka's refusal of bad parameters: HTTP 400 "Invalid Request, <detail>"."""
    return MurekaError(400, f"Invalid Request, {detail}")


def _common(
    body: Mapping[str, Any], models: tuple[str, ...], model: object
) -> tuple[str, int, bool]:
    """Validate model, n and stream, shared by both generate endpoints."""
    if not isinstance(model, str) or model not in models:
        raise invalid(f"The model is not supported, use one of: {', '.join(models)}.")
    n = body.get("n", DEFAULT_N)
    if n is None:
        n = DEFAULT_N
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise invalid(f"n must be an integer between 1 and {MAX_N}.")
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise invalid("stream must be a boolean.")
    if stream and model == "mureka-o1":
        raise invalid("Stream mode is not supported when the model is mureka-o1.")
    return model, n, stream


def _prompt(body: Mapping[str, Any]) -> str:
    prompt = body.get("prompt") or ""
    if not isinstance(prompt, str):
        raise invalid("prompt must be a string.")
    if len(prompt) > MAX_PROMPT:
        raise invalid(f"The prompt is too long, at most {MAX_PROMPT} characters are allowed.")
    return prompt


def _resolve(model: str) -> str:
    return AUTO_MODEL if model == "auto" else model


def validate_song(body: object) -> GenerateParams:
    """Validate a ``POST /v1/song/generate`` body.

    Raises:
        MurekaError: HTTP 400 with an "Invalid Request, ..." message.
    """
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    lyrics = body.get("lyrics")
    if lyrics is not None and not isinstance(lyrics, str):
        raise invalid("lyrics must be a string.")
    if not lyrics or not lyrics.strip():
        raise invalid("The lyrics are empty.")
    if len(lyrics) > MAX_LYRICS:
        raise invalid(f"The lyrics are too long, at most {MAX_LYRICS} characters are allowed.")
    # Older clients omit the model; they got "auto" behaviour.
    model, n, stream = _common(body, SONG_MODELS, body.get("model") or "auto")
    prompt = _prompt(body)
    controls = [k for k in ("prompt", "reference_id", "vocal_id") if body.get(k)]
    if body.get("melody_id") and controls:
        raise invalid("melody_id cannot be combined with prompt, reference_id or vocal_id.")
    if model == "mureka-o2" and (body.get("vocal_id") or body.get("melody_id")):
        raise invalid("mureka-o2 does not support vocal_id or melody_id.")
    return GenerateParams("song", _resolve(model), n, prompt, lyrics, stream, f"{lyrics}|{prompt}")


def validate_instrumental(body: object) -> GenerateParams:
    """Validate a ``POST /v1/instrumental/generate`` body.

    Raises:
        MurekaError: HTTP 400 with an "Invalid Request, ..." message.
    """
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    model = body.get("model")
    if not model:
        raise invalid("The model is required.")
    model, n, stream = _common(body, INSTRUMENTAL_MODELS, model)
    prompt = _prompt(body)
    reference = body.get("instrumental_id") or ""
    if not isinstance(reference, str):
        raise invalid("instrumental_id must be a string.")
    if not prompt and not reference:
        raise invalid("The prompt is empty.")
    return GenerateParams(
        "instrumental", _resolve(model), n, prompt, "", stream, f"{prompt}|{reference}"
    )


def plan_stages(
    final_status: str | None, stream: bool, reason: str | None
) -> tuple[tuple[str, ...], str | None]:
    """Return the status sequence of a task and its ``failed_reason``.

    A final status from the normal progression (e.g. ``running``) stops the task there for
    good; an unknown one (e.g. ``reviewing``) is served after ``preparing`` for ever.
    """
    normal = STREAM_STAGES if stream else SUCCESS_STAGES
    if final_status is None or final_status == "succeeded":
        return normal, None
    if final_status in STREAM_STAGES:
        return STREAM_STAGES[: STREAM_STAGES.index(final_status) + 1], None
    if final_status in _FAILURES:
        before, message = _FAILURES[final_status]
        return (*before, final_status), reason or message
    return ("preparing", final_status), reason


def _section_type(label: str) -> str:
    lowered = label.strip().lower()
    for word, section in _SECTION_WORDS:
        if word in lowered:
            return section
    return "verse"


def lyrics_sections(lyrics: str, duration_ms: int) -> list[dict[str, Any]]:
    """Time the lyrics into Mureka ``lyrics_sections``.

    ``[Verse]``-style labels start sections; unlabelled blocks alternate verse and chorus.
    An intro without ``lines`` always comes first, because live responses have such sections
    and clients must cope with them.
    """
    blocks: list[tuple[str, list[str]]] = []
    label: str | None = None
    lines: list[str] = []
    unlabelled = 0

    def flush() -> None:
        nonlocal label, lines, unlabelled
        if label is None and lines:
            label = ("verse", "chorus")[unlabelled % 2]
            unlabelled += 1
        # A labelled block with no lines (e.g. "[Intro]") is kept: it has no ``lines`` key.
        if label is not None:
            blocks.append((label, lines))
        label, lines = None, []

    for raw in lyrics.splitlines():
        text = raw.strip()
        match = re.fullmatch(r"\[([^\]]*)\]", text)
        if match:
            flush()
            label = _section_type(match.group(1))
        elif not text:
            flush()
        else:
            lines.append(text)
    flush()
    if not blocks or blocks[0][0] != "intro":
        blocks.insert(0, ("intro", []))

    # Each lyric line and each line-less section gets one equal time slot.
    slots = sum(max(1, len(block_lines)) for _, block_lines in blocks)
    slot = duration_ms // max(1, slots)
    sections: list[dict[str, Any]] = []
    cursor = 0
    for section_type, block_lines in blocks:
        start = cursor
        section: dict[str, Any] = {"section_type": section_type, "start": start}
        if block_lines:
            timed = []
            for text in block_lines:
                timed.append({"start": cursor, "end": cursor + slot, "text": text})
                cursor += slot
            section["end"] = cursor
            section["lines"] = timed
        else:
            cursor += slot
            section["end"] = cursor
        sections.append(section)
    return sections


def build_tracks(params: GenerateParams, ids: list[str]) -> list[Track]:
    """Create the ``n`` choices of a task."""
    return [
        Track(track_id, index, f"mureka|{params.seed_text}|{index}", "", params.lyrics, "")
        for index, track_id in enumerate(ids)
    ]


def _choice(task: Task, track: Track, complete: bool) -> dict[str, Any]:
    choice: dict[str, Any] = {}
    if track.index:
        # ⚠ Live leaves ``index`` out for the first choice; the second has "index": 1.
        choice["index"] = track.index
    choice["id"] = track.id
    if complete:
        choice["url"] = media_url(task.base_url, track.id)
        choice["flac_url"] = media_url(task.base_url, track.id, "flac")
        choice["wav_url"] = media_url(task.base_url, track.id, "hd")
        choice["duration"] = round(task.duration_s * 1000)  # integer milliseconds
    if task.stream:
        choice["stream_url"] = media_url(task.base_url, track.id, "stream")
    if complete and task.kind != "instrumental":
        choice["lyrics_sections"] = lyrics_sections(track.lyrics, round(task.duration_s * 1000))
    return choice


def task_body(task: Task, status: str, failed_reason: str | None) -> dict[str, Any]:
    """Build a SongTask / InstrumentalTask body for one status."""
    body: dict[str, Any] = {
        "id": task.id,
        "created_at": task.created_ms // 1000,
        "model": task.model,
        "status": status,
    }
    if status in TERMINAL and task.finished_at is not None:
        body["finished_at"] = task.finished_at
    if status in _FAILURES:
        body["failed_reason"] = failed_reason
    body["watermarked"] = False
    if status == "streaming":
        body["choices"] = [_choice(task, t, complete=False) for t in task.tracks]
    elif status == "succeeded":
        body["choices"] = [_choice(task, t, complete=True) for t in task.tracks]
    body["trace_id"] = trace_id()
    return body


def query_path(task: Task) -> str | None:
    """Where a task is polled: ``"song"``, ``"instrumental"``, or None (another family)."""
    if task.kind in SONG_KINDS:
        return "song"
    if task.kind == "instrumental":
        return "instrumental"
    return None


@dataclass
class UploadedFile:
    """A file received by files/upload or vocal/clone."""

    id: str
    filename: str
    size: int
    purpose: str
    created_at: int
    url: str


# --------------------------------------------------------------------------- the service

# Refusal shapes per fault kind: (HTTP status, error.message).
_REFUSALS: dict[str, tuple[int, str]] = {
    "rate_limit": (429, RATE_LIMIT_MESSAGE),
    "credits": (429, QUOTA_MESSAGE),
    "server_error": (500, "Server Error"),
    "maintenance": (503, "Service maintenance"),
    "overloaded": (503, "Engine overloaded"),
    "auth": (401, "Invalid Authentication"),
}


def _numeric_id() -> str:
    # Live ids are 14-15 digit numeric strings.
    return str(10**14 + secrets.randbelow(9 * 10**14))


class MurekaService(BearerService):
    """The emulated Mureka API: its account, its endpoints and how it words a refusal.

    Args:
        store: The emulator's shared state; handlers hold its lock while they touch it.
        api_key: The only Bearer token accepted; None accepts any non-empty token.
        balance_cents: Starting balance (:data:`CENTS_PER_SONG` per generated song).
        concurrent_request_limit: The most tasks running at once; one more submission gets
            429 (Mureka's rate-limit error), and the billing endpoint reports it.
    """

    provider = "mureka"

    def __init__(
        self,
        store: Store,
        *,
        api_key: str | None,
        balance_cents: int,
        concurrent_request_limit: int = CONCURRENT_REQUEST_LIMIT,
    ) -> None:
        self._store = store
        self._api_key = api_key
        self.concurrent_request_limit = concurrent_request_limit
        # All guarded by store.lock.
        self.balance = balance_cents
        self.recharge = balance_cents
        self.spending = 0
        # Files from files/upload and vocal/clone by id; fine-tuning uploads and their parts.
        self.files: dict[str, UploadedFile] = {}
        self.training_sets: dict[str, dict[str, Any]] = {}
        self.training_parts: dict[str, dict[str, Any]] = {}

    @property
    def store(self) -> Store:
        """The emulator's shared state (take its lock to touch it)."""
        return self._store

    def routes(self) -> list[Route]:
        """Declare the emulated endpoints; each checks the Bearer token before anything else."""
        # The other endpoint families live in their own modules, which build on this one.
        from ._mureka_edits import edit_routes
        from ._mureka_files import file_routes
        from ._mureka_finetune import finetune_routes
        from ._mureka_sync import sync_routes

        return [
            self.bearer_route(
                "POST", "/v1/song/generate", self._song_generate, "submit", endpoint="generate"
            ),
            self.bearer_route(
                "POST",
                "/v1/instrumental/generate",
                self._instrumental_generate,
                "submit",
                endpoint="instrumental",
            ),
            self.bearer_route(
                "GET",
                re.compile(r"/v1/(?P<kind>song|instrumental)/query/(?P<task_id>[^/]+)"),
                self._query,
                "status",
                endpoint="status",
            ),
            self.bearer_route(
                "GET", "/v1/account/billing", self._billing, "balance", endpoint="balance"
            ),
            *edit_routes(self),
            *sync_routes(self),
            *file_routes(self),
            *finetune_routes(self),
            # Any other /v1/ path or method gets Mureka's own 404 error body.
            self.bearer_route(ANY_METHOD, re.compile(r"/v1/.*"), self._not_found, fallback=True),
        ]

    def set_balance(self, cents: int) -> None:
        """Set the balance; call with the store's lock held."""
        # Topping up shows in total_recharge, like a real recharge would.
        self.recharge += max(0, cents - self.balance)
        self.balance = cents

    def refusal(self, fault: Fault, headers: Mapping[str, str]) -> httpx.Response:
        """Answer a refused request the way Mureka words that kind of failure."""
        if fault.kind == "malformed_json":
            return truncated_json(b'{"id": "1", "status": ', fault.http_status or 200, headers)
        if fault.kind == "null_data":
            return json_response(None, fault.http_status or 200, headers)
        status, message = _REFUSALS[fault.kind]
        override = fault.http_status or fault.code
        if override and override != status:
            status, message = override, MESSAGES.get(override, message)
        return error(status, fault.message or message, headers)

    def unauthorized(self) -> httpx.Response:
        """Mureka's refusal of a bad key: HTTP 401 with its error body."""
        return error(401)

    def _song_generate(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return self._generate(request, validate_song)

    def _instrumental_generate(
        self, request: httpx.Request, match: re.Match[str]
    ) -> httpx.Response:
        return self._generate(request, validate_instrumental)

    def _generate(
        self, request: httpx.Request, validate: Callable[[object], GenerateParams]
    ) -> httpx.Response:
        body = decode_json(request.content)
        try:
            params = validate(body)
        except MurekaError as exc:
            return error(exc.status, exc.message)
        return self.start_task(request, params, body, cost=CENTS_PER_SONG * params.n)

    def charge(self, cents: int) -> bool:
        """Take ``cents`` from the balance; False (and nothing taken) when it is short.

        Call with the store's lock held.
        """
        if self.balance < cents:
            return False
        self.balance -= cents
        self.spending += cents
        return True

    def start_task(
        self,
        request: httpx.Request,
        params: GenerateParams,
        body: Any,
        *,
        cost: int,
        extra: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Charge ``cost``, create a song-family task of ``params`` and answer its SongTask.

        Args:
            request: The submission (its host is the base of the media URLs).
            params: What to make; ``params.kind`` is the task's kind (``"song"``, ``"extend"``...).
            body: The request body, kept on the task.
            cost: Cents to charge; refused with Mureka's quota error when the balance is short.
            extra: What the task's kind needs besides (kept in ``Task.extra``).
        """
        store = self._store
        with store.lock:
            # Refused before the charge: the real API starts (and bills) nothing past the limit.
            if store.running_now(self.provider, TERMINAL) >= self.concurrent_request_limit:
                return error(429, CONCURRENCY_MESSAGE)
            if not self.charge(cost):
                return error(429, QUOTA_MESSAGE)
            final, reason = store.pop_script(self.provider)
            stages, failed_reason = plan_stages(final, params.stream, reason)
            task = Task(
                id=store.new_id(_numeric_id),
                provider=self.provider,
                kind=params.kind,
                model=params.model,
                stages=stages,
                error_code=None,
                error_message=failed_reason,
                created_ms=int(time.time() * 1000),
                base_url=store.base_url(request),
                request=body if isinstance(body, dict) else {},
                duration_s=store.audio_seconds,
                stream=params.stream,
                status="preparing",
                extra=dict(extra or {}),
            )
            task.tracks = build_tracks(params, [store.new_id(_numeric_id) for _ in range(params.n)])
            store.register(task)
        return json_response(
            {
                "id": task.id,
                "created_at": task.created_ms // 1000,
                "model": task.model,
                "status": "preparing",
                "trace_id": trace_id(),
            }
        )

    def new_id(self) -> str:
        """A fresh numeric id (tasks, tracks, files); call with the store's lock held."""
        store = self._store
        while True:
            new = store.new_id(_numeric_id)
            if new not in store.files and new not in self.files:
                return new

    def _query(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        with self._store.lock:
            task = self._store.tasks.get(match["task_id"])
            # A song id on the instrumental path (or vice versa) is unknown there; song edits
            # are song tasks.
            if task is None or task.provider != self.provider or query_path(task) != match["kind"]:
                return error(404, "Task not found")
            body = task_body(task, self._store.advance(task, TERMINAL), task.error_message)
        return json_response(body)

    def _billing(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        with self._store.lock:
            return json_response(
                {
                    "account_id": 1_024_768,
                    "balance": self.balance,
                    "total_recharge": self.recharge,
                    "total_spending": self.spending,
                    "concurrent_request_limit": self.concurrent_request_limit,
                    "trace_id": trace_id(),
                }
            )

    def _not_found(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return error(404)
