"""The emulated Mureka fine-tuning: chunked uploads and the fine-tuning task.

``uploads/create`` opens a training set (``pending``), ``uploads/add`` adds songs to it,
``uploads/complete`` closes it (``completed``), and ``finetuning/create`` starts a paid task
(``CENTS_PER_FINETUNE``) that ``GET /v1/finetuning/query/{id}`` serves, advancing one stage
per ``polls_per_stage`` reads like song tasks, with ``fine_tuned_model`` once it succeeded.
The real API asks for 100-200 songs of 30-270 s; the emulator takes any number of parts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ._model import Task
from ._mureka import (
    CENTS_PER_FINETUNE,
    QUOTA_MESSAGE,
    TERMINAL,
    URL_LIFETIME_S,
    MurekaError,
    error,
    invalid,
    plan_stages,
    trace_id,
)
from ._mureka_files import parse_multipart, read_file_part
from ._wire import decode_json, json_response

if TYPE_CHECKING:
    from ._mureka import MurekaService
    from ._route import Route

__all__ = ["BASE_MODEL", "finetune_routes"]

#: The model fine-tuned models are made from, as their names show (``lora:mureka-6:...``).
BASE_MODEL = "mureka-6"

_SUFFIX = re.compile(r"[a-z0-9-]{1,32}")
_PART_FORMATS = frozenset({"mp3", "m4a"})


class _Finetune:
    """The handlers of this family, over one service."""

    def __init__(self, service: MurekaService) -> None:
        self.service = service

    def _set(self, upload_id: object) -> dict[str, Any]:
        """The training set ``upload_id`` names; call with the store's lock held."""
        if not isinstance(upload_id, str) or not upload_id:
            raise invalid("upload_id is required.")
        found = self.service.training_sets.get(upload_id)
        if found is None:
            raise invalid(f"upload_id {upload_id} is not an upload.")
        return found

    def create(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = _json(request)
        name = body.get("upload_name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("upload_name is required.")
        if body.get("purpose") != "fine-tuning":
            raise invalid("purpose must be fine-tuning.")
        size = body.get("bytes")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise invalid("bytes must be a positive integer.")
        service = self.service
        now = int(time.time())
        with service.store.lock:
            upload: dict[str, Any] = {
                "id": service.new_id(),
                "upload_name": name,
                "purpose": "fine-tuning",
                "bytes": size or 0,
                "created_at": now,
                "expires_at": now + URL_LIFETIME_S,
                "status": "pending",
                "parts": [],
            }
            service.training_sets[upload["id"]] = upload
            answer = dict(upload)
        return json_response({**answer, "trace_id": trace_id()})

    def add(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        parts = parse_multipart(request)
        file = read_file_part(parts, _PART_FORMATS, "fine-tuning")
        upload_part = parts.get("upload_id")
        upload_id = None if upload_part is None else upload_part.content.decode("utf-8", "replace")
        service = self.service
        with service.store.lock:
            upload = self._set(upload_id)
            if upload["status"] != "pending":
                raise invalid(f"upload_id {upload_id} is {upload['status']}, not pending.")
            part = {
                "id": service.new_id(),
                "upload_id": upload["id"],
                "created_at": int(time.time()),
                "bytes": len(file.content),
            }
            service.training_parts[part["id"]] = part
        return json_response(
            {
                "id": part["id"],
                "upload_id": part["upload_id"],
                "created_at": part["created_at"],
                "trace_id": trace_id(),
            }
        )

    def complete(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = _json(request)
        service = self.service
        with service.store.lock:
            upload = self._set(body.get("upload_id"))
            if upload["status"] != "pending":
                raise invalid(f"upload_id {upload['id']} is {upload['status']}, not pending.")
            mine = [p for p in service.training_parts.values() if p["upload_id"] == upload["id"]]
            wanted = body.get("part_ids")
            if wanted is None:
                chosen = mine
            else:
                if not isinstance(wanted, list) or not all(isinstance(p, str) for p in wanted):
                    raise invalid("part_ids must be a list of part ids.")
                by_id = {p["id"]: p for p in mine}
                unknown = [p for p in wanted if p not in by_id]
                if unknown:
                    raise invalid(f"part {unknown[0]} is not a part of this upload.")
                chosen = [by_id[p] for p in wanted]
            if not chosen:
                raise invalid("The upload has no parts.")
            total = sum(p["bytes"] for p in chosen)
            if upload["bytes"] and total != upload["bytes"]:
                raise invalid(
                    f"The parts hold {total} bytes, the upload declared {upload['bytes']}."
                )
            upload.update(status="completed", parts=[p["id"] for p in chosen], bytes=total)
            answer = dict(upload)
        return json_response({**answer, "trace_id": trace_id()})

    def finetune(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = _json(request)
        suffix = body.get("suffix")
        if not isinstance(suffix, str) or not _SUFFIX.fullmatch(suffix):
            raise invalid("suffix must be 1 to 32 lowercase letters, digits or hyphens.")
        service = self.service
        store = service.store
        with store.lock:
            upload = self._set(body.get("upload_id"))
            if upload["status"] != "completed":
                raise invalid(f"upload_id {upload['id']} is not completed.")
            if not service.charge(CENTS_PER_FINETUNE):
                raise MurekaError(429, QUOTA_MESSAGE)
            final, reason = store.pop_script(service.provider)
            stages, failed_reason = plan_stages(final, False, reason)
            task_id = service.new_id()
            task = Task(
                id=task_id,
                provider=service.provider,
                kind="finetune",
                model=BASE_MODEL,
                stages=stages,
                error_code=None,
                error_message=failed_reason,
                created_ms=int(time.time() * 1000),
                base_url=store.base_url(request),
                request=body,
                duration_s=store.audio_seconds,
                status="preparing",
                extra={
                    "upload_id": upload["id"],
                    "fine_tuned_model": f"lora:{BASE_MODEL}:{task_id}:{suffix}",
                },
            )
            store.register(task)
            answer = _task_body(task, "preparing")
        return json_response(answer)

    def query(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        store = self.service.store
        with store.lock:
            task = store.tasks.get(match["task_id"])
            if task is None or task.provider != self.service.provider or task.kind != "finetune":
                return error(404, "Task not found")
            answer = _task_body(task, store.advance(task, TERMINAL))
        return json_response(answer)


def _task_body(task: Task, status: str) -> dict[str, Any]:
    """A FinetuningTask ``{id, upload_id, model, created_at, finished_at, status, ...}``."""
    body: dict[str, Any] = {
        "id": task.id,
        "upload_id": task.extra["upload_id"],
        "model": task.model,
        "created_at": task.created_ms // 1000,
        "status": status,
    }
    if status in TERMINAL and task.finished_at is not None:
        body["finished_at"] = task.finished_at
    if status in TERMINAL - {"succeeded"}:
        body["failed_reason"] = task.error_message
    if status == "succeeded":
        body["fine_tuned_model"] = task.extra["fine_tuned_model"]
    body["trace_id"] = trace_id()
    return body


def _json(request: httpx.Request) -> dict[str, Any]:
    body = decode_json(request.content)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def _refusing(
    handler: Callable[[httpx.Request, re.Match[str]], httpx.Response],
) -> Callable[[httpx.Request, re.Match[str]], httpx.Response]:
    def handle(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        try:
            return handler(request, match)
        except MurekaError as exc:
            return error(exc.status, exc.message)

    return handle


def finetune_routes(service: MurekaService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, balance and key)."""
    tuning = _Finetune(service)
    return [
        service.bearer_route(
            "POST", "/v1/uploads/create", _refusing(tuning.create), endpoint="create_upload"
        ),
        service.bearer_route(
            "POST", "/v1/uploads/add", _refusing(tuning.add), endpoint="add_upload_part"
        ),
        service.bearer_route(
            "POST", "/v1/uploads/complete", _refusing(tuning.complete), endpoint="complete_upload"
        ),
        service.bearer_route(
            "POST",
            "/v1/finetuning/create",
            _refusing(tuning.finetune),
            "submit",
            endpoint="finetune",
        ),
        service.bearer_route(
            "GET",
            re.compile(r"/v1/finetuning/query/(?P<task_id>[^/]+)"),
            _refusing(tuning.query),
            "status",
            endpoint="finetune_status",
        ),
    ]
