"""Every fault of an exchange ends in a documented error, within the call's deadline.

On both clients:

- every public httpx exception, raised from the transport on every operation, becomes the
  right ``musicgen.MusicGenError`` (and a paid submission that may have arrived is uncertain);
- over a real socket, a corrupt gzip answer and a redirect loop do the same;
- one wall-clock deadline bounds the whole exchange: a body or headers trickling in a byte at a
  time, or a read stalling mid-body, end the call by its deadline (bounds are generous: the
  deadline plus one second);
- answers are read in chunks and capped (``max_response_bytes``): an endless body is refused
  without filling memory.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread
import httpx
import pytest

import musicgen
from musicgen import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    GenerationTimeoutError,
    MusicGenError,
    SubmissionUncertainError,
    TaskStatus,
    UnexpectedResponseError,
)
from musicgen.testing import Emulator
from musicgen.testing._clients import emulated_async_client, emulated_client

from ._misbehaving import (
    PATHS,
    Endless,
    MisbehavingServer,
    corrupt_gzip,
    matches,
    redirect_loop,
    stall_midway,
    trickle,
    trickle_headers,
)
from .conftest import Runner

DEADLINE = 1.0
MARGIN = 1.0  # generous: these check behaviour, not speed
PROMPT = {"suno": {"prompt": "a calm tune"}, "mureka": {"prompt": "pop", "lyrics": "[Verse]\nla"}}

Connect = Callable[..., Runner]


@pytest.fixture(params=["sync", "async"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """Clients of either kind: over ``url`` (a real socket), or over a ``transport``."""
    made: list[tuple[Runner, Any]] = []
    with anyio.from_thread.start_blocking_portal() as portal:

        def make(
            url: str = "http://emulator.musicgen.test",
            *,
            transport: Any = None,
            **options: Any,
        ) -> Runner:
            http: Any = None
            if request.param == "sync":
                if transport is not None:
                    http = options["http_client"] = httpx.Client(
                        transport=transport, follow_redirects=True
                    )
                runner = Runner(emulated_client(base_url=url, **options), None)
            else:
                if transport is not None:
                    http = options["http_client"] = httpx.AsyncClient(
                        transport=transport, follow_redirects=True
                    )
                runner = Runner(emulated_async_client(base_url=url, **options), portal)
            made.append((runner, http))
            return runner

        yield make
        for runner, http in made:
            if runner.is_async:
                portal.call(runner.client.aclose)
                if http is not None:
                    portal.call(http.aclose)
            else:
                runner.client.close()
                if http is not None:
                    http.close()


def outcome(call: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """How long ``call`` took, and the musicgen error it raised (None if it returned)."""
    started = time.monotonic()
    try:
        call()
    except MusicGenError as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


# -- every httpx exception, from the transport ---------------------------------------------------


def root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def httpx_exceptions() -> list[type[Exception]]:
    """Every exception class httpx makes public."""
    found = {getattr(httpx, name) for name in httpx.__all__}
    return sorted(
        (cls for cls in found if isinstance(cls, type) and issubclass(cls, Exception)),
        key=lambda cls: cls.__name__,
    )


def instance(cls: type[Exception], request: httpx.Request) -> Exception:
    if issubclass(cls, httpx.HTTPStatusError):
        return cls("refused", request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, httpx.RequestError):
        return cls("failed", request=request)
    try:
        return cls("failed")
    except TypeError:  # StreamConsumed() and friends take no message
        return cls()


def expected(cls: type[Exception], paid: bool) -> tuple[type[MusicGenError], bool | None]:
    """The documented error for ``cls`` raised on a first hop, and its ``request_sent``."""
    if issubclass(cls, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return ConfigurationError, None  # the configured URL cannot be used: nothing was sent
    if issubclass(cls, (httpx.DecodingError, httpx.TooManyRedirects, httpx.HTTPStatusError)):
        return UnexpectedResponseError, None  # an answer came, unreadable
    not_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
    sent = not issubclass(cls, not_sent)
    if issubclass(cls, httpx.TimeoutException):
        return APITimeoutError, sent
    return APIConnectionError, sent


OPERATIONS = ["submit", "status", "balance", "run-status", "run-balance"]


def perform(client: Runner, provider: str, operation: str, task_id: str) -> Callable[[], Any]:
    driver = client.providers[provider]
    if operation == "submit":
        return lambda: client.submit(provider=provider, **PROMPT[provider])
    if operation == "status":
        return lambda: client.get(task_id, provider=provider)
    if operation == "balance":
        return lambda: client.balance(provider)
    if operation == "run-status":
        return lambda: client.run(driver.status(task_id), wait=False)
    return lambda: client.run(driver.balance())


@pytest.mark.parametrize("provider", ["suno", "mureka"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_httpx_exception_becomes_the_documented_error(
    connect: Connect, provider: str, operation: str
) -> None:
    emulator = Emulator()
    raising: list[type[Exception]] = []
    tries: list[httpx.Request] = []  # the faulted requests sent for the current class
    kind = operation.removeprefix("run-")

    def answer(request: httpx.Request) -> httpx.Response:
        if raising and matches(provider, kind, request.method, request.url.path):
            tries.append(request)
            raise instance(raising[0], request)
        return emulator.handle(request)

    client = connect(transport=httpx.MockTransport(answer))
    task_id = client.submit(provider=provider, **PROMPT[provider]).task_id
    paid = kind == "submit"
    wrong = []
    for cls in httpx_exceptions():
        raising[:], tries[:] = [cls], []
        _, error = outcome(perform(client, provider, operation, task_id))
        want, sent = expected(cls, paid)
        uncertain = paid and (want is UnexpectedResponseError or bool(sent))
        if (
            not isinstance(error, want)
            or type(error).__name__ not in musicgen.__all__
            or isinstance(error, SubmissionUncertainError) is not uncertain
            or (sent is not None and getattr(error, "request_sent", None) is not sent)
            or type(root_cause(error)) is not cls
            # A submission that may have arrived is never sent again.
            or (uncertain and len(tries) != 1)
        ):
            wrong.append(f"{cls.__name__} ({len(tries)} tries) -> {error!r}")
    assert not wrong, f"{operation} at {provider}: " + "; ".join(wrong)


@pytest.mark.parametrize("provider", ["suno", "mureka"])
def test_a_failure_after_a_redirect_means_the_submission_arrived(
    connect: Connect, provider: str
) -> None:
    method, path = PATHS[provider, "submit"]
    submitted: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == method and request.url.path == path:
            submitted.append(request)  # the provider takes it, and redirects elsewhere
            return httpx.Response(307, headers={"Location": "http://elsewhere.test/next"})
        raise httpx.ConnectError("unreachable", request=request)

    client = connect(transport=httpx.MockTransport(answer))
    _, error = outcome(lambda: client.submit(provider=provider, **PROMPT[provider]))

    # Only the second hop's connection failed: the provider had the request, so it is
    # uncertain, and it was not sent again.
    assert isinstance(error, SubmissionUncertainError)
    assert isinstance(error, APIConnectionError)
    assert error.request_sent is True
    assert len(submitted) == 1


# -- over a real socket: corrupt encodings and redirect loops ------------------------------------


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    with MisbehavingServer() as running:
        yield running


@pytest.mark.parametrize("provider", ["suno", "mureka"])
@pytest.mark.parametrize("fault", [corrupt_gzip, redirect_loop], ids=["gzip", "redirects"])
@pytest.mark.parametrize("operation", ["submit", "status", "balance"])
def test_an_unreadable_answer_over_a_socket_is_an_unexpected_response(
    connect: Connect, server: MisbehavingServer, provider: str, fault: Any, operation: str
) -> None:
    client = connect(server.url)
    task_id = client.submit(provider=provider, **PROMPT[provider]).task_id
    server.misbehave(provider, operation, fault)

    _, error = outcome(perform(client, provider, operation, task_id))

    assert isinstance(error, UnexpectedResponseError)
    assert error.provider == provider
    if operation == "submit":
        assert isinstance(error, SubmissionUncertainError)
        # The first call's task, and this one's if it was processed: never one more.
        assert server.emulator.submissions(provider) == (2 if fault is corrupt_gzip else 1)


# -- one deadline per exchange -----------------------------------------------------------------

# The socket's behaviour matters here, not the provider's format: each fault once per provider.
SLOW_ANSWERS = pytest.mark.parametrize(
    ("provider", "fault"),
    [
        ("suno", trickle(0.05)),
        ("mureka", trickle(0.05)),
        ("suno", trickle_headers(0.05)),
        ("mureka", trickle_headers(0.05)),
        ("suno", stall_midway),
    ],
    ids=[
        "trickling-body",
        "trickling-body-mureka",
        "trickling-headers",
        "trickling-headers-mureka",
        "stalled-body",
    ],
)


@SLOW_ANSWERS
def test_a_status_read_that_trickles_or_stalls_ends_by_the_deadline(
    connect: Connect, server: MisbehavingServer, provider: str, fault: Any
) -> None:
    server.misbehave(provider, "status", fault)
    client = connect(server.url)

    elapsed, error = outcome(
        lambda: client.generate(provider=provider, timeout=DEADLINE, **PROMPT[provider])
    )

    assert elapsed < DEADLINE + MARGIN
    assert isinstance(error, GenerationTimeoutError)
    [task_id] = server.emulator.tasks
    assert error.task_id == task_id  # the paid task can be resumed


@SLOW_ANSWERS
def test_a_submission_answer_that_trickles_ends_by_the_deadline_uncertain(
    connect: Connect, server: MisbehavingServer, provider: str, fault: Any
) -> None:
    server.misbehave(provider, "submit", fault)
    client = connect(server.url)

    elapsed, error = outcome(
        lambda: client.generate(provider=provider, timeout=DEADLINE, **PROMPT[provider])
    )

    assert elapsed < DEADLINE + MARGIN
    assert isinstance(error, SubmissionUncertainError)
    assert isinstance(error, APITimeoutError)
    assert error.request_sent is True
    assert server.emulator.submissions(provider) == 1  # never sent again


@pytest.mark.parametrize("fault", [trickle_headers(0.05), trickle(0.05)], ids=["headers", "body"])
def test_a_users_own_blocking_http_client_is_bounded_by_the_deadline_too(
    server: MisbehavingServer, fault: Any
) -> None:
    # musicgen never changes a client it did not build: its exchanges are waited for from a
    # worker thread, at most until the deadline.
    server.misbehave("suno", "status", fault)
    with (
        httpx.Client(follow_redirects=True) as http,
        emulated_client(base_url=server.url, http_client=http) as client,
    ):
        elapsed, error = outcome(
            lambda: client.generate(provider="suno", timeout=DEADLINE, prompt="a calm tune")
        )

    assert elapsed < DEADLINE + MARGIN
    assert isinstance(error, GenerationTimeoutError)


@pytest.mark.parametrize("fault", [trickle_headers(0.05), trickle(0.05)], ids=["headers", "body"])
def test_a_users_own_async_http_client_is_bounded_by_the_deadline_too(
    server: MisbehavingServer, fault: Any
) -> None:
    # A pool musicgen built clamps its sockets to the deadline; a user's own client is left as
    # it is, and a cancellation scope ends its exchanges at the deadline instead.
    server.misbehave("suno", "status", fault)

    async def main() -> tuple[float, BaseException | None]:
        async with (
            httpx.AsyncClient(follow_redirects=True) as http,
            emulated_async_client(base_url=server.url, http_client=http) as client,
        ):
            started = time.monotonic()
            try:
                await client.generate(provider="suno", timeout=DEADLINE, prompt="a calm tune")
            except MusicGenError as error:
                return time.monotonic() - started, error
            return time.monotonic() - started, None

    elapsed, error = asyncio.run(main())

    assert elapsed < DEADLINE + MARGIN
    assert isinstance(error, GenerationTimeoutError)


def test_a_blocking_client_musicgen_built_keeps_exchanges_in_the_callers_thread(
    server: MisbehavingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    real_send = httpx.Client.send

    def send(http: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        threads.add(threading.current_thread().name)
        return real_send(http, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", send)
    with emulated_client(base_url=server.url) as client:
        client.generate(provider="suno", timeout=30.0, prompt="a calm tune")

    assert threads == {threading.current_thread().name}


def test_a_cut_exchange_lets_go_of_its_connection(
    connect: Connect, server: MisbehavingServer
) -> None:
    server.misbehave("suno", "balance", trickle(0.05))
    client = connect(server.url)

    elapsed, error = outcome(
        lambda: client.run(client.providers["suno"].balance(), timeout=DEADLINE)
    )

    assert isinstance(error, APITimeoutError)
    assert elapsed < DEADLINE + MARGIN
    # The abandoned exchange stops at its next chunk: the connection is closed, not left
    # reading for the ~25 s the trickle would take.
    assert server.hung_up.wait(MARGIN)


# -- capped answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["suno", "mureka"])
def test_an_endless_answer_is_refused_without_filling_memory(
    connect: Connect, server: MisbehavingServer, provider: str
) -> None:
    endless = Endless()
    server.misbehave(provider, "balance", endless)
    limit = 1024 * 1024
    client = connect(server.url, max_response_bytes=limit)

    tracemalloc.start()
    try:
        elapsed, error = outcome(lambda: client.balance(provider))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(error, UnexpectedResponseError)
    assert f"max_response_bytes={limit}" in str(error)
    assert elapsed < 30
    assert peak < 8 * limit  # every retry read at most the cap, then let go of it


def test_an_endless_submission_answer_is_uncertain(
    connect: Connect, server: MisbehavingServer
) -> None:
    server.misbehave("suno", "submit", Endless())
    client = connect(server.url, max_response_bytes=256 * 1024)

    _, error = outcome(lambda: client.submit(provider="suno", prompt="a calm tune"))

    assert isinstance(error, UnexpectedResponseError)
    assert isinstance(error, SubmissionUncertainError)
    assert server.emulator.submissions("suno") == 1


def test_an_answer_over_the_cap_is_refused_and_one_under_it_read(connect: Connect) -> None:
    emulator = Emulator()
    transport = emulator.transport()
    small = connect(transport=transport, max_response_bytes=16)
    with pytest.raises(UnexpectedResponseError) as caught:
        small.balance("suno")
    assert caught.value.status_code == 200

    roomy = Runner(small.with_options(max_response_bytes=1024 * 1024), small.portal)
    generation = roomy.generate(provider="suno", prompt="a calm tune")
    assert generation.status is TaskStatus.SUCCEEDED


@pytest.mark.parametrize("value", [0, -1, 1.5, "4MB", True, None])
def test_max_response_bytes_must_be_a_whole_number(connect: Connect, value: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        connect(max_response_bytes=value)


# -- a paid request cut at the deadline: was it sent? ------------------------------------------


class SlowPhases(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The emulator behind a transport that reports its progress as httpcore does (the
    ``trace`` extension) and spends ``delay`` seconds connecting or, once sending, answering."""

    def __init__(self, emulator: Emulator, *, slow: str, delay: float) -> None:
        self.emulator = emulator
        self.slow = slow  # "connect" or "answer"
        self.delay = delay

    def _paid(self, request: httpx.Request) -> bool:
        return request.method == "POST"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions.get("trace")
        if self._paid(request) and trace is not None:
            trace("connection.connect_tcp.started", {})
            if self.slow == "connect":
                time.sleep(self.delay)
            trace("http11.send_request_headers.started", {"request": request})
            if self.slow == "answer":
                response = self.emulator.handle(request)
                time.sleep(self.delay)
                return response
        return self.emulator.handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        trace = request.extensions.get("trace")
        if self._paid(request) and trace is not None:
            await trace("connection.connect_tcp.started", {})
            if self.slow == "connect":
                await asyncio.sleep(self.delay)
            await trace("http11.send_request_headers.started", {"request": request})
            if self.slow == "answer":
                response = self.emulator.handle(request)
                await asyncio.sleep(self.delay)
                return response
        return self.emulator.handle(request)


def test_a_submission_cut_while_connecting_was_not_sent_and_never_will_be(
    connect: Connect,
) -> None:
    emulator = Emulator()
    client = connect(transport=SlowPhases(emulator, slow="connect", delay=DEADLINE + 0.5))

    elapsed, error = outcome(lambda: client.submit(provider="suno", prompt="a tune", timeout=0.5))

    assert elapsed < 0.5 + MARGIN
    assert isinstance(error, APITimeoutError)
    assert error.request_sent is False
    assert not isinstance(error, SubmissionUncertainError)  # certainly nothing was started
    time.sleep(DEADLINE + 0.7)  # the abandoned connect is over by now
    assert emulator.submissions("suno") == 0  # and it did not go out after the call returned


def test_a_submission_cut_while_answering_is_uncertain(connect: Connect) -> None:
    emulator = Emulator()
    client = connect(transport=SlowPhases(emulator, slow="answer", delay=DEADLINE + 0.5))

    elapsed, error = outcome(lambda: client.submit(provider="suno", prompt="a tune", timeout=0.5))

    assert elapsed < 0.5 + MARGIN
    assert isinstance(error, SubmissionUncertainError)
    assert isinstance(error, APITimeoutError)
    assert emulator.submissions("suno") == 1
