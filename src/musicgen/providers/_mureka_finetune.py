"""Mureka fine-tuning: chunked uploads of a training set, then a fine-tuning task
(``endpoints.md`` §2.13).

The flow: ``create_upload`` names a set, ``add_upload_part`` sends each song (mp3/m4a,
30-270 s, at most 10 MB), ``complete_upload`` closes it, and ``finetune`` starts the paid task
($99-$199 one-off, about 3 h for 200 songs), polled at ``GET /v1/finetuning/query/{id}``. Its
result is the new model's name (``lora:mureka-6:4354198:my-model``), usable as ``model=``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from .._errors import ValidationError
from .._operations import Operation, TaskSpec
from .._results import Task, Upload
from ._base import clean_text
from ._mureka_base import MurekaBase
from ._mureka_files import read_source

__all__ = ["MurekaFinetuneEndpoints"]

_SUFFIX = re.compile(r"[a-z0-9-]{1,32}")
_PART_FORMATS = ("mp3", "m4a")


class MurekaFinetuneEndpoints(MurekaBase):
    """Mureka's fine-tuning: uploads of a training set and the fine-tuning task."""

    def create_upload(self, name: str, *, size: int | None = None) -> Operation[Upload]:
        """Start a chunked upload for fine-tuning (``POST /v1/uploads/create``, sync, free).

        Args:
            name: A name for the training set.
            size: Its total size in bytes, when known; Mureka then checks it at completion.

        Returns:
            An operation giving the ``Upload`` (``purpose="fine-tuning"``, its ``id`` is the
            ``upload_id`` of the other steps; status ``pending`` in ``raw``).

        Raises:
            ValidationError: No name, or a size that is not a positive int.
        """
        upload_name = clean_text(name)
        if upload_name is None:
            raise ValidationError("name is required: a name for the training set", field="name")
        body: dict[str, Any] = {"upload_name": upload_name, "purpose": "fine-tuning"}
        if size is not None:
            if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
                msg = f"size must be the total number of bytes (a positive int), got {size!r}"
                raise ValidationError(msg, field="size")
            body["bytes"] = size
        request = self.http_request("POST", "/uploads/create", json=body)
        return self.operation("create_upload", request, self._uploads_task)

    def add_upload_part(
        self, upload_id: str | Upload, source: str | bytes | os.PathLike[str]
    ) -> Operation[Upload]:
        """Add one song to a fine-tuning upload (``POST /v1/uploads/add``, multipart, free).

        Args:
            upload_id: The ``Upload`` that ``create_upload`` returned, or its id.
            source: The song (mp3 or m4a, 30-270 s, at most 10 MB): its content or a path; not
                a URL.

        Returns:
            An operation giving the part as an ``Upload`` (its ``id`` is a part id).

        Raises:
            ValidationError: No upload id, a URL, an unreadable path, over 10 MB, or a format
                other than mp3/m4a.
        """
        upload = self.file_id(upload_id, "upload_id", "fine-tuning")
        file = read_source(source, None)
        if file.format is not None and file.format not in _PART_FORMATS:
            msg = f"{file.name!r} looks like {file.format}; fine-tuning songs must be mp3 or m4a"
            raise ValidationError(msg, field="source")
        request = self.multipart("/uploads/add", {"upload_id": upload}, file.part())

        def parse(response: httpx.Response) -> Upload:
            from ._mureka_wire import read_upload_part

            return self.read_answer(response, read_upload_part)

        return self.operation("add_upload_part", request, parse)

    def complete_upload(
        self, upload_id: str | Upload, *, part_ids: Sequence[str | Upload] | None = None
    ) -> Operation[Upload]:
        """Close a fine-tuning upload (``POST /v1/uploads/complete``, sync, free).

        Args:
            upload_id: The ``Upload`` that ``create_upload`` returned, or its id.
            part_ids: The parts in order (``Upload`` values or ids); None uses every part, in
                the order they were added.

        Returns:
            An operation giving the ``Upload`` (status ``completed`` and ``parts`` in ``raw``).

        Raises:
            ValidationError: No upload id, or a part that is not an id.
        """
        body: dict[str, Any] = {"upload_id": self.file_id(upload_id, "upload_id", "fine-tuning")}
        if part_ids is not None:
            if isinstance(part_ids, (str, bytes)):
                msg = "part_ids must be a list of part ids, not one string"
                raise ValidationError(msg, field="part_ids")
            body["part_ids"] = [self.file_id(p, "part_ids", "fine-tuning") for p in part_ids]
        request = self.http_request("POST", "/uploads/complete", json=body)
        return self.operation("complete_upload", request, self._uploads_task)

    def finetune(self, upload_id: str | Upload, *, suffix: str) -> Operation[Task[str]]:
        """Start fine-tuning on a completed upload (``POST /v1/finetuning/create``): a paid task
        ($99-$199), polled with ``finetune_status``.

        Args:
            upload_id: The completed ``Upload`` (100-200 consistent songs of 2-4 min work best),
                or its id.
            suffix: Added to the model's name: 1 to 32 characters of a-z, 0-9 and ``-``.

        Returns:
            An operation whose ``Task[str]`` has the fine-tuned model's name as ``result``.

        Raises:
            ValidationError: No upload id, or a bad suffix.
        """
        body = {
            "upload_id": self.file_id(upload_id, "upload_id", "fine-tuning"),
            "suffix": _suffix(suffix),
        }

        def parse(response: httpx.Response) -> Task[str]:
            from ._mureka_wire import read_finetune

            return self.read_answer(
                response, lambda data: read_finetune(data, task_id=None, status_required=False)
            )

        return self.operation(
            "finetune",
            self.http_request("POST", "/finetuning/create", json=body),
            parse,
            paid=True,
            task=TaskSpec(read=self.finetune_status, result_type=Task[str]),
        )

    def finetune_status(self, task_id: str) -> Operation[Task[str]]:
        """Read a fine-tuning task (``GET /v1/finetuning/query/{id}``, free).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def parse(response: httpx.Response) -> Task[str]:
            from ._mureka_wire import read_finetune

            return self.read_answer(
                response, lambda data: read_finetune(data, task_id=task_id, status_required=True)
            )

        return self.operation(
            "finetune_status",
            self.http_request("GET", f"/finetuning/query/{quote(task_id, safe='')}"),
            parse,
            task=TaskSpec(read=self.finetune_status, task_id=task_id, result_type=Task[str]),
        )

    def _uploads_task(self, response: httpx.Response) -> Upload:
        from ._mureka_wire import read_uploads_task

        return self.read_answer(response, read_uploads_task)


def _suffix(value: object) -> str:
    if not isinstance(value, str) or not _SUFFIX.fullmatch(value):
        msg = (
            f"suffix must be 1 to 32 characters of lower-case letters, digits and '-' (it ends "
            f"the model's name, e.g. 'my-model'), got {value!r}"
        )
        raise ValidationError(msg, field="suffix")
    return value
