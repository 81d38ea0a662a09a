"""The callbacks the emulated sunoapi.org posts: one body per stage a task reaches.

Shapes (``providers.md`` §1.7, §1.8, §1.10; ``endpoints.md`` §1.0.2):

- music family: ``{code, msg, data: {callbackType, task_id, data: [track...]}}`` at
  ``TEXT_SUCCESS`` (``text``: tracks without audio yet), ``FIRST_SUCCESS`` (``first``: the first
  track's audio) and ``SUCCESS`` (``complete``); a failure posts ``callbackType: "error"`` with
  the task's ``errorCode`` and ``data: null``. Tracks are snake_case, as the docs show.
- lyrics: ``{code, msg, data: {callbackType: "complete", taskId, data: [variant...]}}``;
- WAV: ``{code, msg, data: {audioWavUrl, task_id}}`` (``audioWavUrl: null`` on failure);
- vocal removal: ``{code, msg, data: {task_id, vocal_removal_info: {vocal_url...}}}``;
- MP4: ``{code, msg, data: {task_id, video_url}}``;
- cover art: ``{code, msg, data: {taskId, images: [...]}}`` (``images: null`` on failure);
- MIDI: ``{task_id, code, msg, data: {state: "complete", instruments: [...]}}``.

Choices: ``CALLBACK_EXCEPTION`` (the provider's own record of a callback that failed) posts
nothing for that stage; an unknown scripted status posts nothing. An advanced split's parts are
sent as ``<stem>_url`` and ``without_<stem>_url`` (undocumented).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._model import Task, Track, media_url
from ._suno import MODEL_NAMES

__all__ = ["callback_body", "terminal_statuses"]

_MUSIC_STAGES: Mapping[str, tuple[str, str]] = {
    "TEXT_SUCCESS": ("text", "Text generation completed."),
    "FIRST_SUCCESS": ("first", "First track generation completed."),
    "SUCCESS": ("complete", "All generated successfully."),
}
_MUSIC_FAILURES = frozenset({"CREATE_TASK_FAILED", "SENSITIVE_WORD_ERROR", "GENERATE_AUDIO_FAILED"})
_SUCCESS_MESSAGES: Mapping[str, str] = {
    "lyrics": "All generated successfully.",
    "wav": "success",
    "vocal_removal": "vocal Removal generated successfully.",
    "mp4": "MP4 generated successfully.",
    "cover": "success",
    "midi": "success",
}


def terminal_statuses(task: Task) -> frozenset[str]:
    """The statuses that end a task of ``task.kind``."""
    if task.kind == "music":
        from ._suno import TERMINAL

        return TERMINAL
    from ._suno_tasks import _FAMILIES

    return _FAMILIES[task.kind].terminal


def callback_body(task: Task, status: str) -> tuple[str, dict[str, Any]] | None:
    """The stage name and body posted when ``task`` reaches ``status``; None posts nothing."""
    if task.kind == "music":
        return _music(task, status)
    from ._suno_tasks import _FAMILIES

    family = _FAMILIES.get(task.kind)
    if family is None:
        return None
    if status == family.stages[-1]:
        return "complete", _family_body(task, None)
    if status in family.failures:
        return "error", _family_body(task, status)
    return None


def _snake_track(task: Task, track: Track, ready: bool) -> dict[str, Any]:
    base = task.base_url
    return {
        "id": track.id,
        "audio_url": media_url(base, track.id) if ready else "",
        "source_audio_url": media_url(base, track.id, "source") if ready else "",
        "stream_audio_url": media_url(base, track.id, "stream"),
        "source_stream_audio_url": media_url(base, track.id, "source-stream"),
        "image_url": media_url(base, track.id, ext="png"),
        "source_image_url": media_url(base, track.id, "source", ext="png"),
        "prompt": track.lyrics,
        "model_name": MODEL_NAMES[task.model],
        "title": track.title,
        "tags": track.tags,
        "createTime": task.created_ms + 1000 * (track.index + 1),
        "duration": round(task.duration_s, 2) if ready else None,
    }


def _music(task: Task, status: str) -> tuple[str, dict[str, Any]] | None:
    if status in _MUSIC_STAGES:
        stage, msg = _MUSIC_STAGES[status]
        ready = {"text": 0, "first": 1}.get(stage, len(task.tracks))
        tracks = [_snake_track(task, t, t.index < ready) for t in task.tracks]
        data: dict[str, Any] = {"callbackType": stage, "task_id": task.id, "data": tracks}
        return stage, {"code": 200, "msg": msg, "data": data}
    if status in _MUSIC_FAILURES:
        failure: dict[str, Any] = {"callbackType": "error", "task_id": task.id, "data": None}
        body = {
            "code": task.error_code or 500,
            "msg": task.error_message or "Music generation failed",
            "data": failure,
        }
        return "error", body
    return None


def _snake(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-z]+", "_", snake.lower()).strip("_")


def _family_body(task: Task, failure: str | None) -> dict[str, Any]:
    """The body of a single-stage family: its result, or its nulled result on ``failure``."""
    ok = failure is None
    extra = task.extra
    data: dict[str, Any]
    if task.kind == "lyrics":
        kind = "complete" if ok else "error"
        data = {"callbackType": kind, "taskId": task.id, "data": extra["lyrics"] if ok else None}
    elif task.kind == "wav":
        data = {"audioWavUrl": extra["url"] if ok else None, "task_id": task.id}
    elif task.kind == "vocal_removal":
        data = {"task_id": task.id, "vocal_removal_info": _stems(task) if ok else None}
    elif task.kind == "mp4":
        data = {"task_id": task.id, "video_url": extra["url"] if ok else None}
    elif task.kind == "cover":
        data = {"taskId": task.id, "images": list(extra["images"]) if ok else None}
    else:  # midi: the id at the top level
        midi = {"state": "complete", "instruments": extra["instruments"]} if ok else None
        return {
            "task_id": task.id,
            "code": 200 if ok else task.error_code or 500,
            "msg": _SUCCESS_MESSAGES["midi"] if ok else task.error_message or "failed",
            "data": midi,
        }
    if ok:
        return {"code": 200, "msg": _SUCCESS_MESSAGES[task.kind], "data": data}
    return {"code": task.error_code or 500, "msg": task.error_message or "failed", "data": data}


def _stems(task: Task) -> dict[str, Any]:
    info: dict[str, Any] = {"origin_url": ""}
    for field, url in task.extra["urls"].items():  # camelCase "<stem>Url" -> "<stem>_url"
        info[f"{_snake(field[: -len('Url')])}_url"] = url
    if task.extra["type"] == "split_stem_advanced":
        for item in task.extra["origin"]:
            name = _snake(item["stemName"])
            info[f"{name}_url"] = item["extract"]["audio_url"]
            info[f"without_{name}_url"] = item["remove"]["audio_url"]
    return info
