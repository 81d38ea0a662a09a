"""The receiver: an ASGI app (Starlette) that verifies, parses and stores callbacks.

Needs the ``callbacks`` extra: ``pip install 'musicgen-sdk[callbacks]'``.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..cache import Cache
from ._auth import CallbackAuth
from ._errors import CallbackAuthError, CallbackError
from ._events import CallbackEvent, MusicCallback
from ._parse import parse_callback
from ._store import bind_nonce, bound_task, store_event

if TYPE_CHECKING:
    import uvicorn

__all__ = ["DEFAULT_PATH", "DEFAULT_TTL", "CallbackServer", "callback_app", "serve"]

logger = logging.getLogger("musicgen.callbacks")

#: Where the receiver listens unless told otherwise.
DEFAULT_PATH = "/musicgen/callback"
#: How long a stored callback and a nonce binding live: sunoapi.org keeps files 15 days.
DEFAULT_TTL = 15 * 24 * 3600.0
#: The largest body accepted (a music callback is a few kilobytes).
MAX_BODY = 1024 * 1024

OnStored = Callable[[CallbackEvent], None]


@attrs.frozen
class _Outcome:
    event: CallbackEvent
    stored: bool


def _accept(
    cache: Cache,
    auth: CallbackAuth,
    ttl: float | None,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
) -> _Outcome | None:
    """Verify, parse, bind and store one callback (blocking: runs in a worker thread).

    Returns:
        What was accepted, or None for a callback that names no task yet (acknowledged, kept
        nowhere: a 2024-era ``text``/``first`` before any delivery bound its URL).

    Raises:
        CallbackAuthError: Forged, stale, or a URL already bound to another task.
        CallbackError: An unreadable body.
    """
    verified = auth.verify(url, body, headers)
    event = parse_callback(body, headers, family=verified.family)
    if event.task_id is None:
        bound = bound_task(cache, verified.nonce)
        if bound is None:
            return None
        event = _with_task_id(event, bound)
    else:
        bound = bind_nonce(cache, verified.nonce, event.provider, event.task_id, ttl=ttl)
        if bound != event.task_id:
            raise CallbackAuthError(
                "this callback URL was already used for another task", reason="nonce"
            )
    return _Outcome(event, store_event(cache, event, ttl=ttl))


def _with_task_id(event: CallbackEvent, task_id: str) -> CallbackEvent:
    """``event`` about ``task_id``, its tracks included (they need it for WAV, stems...)."""
    if isinstance(event, MusicCallback):
        tracks = tuple(attrs.evolve(track, task_id=task_id) for track in event.tracks)
        return attrs.evolve(event, task_id=task_id, tracks=tracks)
    return attrs.evolve(event, task_id=task_id)


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, msg: str) -> JSONResponse:
    # Shaped like sunoapi.org's own envelope; the provider only looks at the HTTP status.
    return JSONResponse({"code": status, "msg": msg}, status_code=status)


def callback_app(
    cache: Cache,
    auth: CallbackAuth,
    *,
    path: str = DEFAULT_PATH,
    ttl: float | None = DEFAULT_TTL,
    max_body: int = MAX_BODY,
    on_stored: OnStored | None = None,
) -> Starlette:
    """An ASGI app receiving sunoapi.org callbacks into ``cache``.

    ``POST <path>?mg=...`` is verified (``auth.verify``), parsed (``parse_callback``, family
    from the URL) and stored (``store_event``), then answered at once:

    - 200 ``{"code": 200, "msg": "success"}``: stored, or a duplicate / earlier stage (kept
      as it was), or a callback naming no task yet;
    - 401: forged token, bad signature, stale timestamp, or a URL bound to another task;
      nothing is stored;
    - 400: an unreadable body (logged without the body: bodies carry prompts and lyrics);
    - 413: a body over ``max_body`` bytes.

    The provider waits 15 s for an answer and gives up after 3 failed retries: the work here is
    a few cache operations in a worker thread.

    Args:
        cache: Where clients look (the client's cache: ``MemoryCache`` in-process,
            ``DiskCache`` across processes).
        auth: The ``CallbackAuth`` that minted the callback URLs.
        path: The URL path served.
        ttl: Seconds a stored callback and a URL's binding live.
        max_body: The largest body read.
        on_stored: Called (in a worker thread) with each event that was stored, i.e. a new
            stage of a task; exceptions it raises are logged and do not change the answer.
    """

    async def receive(request: Request) -> JSONResponse:
        body = await _read_body(request, max_body)
        if body is None:
            logger.warning("callback refused: body over %d bytes", max_body)
            return _answer(413, "body too large")
        url, headers = str(request.url), dict(request.headers)
        try:
            outcome = await run_in_threadpool(_accept, cache, auth, ttl, url, body, headers)
        except CallbackAuthError as error:
            # Nothing of the URL either: its query carries the token.
            logger.warning("callback rejected (%s): %s", error.reason, error.message)
            return _answer(401, "unauthorized")
        except CallbackError as error:
            logger.warning("callback refused: %s", error.message)
            return _answer(400, "unreadable callback")
        if outcome is None:
            logger.info("callback acknowledged without a task id; nothing stored")
        elif outcome.stored:
            event = outcome.event
            logger.info(
                "callback stored: %s task %s %s%s",
                event.provider,
                event.task_id,
                event.stage,
                " (failed)" if event.failed else "",
            )
            if on_stored is not None:
                await run_in_threadpool(_notify, on_stored, event)
        return _answer(200, "success")

    return Starlette(routes=[Route(path, receive, methods=["POST"])])


def _notify(on_stored: OnStored, event: CallbackEvent) -> None:
    try:
        on_stored(event)
    except Exception:
        logger.exception("on_stored failed for %s task %s", event.provider, event.task_id)


def serve(
    cache: Cache,
    auth: CallbackAuth,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    path: str = DEFAULT_PATH,
    ttl: float | None = DEFAULT_TTL,
    log_level: str = "info",
) -> None:
    """Run ``callback_app`` under uvicorn until interrupted (``musicgen callbacks serve``).

    uvicorn's access log stays off: it would print each callback URL, token included.
    """
    import uvicorn

    app = callback_app(cache, auth, path=path, ttl=ttl)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off")


class CallbackServer:
    """``callback_app`` under uvicorn on a background thread, on a real socket.

    For tests, benchmarks and apps that receive callbacks in-process::

        with CallbackServer(cache, auth) as server:
            url = auth.url(server.url)  # hand it to the provider as callBackUrl

    Args:
        cache: Where callbacks are stored.
        auth: The ``CallbackAuth`` that minted the callback URLs.
        host: Interface to bind.
        port: Port; 0 picks a free one (read it back from ``url``).
        path: The URL path served.
        ttl: Seconds a stored callback lives.
        on_stored: See ``callback_app``.
    """

    def __init__(
        self,
        cache: Cache,
        auth: CallbackAuth,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = DEFAULT_PATH,
        ttl: float | None = DEFAULT_TTL,
        on_stored: OnStored | None = None,
    ) -> None:
        self._app = callback_app(cache, auth, path=path, ttl=ttl, on_stored=on_stored)
        self._host, self._port, self._path = host, port, path
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._bound: tuple[str, int] | None = None

    @property
    def url(self) -> str:
        """The callback endpoint, e.g. ``http://127.0.0.1:54321/musicgen/callback``.

        Raises:
            RuntimeError: The server is not running.
        """
        if self._bound is None:
            raise RuntimeError("CallbackServer is not running; call start() first")
        host, port = self._bound
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self._path}"

    def start(self, timeout: float = 10.0) -> CallbackServer:
        """Bind, start serving in a daemon thread, and return once it accepts connections.

        Raises:
            RuntimeError: Already running, or uvicorn did not start within ``timeout``.
        """
        import uvicorn

        if self._thread is not None:
            raise RuntimeError("CallbackServer is already running")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        config = uvicorn.Config(
            self._app, log_level="warning", access_log=False, lifespan="off", loop="asyncio"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name="musicgen-callback-server",
            daemon=True,
        )
        self._server, self._thread = server, thread
        self._bound = sock.getsockname()[:2]
        thread.start()
        deadline = threading.Event()
        waited = 0.0
        while not server.started and thread.is_alive() and waited < timeout:
            deadline.wait(0.01)
            waited += 0.01
        if not server.started:
            self.stop()
            sock.close()
            raise RuntimeError("the callback server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._bound = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> CallbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._bound is not None else "stopped"
        return f"<CallbackServer {state}>"
