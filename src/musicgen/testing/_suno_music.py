"""The emulated Suno music edits: extend, covers, vocals and backing, mashups, sections, sounds.

Each route validates its body the way the docs describe (``endpoints.md`` §1.1-§1.8: code 400
naming the field, 413 for text over a limit), charges its credits once, on acceptance, and
starts a music task through :meth:`SunoService.create_music_task`: ``record-info`` serves it
like a generation, with ``operationType`` set (and ``parentMusicId`` for extend).

Choices where the docs say nothing or disagree:

- extend and replace-section refuse (400) an ``audioId`` or ``taskId`` the emulator did not
  make, and a model other than the source's ("must be consistent with the source audio");
- an uploaded file is never fetched, so its length limits (8 min, 1 min on ``V4_5ALL``) are
  not checked, except that upload-extend's ``continueAt`` must fall inside an upload that is
  one of the emulator's own audio URLs;
- custom-mode extend needs ``prompt`` unless the source track is an instrumental (the docs
  require it always, but an instrumental has nothing to sing);
- upload-extend without ``defaultParamFlag`` needs ``prompt`` (the newer of two doc readings),
  limited to 500 characters like every non-custom prompt;
- add-vocals' ``prompt`` and ``title`` follow the model's custom limits (none documented);
- ``operationType`` for add-vocals, add-instrumental, mashup, replace-section and sounds is
  not documented; the endpoint's name in snake_case is served, like the documented ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ._suno import (
    MODELS,
    SIMPLE_PROMPT_LIMIT,
    GenerateParams,
    SunoError,
    envelope,
    limits,
    validate_generate,
    validate_tuning,
)
from ._wire import decode_json

if TYPE_CHECKING:
    from ._model import Task, Track
    from ._route import Route
    from ._suno import SunoService

__all__ = ["CREDITS", "SOUND_KEYS", "music_routes"]

#: Credits per accepted call. 12 for the music edits and 5 for replace-section (third-party
#: price lists); sunoapi.org publishes no price for sounds, so it costs what an edit costs.
CREDITS: dict[str, int] = {
    "extend": 12,
    "upload_cover": 12,
    "upload_extend": 12,
    "add_vocals": 12,
    "add_instrumental": 12,
    "mashup": 12,
    "replace_section": 5,
    "sounds": 12,
}

#: ``soundKey`` values besides ``"Any"``.
SOUND_KEYS: tuple[str, ...] = (
    "Cm", "C#m", "Dm", "D#m", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "A#m", "Bm",
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
)  # fmt: skip

OVERDUB_MODELS: tuple[str, ...] = ("V4_5PLUS", "V5", "V5_5")
NEGATIVE_TAGS_LIMIT = 200
OVERDUB_STYLE_LIMIT = 1000
SOUNDS_PROMPT_LIMIT = 500
WINDOW_SECONDS = (6.0, 60.0)

_OWN_AUDIO = re.compile(r"/audio/([^/.]+)(?:\.[^/.]+)*\.wav")

Handler = Callable[[httpx.Request, dict[str, Any]], httpx.Response]
"""Answers one submission whose body is a JSON object; raises ``SunoError`` to refuse it."""


def music_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    music = _MusicEdits(service)
    table: list[tuple[str, str, Handler]] = [
        ("/api/v1/generate/extend", "extend", music.extend),
        ("/api/v1/generate/upload-cover", "upload_cover", music.upload_cover),
        ("/api/v1/generate/upload-extend", "upload_extend", music.upload_extend),
        ("/api/v1/generate/add-vocals", "add_vocals", music.add_vocals),
        ("/api/v1/generate/add-instrumental", "add_instrumental", music.add_instrumental),
        ("/api/v1/generate/mashup", "mashup", music.mashup),
        ("/api/v1/generate/replace-section", "replace_section", music.replace_section),
        ("/api/v1/generate/sounds", "sounds", music.sounds),
    ]
    return [
        service.bearer_route("POST", path, _answering(handler), "submit", endpoint=name)
        for path, name, handler in table
    ]


def _answering(handler: Handler) -> Callable[[httpx.Request, re.Match[str]], httpx.Response]:
    """A route handler: decode the body, run ``handler``, answer a ``SunoError`` with its code."""

    def answer(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        body = decode_json(request.content)
        try:
            if not isinstance(body, dict):
                raise SunoError(400, "Request body must be a JSON object")
            return handler(request, body)
        except SunoError as exc:
            return envelope(exc.code, exc.msg)

    return answer


# --------------------------------------------------------------------------- field checks


def _callback(body: Mapping[str, Any], *, required: bool = True) -> None:
    callback = body.get("callBackUrl")
    if callback is None and not required:
        return
    if not isinstance(callback, str) or not callback.strip():
        raise SunoError(400, "Please enter callBackUrl.")


def _text(body: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SunoError(400, f"{name} cannot be null")
        return ""
    if not isinstance(value, str):
        raise SunoError(400, f"{name} must be a string")
    return value


def _flag(body: Mapping[str, Any], name: str, *, default: bool | None = None) -> bool:
    value = body.get(name)
    if value is None:
        if default is None:
            raise SunoError(400, f"{name} cannot be null")
        return default
    if not isinstance(value, bool):
        raise SunoError(400, f"{name} must be a boolean")
    return value


def _number(body: Mapping[str, Any], name: str) -> float:
    value = body.get(name)
    if value is None:
        raise SunoError(400, f"{name} cannot be null")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SunoError(400, f"{name} must be a number")
    return float(value)


def _model(
    body: Mapping[str, Any], allowed: tuple[str, ...] = MODELS, default: str | None = None
) -> str:
    model = body.get("model")
    if model is None or model == "":
        if default is None:
            raise SunoError(400, "model cannot be null")
        return default
    if model not in allowed:
        raise SunoError(400, f"model is invalid, it must be one of: {', '.join(allowed)}")
    return str(model)


def _url(value: object, name: str) -> str:
    if isinstance(value, str):
        try:
            parts = urlsplit(value.strip())
        except ValueError:
            parts = None
        if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
            return value.strip()
    if value is None or value == "":
        raise SunoError(400, f"{name} cannot be null")
    raise SunoError(400, f"{name} must be a valid http(s) URL")


def _too_long(*checks: tuple[str, int]) -> None:
    if any(len(text) > limit for text, limit in checks):
        raise SunoError(413, "Theme or prompt too long")


def _custom_texts(
    body: Mapping[str, Any], model: str, *, instrumental: bool
) -> tuple[str, str, str]:
    """``prompt`` (sung), ``style`` and ``title`` of a custom-mode body, within limits."""
    style = _text(body, "style", required=True)
    title = _text(body, "title", required=True)
    prompt = _text(body, "prompt", required=not instrumental)
    prompt_limit, style_limit, title_limit = limits(model)
    _too_long((prompt, prompt_limit), (style, style_limit), (title, title_limit))
    return prompt, style, title


class _MusicEdits:
    """The handlers; every one runs with a decoded JSON object and may raise ``SunoError``."""

    def __init__(self, service: SunoService) -> None:
        self._service = service

    def _source(self, audio_id: str) -> tuple[Task, Track]:
        store = self._service.store
        with store.lock:
            owner = store.tracks.get(audio_id)
        if owner is None or owner[0].provider != "suno" or owner[0].kind != "music":
            raise SunoError(400, f"audioId not found: no music track with id {audio_id}")
        return owner

    def _own_duration(self, url: str) -> float | None:
        """The length of an upload that is one of the emulator's own audio files, else None."""
        match = _OWN_AUDIO.search(urlsplit(url).path)
        if match is None:
            return None
        store = self._service.store
        with store.lock:
            owner = store.tracks.get(match.group(1))
        return owner[0].duration_s if owner is not None else None

    def _start(
        self,
        request: httpx.Request,
        body: dict[str, Any],
        params: GenerateParams,
        name: str,
        **extra: Any,
    ) -> httpx.Response:
        return self._service.create_music_task(
            request, body, params, cost=CREDITS[name], extra={"operation_type": name, **extra}
        )

    # -- handlers ------------------------------------------------------------------------------

    def extend(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body)
        custom = _flag(body, "defaultParamFlag")
        audio_id = _text(body, "audioId", required=True)
        model = _model(body)
        validate_tuning(body)
        task, track = self._source(audio_id)
        if model != task.model:
            msg = f"model must be consistent with the source audio ({task.model}), got {model}"
            raise SunoError(400, msg)
        instrumental = bool(task.extra.get("instrumental", False))
        if custom:
            at = _number(body, "continueAt")
            if not 0 < at < task.duration_s:
                msg = (
                    f"continueAt must be greater than 0 and less than the audio duration "
                    f"({task.duration_s:g} s), got {at:g}"
                )
                raise SunoError(400, msg)
            prompt, style, title = _custom_texts(body, model, instrumental=instrumental)
        else:
            # The source's own settings.
            prompt, style, title = track.lyrics, track.tags.strip(), track.title
        params = GenerateParams(True, instrumental, model, prompt, style, title)
        return self._start(request, body, params, "extend", parent_music_id=audio_id)

    def upload_cover(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _url(body.get("uploadUrl"), "uploadUrl")
        params = validate_generate(body)
        return self._start(request, body, params, "upload_cover")

    def upload_extend(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body)
        url = _url(body.get("uploadUrl"), "uploadUrl")
        custom = _flag(body, "defaultParamFlag")
        instrumental = _flag(body, "instrumental", default=False)
        model = _model(body)
        validate_tuning(body)
        if custom:
            at = _number(body, "continueAt")
            duration = self._own_duration(url)
            if at <= 0 or (duration is not None and at >= duration):
                within = f" and less than the audio duration ({duration:g} s)" if duration else ""
                raise SunoError(400, f"continueAt must be greater than 0{within}, got {at:g}")
            prompt, style, title = _custom_texts(body, model, instrumental=instrumental)
        else:
            prompt = _text(body, "prompt", required=True)
            _too_long((prompt, SIMPLE_PROMPT_LIMIT))
            style = title = ""
        params = GenerateParams(custom, instrumental, model, prompt, style, title)
        return self._start(request, body, params, "upload_extend")

    def add_vocals(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body)
        _url(body.get("uploadUrl"), "uploadUrl")
        prompt = _text(body, "prompt", required=True)
        title = _text(body, "title", required=True)
        style = _text(body, "style", required=True)
        negative = _text(body, "negativeTags", required=True)
        model = _model(body, OVERDUB_MODELS, default=OVERDUB_MODELS[0])
        validate_tuning(body)
        prompt_limit, _, title_limit = limits(model)
        _too_long(
            (prompt, prompt_limit),
            (title, title_limit),
            (style, OVERDUB_STYLE_LIMIT),
            (negative, NEGATIVE_TAGS_LIMIT),
        )
        params = GenerateParams(True, False, model, prompt, style, title)
        return self._start(request, body, params, "add_vocals")

    def add_instrumental(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body)
        _url(body.get("uploadUrl"), "uploadUrl")
        title = _text(body, "title", required=True)
        tags = _text(body, "tags", required=True)
        negative = _text(body, "negativeTags", required=True)
        model = _model(body, OVERDUB_MODELS, default=OVERDUB_MODELS[0])
        validate_tuning(body)
        _, _, title_limit = limits(model)
        _too_long(
            (title, title_limit), (tags, OVERDUB_STYLE_LIMIT), (negative, NEGATIVE_TAGS_LIMIT)
        )
        # The vocals come from the upload: the emulator knows no words for them.
        params = GenerateParams(True, False, model, "", tags, title)
        return self._start(request, body, params, "add_instrumental")

    def mashup(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        urls = body.get("uploadUrlList")
        if urls is None:
            raise SunoError(400, "uploadUrlList cannot be null")
        if not isinstance(urls, list) or len(urls) != 2:
            raise SunoError(400, "uploadUrlList must contain exactly 2 audio URLs")
        for url in urls:
            _url(url, "uploadUrlList")
        params = validate_generate(body)
        return self._start(request, body, params, "mashup")

    def replace_section(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body, required=False)  # optional on this endpoint
        task_id = _text(body, "taskId", required=True)
        audio_id = _text(body, "audioId", required=True)
        _text(body, "prompt", required=True)  # what the section holds: its audio is synthetic
        tags = _text(body, "tags", required=True)
        title = _text(body, "title", required=True)
        start = _number(body, "infillStartS")
        end = _number(body, "infillEndS")
        lyrics = _text(body, "fullLyrics", required=False)
        _text(body, "negativeTags", required=False)
        store = self._service.store
        with store.lock:
            parent = store.tasks.get(task_id)
        if parent is None or parent.provider != "suno" or parent.kind != "music":
            raise SunoError(400, f"taskId not found: no music task with id {task_id}")
        task, track = self._source(audio_id)
        if task is not parent:
            raise SunoError(400, f"audioId {audio_id} does not belong to taskId {task_id}")
        length, duration = end - start, task.duration_s
        low, high = WINDOW_SECONDS
        if start < 0:
            raise SunoError(400, "infillStartS must be greater than or equal to 0")
        if end <= start:
            raise SunoError(400, "infillEndS must be greater than infillStartS")
        if not low <= length <= high:
            msg = f"the replaced section must be {low:g} to {high:g} seconds long, got {length:g}"
            raise SunoError(400, msg)
        if end > duration or length > duration / 2:
            msg = (
                f"infillEndS must lie within the audio ({duration:g} s) and the section may "
                "cover at most 50% of it"
            )
            raise SunoError(400, msg)
        instrumental = bool(task.extra.get("instrumental", False))
        params = GenerateParams(True, instrumental, task.model, lyrics or track.lyrics, tags, title)
        return self._start(request, body, params, "replace_section")

    def sounds(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        _callback(body, required=False)  # optional on this endpoint
        prompt = _text(body, "prompt", required=True)
        model = _model(body)
        _flag(body, "soundLoop", default=False)
        _flag(body, "grabLyrics", default=False)
        tempo = body.get("soundTempo")
        if tempo is not None and (
            isinstance(tempo, bool) or not isinstance(tempo, int) or not 1 <= tempo <= 300
        ):
            raise SunoError(400, "soundTempo must be an integer from 1 to 300")
        key = body.get("soundKey")
        if key is not None and key != "Any" and key not in SOUND_KEYS:
            keys = ", ".join(SOUND_KEYS)
            raise SunoError(400, f"soundKey is invalid, it must be Any or one of: {keys}")
        _too_long((prompt, SOUNDS_PROMPT_LIMIT))
        params = GenerateParams(False, True, model, prompt, "", "")
        return self._start(request, body, params, "sounds")
