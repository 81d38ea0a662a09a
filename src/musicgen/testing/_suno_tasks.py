"""The emulated Suno task endpoints on a finished track: lyrics, timed lyrics, WAV, stems, MIDI,
video, cover art.

Each submission validates its body the way sunoapi.org does (HTTP 200 with ``code`` 400 naming
the field), charges its credits once on acceptance (refusing with ``code`` 429 when they run
out), and creates a task whose ``record-info`` advances one stage per ``polls_per_stage``
reads, in the family's own vocabulary (``endpoints.md`` §1.0.1): lyrics ``status``
(PENDING, SUCCESS), WAV / vocal removal / MP4 a string ``successFlag`` (PENDING, SUCCESS), cover
art an integer ``successFlag`` (0, 2 generating, 1), MIDI an integer ``successFlag`` (0, 1).
``Emulator.script_next_task("suno", final_status=...)`` scripts the next task of any family:
``"GENERATE_WAV_FAILED"``, ``"3"`` (cover art or MIDI failed)...

Choices where the docs are silent or disagree:

- Credits are whole numbers here, so the fractional prices round up: lyrics (0.4),
  timestamped lyrics (0.5) and WAV (0.4) cost 1 credit each. ``separate_vocal`` costs 10,
  ``split_stem`` 50, ``split_stem_advanced`` 20 (the third-party price ratio), MP4 2; MIDI
  and cover art are free.
- A track endpoint needs a finished music task and one of its tracks (``400 "audioId not
  found"`` otherwise). A second WAV of the same track is ``409 "WAV record already
  exists"``; a second cover of the same music task is ``400`` with the existing ``taskId`` in
  ``data``.
- Every separation record lists its parts in ``originData`` (``id``, ``stemName`` and
  ``audioUrl``; the advanced split's items carry ``extract`` / ``remove`` objects instead): the
  ids are what MIDI's ``audioId`` takes. Each part is a real WAV file.
- MIDI notes come as JSON in the record; like the docs' callback example, some ``start`` and
  ``end`` values are numeric strings. A ``split_stem`` separation gives no notes (the docs warn
  that it may not).
- MP4 rendering is not emulated: ``videoUrl`` points at ``/video/<task id>.mp4``, which
  answers HTTP 501 ``"MP4 rendering is not emulated"``.
- Timestamped lyrics count as a paid submission (``Emulator.submissions``), though no task is
  made.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._media import render_png, render_wav
from ._model import Task, Track
from ._route import Route
from ._suno import SunoError, envelope, invent_lyrics, invent_title
from ._wire import decode_json, text_response

if TYPE_CHECKING:
    from ._store import Store
    from ._suno import SunoService

__all__ = ["CREDITS", "task_routes"]

#: Credits each submission costs (whole credits: fractional prices round up).
CREDITS: Mapping[str, int] = {
    "lyrics": 1,
    "timestamped_lyrics": 1,
    "wav": 1,
    "separate_vocal": 10,
    "split_stem": 50,
    "split_stem_advanced": 20,
    "midi": 0,
    "mp4": 2,
    "cover": 0,
}

LYRICS_PROMPT_WORDS = 200
VIDEO_TEXT_LIMIT = 50
_SEPARATION_TYPES = ("separate_vocal", "split_stem", "split_stem_advanced")
_MUSIC_DONE = frozenset({"SUCCESS", "CALLBACK_EXCEPTION"})

# The parts of each separation type: (wire field prefix, stemName).
_PARTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "separate_vocal": (("vocal", "Vocals"), ("instrumental", "Instrumental")),
    "split_stem": (
        ("vocal", "Vocals"),
        ("backingVocals", "Backing Vocals"),
        ("drums", "Drums"),
        ("bass", "Bass"),
        ("guitar", "Guitar"),
        ("keyboard", "Keyboard"),
        ("percussion", "Percussion"),
        ("strings", "Strings"),
        ("synth", "Synth"),
        ("fx", "FX"),
        ("brass", "Brass"),
        ("woodwinds", "Woodwinds"),
    ),
}
# Every URL field of a vocal-removal response, filled or null (D25's record-info example).
_URL_FIELDS = (
    "originUrl",
    "instrumentalUrl",
    "vocalUrl",
    "backingVocalsUrl",
    "drumsUrl",
    "bassUrl",
    "guitarUrl",
    "keyboardUrl",
    "percussionUrl",
    "stringsUrl",
    "synthUrl",
    "fxUrl",
    "brassUrl",
    "woodwindsUrl",
)


@dataclass(frozen=True)
class _Family:
    """How one task family progresses: its stages, failures and final states."""

    kind: str
    label: str
    stages: tuple[str, ...]
    failures: Mapping[str, tuple[int, str]]
    # A final status that keeps the result (only the webhook ping failed).
    callback_failure: str | None = "CALLBACK_EXCEPTION"

    @property
    def terminal(self) -> frozenset[str]:
        done = {self.stages[-1], *self.failures}
        if self.callback_failure:
            done.add(self.callback_failure)
        return frozenset(done)

    def succeeded(self, status: str) -> bool:
        return status in (self.stages[-1], self.callback_failure)

    def plan(
        self, final: str | None, reason: str | None
    ) -> tuple[tuple[str, ...], int | None, str | None]:
        """The stages of a new task, and its errorCode / errorMessage once final."""
        if final is None or final == self.stages[-1]:
            return self.stages, None, None
        if final in self.stages:
            return self.stages[: self.stages.index(final) + 1], None, None
        if final in self.failures:
            code, message = self.failures[final]
            return (self.stages[0], final), code, reason or message
        if final == self.callback_failure:
            return (self.stages[0], final), None, reason or "Callback exception"
        # Unknown: served after the first stage for ever.
        return (self.stages[0], final), None, reason


_CREATE_FAILED = (500, "Create task failed, please try again later.")
_FAMILIES: Mapping[str, _Family] = {
    family.kind: family
    for family in (
        _Family(
            "lyrics",
            "lyrics",
            ("PENDING", "SUCCESS"),
            {
                "CREATE_TASK_FAILED": _CREATE_FAILED,
                "GENERATE_LYRICS_FAILED": (500, "Lyrics generation failed."),
                "SENSITIVE_WORD_ERROR": (
                    400,
                    "The prompt contains sensitive words. Please modify it and try again.",
                ),
            },
        ),
        _Family(
            "wav",
            "WAV",
            ("PENDING", "SUCCESS"),
            {
                "CREATE_TASK_FAILED": _CREATE_FAILED,
                "GENERATE_WAV_FAILED": (500, "WAV generation failed."),
            },
        ),
        _Family(
            "vocal_removal",
            "vocal removal",
            ("PENDING", "SUCCESS"),
            {
                "CREATE_TASK_FAILED": _CREATE_FAILED,
                "GENERATE_AUDIO_FAILED": (500, "Vocal removal failed."),
            },
        ),
        _Family(
            "mp4",
            "MP4",
            ("PENDING", "SUCCESS"),
            {
                "CREATE_TASK_FAILED": _CREATE_FAILED,
                "GENERATE_MP4_FAILED": (500, "MP4 generation failed."),
            },
        ),
        # Integer flags, kept as strings in the task and sent as numbers.
        _Family("cover", "cover", ("0", "2", "1"), {"3": (500, "Cover generation failed.")}, None),
        _Family(
            "midi",
            "MIDI",
            ("0", "1"),
            {"2": _CREATE_FAILED, "3": (500, "MIDI generation failed.")},
            None,
        ),
    )
}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-") or "stem"


def _body(request: httpx.Request) -> dict[str, Any]:
    body = decode_json(request.content)
    if not isinstance(body, dict):
        raise SunoError(400, "Request body must be a JSON object")
    return body


def _text(body: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise SunoError(400, f"{name} cannot be null")
        return ""
    if not isinstance(value, str):
        raise SunoError(400, f"{name} must be a string")
    return value.strip()


def _callback(body: Mapping[str, Any]) -> str:
    callback = body.get("callBackUrl")
    if not isinstance(callback, str) or not callback.strip():
        raise SunoError(400, "Please enter callBackUrl.")
    return callback


def _ms(seconds: int | None) -> int | None:
    return None if seconds is None else seconds * 1000


def aligned_words(lyrics: str, seconds: float) -> list[dict[str, Any]]:
    """Spread the words of ``lyrics`` over ``seconds``; a section tag rides on the next word
    (``"[Verse]\\nWaggin'"``), as sunoapi.org sends it."""
    words: list[str] = []
    tag = ""
    for line in lyrics.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            tag = f"{line}\n"
            continue
        for word in line.split():
            words.append(f"{tag}{word}")
            tag = ""
    slot = seconds / max(1, len(words))
    return [
        {
            "word": word,
            "success": True,
            "startS": round(index * slot, 3),
            "endS": round((index + 0.8) * slot, 3),
            "palign": 0,
        }
        for index, word in enumerate(words)
    ]


def waveform(seed: str, points: int = 64) -> list[float]:
    """Deterministic waveform samples between 0 and 1."""
    digest = _digest(seed)
    return [round(digest[i % len(digest)] / 255, 3) for i in range(points)]


def midi_notes(seed: str, count: int = 8) -> list[dict[str, Any]]:
    """Deterministic notes; like the docs' example, odd notes send their times as strings."""
    digest = _digest(seed)
    notes = []
    for index in range(count):
        start = round(index * 0.25, 4)
        end = round(start + 0.2, 4)
        notes.append(
            {
                "pitch": 48 + digest[index] % 36,
                "start": str(start) if index % 2 else start,
                "end": str(end) if index % 2 else end,
                "velocity": round(0.5 + digest[index + 8] / 510, 3),
            }
        )
    return notes


class _TaskEndpoints:
    """The handlers, over the Suno service's store and credits."""

    def __init__(self, service: SunoService) -> None:
        self.service = service
        self.store: Store = service._store

    # -- plumbing ----------------------------------------------------------------------------

    def guarded(
        self, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request, re.Match[str]], httpx.Response]:
        def handle(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
            try:
                return handler(request)
            except SunoError as error:
                return envelope(error.code, error.msg)

        return handle

    def music_track(self, body: Mapping[str, Any]) -> tuple[Task, Track]:
        """The finished music task and track a body names; call with the lock held."""
        task_id = _text(body, "taskId")
        audio_id = _text(body, "audioId")
        task = self.store.tasks.get(task_id)
        if task is None or task.provider != "suno" or not task.tracks:
            raise SunoError(400, f"taskId not found: no music task with taskId {task_id}")
        if task.status not in _MUSIC_DONE:
            raise SunoError(400, "The music task is not finished yet: wait for SUCCESS")
        for track in task.tracks:
            if track.id == audio_id:
                return task, track
        raise SunoError(400, "audioId not found")

    def create(
        self,
        request: httpx.Request,
        kind: str,
        cost: int,
        body: dict[str, Any],
        *,
        model: str = "",
        extra: Callable[[Task], dict[str, Any]] | None = None,
    ) -> httpx.Response:
        """Charge ``cost``, create a ``kind`` task and answer its ``taskId``; call with the
        lock held."""
        store = self.store
        if self.service.credits < cost:
            return envelope(429)
        self.service.credits -= cost
        final, reason = store.pop_script("suno")
        stages, code, message = _FAMILIES[kind].plan(final, reason)
        task = Task(
            id=store.new_id(lambda: uuid.uuid4().hex),
            provider="suno",
            kind=kind,
            model=model,
            stages=stages,
            error_code=code,
            error_message=message,
            created_ms=int(time.time() * 1000),
            base_url=store.base_url(request),
            request=body,
            duration_s=store.audio_seconds,
            status=stages[0],
        )
        if extra is not None:
            task.extra.update(extra(task))
        store.register(task)
        store.watch_callbacks(task)
        return envelope(200, "success", {"taskId": task.id})

    def wav_file(self, task: Task, seed: str, name: str, seconds: float) -> str:
        """Serve a WAV rendered from ``seed`` and return its URL."""
        return self.store.add_file(
            "suno",
            task.base_url,
            f"{_slug(name)}.wav",
            "audio/wav",
            lambda: render_wav(seed, seconds),
            file_id=str(uuid.uuid4()),
        )

    def record_info(
        self, kind: str, render: Callable[[Task, str, bool], dict[str, Any]]
    ) -> Callable[[httpx.Request, re.Match[str]], httpx.Response]:
        """A ``record-info`` handler of a family: ``render(task, status, final)``."""
        family = _FAMILIES[kind]

        def handle(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
            task_id = request.url.params.get("taskId")
            if not task_id:
                return envelope(400, "taskId cannot be null")
            with self.store.lock:
                task = self.store.tasks.get(task_id)
                if task is None or task.provider != "suno" or task.kind != kind:
                    msg = f"Task not found: no {family.label} task with taskId {task_id}"
                    return envelope(400, msg)
                status = self.store.advance(task, family.terminal)
                data = render(task, status, status in family.terminal)
            return envelope(200, "success", data)

        return handle

    def common(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        """The fields every successFlag record shares."""
        failed = final and status in _FAMILIES[task.kind].failures
        return {
            "taskId": task.id,
            "callbackUrl": task.request.get("callBackUrl"),
            "completeTime": _ms(task.finished_at) if final else None,
            "createTime": task.created_ms,
            "errorCode": task.error_code if failed else None,
            "errorMessage": task.error_message if failed else None,
        }

    # -- lyrics ------------------------------------------------------------------------------

    def lyrics(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        prompt = _text(body, "prompt")
        if len(prompt.split()) > LYRICS_PROMPT_WORDS:
            raise SunoError(413, "Theme or prompt too long")
        variants = [
            {
                "text": invent_lyrics(prompt, index),
                "title": invent_title(prompt),
                "status": "complete",
                "errorMessage": "",
            }
            for index in range(2)
        ]
        with self.store.lock:
            return self.create(
                request, "lyrics", CREDITS["lyrics"], body, extra=lambda _: {"lyrics": variants}
            )

    def lyrics_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        family = _FAMILIES["lyrics"]
        done = family.succeeded(status)
        failed = final and status in family.failures
        return {
            "taskId": task.id,
            # Like music's record, the request echoed as a JSON string.
            "param": json.dumps(task.request, separators=(",", ":"), ensure_ascii=False),
            "response": {"taskId": task.id, "data": task.extra["lyrics"]} if done else None,
            "status": status,
            "type": "LYRICS",
            "errorCode": task.error_code if failed else None,
            "errorMessage": task.error_message if failed else None,
            "createTime": task.created_ms,
        }

    # -- timestamped lyrics ------------------------------------------------------------------

    def timestamped(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        task_id = _text(body, "taskId")
        audio_id = _text(body, "audioId", required=False)
        index = body.get("musicIndex")
        with self.store.lock:
            music = self.store.tasks.get(task_id)
            if music is None or music.provider != "suno" or not music.tracks:
                raise SunoError(400, f"taskId not found: no music task with taskId {task_id}")
            # audioId wins; musicIndex is used only when audioId is missing or not found.
            chosen = next((t for t in music.tracks if audio_id and t.id == audio_id), None)
            if chosen is None and index in (0, 1) and not isinstance(index, bool):
                chosen = music.tracks[index] if index < len(music.tracks) else None
            if chosen is None:
                raise SunoError(400, "audioId not found" if audio_id else "audioId cannot be null")
            if music.status not in _MUSIC_DONE:
                raise SunoError(400, "The music task is not finished yet: wait for SUCCESS")
            cost = CREDITS["timestamped_lyrics"]
            if self.service.credits < cost:
                return envelope(429)
            self.service.credits -= cost
            self.store.submissions["suno"] += 1
            data = {
                "alignedWords": aligned_words(chosen.lyrics, music.duration_s),
                "waveformData": waveform(chosen.seed),
                "hootCer": 0.1,
                "isStreamed": False,
            }
        return envelope(200, "success", data)

    # -- WAV ---------------------------------------------------------------------------------

    def wav(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        with self.store.lock:
            music, track = self.music_track(body)
            for other in self.store.tasks.values():
                same = other.kind == "wav" and other.extra.get("audio_id") == track.id
                if same and other.status not in _FAMILIES["wav"].failures:
                    return envelope(409, "WAV record already exists")

            def extra(task: Task) -> dict[str, Any]:
                url = self.wav_file(task, track.seed, track.id, music.duration_s)
                return {"audio_id": track.id, "index": track.index, "url": url}

            return self.create(request, "wav", CREDITS["wav"], body, model=music.model, extra=extra)

    def wav_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        done = _FAMILIES["wav"].succeeded(status)
        return {
            **self.common(task, status, final),
            "musicId": task.extra["audio_id"],
            "musicIndex": task.extra["index"],
            "response": {"audioWavUrl": task.extra["url"]} if done else None,
            "successFlag": status,
        }

    # -- vocal removal -----------------------------------------------------------------------

    def separate(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        kind = body.get("type") or "separate_vocal"
        if kind not in _SEPARATION_TYPES:
            raise SunoError(
                400, f"type is invalid, it must be one of: {', '.join(_SEPARATION_TYPES)}"
            )
        stem = _text(body, "stemName", required=kind == "split_stem_advanced")
        with self.store.lock:
            music, track = self.music_track(body)

            def extra(task: Task) -> dict[str, Any]:
                seconds = music.duration_s
                origin: list[dict[str, Any]] = []
                fields: dict[str, str] = {}
                if kind == "split_stem_advanced":
                    cut = self.wav_file(task, f"{track.seed}|stem|{stem}", stem, seconds)
                    rest = self.wav_file(
                        task, f"{track.seed}|without|{stem}", f"without {stem}", seconds
                    )
                    origin.append(
                        {
                            "id": str(uuid.uuid4()),
                            "stemName": stem,
                            "extract": {"audio_url": cut},
                            "remove": {"audio_url": rest},
                        }
                    )
                else:
                    for field, name in _PARTS[kind]:
                        url = self.wav_file(task, f"{track.seed}|stem|{name}", name, seconds)
                        fields[f"{field}Url"] = url
                        origin.append({"id": str(uuid.uuid4()), "stemName": name, "audioUrl": url})
                return {
                    "type": kind,
                    "audio_id": track.id,
                    "index": track.index,
                    "urls": fields,
                    "origin": origin,
                    "seed": track.seed,
                }

            return self.create(
                request, "vocal_removal", CREDITS[kind], body, model=music.model, extra=extra
            )

    def separation_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        done = _FAMILIES["vocal_removal"].succeeded(status)
        response = None
        if done:
            urls: dict[str, Any] = dict.fromkeys(_URL_FIELDS)
            urls["originUrl"] = ""  # "often null or empty" in the docs' examples
            urls.update(task.extra["urls"])
            response = urls
        return {
            **self.common(task, status, final),
            "musicId": task.extra["audio_id"],
            "musicIndex": task.extra["index"],
            "response": response,
            "originData": task.extra["origin"] if done else None,
            "successFlag": status,
        }

    # -- MIDI --------------------------------------------------------------------------------

    def midi(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        task_id = _text(body, "taskId")
        audio_id = _text(body, "audioId", required=False)
        with self.store.lock:
            separation = self.store.tasks.get(task_id)
            if (
                separation is None
                or separation.kind != "vocal_removal"
                or not _FAMILIES["vocal_removal"].succeeded(separation.status)
            ):
                raise SunoError(
                    400, "taskId must be a completed vocal separation task (not a music task)"
                )
            parts = separation.extra["origin"]
            if audio_id:
                parts = [part for part in parts if part["id"] == audio_id]
                if not parts:
                    raise SunoError(400, "audioId not found")
            if separation.extra["type"] == "split_stem":
                instruments: list[dict[str, Any]] = []
            else:
                instruments = [
                    {
                        "name": part["stemName"],
                        "notes": midi_notes(f"{separation.extra['seed']}|{part['stemName']}"),
                    }
                    for part in parts
                ]
            return self.create(
                request,
                "midi",
                CREDITS["midi"],
                body,
                extra=lambda _: {
                    "separation": separation.id,
                    "audio_id": audio_id or None,
                    "instruments": instruments,
                },
            )

    def midi_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        done = _FAMILIES["midi"].succeeded(status)
        return {
            **self.common(task, status, final),
            "recordTaskId": task.extra["separation"],
            "audioId": task.extra["audio_id"],
            "midiData": (
                {"state": "complete", "instruments": task.extra["instruments"]} if done else None
            ),
            "successFlag": int(status) if status.isdigit() else status,
        }

    # -- MP4 ---------------------------------------------------------------------------------

    def video(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        for name in ("author", "domainName"):
            if len(_text(body, name, required=False)) > VIDEO_TEXT_LIMIT:
                raise SunoError(400, f"{name} must be at most {VIDEO_TEXT_LIMIT} characters")
        with self.store.lock:
            music, track = self.music_track(body)
            return self.create(
                request,
                "mp4",
                CREDITS["mp4"],
                body,
                model=music.model,
                extra=lambda task: {
                    "audio_id": track.id,
                    "index": track.index,
                    "url": f"{task.base_url.rstrip('/')}/video/{task.id}.mp4",
                },
            )

    def video_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        done = _FAMILIES["mp4"].succeeded(status)
        return {
            **self.common(task, status, final),
            "musicId": task.extra["audio_id"],
            "musicIndex": task.extra["index"],
            "response": {"videoUrl": task.extra["url"]} if done else None,
            "successFlag": status,
        }

    def video_file(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        with self.store.lock:
            task = self.store.tasks.get(match.group("id"))
        if request.method not in ("GET", "HEAD") or task is None or task.kind != "mp4":
            return text_response(404, "Not Found")
        return text_response(
            501,
            "MP4 rendering is not emulated: the emulator's music videos have a URL but no file",
        )

    # -- cover art ---------------------------------------------------------------------------

    def cover(self, request: httpx.Request) -> httpx.Response:
        body = _body(request)
        _callback(body)
        task_id = _text(body, "taskId")
        with self.store.lock:
            music = self.store.tasks.get(task_id)
            if music is None or music.provider != "suno" or not music.tracks:
                raise SunoError(400, f"taskId not found: no music task with taskId {task_id}")
            if music.status not in _MUSIC_DONE:
                raise SunoError(400, "The music task is not finished yet: wait for SUCCESS")
            for other in self.store.tasks.values():
                if other.kind == "cover" and other.extra.get("parent") == music.id:
                    return envelope(
                        400, "Cover already generated for this task", {"taskId": other.id}
                    )

            def extra(task: Task) -> dict[str, Any]:
                images = [
                    self.store.add_file(
                        "suno",
                        task.base_url,
                        f"cover-{index + 1}.png",
                        "image/png",
                        # Bound per image: each cover has its own colour.
                        functools.partial(render_png, f"{music.id}|cover|{index}"),
                        file_id=str(uuid.uuid4()),
                    )
                    for index in range(2)
                ]
                return {"parent": music.id, "images": images}

            return self.create(
                request, "cover", CREDITS["cover"], body, model=music.model, extra=extra
            )

    def cover_record(self, task: Task, status: str, final: bool) -> dict[str, Any]:
        done = _FAMILIES["cover"].succeeded(status)
        return {
            **self.common(task, status, final),
            "parentTaskId": task.extra["parent"],
            "response": {"images": task.extra["images"]} if done else None,
            "successFlag": int(status) if status.isdigit() else status,
        }


def task_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    tasks = _TaskEndpoints(service)
    submit, status = "submit", "status"
    route = service.bearer_route
    guarded = tasks.guarded
    return [
        route("POST", "/api/v1/lyrics", guarded(tasks.lyrics), submit, endpoint="lyrics"),
        route(
            "GET",
            "/api/v1/lyrics/record-info",
            tasks.record_info("lyrics", tasks.lyrics_record),
            status,
            endpoint="lyrics_status",
        ),
        route(
            "POST",
            "/api/v1/generate/get-timestamped-lyrics",
            guarded(tasks.timestamped),
            submit,
            endpoint="timestamped_lyrics",
        ),
        route("POST", "/api/v1/wav/generate", guarded(tasks.wav), submit, endpoint="convert"),
        route(
            "GET",
            "/api/v1/wav/record-info",
            tasks.record_info("wav", tasks.wav_record),
            status,
            endpoint="wav_status",
        ),
        # separate() and isolate_stem() share it: Fault(endpoint="separate") selects both.
        route(
            "POST",
            "/api/v1/vocal-removal/generate",
            guarded(tasks.separate),
            submit,
            endpoint="separate",
        ),
        route(
            "GET",
            "/api/v1/vocal-removal/record-info",
            tasks.record_info("vocal_removal", tasks.separation_record),
            status,
            endpoint="separation_status",
        ),
        route("POST", "/api/v1/midi/generate", guarded(tasks.midi), submit, endpoint="midi"),
        route(
            "GET",
            "/api/v1/midi/record-info",
            tasks.record_info("midi", tasks.midi_record),
            status,
            endpoint="midi_status",
        ),
        route("POST", "/api/v1/mp4/generate", guarded(tasks.video), submit, endpoint="music_video"),
        route(
            "GET",
            "/api/v1/mp4/record-info",
            tasks.record_info("mp4", tasks.video_record),
            status,
            endpoint="video_status",
        ),
        route(
            "POST",
            "/api/v1/suno/cover/generate",
            guarded(tasks.cover),
            submit,
            endpoint="cover_art",
        ),
        route(
            "GET",
            "/api/v1/suno/cover/record-info",
            tasks.record_info("cover", tasks.cover_record),
            status,
            endpoint="cover_art_status",
        ),
        # Where music videos point: a CDN-like path, without auth.
        Route(
            "suno",
            "GET",
            re.compile(r"/video/(?P<id>[^/.]+)\.mp4"),
            tasks.video_file,
            "audio",
            endpoint="video_file",
        ),
    ]
