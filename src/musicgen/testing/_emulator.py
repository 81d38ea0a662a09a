"""The :class:`Emulator`: one route table and one lock in front of every emulated provider."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from . import _mureka as mureka
from . import _suno as suno
from ._callbacks import CallbackFault, CallbackSender, SentCallback
from ._fault import REFUSAL_KINDS, Fault
from ._media import render_png, render_wav
from ._model import RecordedRequest, TaskInfo
from ._route import Handler, Route, RouteTable
from ._store import Store
from ._wire import decode_json, json_response, text_response, truncated_json

if TYPE_CHECKING:
    from ._transport import EmulatorTransport

SUNO_CREDITS_PER_GENERATE = suno.CREDITS_PER_GENERATE
"""Credits one Suno ``POST /api/v1/generate`` costs."""

MUREKA_CENTS_PER_SONG = mureka.CENTS_PER_SONG
"""Cents one generated Mureka song (one choice) costs; a task costs ``n`` times this."""

# Media files are served before any route, for every method (wrong ones get a 404): tracks'
# audio and images, and the other files tasks make (stems, MIDI, video...) under /files/.
_MEDIA = re.compile(r"/(audio|image)/([^/.]+)((?:\.[^/.]+)*)|/(files)/([^/]+)/([^/]+)")

_MEDIA_REFUSALS: dict[str, int] = {
    "rate_limit": 429,
    "credits": 402,
    "server_error": 500,
    "maintenance": 503,
    "overloaded": 503,
    "auth": 403,
}
# Refusals of providers whose error format the emulator does not know: (HTTP status, message).
_GENERIC_REFUSALS: dict[str, tuple[int, str]] = {
    "rate_limit": (429, "Rate limit exceeded"),
    "credits": (402, "Insufficient credits"),
    "server_error": (500, "Internal server error"),
    "maintenance": (503, "Service under maintenance"),
    "overloaded": (503, "Service overloaded"),
    "auth": (401, "Unauthorized"),
}

_H = TypeVar("_H", bound=Handler)


class _Service(Protocol):
    """A built-in provider: its routes, and how it words a refusal."""

    provider: str

    def routes(self) -> list[Route]: ...

    def refusal(self, fault: Fault, headers: Mapping[str, str]) -> httpx.Response: ...


@dataclass
class _ArmedFault:
    fault: Fault
    remaining: int


@dataclass(frozen=True)
class _Target:
    """What serves a request: a route, a media file (route None, match set) or nothing."""

    provider: str | None
    operation: str | None
    route: Route | None = None
    match: re.Match[str] | None = None
    endpoint: str | None = None


class Emulator:
    """An offline, faithful emulator of the sunoapi.org and Mureka HTTP APIs, and of yours.

    One instance serves every provider and routes by method and path only, so a single base
    URL works for all of them. Built in: every endpoint of both APIs (``endpoints.md``), each
    a route with an endpoint name (``"generate"``, ``"extend"``, ``"separate"``,
    ``"wav_status"``...; :meth:`endpoints` lists them) and an operation, which faults select:

    - submit: the paid requests (``POST /api/v1/generate``, ``/api/v1/generate/extend``,
      ``/api/v1/vocal-removal/generate``, ``/v1/song/generate``, ``/v1/song/stem``...);
    - status: task reads (``GET /api/v1/generate/record-info`` and the other Suno
      ``record-info`` paths, ``GET /v1/song/query/<id>``, ``/v1/instrumental/query/<id>``...);
    - balance: ``GET /api/v1/generate/credit``, ``GET /v1/account/billing``;
    - audio: media, without auth, like a CDN: ``/audio/<track-id>[.<variant>].wav``,
      ``/image/<track-id>[.<variant>].png`` and the files tasks make, ``/files/<id>/<name>``
      (stems, ZIPs, MIDI, uploads); they belong to the provider whose task made them.

    Free requests that start nothing (uploads, personas, voice checks) have no operation: a
    fault selects them by ``endpoint``.

    :meth:`add_route` (or the :meth:`route` decorator) emulates more endpoints, including
    those of a provider of your own, and faults apply to them too. Tasks advance one status
    every ``polls_per_stage`` status reads, so tests never wait for wall-clock time (or, with
    ``task_seconds``, by the clock, as a real provider's do). All state
    sits behind one lock, so the emulator is safe to share between threads.

    Choices where the providers document nothing:

    - an unknown Suno ``taskId`` gets HTTP 200 ``{"code": 400, "msg": "Task not found: no
      music task with taskId <id>", "data": null}``; an unknown Mureka id (or one queried on
      the other kind's path) gets HTTP 404 ``{"error": {"message": "Task not found"}, ...}``;
    - a bad or missing Bearer token is a real HTTP 401 for both (Suno's body also has
      ``code: 401``); other paths under ``/api/`` and ``/v1/`` get each provider's own 404
      body, and any other unknown path a plain-text 404;
    - failed tasks are not refunded; callbacks are never sent; Suno's MP4 files answer 501
      "not emulated" (no small honest MP4 can be made); costs the providers do not publish
      are estimates, named in each service module.

    Args:
        suno_api_key: The only Bearer token Suno accepts; None accepts any non-empty token.
        mureka_api_key: The same for Mureka.
        suno_credits: Starting Suno credits (12 per generate).
        mureka_balance_cents: Starting Mureka balance in cents (5 per generated song).
        mureka_concurrent_request_limit: The most Mureka tasks running at once (submitted and
            not yet terminal on the emulator's clock), as the billing endpoint reports it; one
            more song submission gets HTTP 429 "... check the concurrent request limit", as
            live. :meth:`max_concurrent` tells the most that ran at once.
        polls_per_stage: Status reads per stage; 0 makes a task final on its first read.
        task_seconds: When set, tasks run for this many seconds of wall-clock time instead:
            a task is final ``task_seconds`` after its submission however often it is read
            (its stages spread evenly before), and a Mureka task stops counting against
            ``mureka_concurrent_request_limit`` then, polled or not. For tests of throughput
            under the concurrency limit (at most ``limit / task_seconds`` tasks a second).
            None (the default): tasks advance by status reads only.
        audio_seconds: Length of every generated track (also its reported duration).
        audio_base_url: Base of media URLs; None uses the scheme and host of the request that
            created the task.
        callback_stage_seconds: Seconds between the stages of a task that has a real
            ``callBackUrl``: it then walks its stages by the clock (posting each), whatever
            the status reads do. None: stages advance by status reads only.
        callback_retry_seconds: Wait before retrying a failed callback (doubling each time).
        callback_webhook_key: Sign callbacks the kie.ai way (``X-Webhook-Timestamp``,
            ``X-Webhook-Signature``) with this key; None sends them unsigned, as sunoapi.org does.
        callback_client: The ``httpx.Client`` callbacks are posted with (e.g. Starlette's
            ``TestClient`` for an in-process receiver); None uses its own, 15 s timeout.
    """

    def __init__(
        self,
        *,
        suno_api_key: str | None = None,
        mureka_api_key: str | None = None,
        suno_credits: int = 500,
        mureka_balance_cents: int = 10_000,
        mureka_concurrent_request_limit: int = mureka.CONCURRENT_REQUEST_LIMIT,
        polls_per_stage: int = 1,
        task_seconds: float | None = None,
        audio_seconds: float = 2.0,
        audio_base_url: str | None = None,
        callback_stage_seconds: float | None = None,
        callback_retry_seconds: float = 0.5,
        callback_webhook_key: str | None = None,
        callback_client: httpx.Client | None = None,
    ) -> None:
        if callback_stage_seconds is not None and not callback_stage_seconds > 0:
            raise ValueError(
                f"callback_stage_seconds must be positive (or None), got {callback_stage_seconds}"
            )
        if callback_retry_seconds < 0:
            raise ValueError(
                f"callback_retry_seconds must not be negative, got {callback_retry_seconds}"
            )
        if task_seconds is not None and not task_seconds > 0:
            raise ValueError(f"task_seconds must be positive (or None), got {task_seconds}")
        if polls_per_stage < 0:
            raise ValueError(f"polls_per_stage must not be negative, got {polls_per_stage}")
        if audio_seconds <= 0:
            raise ValueError(f"audio_seconds must be positive, got {audio_seconds}")
        if suno_credits < 0 or mureka_balance_cents < 0:
            raise ValueError("credits and balance must not be negative")
        if isinstance(mureka_concurrent_request_limit, bool) or mureka_concurrent_request_limit < 1:
            raise ValueError(
                "mureka_concurrent_request_limit must be at least 1, got "
                f"{mureka_concurrent_request_limit!r}"
            )
        self._store = Store(
            polls_per_stage=polls_per_stage,
            audio_seconds=audio_seconds,
            audio_base_url=audio_base_url,
            task_seconds=task_seconds,
        )
        self._lock = self._store.lock  # the one lock, over the store and everything below
        from ._suno_callbacks import callback_body, terminal_statuses

        self._callbacks = CallbackSender(
            self._store,
            callback_body,
            terminal_statuses,
            stage_seconds=callback_stage_seconds,
            retry_seconds=callback_retry_seconds,
            webhook_key=callback_webhook_key,
            client=callback_client,
        )
        self._store.callbacks = self._callbacks
        self._suno = suno.SunoService(self._store, api_key=suno_api_key, credits=suno_credits)
        self._mureka = mureka.MurekaService(
            self._store,
            api_key=mureka_api_key,
            balance_cents=mureka_balance_cents,
            concurrent_request_limit=mureka_concurrent_request_limit,
        )
        self._services: dict[str, _Service] = {s.provider: s for s in (self._suno, self._mureka)}
        self._routes = RouteTable()
        for service in self._services.values():
            for route in service.routes():
                self._routes.add(route, shadowed_by=_MEDIA)
        self._faults: list[_ArmedFault] = []
        self._requests: list[RecordedRequest] = []

    # ------------------------------------------------------------------ public API

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request synchronously, applying any matching fault.

        Args:
            request: The request, addressed to any host; only the method and path are routed.

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

    def add_route(
        self,
        provider: str,
        method: str,
        path: str | re.Pattern[str],
        handler: Callable[[httpx.Request, re.Match[str]], httpx.Response],
        *,
        operation: str | None = None,
    ) -> None:
        """Emulate one more endpoint, typically of a provider of your own.

        Requests are matched on method and URL path only (any host, query string ignored):
        a string path must equal the path, a compiled pattern must fullmatch it, and its named
        groups reach the handler through the match. Media files and built-in routes are tried
        first, then added routes in the order they were added; each provider's catch-all 404
        for unknown ``/api/`` or ``/v1/`` paths comes last.

        A route makes its provider known: :meth:`inject` then accepts
        ``Fault(provider=..., operation=...)`` for it and every fault kind applies. Refusals of
        a provider other than ``"suno"`` and ``"mureka"`` are JSON ``{"error": {"message":
        ...}}`` bodies (see :class:`Fault`). ``operation="submit"`` marks paid work:
        :meth:`submissions` counts its 2xx answers.

        The handler gets the request with its body already read, runs outside the emulator's
        lock and may run on several threads at once (under :class:`EmulatorServer`), so it
        guards its own state. An exception it raises reaches an in-process client unchanged;
        :class:`EmulatorServer` hangs up instead.

        Example::

            jobs: dict[str, int] = {}

            def submit(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
                job_id = f"job-{len(jobs) + 1}"
                jobs[job_id] = 0
                return httpx.Response(200, json={"id": job_id})

            emulator.add_route("acme", "POST", "/acme/jobs", submit, operation="submit")
            emulator.inject(Fault("drop", provider="acme", operation="submit"))

        Args:
            provider: The provider serving it: a new name, or ``"suno"`` / ``"mureka"`` to
                emulate one of their endpoints the emulator lacks.
            method: The HTTP method, in any case.
            path: The exact URL path (starting with ``/``) or a pattern to fullmatch.
            handler: Called as ``handler(request, match)``; returns the response.
            operation: ``"submit"``, ``"status"``, ``"balance"``, ``"audio"`` or None: what
                :class:`Fault` ``operation`` selects this route.

        Raises:
            ValueError: Unknown operation, a string path not starting with ``/``, or a route
                that repeats an existing method and path (or that an existing route or the
                media files would always answer first).
        """
        route = Route(provider, method, path, handler, operation)
        with self._lock:
            self._routes.add(route, shadowed_by=_MEDIA)

    def route(
        self,
        provider: str,
        method: str,
        path: str | re.Pattern[str],
        *,
        operation: str | None = None,
    ) -> Callable[[_H], _H]:
        """Decorator form of :meth:`add_route`: registers the handler and returns it unchanged.

        Example::

            @emulator.route("acme", "GET", re.compile(r"/acme/jobs/(?P<id>[^/]+)"),
                            operation="status")
            def status(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
                return httpx.Response(200, json={"id": match["id"], "state": "done"})
        """

        def register(handler: _H) -> _H:
            self.add_route(provider, method, path, handler, operation=operation)
            return handler

        return register

    def endpoints(self) -> dict[str, set[str]]:
        """The endpoint names each provider's routes declare, for ``Fault(endpoint=...)``."""
        with self._lock:
            return self._routes.endpoints()

    def inject(self, fault: Fault) -> None:
        """Arm a fault for the next ``fault.times`` matching requests.

        Raises:
            ValueError: ``fault.provider`` has no route here, or no route of that provider
                (of any provider, when it is None) declares ``fault.operation`` or
                ``fault.endpoint``: such a fault could never fire.
        """
        with self._lock:
            served = self._served()
            if fault.provider is not None and fault.provider not in served:
                raise ValueError(
                    f"unknown provider {fault.provider!r}; this emulator serves "
                    f"{sorted(served)} (add_route adds more)"
                )
            if fault.provider is None:
                operations = set().union(*served.values())
            else:
                operations = served[fault.provider]
            if fault.operation is not None and fault.operation not in operations:
                whose = "any provider" if fault.provider is None else repr(fault.provider)
                raise ValueError(
                    f"no route of {whose} has operation {fault.operation!r}; its operations "
                    f"are {sorted(operations)}"
                )
            if fault.endpoint is not None:
                endpoints = self._routes.endpoints()
                known = (
                    set().union(*endpoints.values())
                    if fault.provider is None
                    else endpoints.get(fault.provider, set())
                )
                if fault.endpoint not in known:
                    whose = "any provider" if fault.provider is None else repr(fault.provider)
                    raise ValueError(
                        f"no route of {whose} is endpoint {fault.endpoint!r}; its endpoints "
                        f"are {sorted(known)}"
                    )
            self._faults.append(_ArmedFault(fault, fault.times))

    def clear_faults(self) -> None:
        """Disarm every pending fault (callback faults included)."""
        with self._lock:
            self._faults.clear()
        self._callbacks.clear_faults()

    def inject_callback(self, fault: CallbackFault | str, **options: Any) -> None:
        """Make the next matching callback go wrong (see :class:`CallbackFault`).

        Example::

            emulator.inject_callback("lost", stage="complete")
            emulator.inject_callback(CallbackFault("duplicate", family="wav", times=2))

        Args:
            fault: A :class:`CallbackFault`, or its kind (``"lost"``, ``"duplicate"``,
                ``"delay"``, ``"out_of_order"``, ``"forged"``).
            **options: The fault's other fields, with a kind (``stage=``, ``family=``,
                ``times=``, ``delay=``).

        Raises:
            ValueError: An unknown kind or stage, or options given with a ``CallbackFault``.
        """
        if isinstance(fault, str):
            fault = CallbackFault(fault, **options)
        elif options:
            raise ValueError("pass the options inside the CallbackFault, or pass its kind")
        self._callbacks.inject(fault)

    @property
    def callbacks_sent(self) -> list[SentCallback]:
        """Every callback POST made so far (retries, duplicates and forgeries too), oldest
        first."""
        return self._callbacks.records()[0]

    @property
    def callbacks_lost(self) -> list[SentCallback]:
        """The callbacks a ``"lost"`` fault kept from being sent."""
        return self._callbacks.records()[1]

    def wait_for_callbacks(self, timeout: float = 10.0) -> bool:
        """Wait until no callback or clock-driven stage is pending.

        Returns:
            True when everything scheduled has run; False when ``timeout`` passed first.
        """
        return self._callbacks.wait_idle(timeout)

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
        if provider not in self._services:
            raise ValueError(f"unknown provider {provider!r}; use one of {sorted(self._services)}")
        if not final_status:
            raise ValueError("final_status must not be empty")
        with self._lock:
            self._store.scripts[provider].append((final_status, reason))

    def submissions(self, provider: str | None = None) -> int:
        """Count the paid submissions (of one provider, or all), dropped answers included.

        For ``"suno"`` and ``"mureka"`` that is the tasks created; for a provider added with
        :meth:`add_route`, the requests its ``operation="submit"`` routes answered with a 2xx
        status (before any fault replaced or lost that answer).
        """
        with self._lock:
            if provider is None:
                return sum(self._store.submissions.values())
            return self._store.submissions[provider]

    def max_concurrent(self, provider: str) -> int:
        """The most tasks of ``provider`` that were running at once: submitted and not yet
        terminal on the emulator's clock (status reads, or the callback stage clock), counted
        at each submission. For Mureka it never exceeds ``mureka_concurrent_request_limit``:
        a fleet's limiter is working when it comes close without a 429.

        Raises:
            ValueError: ``provider`` is not ``"suno"`` or ``"mureka"``.
        """
        if provider not in self._services:
            raise ValueError(f"unknown provider {provider!r}; use one of {sorted(self._services)}")
        with self._lock:
            return self._store.max_running[provider]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first, including ones a fault refused."""
        with self._lock:
            return list(self._requests)

    @property
    def tasks(self) -> dict[str, TaskInfo]:
        """A snapshot of every Suno and Mureka task, keyed by task id."""
        with self._lock:
            return {task_id: task.info() for task_id, task in self._store.tasks.items()}

    @property
    def suno_credits(self) -> int:
        """Remaining Suno credits."""
        with self._lock:
            return self._suno.credits

    @suno_credits.setter
    def suno_credits(self, value: int) -> None:
        with self._lock:
            self._suno.credits = value

    @property
    def mureka_balance_cents(self) -> int:
        """Remaining Mureka balance, in cents."""
        with self._lock:
            return self._mureka.balance

    @mureka_balance_cents.setter
    def mureka_balance_cents(self, value: int) -> None:
        with self._lock:
            self._mureka.set_balance(value)

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
            json=decode_json(request.content),
        )
        with self._lock:
            self._requests.append(recorded)
            target = self._resolve(request.method, request.url.path)
            for armed in self._faults:
                if armed.fault.matches(target.provider, target.operation, target.endpoint):
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._faults.remove(armed)
                    return armed.fault
        return None

    def _execute(self, request: httpx.Request, fault: Fault | None) -> httpx.Response:
        """Process a request, or refuse it as the fault says."""
        with self._lock:
            target = self._resolve(request.method, request.url.path)
        if fault is None or fault.kind not in REFUSAL_KINDS:
            response = self._serve(request, target)
        else:
            if fault.processed:
                self._serve(request, target)
            response = self._refusal(target, fault)
        response.request = request
        return response

    def _resolve(self, method: str, path: str) -> _Target:
        """Find what serves a request, for dispatch and fault matching; call with the lock held."""
        media = _MEDIA.fullmatch(path)
        if media:
            return _Target(self._store.media_owner(media), "audio", match=media)
        found = self._routes.find(method, path)
        if found is None:
            return _Target(None, None)
        route, match = found
        return _Target(route.provider, route.operation, route, match, route.endpoint)

    def _served(self) -> dict[str, set[str]]:
        """Map each known provider to its operations; call with the lock held."""
        served = self._routes.operations()
        for provider in self._services:
            served[provider].add("audio")  # the media files of its tasks
        return served

    def _serve(self, request: httpx.Request, target: _Target) -> httpx.Response:
        """Run the handler of a resolved request (outside the lock: handlers take it)."""
        route, match = target.route, target.match
        if match is None:
            return text_response(404, "Not Found")
        if route is None:
            return self._media(request, match)
        response = route.handler(request, match)
        # Built-in providers count the tasks they create; others count accepted submits.
        counted = route.operation == "submit" and route.provider not in self._services
        if counted and response.is_success:
            with self._lock:
                self._store.submissions[route.provider] += 1
        return response

    # -------------------------------------------------------------------- media

    def _media(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        if match.group(4):
            return self._file(request, match.group(5), match.group(6))
        folder, track_id, suffix = match.groups()[:3]
        wanted = ".png" if folder == "image" else ".wav"
        with self._lock:
            owner = self._store.tracks.get(track_id)
        if request.method not in ("GET", "HEAD") or owner is None or not suffix.endswith(wanted):
            return text_response(404, "Not Found")
        task, track = owner
        if folder == "image":
            return httpx.Response(
                200, headers={"content-type": "image/png"}, content=render_png(track.seed)
            )
        # Rendered on download (and cached): polling never pays for audio synthesis.
        content = render_wav(track.seed, task.duration_s)
        return httpx.Response(200, headers={"content-type": "audio/wav"}, content=content)

    def _file(self, request: httpx.Request, file_id: str, name: str) -> httpx.Response:
        with self._lock:
            stored = self._store.files.get(file_id)
        if request.method not in ("GET", "HEAD") or stored is None or stored.name != name:
            return text_response(404, "Not Found")
        return httpx.Response(
            200, headers={"content-type": stored.content_type}, content=stored.render()
        )

    # ----------------------------------------------------------------- refusals

    def _refusal(self, target: _Target, fault: Fault) -> httpx.Response:
        headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
        if target.route is None:
            # Media files and unknown paths: what a CDN or a bare gateway would say.
            return _media_refusal(fault, headers)
        service = self._services.get(target.route.provider)
        if service is None:
            return _generic_refusal(fault, headers)
        return service.refusal(fault, headers)


def _media_refusal(fault: Fault, headers: dict[str, str]) -> httpx.Response:
    if fault.kind == "malformed_json":
        # A file cut short: the RIFF header promises data that never comes.
        return httpx.Response(
            200, headers={"content-type": "audio/wav", **headers}, content=b"RIFF\x24\x00\x01"
        )
    if fault.kind == "null_data":
        return httpx.Response(200, headers=headers, content=b"")
    status = fault.http_status or fault.code or _MEDIA_REFUSALS[fault.kind]
    return text_response(status, fault.message or fault.kind.replace("_", " "), headers)


def _generic_refusal(fault: Fault, headers: dict[str, str]) -> httpx.Response:
    if fault.kind == "malformed_json":
        return truncated_json(b'{"data": {"id": ', fault.http_status or 200, headers)
    if fault.kind == "null_data":
        return json_response(None, fault.http_status or 200, headers)
    status, message = _GENERIC_REFUSALS[fault.kind]
    status = fault.http_status or fault.code or status
    return json_response({"error": {"message": fault.message or message}}, status, headers)
