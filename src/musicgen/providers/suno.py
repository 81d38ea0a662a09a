"""The sunoapi.org driver ("Suno-style" API): sans-I/O, its endpoints return operations.

``SunoProvider`` joins the endpoint families (``_suno_music``, ``_suno_tasks``,
``_suno_files``) over ``SunoBase`` (the key, the hosts, the ``{code, msg, data}`` envelope and
its error codes) and adds generation itself: ``generate``, ``status`` and ``balance``. What
``data`` holds is read by typed wire models (``_suno_wire``). It never sends anything.

Wire facts this module relies on (see ``providers.md`` part 1):

* ``record-info`` differs from its docs: ``data`` can be null right after submit, ``response``
  is null while PENDING, ``param`` is a JSON-encoded *string*, ``createTime`` is epoch ms, tracks
  carry ``source*`` URLs, and callback-shaped items use snake_case. All variants are accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .._errors import ValidationError
from .._models import Balance, Generation, GenerationRequest, TaskStatus
from .._operations import Operation, TaskSpec
from ._base import clean_text
from ._options import SunoOptions
from ._suno_base import (
    DEFAULT_BASE_URL,
    DEFAULT_UPLOAD_BASE_URL,
    MUSIC_TIMELINE,
    PLACEHOLDER_CALLBACK_URL,
)
from ._suno_files import SunoFileEndpoints
from ._suno_music import SunoMusicEndpoints
from ._suno_tasks import SunoTaskEndpoints

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_UPLOAD_BASE_URL",
    "PLACEHOLDER_CALLBACK_URL",
    "SunoProvider",
]

_PROVIDER = "suno"

# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _wire_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``options`` (``SunoOptions`` rules) and return them under their wire names."""
    return SunoOptions.from_mapping(options).to_wire()


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------


class SunoProvider(SunoMusicEndpoints, SunoTaskEndpoints, SunoFileEndpoints):
    """The sunoapi.org driver. Pure: its endpoints return operations; it sends nothing.

    Every endpoint of the API is a method here: ``generate``, ``status`` and ``balance`` below,
    and the families it inherits (music edits, task endpoints, files and voices).

    Args:
        api_key: The sunoapi.org key; defaults to ``MUSICGEN_SUNO_API_KEY``, then ``SUNO_API_KEY``.
        base_url: The API root. A trailing ``/api/v1`` is accepted and removed.
        callback_url: Sent as ``callBackUrl`` when a call sets none; defaults to
            ``PLACEHOLDER_CALLBACK_URL`` because the API insists on one.
        upload_base_url: The file-upload host; see ``SunoBase``.
        callback_auth: A ``musicgen.callbacks.CallbackAuth`` minting a callback URL per
            submission (with ``callback_url``, where your receiver listens); see ``SunoBase``.

    Raises:
        ConfigurationError: No API key anywhere, or a ``callback_url`` that is not http(s).
    """

    # -- endpoints -----------------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> Operation[Generation]:
        """Start a paid generation (``POST /api/v1/generate``), polled with ``status``.

        Raises:
            ValidationError: See ``validate``; raised before any request exists.
        """
        body = self._generate_body(request)
        return self.operation(
            "generate",
            self.http_request("POST", "/generate", json=body),
            lambda response: self._submitted(response, request),
            paid=True,
            task=TaskSpec(read=self.status, result_type=Generation),
            key=request.fingerprint,  # computed only when a cache asks
        )

    def status(self, task_id: str, *, instrumental: bool | None = None) -> Operation[Generation]:
        """Read a music task (``GET /api/v1/generate/record-info``); ``instrumental`` is unused.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Generation:
            from ._suno_wire import read_record

            return read_record(data, task_id=task_id, instrumental=instrumental, raw=raw)

        return self.task_read(
            "status",
            "/generate/record-info",
            task_id,
            read,
            self.status,
            Generation,
            timeline=MUSIC_TIMELINE,
        )

    def balance(self) -> Operation[Balance]:
        """Read the remaining credits (``GET /api/v1/generate/credit``)."""
        return self.operation(
            "balance", self.http_request("GET", "/generate/credit"), self._credits
        )

    # -- validation ----------------------------------------------------------------------------

    def validate(self, request: GenerationRequest) -> None:
        """Check ``request`` against Suno's modes and the model's length limits.

        Raises:
            ValidationError: Names the field, the limit, the actual length, the model and the fix.
        """
        self._validated_options(request)

    def _validated_options(self, request: GenerationRequest) -> dict[str, Any]:
        """``validate``, returning the options under their wire names."""
        prompt = clean_text(request.prompt)
        lyrics = clean_text(request.lyrics)
        style = clean_text(request.style)
        title = clean_text(request.title)
        if style or title or lyrics:
            self._validate_custom(request, prompt=prompt, lyrics=lyrics, style=style, title=title)
        elif prompt is None:
            msg = (
                "Suno needs either prompt=... (simple mode: a description of the song, lyrics "
                "are written for you) or style=... and title=... (custom mode, with lyrics=... "
                "unless instrumental=True)"
            )
            raise ValidationError(msg, field="prompt")
        else:
            self.catalog.check_length(request.model, "prompt", prompt)
        return _wire_options(request.options)

    def _validate_custom(
        self,
        request: GenerationRequest,
        *,
        prompt: str | None,
        lyrics: str | None,
        style: str | None,
        title: str | None,
    ) -> None:
        if prompt is not None:
            msg = (
                "Suno custom mode (style, title or lyrics given) has no separate description: "
                "put the words to sing in lyrics= and the sound in style=, and drop prompt=. "
                "For simple mode pass only prompt=..."
            )
            raise ValidationError(msg, field="prompt")
        if request.instrumental and lyrics is not None:
            msg = (
                "instrumental=True cannot have lyrics: drop lyrics= for an instrumental, or set "
                "instrumental=False to have them sung"
            )
            raise ValidationError(msg, field="lyrics")
        for field, value in (("style", style), ("title", title)):
            if value is None:
                msg = (
                    f"Suno custom mode (style, title or lyrics given) requires {field}=...; "
                    "pass style= and title= together, or use only prompt=... for simple mode"
                )
                raise ValidationError(msg, field=field)
        if lyrics is None and not request.instrumental:
            msg = (
                "Suno custom mode requires lyrics=... (the words to sing) unless "
                "instrumental=True; or use only prompt=... to have lyrics written for you"
            )
            raise ValidationError(msg, field="lyrics")
        for field, value in (("lyrics", lyrics), ("style", style), ("title", title)):
            if value is not None:
                self.catalog.check_length(request.model, field, value)

    def _generate_body(self, request: GenerationRequest) -> dict[str, Any]:
        options = self._validated_options(request)
        lyrics = clean_text(request.lyrics)
        style = clean_text(request.style)
        title = clean_text(request.title)
        custom = bool(style or title or lyrics)
        body: dict[str, Any] = {
            "customMode": custom,
            "instrumental": request.instrumental,
            "model": request.model,
            # Required by the API; a per-call option wins over the constructor's setting.
            "callBackUrl": self.callback(options.pop("callBackUrl", None)),
        }
        if custom:
            # In custom mode Suno sings `prompt` verbatim, so the lyrics travel as `prompt`.
            if lyrics is not None:
                body["prompt"] = lyrics
            body["style"] = style
            body["title"] = title
        else:
            body["prompt"] = clean_text(request.prompt)
        body.update(options)
        return body

    # -- responses -----------------------------------------------------------------------------

    def _submitted(self, response: httpx.Response, request: GenerationRequest) -> Generation:
        """Read the new task's id from the ``generate`` answer.

        Raises:
            APIError: The provider refused the submission.
            UnexpectedResponseError: No ``data.taskId`` (a task may still have been started).
        """
        # Imported on first use: the wire models need cattrs, which `import musicgen` avoids.
        from ._suno_wire import read_submit
        from ._wire import WireError

        body = self._envelope(response)
        try:
            task_id = read_submit(body.get("data"))
        except WireError as error:
            self._unexpected(
                response,
                f"the generate answer has no data.taskId ({error}); the provider may still have "
                "started (and charged for) a task: check your sunoapi.org dashboard before "
                "resubmitting",
                body,
            )
        return Generation(
            task_id=task_id,
            provider=_PROVIDER,
            model=request.model,
            status=TaskStatus.QUEUED,
            provider_status="PENDING",
            instrumental=request.instrumental,
            raw=body,
        )

    def _credits(self, response: httpx.Response) -> Balance:
        """Read the remaining credits (``data`` is a number).

        Raises:
            APIError: The provider answered with an error code.
            UnexpectedResponseError: ``data`` is not a number.
        """
        from ._suno_wire import read_credits
        from ._wire import WireError

        body = self._envelope(response)
        try:
            amount = read_credits(body.get("data"))
        except WireError as error:
            self._unexpected(response, f"data should be the number of credits ({error})", body)
        return Balance(provider=_PROVIDER, amount=amount, unit="credits", raw=body)
