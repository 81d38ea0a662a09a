"""The emulated Mureka files: ``files/upload`` and ``vocal/clone`` (multipart, sync, free).

Uploaded bytes are kept and served back under ``/files/<id>/<name>``; the ids are
purpose-bound, and the other emulated endpoints refuse an id of the wrong purpose.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ._mureka import MurekaError, UploadedFile, error, invalid, trace_id
from ._wire import json_response

if TYPE_CHECKING:
    from ._mureka import MurekaService
    from ._route import Route

__all__ = [
    "MAX_FILE_BYTES",
    "PURPOSES",
    "FormPart",
    "file_routes",
    "parse_multipart",
    "uploaded",
]

#: The largest file Mureka takes.
MAX_FILE_BYTES = 10 * 1024 * 1024

#: Upload purposes and the file extensions each takes (2026: mp3, m4a; MIDI melodies).
PURPOSES: dict[str, frozenset[str]] = {
    "reference": frozenset({"mp3", "m4a"}),
    "vocal": frozenset({"mp3", "m4a"}),
    "melody": frozenset({"mp3", "m4a", "mid", "midi"}),
    "instrumental": frozenset({"mp3", "m4a"}),
    "voice": frozenset({"mp3", "m4a"}),
    "audio": frozenset({"mp3", "m4a"}),
    "remix": frozenset({"mp3", "m4a"}),
}

_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mid": "audio/midi",
    "midi": "audio/midi",
}


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart form: a field's text, or a file's name and bytes."""

    name: str
    filename: str | None
    content: bytes


def parse_multipart(request: httpx.Request) -> dict[str, FormPart]:
    """Read a ``multipart/form-data`` body into its parts by field name.

    Raises:
        MurekaError: HTTP 400 when the body is not multipart.
    """
    content_type = request.headers.get("content-type", "")
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or found is None:
        raise invalid("The request must be multipart/form-data.")
    delimiter = b"--" + found.group(1).encode("latin-1")
    parts: dict[str, FormPart] = {}
    for chunk in request.content.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, sep, body = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'\bname="([^"]*)"', disposition)
        if name is None:
            continue
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        # Each part's body ends with the CRLF that precedes the next delimiter.
        content = body[:-2] if body.endswith(b"\r\n") else body
        parts[name.group(1)] = FormPart(
            name.group(1), None if filename is None else filename.group(1), content
        )
    return parts


def read_file_part(parts: dict[str, FormPart], allowed: frozenset[str], what: str) -> FormPart:
    """The ``file`` part, checked: present, not empty, at most 10 MB, an allowed extension.

    Raises:
        MurekaError: HTTP 400 naming the problem.
    """
    part = parts.get("file")
    if part is None or part.filename is None:
        raise invalid("file is required (the file's content, as a multipart file field).")
    if not part.content:
        raise invalid("file is empty.")
    if len(part.content) > MAX_FILE_BYTES:
        raise invalid("file is too large, at most 10 MB is allowed.")
    extension = part.filename.rsplit(".", 1)[-1].lower() if "." in part.filename else ""
    if extension not in allowed:
        formats = ", ".join(sorted(allowed))
        raise invalid(f"file format is not supported for {what}, use one of: {formats}.")
    return part


def uploaded(service: MurekaService, file_id: object, purpose: str, field: str) -> UploadedFile:
    """The upload ``file_id`` names, made for ``purpose``; call with the store's lock held.

    Raises:
        MurekaError: HTTP 400 when it is not a string, unknown, or of another purpose.
    """
    if not isinstance(file_id, str) or not file_id:
        raise invalid(f"{field} must be a string.")
    found = service.files.get(file_id)
    if found is None:
        raise invalid(f"{field} {file_id} is not an uploaded file.")
    if found.purpose != purpose:
        raise invalid(
            f"{field} {file_id} was uploaded for {found.purpose}, this parameter takes {purpose}."
        )
    return found


class _Files:
    """The handlers of this family, over one service."""

    def __init__(self, service: MurekaService) -> None:
        self.service = service

    def upload(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        try:
            parts = parse_multipart(request)
            purpose_part = parts.get("purpose")
            purpose = (
                None if purpose_part is None else purpose_part.content.decode("utf-8", "replace")
            )
            if not purpose:
                raise invalid("purpose is required.")
            if purpose not in PURPOSES:
                raise invalid(f"purpose is not supported, use one of: {', '.join(PURPOSES)}.")
            part = read_file_part(parts, PURPOSES[purpose], f"purpose {purpose}")
        except MurekaError as exc:
            return error(exc.status, exc.message)
        stored = self._keep(request, part, purpose)
        return json_response(
            {
                "id": stored.id,
                "filename": stored.filename,
                "bytes": stored.size,
                "created_at": stored.created_at,
                "purpose": stored.purpose,
                "trace_id": trace_id(),
            }
        )

    def vocal_clone(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        try:
            part = read_file_part(parse_multipart(request), PURPOSES["vocal"], "vocal clone")
        except MurekaError as exc:
            return error(exc.status, exc.message)
        # The clone is a vocal sample: its id is a vocal_id, like a "vocal" upload's.
        stored = self._keep(request, part, "vocal")
        return json_response(
            {
                "id": stored.id,
                "filename": stored.filename,
                "bytes": stored.size,
                "created_at": stored.created_at,
                "trace_id": trace_id(),
            }
        )

    def _keep(self, request: httpx.Request, part: FormPart, purpose: str) -> UploadedFile:
        service = self.service
        store = service.store
        filename = part.filename or "file"
        extension = filename.rsplit(".", 1)[-1].lower()
        content = part.content
        with store.lock:
            file_id = service.new_id()
            url = store.add_file(
                service.provider,
                store.base_url(request),
                re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "file",
                _CONTENT_TYPES.get(extension, "application/octet-stream"),
                _constant(content),
                file_id=file_id,
            )
            stored = UploadedFile(file_id, filename, len(content), purpose, int(time.time()), url)
            service.files[file_id] = stored
        return stored


def _constant(content: bytes) -> Callable[[], bytes]:
    return lambda: content


def file_routes(service: MurekaService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, balance and key)."""
    files = _Files(service)
    return [
        service.bearer_route("POST", "/v1/files/upload", files.upload, endpoint="upload"),
        # ⚠ The spec's path and its own example's path: both are served.
        service.bearer_route("POST", "/v1/vocal/clone", files.vocal_clone, endpoint="vocal_clone"),
        service.bearer_route(
            "POST", "/v1/song/vocal-clone", files.vocal_clone, endpoint="vocal_clone"
        ),
    ]
