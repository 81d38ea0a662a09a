"""The emulator's callback sender: real HTTP POSTs to the ``callBackUrl`` of each task.

A task whose ``callBackUrl`` is a real address (not the placeholder on ``example.com``) posts
one callback per stage it reaches, however it got there: by status reads (``polls_per_stage``)
or, with ``Emulator(callback_stage_seconds=...)``, by the clock, from a background thread,
whether or not anybody reads its status. Delivery is what sunoapi.org documents: POST,
``application/json``, a 15 s timeout, and up to 3 retries after a failure (an exception or a
non-2xx answer). :class:`CallbackFault` makes deliveries go wrong on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

if TYPE_CHECKING:
    from ._model import Task
    from ._store import Store

__all__ = ["CALLBACK_FAULT_KINDS", "CallbackFault", "CallbackSender", "SentCallback", "is_real"]

#: What :class:`CallbackFault` can do to a callback.
CALLBACK_FAULT_KINDS: frozenset[str] = frozenset(
    {"lost", "duplicate", "delay", "out_of_order", "forged"}
)

# RFC 2606 names nobody can own: musicgen's placeholder lives on example.com.
_RESERVED = ("example.com", "example.net", "example.org")

#: Seconds the provider waits for an answer to a callback.
TIMEOUT = 15.0
#: Retries after a failed delivery ("if 3 consecutive retries fail ... stop sending").
RETRIES = 3
_IDLE = 1.0  # seconds the thread lingers with nothing to do before it exits


def is_real(url: object) -> bool:
    """Tell whether a ``callBackUrl`` is somewhere a callback can go (not a placeholder)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    reserved = any(host == name or host.endswith(f".{name}") for name in _RESERVED)
    return not reserved and not host.endswith(".invalid")


@dataclass(frozen=True)
class CallbackFault:
    """One scripted misbehaviour of the callbacks, applied to the next ``times`` matching ones.

    ============ ==========================================================================
    kind         what happens to the matching callback
    ============ ==========================================================================
    lost         never sent (listed in ``Emulator.callbacks_lost``)
    duplicate    sent twice, one right after the other
    delay        sent ``delay`` seconds late (later stages are not held back)
    out_of_order held back and sent right after the task's next callback (a final one:
                 ``delay`` seconds late)
    forged       an impostor posts first: the same URL with each query value altered, a
                 ``complete`` body pointing at ``https://attacker.invalid``, and a wrong
                 ``X-Webhook-Signature`` when the emulator signs; the genuine one follows
    ============ ==========================================================================

    Attributes:
        kind: One of the kinds above.
        stage: ``"text"``, ``"first"``, ``"complete"`` or ``"error"``; None for any.
        family: The task kind (``"music"``, ``"lyrics"``, ``"wav"``, ``"vocal_removal"``,
            ``"mp4"``, ``"cover"``, ``"midi"``); None for any.
        times: How many callbacks it affects.
        delay: Seconds, for ``delay`` (and a final ``out_of_order``).
    """

    kind: str
    stage: str | None = None
    family: str | None = None
    times: int = 1
    delay: float = 0.2

    def __post_init__(self) -> None:
        """Reject typos early: a misspelt fault would silently never fire."""
        if self.kind not in CALLBACK_FAULT_KINDS:
            raise ValueError(
                f"unknown callback fault {self.kind!r}; use one of {sorted(CALLBACK_FAULT_KINDS)}"
            )
        if self.stage not in (None, "text", "first", "complete", "error"):
            raise ValueError(f"unknown stage {self.stage!r}; use text, first, complete or error")
        if self.times < 1:
            raise ValueError(f"times must be at least 1, got {self.times}")
        if self.delay < 0:
            raise ValueError(f"delay must not be negative, got {self.delay}")

    def matches(self, stage: str, family: str) -> bool:
        """Tell whether this fault applies to a callback of that stage and task kind."""
        return (self.stage is None or self.stage == stage) and (
            self.family is None or self.family == family
        )


@dataclass(frozen=True)
class SentCallback:
    """One callback POST the emulator made (or, in ``callbacks_lost``, did not make).

    Attributes:
        url: Where it went.
        task_id: The task it is about.
        family: The task kind (``"music"``, ``"wav"``...).
        stage: ``"text"``, ``"first"``, ``"complete"`` or ``"error"``.
        body: The JSON body.
        headers: The headers sent (lower-case names).
        attempt: 1 for the first try, up to 4 after 3 retries.
        status_code: The receiver's HTTP status, or None when the request failed.
        error: The exception's name when the request failed.
        fault: The :class:`CallbackFault` kind behind it, if any (``"forged"`` for the impostor).
        sent_at: Wall-clock time of the POST.
    """

    url: str
    task_id: str
    family: str
    stage: str
    body: dict[str, Any]
    headers: dict[str, str]
    attempt: int = 1
    status_code: int | None = None
    error: str | None = None
    fault: str | None = None
    sent_at: float = 0.0

    @property
    def delivered(self) -> bool:
        """The receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class _Delivery:
    url: str
    task_id: str
    family: str
    stage: str
    body: dict[str, Any]
    fault: str | None = None
    attempt: int = 1
    forged: bool = False


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    run: Callable[[], None] = field(compare=False)


class CallbackSender:
    """Schedules stage ticks and deliveries on one daemon thread (started on demand).

    Args:
        store: The emulator's state; ticks take its lock to advance a task.
        render: ``render(task, status)`` -> ``(stage, body)`` or None (nothing to post).
        terminal: ``terminal(task)`` -> the statuses that end it.
        stage_seconds: Seconds between a watched task's stages; None: stages advance by
            status reads only.
        retry_seconds: The wait before the first retry (doubling after each).
        webhook_key: Sign each callback kie-style (``X-Webhook-Timestamp``,
            ``X-Webhook-Signature``) with this key.
        client: The ``httpx.Client`` to post with (e.g. Starlette's ``TestClient``); None
            makes one with a 15 s timeout.
    """

    def __init__(
        self,
        store: Store,
        render: Callable[[Task, str], tuple[str, dict[str, Any]] | None],
        terminal: Callable[[Task], frozenset[str]],
        *,
        stage_seconds: float | None,
        retry_seconds: float,
        webhook_key: str | None,
        client: httpx.Client | None,
    ) -> None:
        self._store = store
        self._render = render
        self._terminal = terminal
        self.stage_seconds = stage_seconds
        self.retry_seconds = retry_seconds
        self._webhook_key = webhook_key.encode() if webhook_key else None
        self._client = client
        # The sender thread's own transport (no client: httpx.Client would log each callback URL,
        # token included, on the "httpx" logger of the app under test).
        self._transport: httpx.HTTPTransport | None = None
        self._cond = threading.Condition()
        # Guarded by _cond:
        self._jobs: list[_Job] = []
        self._seq = itertools.count()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._faults: list[list[Any]] = []  # [fault, remaining]
        self._held: dict[str, list[_Delivery]] = {}
        self.sent: list[SentCallback] = []
        self.lost: list[SentCallback] = []

    # -- called with the store's lock held ------------------------------------------------

    def watch(self, task: Task) -> None:
        """Schedule a new task's stages by the clock (when ``stage_seconds`` is set)."""
        if self.stage_seconds is None:
            return
        start = time.monotonic()
        with self._cond:
            for index in range(1, len(task.stages)):
                due = start + index * self.stage_seconds
                self._push(due, _bind(self._tick, task, index))

    def reached(self, task: Task, first: int, last: int) -> None:
        """Post the callbacks of the stages ``first..last`` (indexes) ``task`` just reached."""
        for index in range(first, last + 1):
            rendered = self._render(task, task.stages[index])
            if rendered is None:
                continue
            stage, body = rendered
            final = index == len(task.stages) - 1
            self._enqueue(_Delivery(str(task.callback_url), task.id, task.kind, stage, body), final)

    # -- faults and records ------------------------------------------------------------------

    def inject(self, fault: CallbackFault) -> None:
        """Arm ``fault`` for the next ``fault.times`` matching callbacks."""
        with self._cond:
            self._faults.append([fault, fault.times])

    def clear_faults(self) -> None:
        """Disarm every pending callback fault."""
        with self._cond:
            self._faults.clear()

    def records(self) -> tuple[list[SentCallback], list[SentCallback]]:
        """Copies of (sent, lost)."""
        with self._cond:
            return list(self.sent), list(self.lost)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is scheduled or running; False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._jobs or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    # -- scheduling ------------------------------------------------------------------------------

    def _claim(self, delivery: _Delivery) -> CallbackFault | None:
        for armed in self._faults:
            fault: CallbackFault = armed[0]
            if fault.matches(delivery.stage, delivery.family):
                armed[1] -= 1
                if armed[1] == 0:
                    self._faults.remove(armed)
                return fault
        return None

    def _enqueue(self, delivery: _Delivery, final: bool) -> None:
        now = time.monotonic()
        with self._cond:
            fault = self._claim(delivery)
            kind = fault.kind if fault is not None else None
            delivery.fault = None if kind == "forged" else kind  # the impostor is marked
            if kind == "lost":
                self.lost.append(_record(delivery, {}, None, None))
                return
            if kind == "out_of_order" and not final:
                self._held.setdefault(delivery.task_id, []).append(delivery)
                return
            due = (
                now + fault.delay
                if fault is not None and kind in ("delay", "out_of_order")
                else now
            )
            if kind == "forged":
                self._push(due, _bind(self._deliver, _forgery(delivery)))
            self._push(due, _bind(self._deliver, delivery))
            if kind == "duplicate":
                self._push(due, _bind(self._deliver, _copy(delivery)))
            for held in self._held.pop(delivery.task_id, []):
                self._push(due, _bind(self._deliver, held))

    def _push(self, due: float, run: Callable[[], None]) -> None:
        """Schedule ``run`` at ``due`` (monotonic); call with ``_cond`` held."""
        heapq.heappush(self._jobs, _Job(due, next(self._seq), run))
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="musicgen-emulator-callbacks", daemon=True
            )
            self._thread.start()
        self._cond.notify_all()

    def _loop(self) -> None:
        own: httpx.HTTPTransport | None = None
        try:
            while True:
                with self._cond:
                    idle_since = time.monotonic()
                    while True:
                        now = time.monotonic()
                        if self._jobs and self._jobs[0].due <= now:
                            job = heapq.heappop(self._jobs)
                            self._busy += 1
                            break
                        if not self._jobs and now - idle_since >= _IDLE:
                            self._thread = None
                            return
                        wait = self._jobs[0].due - now if self._jobs else _IDLE
                        self._cond.wait(max(0.0, wait))
                try:
                    if self._client is None and own is None:
                        own = self._transport = httpx.HTTPTransport()
                    job.run()
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        finally:
            if own is not None:
                own.close()

    # -- jobs (on the sender thread) ---------------------------------------------------------

    def _tick(self, task: Task, index: int) -> None:
        with self._store.lock:
            self._store.reach(task, index, self._terminal(task))

    def _deliver(self, delivery: _Delivery) -> None:
        headers = {"content-type": "application/json"}
        headers.update(self._signature(delivery))
        content = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False).encode()
        status: int | None = None
        error: str | None = None
        try:
            status = self._post(delivery.url, content, headers)
        # Whatever goes wrong on the receiver's side (a TestClient raises the app's own
        # exceptions) is a failed delivery, retried like one.
        except Exception as exc:  # noqa: BLE001
            error = type(exc).__name__
        record = _record(delivery, headers, status, error)
        ok = status is not None and 200 <= status < 300
        with self._cond:
            self.sent.append(record)
            # An impostor does not retry: its 401 is the point.
            if not ok and not delivery.forged and delivery.attempt <= RETRIES:
                retry = _copy(delivery, attempt=delivery.attempt + 1)
                wait = self.retry_seconds * 2 ** (delivery.attempt - 1)
                self._push(time.monotonic() + wait, _bind(self._deliver, retry))

    def _post(self, url: str, content: bytes, headers: dict[str, str]) -> int:
        if self._client is not None:
            return self._client.post(url, content=content, headers=headers).status_code
        assert self._transport is not None  # made by _loop before any job runs
        request = httpx.Request(
            "POST",
            url,
            content=content,
            headers=headers,
            extensions={"timeout": httpx.Timeout(TIMEOUT).as_dict()},
        )
        response = self._transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return response.status_code

    def _signature(self, delivery: _Delivery) -> dict[str, str]:
        if self._webhook_key is None:
            return {}
        stamp = str(int(time.time()))
        key = b"forged-" + self._webhook_key if delivery.forged else self._webhook_key
        digest = hmac.new(key, f"{delivery.task_id}.{stamp}".encode(), hashlib.sha256).digest()
        return {
            "x-webhook-timestamp": stamp,
            "x-webhook-signature": base64.b64encode(digest).decode("ascii"),
        }


def _bind(function: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: function(*args)


def _copy(delivery: _Delivery, **changes: Any) -> _Delivery:
    fields = {**delivery.__dict__, **changes}
    return _Delivery(**fields)


def _record(
    delivery: _Delivery, headers: dict[str, str], status: int | None, error: str | None
) -> SentCallback:
    return SentCallback(
        url=delivery.url,
        task_id=delivery.task_id,
        family=delivery.family,
        stage=delivery.stage,
        body=delivery.body,
        headers=dict(headers),
        attempt=delivery.attempt,
        status_code=status,
        error=error,
        fault="forged" if delivery.forged else delivery.fault,
        sent_at=time.time(),
    )


def _forgery(delivery: _Delivery) -> _Delivery:
    """An impostor's callback: every query value altered, results pointing elsewhere."""
    parts = urlsplit(delivery.url)
    query = [(name, _alter(value)) for name, value in parse_qsl(parts.query, True)]
    url = urlunsplit(parts._replace(query=urlencode(query)))
    body = json.loads(json.dumps(delivery.body))
    _redirect(body)
    return _Delivery(url, delivery.task_id, delivery.family, "complete", body, forged=True)


def _alter(value: str) -> str:
    if not value:
        return "forged"
    last = value[-1]
    return value[:-1] + ("A" if last != "A" else "B")


def _redirect(value: Any) -> None:
    """Point every URL in a body at the attacker's host, and make music bodies ``complete``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and item.startswith("http"):
                value[key] = "https://attacker.invalid/track.mp3"
            elif key == "callbackType":
                value[key] = "complete"
            else:
                _redirect(item)
    elif isinstance(value, list):
        for item in value:
            _redirect(item)
