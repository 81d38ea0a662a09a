"""Provider answers for pytest-httpx: ``ProviderMock`` registers them on ``httpx_mock``.

pytest-httpx replaces httpx's transports for the length of a test, so any client, including a
``MusicGenClient()`` built deep inside the code under test, is answered by what the test
registered. ``ProviderMock`` registers the answers a provider gives, in its own wire format
(envelopes, camelCase, milliseconds, status words), for the exchanges a test usually cares
about: a generation that succeeds after a few reads or fails, a refusal, a balance. For
anything else, ``emulate()`` hands every request to an :class:`Emulator`.

Like pytest-httpx itself, it is strict by default: a registered answer that is never asked for
fails the test, and so does a request nothing answers; a submission is answered once (a client
that sent it twice would pay twice), the final status read as often as it is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from pytest_httpx import HTTPXMock

    from ._emulator import Emulator

__all__ = ["MUREKA_BASE_URL", "SUNO_BASE_URL", "ProviderMock"]

SUNO_BASE_URL = "https://api.sunoapi.org"
MUREKA_BASE_URL = "https://api.mureka.ai"

_SUNO_FINAL = {"SUCCESS", "CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR"}


class ProviderMock:
    """Register musicgen-shaped provider answers on pytest-httpx's ``httpx_mock`` fixture.

    The ``musicgen_httpx_mock`` fixture gives one per test; or build it yourself:

        def test_title(httpx_mock: HTTPXMock) -> None:
            mock = ProviderMock(httpx_mock)
            mock.suno_generation(tracks=[{"title": "Neon Rain"}])
            ...  # code that calls client.generate(..., provider="suno")

    Args:
        httpx_mock: The ``httpx_mock`` fixture of pytest-httpx.
        suno_base_url: Where the code under test sends Suno requests.
        mureka_base_url: Where it sends Mureka requests.
    """

    def __init__(
        self,
        httpx_mock: HTTPXMock,
        *,
        suno_base_url: str = SUNO_BASE_URL,
        mureka_base_url: str = MUREKA_BASE_URL,
    ) -> None:
        self.httpx_mock = httpx_mock
        self.suno_base_url = suno_base_url.rstrip("/")
        self.mureka_base_url = mureka_base_url.rstrip("/")

    # -- sunoapi.org ------------------------------------------------------------------------------

    def suno_generation(
        self,
        *,
        task_id: str = "suno-task-1",
        tracks: int | Sequence[Mapping[str, Any]] = 2,
        status: str = "SUCCESS",
        pending: int = 0,
        error_message: str | None = None,
    ) -> str:
        """A Suno generation: the submission, ``pending`` unfinished reads, then ``status``.

        Args:
            task_id: The task id the submission answers with.
            tracks: How many tracks, or each track's fields in Suno's camelCase (``title``,
                ``duration``, ``audioUrl``, ``tags``...), over plausible defaults.
            status: The final ``status`` word (``"SUCCESS"``, ``"GENERATE_AUDIO_FAILED"``...).
            pending: Reads answered ``PENDING`` before the final one.
            error_message: The final read's ``errorMessage`` (for a failure).

        Returns:
            The task id.
        """
        self.suno_submission(task_id=task_id)
        for _ in range(pending):
            self._suno_record(task_id, "PENDING", None, None, reusable=False)
        data = [_suno_track(task_id, i, fields) for i, fields in enumerate(_fields(tracks))]
        final = data if status in _SUNO_FINAL - {"CREATE_TASK_FAILED"} else None
        self._suno_record(task_id, status, final, error_message, reusable=True)
        return task_id

    def suno_submission(self, *, task_id: str = "suno-task-1", path: str = "/generate") -> None:
        """One accepted Suno submission (``POST /api/v1<path>``) answering ``task_id``."""
        self.httpx_mock.add_response(
            method="POST",
            url=f"{self.suno_base_url}/api/v1{path}",
            json={"code": 200, "msg": "success", "data": {"taskId": task_id}},
        )

    def suno_refusal(
        self, code: int, message: str, *, method: str = "POST", path: str = "/generate"
    ) -> None:
        """Suno refusing a request the way it does: HTTP 200 with ``{"code", "msg"}``.

        Args:
            code: Suno's code (401 auth, 413 too long, 429 out of credits, 430 rate limit,
                455 maintenance, 500 server error...).
            message: Its ``msg``.
            method: The request's method.
            path: The path under ``/api/v1`` (query strings must match too).
        """
        self.httpx_mock.add_response(
            method=method,
            url=f"{self.suno_base_url}/api/v1{path}",
            json={"code": code, "msg": message, "data": None},
        )

    def suno_balance(self, credits: float) -> None:
        """The account's remaining credits (``GET /api/v1/generate/credit``)."""
        self.httpx_mock.add_response(
            method="GET",
            url=f"{self.suno_base_url}/api/v1/generate/credit",
            json={"code": 200, "msg": "success", "data": credits},
        )

    def _suno_record(
        self,
        task_id: str,
        status: str,
        tracks: list[dict[str, Any]] | None,
        error_message: str | None,
        *,
        reusable: bool,
    ) -> None:
        response = None if tracks is None else {"taskId": task_id, "sunoData": tracks}
        data = {
            "taskId": task_id,
            "status": status,
            "response": response,
            "errorCode": None,
            "errorMessage": error_message,
        }
        self.httpx_mock.add_response(
            method="GET",
            url=httpx.URL(
                f"{self.suno_base_url}/api/v1/generate/record-info", params={"taskId": task_id}
            ),
            json={"code": 200, "msg": "success", "data": data},
            is_reusable=reusable,
        )

    # -- Mureka -----------------------------------------------------------------------------------

    def mureka_generation(
        self,
        *,
        task_id: str = "mureka-task-1",
        songs: int | Sequence[Mapping[str, Any]] = 2,
        status: str = "succeeded",
        pending: int = 0,
        failed_reason: str | None = None,
        model: str = "mureka-7.5",
    ) -> str:
        """A Mureka song: the submission, ``pending`` unfinished reads, then ``status``.

        Args:
            task_id: The task id the submission answers with.
            songs: How many songs (``choices``), or each one's fields as Mureka sends them
                (``url``, ``duration`` in milliseconds, ``flac_url``...), over defaults.
            status: The final status (``"succeeded"``, ``"failed"``, ``"timeouted"``...).
            pending: Reads answered ``running`` before the final one.
            failed_reason: The final read's ``failed_reason`` (for a failure).
            model: The model the answers name.

        Returns:
            The task id.
        """
        self.httpx_mock.add_response(
            method="POST",
            url=f"{self.mureka_base_url}/v1/song/generate",
            json={"id": task_id, "created_at": 1767225600, "model": model, "status": "preparing"},
        )
        url = f"{self.mureka_base_url}/v1/song/query/{task_id}"
        running = {"id": task_id, "created_at": 1767225600, "model": model, "status": "running"}
        for _ in range(pending):
            self.httpx_mock.add_response(method="GET", url=url, json=running)
        final: dict[str, Any] = {**running, "status": status, "finished_at": 1767225645}
        if status == "succeeded":
            final["choices"] = [_mureka_song(task_id, i, f) for i, f in enumerate(_fields(songs))]
        if failed_reason is not None:
            final["failed_reason"] = failed_reason
        self.httpx_mock.add_response(method="GET", url=url, json=final, is_reusable=True)
        return task_id

    def mureka_refusal(
        self,
        status_code: int,
        message: str,
        *,
        method: str = "POST",
        path: str = "/song/generate",
    ) -> None:
        """Mureka refusing a request the way it does: an HTTP error with ``{"error": ...}``.

        Args:
            status_code: 400, 401, 403, 429 (rate limit, or "quota" when out of credits),
                451, 500, 503...
            message: The error's ``message``.
            method: The request's method.
            path: The path under ``/v1``.
        """
        self.httpx_mock.add_response(
            status_code=status_code,
            method=method,
            url=f"{self.mureka_base_url}/v1{path}",
            json={"error": {"message": message}, "trace_id": "mock-trace-1"},
        )

    def mureka_balance(self, cents: int) -> None:
        """The account's balance in US cents (``GET /v1/account/billing``)."""
        self.httpx_mock.add_response(
            method="GET",
            url=f"{self.mureka_base_url}/v1/account/billing",
            json={"account_id": 1, "balance": cents, "total_recharge": cents, "total_spending": 0},
        )

    # -- everything else --------------------------------------------------------------------------

    def emulate(self, emulator: Emulator | None = None) -> Emulator:
        """Answer every request from ``emulator`` (a new one by default), for any host.

        Use it instead of the methods above in one test, not beside them: pytest-httpx gives a
        request to the first answer registered for it.

        Returns:
            The emulator, to inject faults or count submissions.
        """
        from ._emulator import Emulator

        emulator = Emulator() if emulator is None else emulator
        transport = emulator.transport()
        self.httpx_mock.add_callback(transport.handle_request, is_reusable=True, is_optional=True)
        return emulator


def _fields(spec: int | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(spec, int):
        return [{} for _ in range(spec)]
    return list(spec)


def _suno_track(task_id: str, index: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    track_id = str(fields.get("id", f"{task_id}-track-{index}"))
    return {
        "id": track_id,
        "audioUrl": f"https://cdn.example.test/suno/{track_id}.mp3",
        "streamAudioUrl": f"https://cdn.example.test/suno/{track_id}.stream",
        "imageUrl": f"https://cdn.example.test/suno/{track_id}.jpeg",
        "prompt": "",
        "modelName": "chirp-v4-5",
        "title": f"Track {index + 1}",
        "tags": "mock",
        "duration": 120.0,
        **fields,
    }


def _mureka_song(task_id: str, index: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    song_id = str(fields.get("id", f"{task_id}-song-{index}"))
    return {
        "index": index,
        "id": song_id,
        "url": f"https://cdn.example.test/mureka/{song_id}.mp3",
        "flac_url": f"https://cdn.example.test/mureka/{song_id}.flac",
        "wav_url": f"https://cdn.example.test/mureka/{song_id}.wav",
        "duration": 120000,
        **fields,
    }
