"""The emulated Mureka endpoints that answer at once: lyrics, stems, describe, recognize, speech.

Each validates its body (HTTP 400 ``{"error": {"message"}}`` naming the field), charges its
estimated cost from the balance on acceptance (``CENTS_PER_*`` in ``_mureka``), and answers
in the POST. Files (stem ZIPs, MIDI ZIPs, speech WAVs) are real and served under ``/files/``;
their URLs carry ``expires_at`` = now + one day.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._media import render_wav
from ._mureka import (
    CENTS_PER_DESCRIBE,
    CENTS_PER_LYRICS,
    CENTS_PER_LYRICS_EXTENSION,
    CENTS_PER_PODCAST,
    CENTS_PER_RECOGNIZE,
    CENTS_PER_STEM,
    CENTS_PER_TTS,
    MAX_PROMPT,
    QUOTA_MESSAGE,
    URL_LIFETIME_S,
    MurekaError,
    error,
    invalid,
    lyrics_sections,
    trace_id,
)
from ._mureka_files import MAX_FILE_BYTES, uploaded
from ._mureka_media import midi_zip, stems_zip
from ._wire import decode_json, json_response

if TYPE_CHECKING:
    from ._mureka import MurekaService
    from ._route import Route

__all__ = ["SEPARATION_MODELS", "VOICES", "sync_routes"]

SEPARATION_MODELS = ("audio-separation-1", "audio-separation-2", "audio-separation-3")
VOICES = ("Ethan", "Victoria", "Jake", "Luna", "Emma")
MAX_TTS_TEXT = 500
MAX_PODCAST_TEXT = 400
MAX_PODCAST_TURNS = 10

_TRACK_URL = re.compile(r"/audio/([^/.]+)")
_WORDS = (
    "moon", "river", "city", "light", "road", "fire", "ocean", "morning", "echo", "heart",
    "shadow", "summer", "window", "thunder", "garden", "silver",
)  # fmt: skip
_INSTRUMENTS = ("piano", "drums", "bass", "electric guitar", "strings", "synth", "brass")
_GENRES = ("pop", "rock", "electronic", "folk", "jazz", "r&b", "lo-fi")
_MOODS = ("upbeat", "calm", "energetic", "melancholic", "dreamy", "warm", "dark")


def _pick(seed: str, options: tuple[str, ...], count: int) -> list[str]:
    """``count`` different options (at most all of them), chosen by a hash of ``seed``."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    chosen: list[str] = []
    # The hash's picks first, then the options in order, so there are always enough.
    for option in (*(options[byte % len(options)] for byte in digest), *options):
        if len(chosen) == min(count, len(options)):
            break
        if option not in chosen:
            chosen.append(option)
    return chosen


def _lines(seed: str, count: int) -> list[str]:
    words = _pick(seed, _WORDS, min(len(_WORDS), count * 2))
    return [f"The {words[2 * i]} carries the {words[2 * i + 1]}" for i in range(count)]


def _required_text(body: Mapping[str, Any], key: str, limit: int | None = None) -> str:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{key} must be a string.")
    if not value or not value.strip():
        raise invalid(f"{key} is required.")
    if limit is not None and len(value) > limit:
        raise invalid(f"The {key} is too long, at most {limit} characters are allowed.")
    return value


class _Sync:
    """The handlers of this family, over one service."""

    def __init__(self, service: MurekaService) -> None:
        self.service = service

    # -- helpers -----------------------------------------------------------------------------

    def _charge(self, cents: int) -> None:
        service = self.service
        with service.store.lock:
            if not service.charge(cents):
                raise MurekaError(429, QUOTA_MESSAGE)

    def _file(
        self,
        request: httpx.Request,
        name: str,
        content_type: str,
        render: Callable[[], bytes],
    ) -> str:
        service = self.service
        store = service.store
        with store.lock:
            return store.add_file(
                service.provider,
                store.base_url(request),
                name,
                content_type,
                render,
                file_id=service.new_id(),
            )

    def _audio_of(self, url: object) -> tuple[str, float]:
        """The seed and length of the audio at ``url``: an emulated track's, else the URL's."""
        if not isinstance(url, str) or not url.strip():
            raise invalid("url is required.")
        lowered = url.lower()
        if lowered.startswith("data:"):
            header, comma, payload = url.partition(",")
            if not comma or ";base64" not in header.lower():
                raise invalid("url must be an http(s) URL or a base64 data URL.")
            if len(payload) * 3 // 4 > MAX_FILE_BYTES:
                raise invalid("The data URL is too large, at most 10 MB is allowed.")
        elif not lowered.startswith(("http://", "https://")):
            raise invalid("url must be an http(s) URL or a base64 data URL.")
        store = self.service.store
        found = _TRACK_URL.search(url)
        with store.lock:
            owner = store.tracks.get(found.group(1)) if found else None
            if owner is not None:
                return owner[1].seed, owner[0].duration_s
            return url, store.audio_seconds

    @staticmethod
    def _expiry() -> int:
        return int(time.time()) + URL_LIFETIME_S

    # -- endpoints ---------------------------------------------------------------------------

    def lyrics(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        prompt = _required_text(body, "prompt", MAX_PROMPT)
        self._charge(CENTS_PER_LYRICS)
        first, second, third, fourth = _lines(prompt, 4)
        title = " ".join(word.capitalize() for word in prompt.split()[:4])
        lyrics = f"[Verse]\n{first}\n{second}\n\n[Chorus]\n{third}\n{fourth}"
        return json_response({"title": title, "lyrics": lyrics, "trace_id": trace_id()})

    def extend_lyrics(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        lyrics = _required_text(body, "lyrics")
        self._charge(CENTS_PER_LYRICS_EXTENSION)
        first, second = _lines(lyrics, 2)
        return json_response({"lyrics": f"[Verse]\n{first}\n{second}", "trace_id": trace_id()})

    def stem(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        seed, seconds = self._audio_of(body.get("url"))
        model = body.get("model")
        if model is not None and model not in SEPARATION_MODELS:
            raise invalid(
                f"The model is not supported, use one of: {', '.join(SEPARATION_MODELS)}."
            )
        self._charge(CENTS_PER_STEM)
        zip_url = self._file(
            request, "stems.zip", "application/zip", lambda: stems_zip(seed, seconds)
        )
        midi_url = None
        if model == "audio-separation-2":
            midi_url = self._file(
                request, "stems-midi.zip", "application/zip", lambda: midi_zip(seed, seconds)
            )
        return json_response(
            {
                "zip_url": zip_url,
                "midi_zip_url": midi_url,
                "expires_at": self._expiry(),
                "trace_id": trace_id(),
            }
        )

    def describe(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        seed, _ = self._audio_of(body.get("url"))
        self._charge(CENTS_PER_DESCRIBE)
        instruments = _pick(f"{seed}|instruments", _INSTRUMENTS, 3)
        genres = _pick(f"{seed}|genres", _GENRES, 2)
        tags = _pick(f"{seed}|tags", _MOODS, 3)
        description = (
            f"{tags[0].capitalize()} {genres[0]} led by {instruments[0]}, with {instruments[1]} "
            f"and {instruments[2]}."
        )
        return json_response(
            {
                "instrument": instruments,
                "genres": genres,
                "tags": tags,
                "description": description,
                "trace_id": trace_id(),
            }
        )

    def recognize(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        service = self.service
        with service.store.lock:
            found = uploaded(service, body.get("upload_audio_id"), "audio", "upload_audio_id")
            duration_ms = round(service.store.audio_seconds * 1000)
        self._charge(CENTS_PER_RECOGNIZE)
        first, second, third, fourth = _lines(found.id, 4)
        text = f"[Verse]\n{first}\n{second}\n\n[Chorus]\n{third}\n{fourth}"
        sections = lyrics_sections(text, duration_ms)
        for section in sections:
            for line in section.get("lines", ()):
                line["words"] = _timed_words(line)
        return json_response(
            {"duration": duration_ms, "lyrics_sections": sections, "trace_id": trace_id()}
        )

    def tts(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        text = _required_text(body, "text", MAX_TTS_TEXT)
        voice, voice_id = body.get("voice"), body.get("voice_id")
        if (voice is None) == (voice_id is None):
            raise invalid("Exactly one of voice and voice_id is required.")
        if voice is not None and voice not in VOICES:
            raise invalid(f"voice is not supported, use one of: {', '.join(VOICES)}.")
        if voice_id is not None:
            with self.service.store.lock:
                uploaded(self.service, voice_id, "voice", "voice_id")
        self._charge(CENTS_PER_TTS)
        return self._speech(request, f"tts|{voice or voice_id}|{text}", len(text))

    def podcast(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        turns = body.get("conversations")
        if not isinstance(turns, list) or not turns:
            raise invalid("conversations is required, a list of {text, voice}.")
        if len(turns) > MAX_PODCAST_TURNS:
            raise invalid(f"conversations can have at most {MAX_PODCAST_TURNS} items.")
        texts: list[str] = []
        for index, turn in enumerate(turns):
            if not isinstance(turn, dict):
                raise invalid(f"conversations[{index}] must be an object.")
            texts.append(_required_text(turn, "text", MAX_PODCAST_TEXT))
            if turn.get("voice") not in VOICES:
                raise invalid(
                    f"conversations[{index}].voice is not supported, use one of: "
                    f"{', '.join(VOICES)}."
                )
        self._charge(CENTS_PER_PODCAST)
        seed = "podcast|" + "|".join(f"{t['voice']}:{t['text']}" for t in turns)
        return self._speech(request, seed, sum(map(len, texts)))

    def _speech(self, request: httpx.Request, seed: str, characters: int) -> httpx.Response:
        # About 15 characters a second of speech, at least a second, at most a minute.
        seconds = max(1.0, min(characters / 15, 60.0))
        url = self._file(request, "speech.wav", "audio/wav", lambda: render_wav(seed, seconds))
        return json_response({"url": url, "expires_at": self._expiry(), "trace_id": trace_id()})


def _timed_words(line: dict[str, Any]) -> list[dict[str, Any]]:
    """Split a timed line into words, sharing its time equally."""
    words = str(line["text"]).split()
    start, end = int(line["start"]), int(line["end"])
    step = (end - start) // max(1, len(words))
    return [
        {"start": start + i * step, "end": start + (i + 1) * step, "text": word}
        for i, word in enumerate(words)
    ]


def _handler(
    answer: Callable[[httpx.Request, dict[str, Any]], httpx.Response],
) -> Callable[[httpx.Request, re.Match[str]], httpx.Response]:
    def handle(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        try:
            body = decode_json(request.content)
            if not isinstance(body, dict):
                raise invalid("The request body must be a JSON object.")
            return answer(request, body)
        except MurekaError as exc:
            return error(exc.status, exc.message)

    return handle


def sync_routes(service: MurekaService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, balance and key)."""
    sync = _Sync(service)
    table = (
        ("/v1/lyrics/generate", sync.lyrics, "lyrics"),
        ("/v1/lyrics/extend", sync.extend_lyrics, "extend_lyrics"),
        ("/v1/song/stem", sync.stem, "separate"),
        ("/v1/song/describe", sync.describe, "describe"),
        ("/v1/song/recognize", sync.recognize, "recognize"),
        ("/v1/tts/generate", sync.tts, "tts"),
        ("/v1/tts/podcast", sync.podcast, "podcast"),
    )
    # Every one of them is paid work that answers at once: "submit" to faults.
    return [
        service.bearer_route("POST", path, _handler(answer), "submit", endpoint=endpoint)
        for path, answer, endpoint in table
    ]
