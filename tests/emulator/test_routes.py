"""Routes added with Emulator.add_route: a provider of one's own, with its faults and counters."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from musicgen.testing import Emulator, EmulatorServer, Fault

ACME_BASE = "https://api.acme.test"
AUTH = {"Authorization": "Bearer k"}  # acme ignores it; the built-in providers need one
JOBS = "/v1/jobs"  # under Mureka's /v1/ on purpose: added routes come before its 404


class Acme:
    """A tiny paid task API: POST creates a job, GET reads it ("running", then "done")."""

    def __init__(self) -> None:
        self.jobs: dict[str, int] = {}  # job id -> status reads so far
        self.submit_calls = 0
        self._lock = threading.Lock()  # handlers may run on server threads

    def install(self, emulator: Emulator) -> None:
        emulator.add_route("acme", "POST", JOBS, self.submit, operation="submit")
        emulator.add_route(
            "acme",
            "GET",
            re.compile(r"/v1/jobs/(?P<job_id>[^/]+)"),
            self.status,
            operation="status",
        )

    def submit(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        with self._lock:
            self.submit_calls += 1
            if "prompt" not in json.loads(request.content or b"{}"):
                return httpx.Response(400, json={"error": {"message": "prompt is required"}})
            job_id = f"job-{len(self.jobs) + 1}"
            self.jobs[job_id] = 0
        return httpx.Response(200, json={"id": job_id})

    def status(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        job_id = match["job_id"]
        with self._lock:
            if job_id not in self.jobs:
                return httpx.Response(404, json={"error": {"message": "no such job"}})
            reads = self.jobs[job_id]
            self.jobs[job_id] = reads + 1
        return httpx.Response(200, json={"id": job_id, "status": "done" if reads else "running"})


@pytest.fixture
def acme(em: Emulator) -> Acme:
    service = Acme()
    service.install(em)
    return service


@pytest.fixture
def client(em: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=em.transport(), base_url=ACME_BASE, headers=AUTH) as http:
        yield http


def submit(client: httpx.Client) -> httpx.Response:
    return client.post(JOBS, json={"prompt": "a jingle"})


# ------------------------------------------------------------------- serving


def test_submit_route_answers_with_its_handler(acme: Acme, client: httpx.Client) -> None:
    response = submit(client)

    assert response.status_code == 200
    assert response.json() == {"id": "job-1"}
    assert acme.jobs == {"job-1": 0}


def test_status_route_gets_named_groups_and_walks_running_then_done(
    acme: Acme, client: httpx.Client
) -> None:
    job_id = submit(client).json()["id"]

    statuses = [client.get(f"{JOBS}/{job_id}").json()["status"] for _ in range(3)]

    assert statuses == ["running", "done", "done"]


def test_route_under_v1_is_not_shadowed_by_murekas_404(acme: Acme, client: httpx.Client) -> None:
    assert submit(client).status_code == 200
    assert client.get("/v1/elsewhere").status_code == 404


def test_other_methods_on_an_added_path_are_not_routed_to_it(
    acme: Acme, client: httpx.Client
) -> None:
    response = client.delete(JOBS)

    assert response.status_code == 404
    assert acme.submit_calls == 0


@pytest.mark.anyio
async def test_async_client_reaches_added_routes(em: Emulator, acme: Acme) -> None:
    async with httpx.AsyncClient(transport=em.transport(), base_url=ACME_BASE) as client:
        job_id = (await client.post(JOBS, json={"prompt": "x"})).json()["id"]
        status = await client.get(f"{JOBS}/{job_id}")

    assert status.json()["status"] == "running"


def test_decorator_registers_the_handler_and_returns_it(em: Emulator, client: httpx.Client) -> None:
    def ping(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return httpx.Response(200, text="pong")

    registered = em.route("acme", "get", "/v1/ping", operation="status")(ping)

    assert registered is ping
    assert client.get("/v1/ping").text == "pong"


def test_added_route_of_a_builtin_provider_gets_its_refusal_shape(em: Emulator) -> None:
    em.add_route(
        "suno",
        "POST",
        "/api/v1/not-a-suno-endpoint",
        lambda request, match: httpx.Response(200, json={"code": 200, "data": {"taskId": "t"}}),
        operation="submit",
    )
    em.inject(Fault("rate_limit", provider="suno", operation="submit"))

    with httpx.Client(transport=em.transport(), base_url=ACME_BASE) as client:
        body = client.post("/api/v1/not-a-suno-endpoint", json={}).json()

    assert (body["code"], body["data"]) == (430, None)


# -------------------------------------------------------------------- faults


def test_drop_runs_the_handler_once_then_loses_the_answer(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("drop", provider="acme", operation="submit"))

    with pytest.raises(httpx.ReadTimeout):
        submit(client)

    assert acme.submit_calls == 1
    assert list(acme.jobs) == ["job-1"]


def test_connect_error_never_runs_the_handler(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("connect_error", provider="acme", operation="submit"))

    with pytest.raises(httpx.ConnectError):
        submit(client)

    assert acme.submit_calls == 0


def test_slow_waits_then_runs_the_handler(em: Emulator, acme: Acme, client: httpx.Client) -> None:
    em.inject(Fault("slow", provider="acme", delay=0.05))

    started = time.monotonic()
    response = submit(client)

    assert time.monotonic() - started >= 0.05
    assert response.json() == {"id": "job-1"}


def test_rate_limit_is_a_json_429_with_retry_after(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("rate_limit", provider="acme", retry_after="7"))

    response = submit(client)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert set(response.json()) == {"error"}
    assert acme.submit_calls == 0


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("rate_limit", 429),
        ("credits", 402),
        ("server_error", 500),
        ("maintenance", 503),
        ("overloaded", 503),
        ("auth", 401),
    ],
)
def test_refusal_kinds_give_their_http_status_and_an_error_message(
    em: Emulator, acme: Acme, client: httpx.Client, kind: str, status: int
) -> None:
    em.inject(Fault(kind, provider="acme"))

    response = submit(client)

    assert response.status_code == status
    assert isinstance(response.json()["error"]["message"], str)


def test_refusal_message_and_status_can_be_overridden(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("server_error", provider="acme", http_status=502, message="bad gateway"))

    response = submit(client)

    assert response.status_code == 502
    assert response.json() == {"error": {"message": "bad gateway"}}


def test_processed_refusal_runs_the_handler_then_replaces_the_answer(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("server_error", provider="acme", operation="submit", processed=True))

    response = submit(client)

    assert response.status_code == 500
    assert acme.jobs == {"job-1": 0}


def test_malformed_json_is_a_truncated_json_body(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("malformed_json", provider="acme"))

    response = submit(client)

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_null_data_is_a_null_body(em: Emulator, acme: Acme, client: httpx.Client) -> None:
    job_id = submit(client).json()["id"]
    em.inject(Fault("null_data", provider="acme", operation="status"))

    response = client.get(f"{JOBS}/{job_id}")

    assert response.status_code == 200
    assert response.json() is None
    assert acme.jobs[job_id] == 0  # nothing was read


def test_operation_filter_spares_the_providers_other_routes(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    job_id = submit(client).json()["id"]
    em.inject(Fault("server_error", provider="acme", operation="submit"))

    assert client.get(f"{JOBS}/{job_id}").status_code == 200
    assert submit(client).status_code == 500


def test_provider_filter_spares_the_builtin_providers(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("server_error", provider="acme"))

    billing = client.get("/v1/account/billing")

    assert billing.status_code == 200
    assert submit(client).status_code == 500


def test_fault_without_provider_also_matches_added_routes(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("maintenance", operation="submit"))

    assert submit(client).status_code == 503


# ------------------------------------------------------------- submissions


def test_submissions_count_2xx_answers_of_submit_routes(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    job_id = submit(client).json()["id"]
    submit(client)
    client.post(JOBS, json={})  # refused by the handler: 400
    client.get(f"{JOBS}/{job_id}")  # a status route

    assert em.submissions("acme") == 2
    assert em.submissions() == 2


def test_submissions_count_a_dropped_submit(em: Emulator, acme: Acme, client: httpx.Client) -> None:
    em.inject(Fault("drop", provider="acme", operation="submit"))

    with pytest.raises(httpx.ReadTimeout):
        submit(client)

    assert em.submissions("acme") == 1


def test_submissions_skip_an_unprocessed_refusal(
    em: Emulator, acme: Acme, client: httpx.Client
) -> None:
    em.inject(Fault("rate_limit", provider="acme", operation="submit"))

    submit(client)

    assert em.submissions("acme") == 0


# ------------------------------------------------------------ declarations


def test_duplicate_route_is_rejected(em: Emulator, acme: Acme) -> None:
    with pytest.raises(ValueError, match="already routed"):
        em.add_route("acme", "POST", JOBS, acme.submit)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/generate"),  # a built-in route
        ("GET", "/v1/song/query/123"),  # a built-in pattern serves it first
        ("GET", "/audio/abc.wav"),  # a media file
    ],
)
def test_route_that_builtins_would_answer_first_is_rejected(
    em: Emulator, method: str, path: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(path)):
        em.add_route("acme", method, path, lambda request, match: httpx.Response(200))


def test_same_path_with_another_method_is_a_new_route(em: Emulator, client: httpx.Client) -> None:
    em.add_route("acme", "DELETE", "/v1/account/billing", lambda r, m: httpx.Response(204))

    assert client.delete("/v1/account/billing").status_code == 204


@pytest.mark.parametrize(
    ("path", "operation"), [("/v1/x", "upload"), ("v1/x", "submit"), ("/v1/x", "Submit")]
)
def test_bad_declaration_is_rejected(em: Emulator, path: str, operation: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        em.add_route("acme", "POST", path, lambda r, m: httpx.Response(200), operation=operation)


def test_inject_refuses_a_provider_without_routes(em: Emulator) -> None:
    with pytest.raises(ValueError, match=r"'acme'.*\['mureka', 'suno'\]"):
        em.inject(Fault("drop", provider="acme"))


def test_inject_accepts_a_provider_once_it_has_a_route(em: Emulator, acme: Acme) -> None:
    em.inject(Fault("drop", provider="acme", operation="status"))  # does not raise


def test_inject_refuses_an_operation_the_provider_has_no_route_for(
    em: Emulator, acme: Acme
) -> None:
    with pytest.raises(ValueError, match=r"'balance'.*\['status', 'submit'\]"):
        em.inject(Fault("server_error", provider="acme", operation="balance"))


# ------------------------------------------------------------- over a socket


@pytest.fixture
def server(em: Emulator, acme: Acme) -> Iterator[EmulatorServer]:
    with EmulatorServer(em) as running:
        yield running


def test_server_serves_added_routes(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.url}{JOBS}", json={"prompt": "x"}, timeout=5)

    assert response.json() == {"id": "job-1"}


def test_server_drop_runs_the_handler_then_hangs_up(server: EmulatorServer, acme: Acme) -> None:
    server.emulator.inject(Fault("drop", provider="acme", operation="submit"))

    with pytest.raises(httpx.TransportError):
        httpx.post(f"{server.url}{JOBS}", json={"prompt": "x"}, timeout=5)

    assert acme.submit_calls == 1
    assert server.emulator.submissions("acme") == 1


def test_server_refusal_and_retry_after_cross_the_wire(server: EmulatorServer) -> None:
    server.emulator.inject(Fault("rate_limit", provider="acme", retry_after="3"))

    response = httpx.post(f"{server.url}{JOBS}", json={"prompt": "x"}, timeout=5)

    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
