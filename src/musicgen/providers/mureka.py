"""The Mureka driver (https://api.mureka.ai): sans-I/O, its endpoints return operations.

``MurekaProvider`` joins the endpoint families (``_mureka_edits``: extend, add a track, edit a
region, remix; ``_mureka_sync``: lyrics, stems, description, recognition, speech;
``_mureka_files``: uploads and vocal clones; ``_mureka_finetune``: fine-tuning) over
``MurekaBase`` (the key, the error table, song-task reads) and adds generation itself:
``generate``, ``instrumental``, ``status`` and ``balance``. It never sends anything. What it
knows about the wire format (see ``providers.md`` PART 2):

- No envelope: success bodies are the bare task object ``{id, created_at, model, status, ...}``.
  Errors are HTTP statuses >= 400 with ``{"error": {"message": ...}, "trace_id": ...}``; 429 is
  either a rate limit or an exhausted quota, told apart only by the message text.
- Songs and instrumentals live under different paths, for submitting and for polling alike.
- Mureka has no style or title field; ``style`` is folded into ``prompt``, ``title`` is refused.
- Live responses differ from the docs: the first choice may lack ``index``, 2025-era choices lack
  ``id`` and ``wav_url``, ``duration`` is in milliseconds, and ``finished_at`` is absent or 0
  before the task finishes. Every variant is accepted; unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from .._errors import ValidationError
from .._models import Balance, Generation, GenerationRequest
from .._models_catalog import ModelInfo
from .._operations import Operation, TaskSpec
from .._results import Upload
from ._base import clean_text
from ._mureka_base import DEFAULT_BASE_URL
from ._mureka_edits import MurekaEditEndpoints
from ._mureka_files import MurekaFileEndpoints
from ._mureka_finetune import MurekaFinetuneEndpoints
from ._mureka_sync import MurekaSyncEndpoints
from ._options import MurekaOptions

__all__ = ["DEFAULT_BASE_URL", "MurekaProvider"]

# Options a request may carry, with where they apply. Everything else is refused by name.
_SONG_ONLY_OPTIONS = ("reference_id", "vocal_id", "melody_id")
_INSTRUMENTAL_ONLY_OPTIONS = ("instrumental_id",)

# Fine-tuned models ("lora:...") accept only prompt or reference_id control [doc].
_LORA_UNSUPPORTED = frozenset({"vocal_id", "melody_id"})


class MurekaProvider(
    MurekaEditEndpoints, MurekaSyncEndpoints, MurekaFileEndpoints, MurekaFinetuneEndpoints
):
    """The Mureka API as a sans-I/O provider: its endpoints return operations.

    Every endpoint of the API is a method here: ``generate``, ``instrumental`` and ``balance``
    below, ``status`` from ``MurekaBase``, and the families it inherits (edits, sync endpoints,
    files, fine-tuning).

    Args:
        api_key: The Mureka API key. None reads ``MUSICGEN_MUREKA_API_KEY``, then
            ``MUREKA_API_KEY``.
        base_url: The API root, e.g. ``"https://api.mureka.cn"`` for the China platform. A
            trailing ``/v1`` is accepted and removed, since every path already starts with it.

    Raises:
        ConfigurationError: No API key was passed or found in the environment.
    """

    # -- endpoints ----------------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> Operation[Generation]:
        """Start a paid song (``/v1/song/generate``) or instrumental (``/v1/instrumental/...``).

        Raises:
            ValidationError: See ``validate``; raised before any request exists.
        """
        return self._generation("generate", request)

    def instrumental(
        self,
        prompt: str | None = None,
        *,
        instrumental_id: str | Upload | None = None,
        model: str | None = None,
        n: int | None = None,
        stream: bool | None = None,
    ) -> Operation[Generation]:
        """Start a paid instrumental (``POST /v1/instrumental/generate``), polled at
        ``/v1/instrumental/query/{id}``.

        The same request as ``generate`` with ``instrumental=True``, under its own name.

        Args:
            prompt: The music to make (at most 1024 characters).
            instrumental_id: Instead of a prompt, a file uploaded with purpose
                ``"instrumental"`` (an ``Upload`` or its id) to take after.
            model: A model id or alias; None uses the catalog's default (``auto``).
            n: How many instrumentals to make (1-3; Mureka's default 2); each is billed.
            stream: Stream audio while the task runs.

        Raises:
            ValidationError: Neither or both of prompt and instrumental_id, or a bad option.
        """
        options: dict[str, Any] = {"n": n, "stream": stream}
        if instrumental_id is not None:
            options["instrumental_id"] = self.file_id(
                instrumental_id, "instrumental_id", "instrumental"
            )
        request = GenerationRequest(
            provider=self.name,
            model=self.model_for(model),
            prompt=prompt,
            instrumental=True,
            options={k: v for k, v in options.items() if v is not None},
        )
        return self._generation("instrumental", request)

    def balance(self) -> Operation[Balance]:
        """Read the account's billing summary (balance in US cents)."""
        return self.operation(
            "balance", self.http_request("GET", "/account/billing"), self._billing
        )

    def _generation(self, name: str, request: GenerationRequest) -> Operation[Generation]:
        self.validate(request)
        instrumental = request.instrumental

        def read(task_id: str) -> Operation[Generation]:
            return self.status(task_id, instrumental=instrumental)

        return self.operation(
            name,
            self._submit_request(request),
            lambda response: self._submitted(response, request),
            paid=True,
            task=TaskSpec(read=read, result_type=Generation),
            key=request.fingerprint,  # computed only when a cache asks
        )

    # -- validation ---------------------------------------------------------------------------

    def validate(self, request: GenerationRequest) -> None:
        """Check ``request`` against Mureka's rules before anything is sent.

        Raises:
            ValidationError: A field or option is missing, too long, of the wrong type, not
                supported by the model, or combined with one it excludes. The message names
                the field, the limit, the model and the fix.
        """
        model = request.model
        info = self.catalog.get(model)
        if clean_text(request.title) is not None:
            msg = (
                f"title is not supported by Mureka (model {model!r}): its API has no title "
                "field and returns no title. Leave title out"
            )
            raise ValidationError(msg, field="title")
        self._validate_options(request, info)
        self._validate_prompt_length(request, info)
        if request.instrumental:
            self._validate_instrumental(request)
        else:
            self._validate_song(request, info)

    def _validate_options(self, request: GenerationRequest, info: ModelInfo) -> None:
        model = request.model
        unsupported = info.unsupported
        if model.startswith("lora:"):
            unsupported = unsupported | _LORA_UNSUPPORTED
        # Names and types first (MurekaOptions), then what depends on the model.
        present = _present_options(request)
        for key, value in present.items():
            if key in unsupported:
                msg = (
                    f"model {model!r} does not support the option {key!r}. Remove {key} or "
                    "choose a model that supports it"
                )
                raise ValidationError(msg, field=key)
            if key == "n":
                _check_n(value, info)  # the model's own limit

    def _validate_prompt_length(self, request: GenerationRequest, info: ModelInfo) -> None:
        prompt = _merged_prompt(request)
        limit = info.limits.get("prompt")
        if prompt is None or limit is None or len(prompt) <= limit:
            return
        model = request.model
        has_prompt = clean_text(request.prompt) is not None
        has_style = clean_text(request.style) is not None
        if has_prompt and has_style:
            msg = (
                f"prompt and style are sent together as Mureka's prompt ('prompt, style'), which "
                f"is {len(prompt)} characters; model {model!r} allows at most {limit}. Shorten "
                "prompt or style"
            )
            raise ValidationError(msg, field="prompt")
        field = "style" if has_style else "prompt"
        msg = (
            f"{field} is {len(prompt)} characters; model {model!r} allows at most {limit} "
            f"for Mureka's prompt. Shorten {field}"
        )
        raise ValidationError(msg, field=field)

    def _validate_song(self, request: GenerationRequest, info: ModelInfo) -> None:
        model = request.model
        lyrics = clean_text(request.lyrics)
        if lyrics is None:
            msg = (
                f"Mureka songs need lyrics (model {model!r}); Mureka answers 'The lyrics are "
                "empty' without them. Pass lyrics=..., or instrumental=True for music without "
                "vocals"
            )
            raise ValidationError(msg, field="lyrics")
        limit = info.limits.get("lyrics")
        if limit is not None and len(lyrics) > limit:
            msg = (
                f"lyrics are {len(lyrics)} characters; model {model!r} allows at most {limit}. "
                "Shorten the lyrics"
            )
            raise ValidationError(msg, field="lyrics")
        options = _present_options(request)
        for key in _INSTRUMENTAL_ONLY_OPTIONS:
            if key in options:
                msg = f"{key} only applies to instrumentals. Pass instrumental=True or remove {key}"
                raise ValidationError(msg, field=key)
        if "melody_id" in options:
            # Mureka refuses a melody combined with any other control.
            others: list[str] = [k for k in ("reference_id", "vocal_id") if k in options]
            if _merged_prompt(request) is not None:
                others.insert(0, "prompt/style")
            if others:
                msg = (
                    f"melody_id cannot be combined with {', '.join(others)} (model {model!r}). "
                    "Use the melody alone, or remove melody_id"
                )
                raise ValidationError(msg, field="melody_id")

    def _validate_instrumental(self, request: GenerationRequest) -> None:
        model = request.model
        if clean_text(request.lyrics) is not None:
            msg = (
                f"instrumentals have no vocals, so lyrics are not allowed (model {model!r}). "
                "Remove lyrics, or pass instrumental=False for a song"
            )
            raise ValidationError(msg, field="lyrics")
        options = _present_options(request)
        for key in _SONG_ONLY_OPTIONS:
            if key in options:
                msg = (
                    f"{key} only applies to songs, not instrumentals. Remove {key}, or pass "
                    "instrumental=False"
                )
                raise ValidationError(msg, field=key)
        has_prompt = _merged_prompt(request) is not None
        if has_prompt and "instrumental_id" in options:
            msg = (
                "an instrumental takes either a prompt (or style) or instrumental_id, not both "
                f"(model {model!r}). Remove one of them"
            )
            raise ValidationError(msg, field="instrumental_id")
        if not has_prompt and "instrumental_id" not in options:
            msg = (
                f"an instrumental needs a prompt (or style) describing the music, or an "
                f"instrumental_id option (model {model!r}). Pass prompt=..."
            )
            raise ValidationError(msg, field="prompt")

    # -- requests -----------------------------------------------------------------------------

    def _submit_request(self, request: GenerationRequest) -> httpx.Request:
        options = _present_options(request)
        body: dict[str, Any] = {}
        if request.instrumental:
            path = "/instrumental/generate"
            body["model"] = request.model
            prompt = _merged_prompt(request)
            if prompt is not None:
                body["prompt"] = prompt
            elif "instrumental_id" in options:
                body["instrumental_id"] = options["instrumental_id"]
            keys: Sequence[str] = ("n", "stream")
        else:
            path = "/song/generate"
            body["lyrics"] = clean_text(request.lyrics)
            body["model"] = request.model
            prompt = _merged_prompt(request)
            if prompt is not None:
                body["prompt"] = prompt
            keys = ("n", *_SONG_ONLY_OPTIONS, "stream")
        for key in keys:
            if key in options:
                body[key] = options[key]
        return self.http_request("POST", path, json=body)

    # -- responses ----------------------------------------------------------------------------

    def _submitted(self, response: httpx.Response, request: GenerationRequest) -> Generation:
        """Read the new task from a generate call's answer.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body has no task id or the wrong shape.
        """
        return self.started(response, model=request.model, instrumental=request.instrumental)

    def _billing(self, response: httpx.Response) -> Balance:
        """Read ``/v1/account/billing``: the balance is in US cents.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when
                ``balance`` is missing or not a number.
        """
        from ._mureka_wire import read_billing

        return self.read_answer(response, read_billing)


# -- request helpers --------------------------------------------------------------------------


def _merged_prompt(request: GenerationRequest) -> str | None:
    # Mureka has no style field, so style rides along in the prompt.
    parts = [p for p in (clean_text(request.prompt), clean_text(request.style)) if p is not None]
    return ", ".join(parts) or None


def _present_options(request: GenerationRequest) -> dict[str, Any]:
    """The options given (checked as ``MurekaOptions``): None and blank strings are absent.

    Raises:
        ValidationError: An unknown option or a value of the wrong type.
    """
    return MurekaOptions.from_mapping(request.options).present()


def _check_n(value: object, info: ModelInfo) -> None:
    high = info.limits.get("n", 3)
    # bool is an int subclass; n=True is a bug, not one song.
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"n must be an int from 1 to {high}, got {type(value).__name__} {value!r}"
        raise ValidationError(msg, field="n")
    if not 1 <= value <= high:
        msg = (
            f"n is {value}; model {info.id!r} makes 1 to {high} songs per request. Each song is "
            "billed, so leave n out for Mureka's default of 2, or pass a value in range"
        )
        raise ValidationError(msg, field="n")
