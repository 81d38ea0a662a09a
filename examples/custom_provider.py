"""Your own provider: a new paid task endpoint, run with client.run(...), emulated offline.

"Acme" is a made-up remix service. Its driver subclasses ``musicgen.ProviderBase`` and declares
one paid task endpoint, ``remix``, as an ``Operation``; ``client.run`` then gives it everything
the built-in endpoints get: a submission never sent twice, retries, polling, the deadline, the
journal, events. Nothing in musicgen is edited.

The service is emulated with ``musicgen.testing.Emulator.route``, so this runs offline.

Needs: `pip install musicgen-sdk` (no extra).

    python examples/custom_provider.py
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from musicgen import (
    ModelCatalog,
    ModelInfo,
    MusicGenClient,
    Operation,
    PollPolicy,
    ProviderBase,
    SubmissionUncertainError,
    TaskSpec,
    TaskStatus,
    ValidationError,
)
from musicgen.testing import Emulator, Fault

# -- the driver: pure, it builds requests and reads answers -------------------------------------


@attrs.frozen
class Remix:
    """A remix task as last seen. Its fields make it a ``musicgen.TaskSnapshot``."""

    task_id: str
    provider: str
    status: TaskStatus
    provider_status: str
    error: str | None = None
    audio_url: str | None = None
    correlation_id: str | None = None  # filled in by the client


# Acme's own status words, each mapped to a shared status; anything else keeps polling.
ACME_STATUSES: Mapping[str, TaskStatus] = {
    "queued": TaskStatus.QUEUED,
    "working": TaskStatus.RUNNING,
    "done": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
}


class AcmeProvider(ProviderBase):
    """The Acme remix API: ``POST /v1/remix`` starts a paid task, ``GET /v1/remix/{id}``
    reads it."""

    name = "acme"
    catalog = ModelCatalog("acme", default="remix-1", models=[ModelInfo("remix-1")])
    retention = 7 * 24 * 3600.0  # Acme keeps remixes a week: cached results expire with them
    env_vars = ("ACME_API_KEY",)
    default_base_url = "https://api.acme.test"

    def remix(self, source_url: str, *, style: str) -> Operation[Remix]:
        """Start a paid remix of ``source_url`` in ``style``.

        Raises:
            ValidationError: Bad input, before anything is sent.
        """
        if not source_url.startswith(("http://", "https://")):
            msg = f"source_url must be an http(s) URL, got {source_url!r}"
            raise ValidationError(msg, field="source_url")
        if not 0 < len(style) <= 120:
            msg = f"style must be 1 to 120 characters, got {len(style)}: shorten it"
            raise ValidationError(msg, field="style")
        request = self.http_request("POST", "/v1/remix", json={"url": source_url, "style": style})
        return self.operation(
            "remix",
            request,
            self._remix,
            paid=True,  # never sent twice unless Acme certainly started nothing
            task=TaskSpec(read=self.remix_status, result_type=Remix),
        )

    def remix_status(self, task_id: str) -> Operation[Remix]:
        """Read a remix task."""
        return self.operation(
            "remix_status",
            self.http_request("GET", f"/v1/remix/{task_id}"),
            self._remix,
            task=TaskSpec(read=self.remix_status, task_id=task_id, result_type=Remix),
        )

    def _remix(self, response: httpx.Response) -> Remix:
        body: Any = self.unwrap(response)  # raises the matching musicgen.APIError on errors
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            self.unexpected(response, "the answer has no task id", body)
        raw_status = str(body.get("status", ""))
        return Remix(
            task_id=body["id"],
            provider=self.name,
            status=ACME_STATUSES.get(raw_status, TaskStatus.UNKNOWN),
            provider_status=raw_status,
            error=body.get("error"),
            audio_url=body.get("audio_url"),
        )


# -- its emulation: two routes on musicgen's emulator --------------------------------------------


def emulate_acme(emulator: Emulator) -> dict[str, int]:
    """Serve Acme's two endpoints from ``emulator``; returns the reads per task."""
    reads: dict[str, int] = {}

    @emulator.route("acme", "POST", "/v1/remix", operation="submit")
    def submit(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = f"rmx-{len(reads) + 1}"
        reads[task_id] = 0
        return httpx.Response(200, json={"id": task_id, "status": "queued"})

    @emulator.route("acme", "GET", re.compile(r"/v1/remix/(?P<id>[^/]+)"), operation="status")
    def status(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        task_id = match["id"]
        if task_id not in reads:
            return httpx.Response(404, json={"error": {"message": "no such remix"}})
        reads[task_id] += 1
        if reads[task_id] < 3:
            return httpx.Response(200, json={"id": task_id, "status": "working"})
        url = f"https://cdn.acme.test/{task_id}.mp3"
        return httpx.Response(200, json={"id": task_id, "status": "done", "audio_url": url})

    return reads


def main() -> None:
    emulator = Emulator()
    reads = emulate_acme(emulator)
    acme = AcmeProvider(api_key="acme-example-key", base_url="http://acme.emulated")
    http = httpx.Client(transport=emulator.transport())
    poll = PollPolicy(interval=0.05, max_interval=0.05)
    with http, MusicGenClient(providers=[acme], http_client=http, poll=poll) as client:
        remix = client.run(acme.remix("https://example.com/song.mp3", style="dub"), timeout=10)
        print(f"{remix.task_id}: {remix.status.value}, {remix.audio_url}")
        print(f"status reads: {reads[remix.task_id]}")

        # Money safety comes with run(): the answer to this submission is lost after Acme
        # started the task, so musicgen does not send it again (that would pay twice).
        emulator.inject(Fault("drop", provider="acme", operation="submit"))
        before = emulator.submissions("acme")
        try:
            client.run(acme.remix("https://example.com/other.mp3", style="dub"))
        except SubmissionUncertainError as error:
            started = emulator.submissions("acme") - before
            print(f"{type(error).__name__}: the remix was started {started} time(s), not retried")


if __name__ == "__main__":
    main()
