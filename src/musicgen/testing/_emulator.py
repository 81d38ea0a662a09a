"""The :class:`Emulator`: one thread-safe state machine behind both emulated providers."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from . import _mureka as mureka
from . import _suno as suno
from ._fault import PROVIDERS, REFUSAL_KINDS, Fault
from ._media import render_png, render_wav
from ._model import RecordedRequest, Task, TaskInfo, Track

if TYPE_CHECKING:
    from ._transport import EmulatorTransport

SUNO_CREDITS_PER_GENERATE = suno.CREDITS_PER_GENERATE
"""Credits one Suno ``POST /api/v1/generate`` costs."""

MUREKA_CENTS_PER_SONG = mureka.CENTS_PER_SONG
"""Cents one generated Mureka song (one choice) costs; a task costs ``n`` times this."""

_SUNO_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/generate"): "submit",
    ("GET", "/api/v1/generate/record-info"): "status",
    ("GET", "/api/v1/generate/credit"): "balance",
}
_MUREKA_SUBMIT: dict[str, Callable[[object], mureka.GenerateParams]] = {
    "/v1/song/generate": mureka.validate_song,
    "/v1/instrumental/generate": mureka.validate_instrumental,
}
_MUREKA_QUERY = re.compile(r"/v1/(song|instrumental)/query/([^/]+)")
_MEDIA = re.compile(r"/(audio|image)/([^/.]+)((?:\.[^/.]+)*)")

_TERMINAL: frozenset[str] = frozenset(
    {
        "SUCCESS",
        "CREATE_TASK_FAILED",
        "GENERATE_AUDIO_FAILED",
        "CALLBACK_EXCEPTION",
        "SENSITIVE_WORD_ERROR",
        *mureka.TERMINAL,
    }
)

# Refusal shapes per kind: (Suno body code, Suno HTTP status).
_SUNO_REFUSALS: dict[str, tuple[int, int]] = {
    "rate_limit": (430, 200),
    "credits": (429, 200),
    "server_error": (500, 200),
    "maintenance": (455, 200),
    # No documented shape: a gateway 503 is what an overloaded service looks like.
    "overloaded": (503, 503),
    "auth": (401, 401),
}
_MUREKA_REFUSALS: dict[str, tuple[int, str]] = {
    "rate_limit": (429, mureka.RATE_LIMIT_MESSAGE),
    "credits": (429, mureka.QUOTA_MESSAGE),
    "server_error": (500, "Server Error"),
    "maintenance": (503, "Service maintenance"),
    "overloaded": (503, "Engine overloaded"),
    "auth": (401, "Invalid Authentication"),
}
_MEDIA_REFUSALS: dict[str, int] = {
    "rate_limit": 429,
    "credits": 402,
    "server_error": 500,
    "maintenance": 503,
    "overloaded": 503,
    "auth": 403,
}


@dataclass
class _ArmedFault:
    fault: Fault
    remaining: int


def _decode_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _authorized(request: httpx.Request, key: str | None) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    return key is None or secrets.compare_digest(token.encode(), key.encode())


def _text_response(
    status: int, text: str, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "text/plain; charset=utf-8", **(headers or {})}, text=text
    )


class Emulator:
    """An offline, faithful emulator of the sunoapi.org and Mureka HTTP APIs.

    One instance serves both APIs and routes by path, so a single base URL works for both:
    ``/api/v1/...`` is Suno, ``/v1/...`` is Mureka and ``/audio/...`` / ``/image/...`` are
    the generated media (no auth, like a CDN). Tasks advance one status every
    ``polls_per_stage`` status reads, so tests never wait for wall-clock time.
    All state sits behind one lock, so the emulator is safe to share between threads.

    Choices where the providers document nothing:

    - an unknown Suno ``taskId`` gets HTTP 200 ``{"code": 400, "msg": "Task not found: no
      music task with taskId <id>", "data": null}``; an unknown Mureka id (or one queried on
      the other kind's path) gets HTTP 404 ``{"error": {"message": "Task not found"}, ...}``;
    - a bad or missing Bearer token is a real HTTP 401 for both (Suno's body also has
      ``code: 401``); unknown paths are HTTP 404;
    - failed tasks are not refunded; Mureka's concurrency limit is reported, not enforced;
      callbacks are never sent; only generate, status and balance endpoints exist.

    Args:
        suno_api_key: The only Bearer token Suno accepts; None accepts any non-empty token.
        mureka_api_key: The same for Mureka.
        suno_credits: Starting Suno credits (12 per generate).
        mureka_balance_cents: Starting Mureka balance in cents (5 per generated song).
        polls_per_stage: Status reads per stage; 0 makes a task final on its first read.
        audio_seconds: Length of every generated track (also its reported duration).
        audio_base_url: Base of media URLs; None uses the scheme and host of the request that
            created the task.
    """

    def __init__(
        self,
        *,
        suno_api_key: str | None = None,
        mureka_api_key: str | None = None,
        suno_credits: int = 500,
        mureka_balance_cents: int = 10_000,
        polls_per_stage: int = 1,
        audio_seconds: float = 2.0,
        audio_base_url: str | None = None,
    ) -> None:
        if polls_per_stage < 0:
            raise ValueError(f"polls_per_stage must not be negative, got {polls_per_stage}")
        if audio_seconds <= 0:
            raise ValueError(f"audio_seconds must be positive, got {audio_seconds}")
        if suno_credits < 0 or mureka_balance_cents < 0:
            raise ValueError("credits and balance must not be negative")
        self._suno_key = suno_api_key
        self._mureka_key = mureka_api_key
        self._polls_per_stage = polls_per_stage
        self._audio_seconds = audio_seconds
        self._audio_base_url = audio_base_url.rstrip("/") if audio_base_url else None
        self._lock = threading.Lock()
        self._suno_credits = suno_credits
        self._mureka_balance = mureka_balance_cents
        self._mureka_recharge = mureka_balance_cents
        self._mureka_spending = 0
        self._faults: list[_ArmedFault] = []
        self._scripts: dict[str, deque[tuple[str, str | None]]] = {p: deque() for p in PROVIDERS}
        self._tasks: dict[str, Task] = {}
        self._tracks: dict[str, tuple[Task, Track]] = {}
        self._requests: list[RecordedRequest] = []
        self._submissions: Counter[str] = Counter()

    # ------------------------------------------------------------------ public API

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request synchronously, applying any matching fault.

        Args:
            request: The request, addressed to any host; only the path is routed.

        Returns:
            The emulated response.

        Raises:
            httpx.ConnectError: A ``connect_error`` fault matched (nothing was processed).
            httpx.ReadTimeout: A ``drop`` fault matched (the request *was* processed).
        """
        request.read()
        fault = self._admit(request)
        if fault is not None and fault.kind == "connect_error":
            raise httpx.ConnectError("emulated connection failure", request=request)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        response = self._execute(request, fault)
        if fault is not None and fault.kind == "drop":
            raise httpx.ReadTimeout("emulated lost response", request=request)
        return response

    def transport(self) -> EmulatorTransport:
        """Return an httpx transport (sync and async) backed by this emulator."""
        from ._transport import EmulatorTransport

        return EmulatorTransport(self)

    def inject(self, fault: Fault) -> None:
        """Arm a fault for the next ``fault.times`` matching requests."""
        with self._lock:
            self._faults.append(_ArmedFault(fault, fault.times))

    def clear_faults(self) -> None:
        """Disarm every pending fault."""
        with self._lock:
            self._faults.clear()

    def script_next_task(
        self, provider: str, *, final_status: str, reason: str | None = None
    ) -> None:
        """Make the next task created for ``provider`` end in ``final_status``.

        Calls queue up: each scripts one more future task. Known failures are reached
        after the stages they follow in real life and are terminal; a status from the normal
        progression stops the task there; an unknown status is served for ever, never
        terminal.

        Args:
            provider: ``"suno"`` or ``"mureka"``.
            final_status: A provider status, e.g. ``"GENERATE_AUDIO_FAILED"``, ``"failed"``.
            reason: Overrides Suno's ``errorMessage`` / Mureka's ``failed_reason``.

        Raises:
            ValueError: Unknown provider or empty status.
        """
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}; use one of {sorted(PROVIDERS)}")
        if not final_status:
            raise ValueError("final_status must not be empty")
        with self._lock:
            self._scripts[provider].append((final_status, reason))

    def submissions(self, provider: str | None = None) -> int:
        """Count the tasks created (for one provider, or both), dropped answers included."""
        with self._lock:
            if provider is None:
                return sum(self._submissions.values())
            return self._submissions[provider]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first, including ones a fault refused."""
        with self._lock:
            return list(self._requests)

    @property
    def tasks(self) -> dict[str, TaskInfo]:
        """A snapshot of every task, keyed by task id."""
        with self._lock:
            return {task_id: task.info() for task_id, task in self._tasks.items()}

    @property
    def suno_credits(self) -> int:
        """Remaining Suno credits."""
        with self._lock:
            return self._suno_credits

    @suno_credits.setter
    def suno_credits(self, value: int) -> None:
        with self._lock:
            self._suno_credits = value

    @property
    def mureka_balance_cents(self) -> int:
        """Remaining Mureka balance, in cents."""
        with self._lock:
            return self._mureka_balance

    @mureka_balance_cents.setter
    def mureka_balance_cents(self, value: int) -> None:
        with self._lock:
            # Topping up shows in total_recharge, like a real recharge would.
            self._mureka_recharge += max(0, value - self._mureka_balance)
            self._mureka_balance = value

    # ------------------------------------------------------------- request pipeline
    # The transports and the server share these two steps and differ only in how they
    # sleep and how they lose a response.

    def _admit(self, request: httpx.Request) -> Fault | None:
        """Record a request (body already read) and claim the first matching fault."""
        recorded = RecordedRequest(
            method=request.method,
            url=str(request.url),
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=_decode_json(request.content),
        )
        with self._lock:
            self._requests.append(recorded)
            provider, operation = self._classify(request.method, request.url.path)
            for armed in self._faults:
                if armed.fault.matches(provider, operation):
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._faults.remove(armed)
                    return armed.fault
        return None

    def _execute(self, request: httpx.Request, fault: Fault | None) -> httpx.Response:
        """Process a request, or refuse it as the fault says."""
        if fault is None or fault.kind not in REFUSAL_KINDS:
            response = self._route(request)
        else:
            if fault.processed:
                self._route(request)
            response = self._refusal(request, fault)
        response.request = request
        return response

    def _classify(self, method: str, path: str) -> tuple[str | None, str | None]:
        """Return (provider, operation) of a request; call with the lock held."""
        if path.startswith("/api/"):
            return "suno", _SUNO_ROUTES.get((method, path))
        if path.startswith("/v1/"):
            if method == "POST" and path in _MUREKA_SUBMIT:
                return "mureka", "submit"
            if method == "GET" and _MUREKA_QUERY.fullmatch(path):
                return "mureka", "status"
            if method == "GET" and path == "/v1/account/billing":
                return "mureka", "balance"
            return "mureka", None
        media = _MEDIA.fullmatch(path)
        if media:
            owner = self._tracks.get(media.group(2))
            return (owner[0].provider if owner else None), "audio"
        return None, None

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if _MEDIA.fullmatch(path):
            return self._media(request)
        if path.startswith("/api/"):
            return self._suno(request)
        if path.startswith("/v1/"):
            return self._mureka(request)
        return _text_response(404, "Not Found")

    def _base_url(self, request: httpx.Request) -> str:
        if self._audio_base_url:
            return self._audio_base_url
        return f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"

    def _pop_script(self, provider: str) -> tuple[str | None, str | None]:
        scripts = self._scripts[provider]
        return scripts.popleft() if scripts else (None, None)

    def _new_id(self, make: Callable[[], str]) -> str:
        while True:
            new = make()
            if new not in self._tasks and new not in self._tracks:
                return new

    def _register(self, task: Task) -> None:
        self._tasks[task.id] = task
        for track in task.tracks:
            self._tracks[track.id] = (task, track)
        self._submissions[task.provider] += 1

    def _advance(self, task: Task) -> str:
        """Serve one status read of a task and return the status to report."""
        last = len(task.stages) - 1
        index = (
            last if self._polls_per_stage == 0 else min(task.reads // self._polls_per_stage, last)
        )
        task.reads += 1
        task.status = task.stages[index]
        if task.status in _TERMINAL and task.finished_at is None:
            task.finished_at = int(time.time())
        return task.status

    # --------------------------------------------------------------------- Suno

    def _suno(self, request: httpx.Request) -> httpx.Response:
        if not _authorized(request, self._suno_key):
            # Gateway-level refusal: a real 401, with the envelope clients read anyway.
            return suno.envelope(401, http_status=401)
        operation = _SUNO_ROUTES.get((request.method, request.url.path))
        if operation == "submit":
            return self._suno_generate(request)
        if operation == "status":
            return self._suno_record_info(request)
        if operation == "balance":
            with self._lock:
                return suno.envelope(200, "success", self._suno_credits)
        return suno.envelope(404, http_status=404)

    def _suno_generate(self, request: httpx.Request) -> httpx.Response:
        body = _decode_json(request.content)
        try:
            params = suno.validate_generate(body)
        except suno.SunoError as exc:
            return suno.envelope(exc.code, exc.msg)
        with self._lock:
            if self._suno_credits < suno.CREDITS_PER_GENERATE:
                return suno.envelope(429)
            self._suno_credits -= suno.CREDITS_PER_GENERATE
            final, reason = self._pop_script("suno")
            stages, code, message = suno.plan_stages(final, reason)
            task = Task(
                id=self._new_id(lambda: uuid.uuid4().hex),
                provider="suno",
                kind="music",
                model=params.model,
                stages=stages,
                error_code=code,
                error_message=message,
                created_ms=int(time.time() * 1000),
                base_url=self._base_url(request),
                request=body,
                duration_s=self._audio_seconds,
                status="PENDING",
            )
            track_ids = (
                self._new_id(lambda: str(uuid.uuid4())),
                self._new_id(lambda: str(uuid.uuid4())),
            )
            task.tracks = suno.build_tracks(params, track_ids)
            self._register(task)
        return suno.envelope(200, "success", {"taskId": task.id})

    def _suno_record_info(self, request: httpx.Request) -> httpx.Response:
        task_id = request.url.params.get("taskId")
        if not task_id:
            return suno.envelope(400, "taskId cannot be null")
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or task.provider != "suno":
                return suno.envelope(400, f"Task not found: no music task with taskId {task_id}")
            data = suno.record_info(task, self._advance(task))
        return suno.envelope(200, "success", data)

    # ------------------------------------------------------------------- Mureka

    def _mureka(self, request: httpx.Request) -> httpx.Response:
        if not _authorized(request, self._mureka_key):
            return mureka.error(401)
        method, path = request.method, request.url.path
        validate = _MUREKA_SUBMIT.get(path)
        if method == "POST" and validate is not None:
            return self._mureka_generate(request, validate)
        query = _MUREKA_QUERY.fullmatch(path)
        if method == "GET" and query:
            return self._mureka_query(query.group(1), query.group(2))
        if method == "GET" and path == "/v1/account/billing":
            with self._lock:
                return mureka.json_response(
                    {
                        "account_id": 1_024_768,
                        "balance": self._mureka_balance,
                        "total_recharge": self._mureka_recharge,
                        "total_spending": self._mureka_spending,
                        "concurrent_request_limit": mureka.CONCURRENT_REQUEST_LIMIT,
                        "trace_id": mureka.trace_id(),
                    }
                )
        return mureka.error(404)

    def _mureka_generate(
        self, request: httpx.Request, validate: Callable[[object], mureka.GenerateParams]
    ) -> httpx.Response:
        body = _decode_json(request.content)
        try:
            params = validate(body)
        except mureka.MurekaError as exc:
            return mureka.error(exc.status, exc.message)
        cost = mureka.CENTS_PER_SONG * params.n
        with self._lock:
            if self._mureka_balance < cost:
                return mureka.error(429, mureka.QUOTA_MESSAGE)
            self._mureka_balance -= cost
            self._mureka_spending += cost
            final, reason = self._pop_script("mureka")
            stages, failed_reason = mureka.plan_stages(final, params.stream, reason)

            def numeric_id() -> str:
                # Live ids are 14-15 digit numeric strings.
                return str(10**14 + secrets.randbelow(9 * 10**14))

            task = Task(
                id=self._new_id(numeric_id),
                provider="mureka",
                kind=params.kind,
                model=params.model,
                stages=stages,
                error_code=None,
                error_message=failed_reason,
                created_ms=int(time.time() * 1000),
                base_url=self._base_url(request),
                request=body,
                duration_s=self._audio_seconds,
                stream=params.stream,
                status="preparing",
            )
            task.tracks = mureka.build_tracks(
                params, [self._new_id(numeric_id) for _ in range(params.n)]
            )
            self._register(task)
        return mureka.json_response(
            {
                "id": task.id,
                "created_at": task.created_ms // 1000,
                "model": task.model,
                "status": "preparing",
                "trace_id": mureka.trace_id(),
            }
        )

    def _mureka_query(self, kind: str, task_id: str) -> httpx.Response:
        with self._lock:
            task = self._tasks.get(task_id)
            # A song id on the instrumental path (or vice versa) is unknown there.
            if task is None or task.provider != "mureka" or task.kind != kind:
                return mureka.error(404, "Task not found")
            body = mureka.task_body(task, self._advance(task), task.error_message)
        return mureka.json_response(body)

    # -------------------------------------------------------------------- media

    def _media(self, request: httpx.Request) -> httpx.Response:
        match = _MEDIA.fullmatch(request.url.path)
        assert match is not None  # _route only sends media paths here
        folder, track_id, suffix = match.groups()
        wanted = ".png" if folder == "image" else ".wav"
        with self._lock:
            owner = self._tracks.get(track_id)
        if request.method not in ("GET", "HEAD") or owner is None or not suffix.endswith(wanted):
            return _text_response(404, "Not Found")
        task, track = owner
        if folder == "image":
            return httpx.Response(
                200, headers={"content-type": "image/png"}, content=render_png(track.seed)
            )
        # Rendered on download (and cached): polling never pays for audio synthesis.
        content = render_wav(track.seed, task.duration_s)
        return httpx.Response(200, headers={"content-type": "audio/wav"}, content=content)

    # ----------------------------------------------------------------- refusals

    def _refusal(self, request: httpx.Request, fault: Fault) -> httpx.Response:
        with self._lock:
            provider, operation = self._classify(request.method, request.url.path)
        headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
        if operation == "audio" or provider is None:
            return self._media_refusal(fault, headers)
        if provider == "suno":
            return self._suno_refusal(fault, headers)
        return self._mureka_refusal(fault, headers)

    @staticmethod
    def _suno_refusal(fault: Fault, headers: dict[str, str]) -> httpx.Response:
        if fault.kind == "malformed_json":
            return httpx.Response(
                fault.http_status or 200,
                headers={"content-type": "application/json", **headers},
                content=b'{"code": 200, "data": {',
            )
        if fault.kind == "null_data":
            return suno.envelope(
                fault.code or 200,
                fault.message or "success",
                None,
                http_status=fault.http_status or 200,
                headers=headers,
            )
        code, http_status = _SUNO_REFUSALS[fault.kind]
        code = fault.code or code
        return suno.envelope(
            code,
            fault.message or suno.MESSAGES.get(code, "error"),
            None,
            http_status=fault.http_status or http_status,
            headers=headers,
        )

    @staticmethod
    def _mureka_refusal(fault: Fault, headers: dict[str, str]) -> httpx.Response:
        if fault.kind == "malformed_json":
            return httpx.Response(
                fault.http_status or 200,
                headers={"content-type": "application/json", **headers},
                content=b'{"id": "1", "status": ',
            )
        if fault.kind == "null_data":
            return mureka.json_response(None, fault.http_status or 200, headers)
        status, message = _MUREKA_REFUSALS[fault.kind]
        override = fault.http_status or fault.code
        if override and override != status:
            status, message = override, mureka.MESSAGES.get(override, message)
        return mureka.error(status, fault.message or message, headers)

    @staticmethod
    def _media_refusal(fault: Fault, headers: dict[str, str]) -> httpx.Response:
        if fault.kind == "malformed_json":
            # A file cut short: the RIFF header promises data that never comes.
            return httpx.Response(
                200, headers={"content-type": "audio/wav", **headers}, content=b"RIFF\x24\x00\x01"
            )
        if fault.kind == "null_data":
            return httpx.Response(200, headers=headers, content=b"")
        status = fault.http_status or fault.code or _MEDIA_REFUSALS[fault.kind]
        return _text_response(status, fault.message or fault.kind.replace("_", " "), headers)
