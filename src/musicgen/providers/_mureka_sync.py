"""Mureka's endpoints that answer at once: lyrics, stems, descriptions, recognition, speech.

All of them are paid (``endpoints.md`` §2.3, §2.5-2.7, §2.12) and have no task to poll, so
each is an operation with ``paid=True`` and no ``TaskSpec``: once its bytes may have reached
Mureka it is never sent again (a lost answer is a ``SubmissionUncertainError``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from .._errors import ValidationError
from .._models import Generation, Track
from .._operations import Operation
from .._results import AlignedLyrics, Lyrics, SongDescription, Speech, Stems, Upload
from ._base import clean_text, track_of
from ._mureka_base import MAX_FILE_BYTES, MurekaBase

__all__ = ["SEPARATION_MODELS", "VOICES", "MurekaSyncEndpoints"]

T = TypeVar("T")

#: ``song/stem`` models: ``-2`` also exports MIDI (``midi_zip_url``); ``-3`` is newer [MCAT].
SEPARATION_MODELS = ("audio-separation-1", "audio-separation-2", "audio-separation-3")

#: The preset voices of ``tts/generate`` and ``tts/podcast``, by their lower-case spelling.
#: ⚠ A 2025 client spells the fifth "Ema"; the 2026 spec says "Emma", which is what is sent.
VOICES: Mapping[str, str] = {
    "ethan": "Ethan",
    "victoria": "Victoria",
    "jake": "Jake",
    "luna": "Luna",
    "emma": "Emma",
    "ema": "Emma",
}

_MAX_TTS_TEXT = 500
_MAX_PODCAST_TEXT = 400
_MAX_PODCAST_ITEMS = 10


class MurekaSyncEndpoints(MurekaBase):
    """Mureka's paid endpoints that answer in the POST itself."""

    def lyrics(self, prompt: str) -> Operation[tuple[Lyrics, ...]]:
        """Write lyrics from a description (``POST /v1/lyrics/generate``, sync, ~$0.009).

        Args:
            prompt: What the song is about.

        Returns:
            An operation giving a 1-tuple: the ``Lyrics`` with their ``title`` (the tuple
            matches Suno's lyrics, which come in variants).

        Raises:
            ValidationError: ``prompt`` is missing or blank.
        """
        text = _required(prompt, "prompt", "what the lyrics should be about")

        def parse(response: httpx.Response) -> tuple[Lyrics, ...]:
            from ._mureka_wire import read_lyrics

            return (self.read_answer(response, read_lyrics),)

        return self._paid("lyrics", "/lyrics/generate", {"prompt": text}, parse)

    def extend_lyrics(self, lyrics: str) -> Operation[Lyrics]:
        """Write the next lines of lyrics (``POST /v1/lyrics/extend``, sync, ~$0.002).

        Args:
            lyrics: The lyrics so far (section tags such as ``[Verse]`` allowed).

        Returns:
            An operation giving ``Lyrics`` whose ``text`` is the new lines only.

        Raises:
            ValidationError: ``lyrics`` is missing or blank.
        """
        text = _required(lyrics, "lyrics", "the lyrics to continue")

        def parse(response: httpx.Response) -> Lyrics:
            from ._mureka_wire import read_lyrics

            return self.read_answer(response, read_lyrics)

        return self._paid("extend_lyrics", "/lyrics/extend", {"lyrics": text}, parse)

    def separate(
        self, source: Track | Generation | str, *, mode: str = "vocals", model: str | None = None
    ) -> Operation[Stems]:
        """Split a song into stems (``POST /v1/song/stem``, sync, ~$0.06, takes ~30 s).

        Mureka always returns one ZIP with every stem it finds, so ``mode="vocals"`` and
        ``mode="stems"`` give the same ZIP (``Stems.zip_url``; ``parts`` stays empty because
        Mureka does not name the files in it).

        Args:
            source: A ``Track`` or ``Generation`` (its audio URL is sent), an audio URL, or a
                ``data:audio/...;base64,...`` URL of at most 10 MB.
            mode: ``"vocals"`` or ``"stems"`` (the same ZIP; see above).
            model: ``"audio-separation-1"``, ``"audio-separation-2"`` (also a MIDI ZIP,
                ``Stems.midi_zip_url``) or ``"audio-separation-3"``; None is Mureka's default.

        Returns:
            An operation giving ``Stems`` (``zip_url``, ``midi_zip_url``, ``expires_at``).

        Raises:
            ValidationError: No usable URL, an unknown mode or model, or a data URL over 10 MB.
        """
        if mode not in ("vocals", "stems"):
            msg = (
                f"mode must be 'vocals' or 'stems', got {mode!r} (Mureka returns the same ZIP of "
                "every stem for both)"
            )
            raise ValidationError(msg, field="mode")
        body: dict[str, Any] = {"url": _audio_url(source)}
        if model is not None:
            if model not in SEPARATION_MODELS:
                names = ", ".join(SEPARATION_MODELS)
                msg = f"model {model!r} is not a Mureka stem model; use one of {names}"
                raise ValidationError(msg, field="model")
            body["model"] = model

        def parse(response: httpx.Response) -> Stems:
            from ._mureka_wire import read_stems

            return self.read_answer(response, read_stems)

        return self._paid("separate", "/song/stem", body, parse)

    def describe(self, source: Track | Generation | str) -> Operation[SongDescription]:
        """Describe a song: instruments, genres, tags, a sentence (``POST /v1/song/describe``,
        sync; price not published).

        Args:
            source: A ``Track`` or ``Generation`` (its audio URL is sent), an mp3/m4a URL, or a
                ``data:audio/...;base64,...`` URL of at most 10 MB.

        Returns:
            An operation giving a ``SongDescription``.

        Raises:
            ValidationError: No usable URL, or a data URL over 10 MB.
        """
        body = {"url": _audio_url(source)}

        def parse(response: httpx.Response) -> SongDescription:
            from ._mureka_wire import read_description

            return self.read_answer(response, read_description)

        return self._paid("describe", "/song/describe", body, parse)

    def recognize(self, upload_audio_id: str | Upload) -> Operation[AlignedLyrics]:
        """Transcribe the lyrics of an uploaded song with their times (``POST
        /v1/song/recognize``, sync; price not published).

        Args:
            upload_audio_id: An ``Upload`` of purpose ``audio``, or its id.

        Returns:
            An operation giving ``AlignedLyrics``: words (or lines) in seconds, each with its
            section, and the audio's duration.

        Raises:
            ValidationError: Not an upload id, or an upload of another purpose.
        """
        body = {"upload_audio_id": self.file_id(upload_audio_id, "upload_audio_id", "audio")}

        def parse(response: httpx.Response) -> AlignedLyrics:
            from ._mureka_wire import read_recognition

            return self.read_answer(response, read_recognition)

        return self._paid("recognize", "/song/recognize", body, parse)

    def tts(
        self, text: str, *, voice: str | None = None, voice_id: str | Upload | None = None
    ) -> Operation[Speech]:
        """Speak a text (``POST /v1/tts/generate``, sync; about $4.9 per hour of speech).

        Args:
            text: At most 500 characters.
            voice: A preset voice: Ethan, Victoria, Jake, Luna or Emma (any case; "Ema", an
                older spelling, is sent as "Emma").
            voice_id: Instead, an ``Upload`` of purpose ``voice`` (5-15 s of the voice) or its
                id.

        Returns:
            An operation giving ``Speech`` (``url``, ``expires_at``).

        Raises:
            ValidationError: No text, text over 500 characters, or not exactly one of voice and
                voice_id.
        """
        spoken = _required(text, "text", "the text to speak")
        if len(spoken) > _MAX_TTS_TEXT:
            msg = (
                f"text is {len(spoken)} characters; Mureka speaks at most {_MAX_TTS_TEXT} per "
                "call. Split it into several calls"
            )
            raise ValidationError(msg, field="text")
        if (voice is None) == (voice_id is None):
            msg = (
                "pass exactly one of voice (a preset: Ethan, Victoria, Jake, Luna, Emma) or "
                "voice_id (an upload of purpose 'voice')"
            )
            raise ValidationError(msg, field="voice")
        body: dict[str, Any] = {"text": spoken}
        if voice is not None:
            body["voice"] = _voice(voice, "voice")
        else:
            body["voice_id"] = self.file_id(voice_id, "voice_id", "voice")
        return self._paid("tts", "/tts/generate", body, self._speech)

    def podcast(
        self, conversations: Sequence[tuple[str, str] | Mapping[str, str]]
    ) -> Operation[Speech]:
        """Speak a conversation between preset voices (``POST /v1/tts/podcast``, sync; about
        $6.9 per hour).

        Args:
            conversations: 1 to 10 turns, each ``(text, voice)`` or ``{"text": ...,
                "voice": ...}``; text at most 400 characters, voice a preset (Ethan, Victoria,
                Jake, Luna, Emma).

        Returns:
            An operation giving ``Speech`` (``url``, ``expires_at``).

        Raises:
            ValidationError: No turns or more than 10, a turn of the wrong shape, a text missing
                or over 400 characters, or an unknown voice.
        """
        if isinstance(conversations, (str, bytes, Mapping)) or not isinstance(
            conversations, Sequence
        ):
            msg = (
                "conversations must be a list of (text, voice) pairs or {'text', 'voice'} "
                f"dicts, got {type(conversations).__name__}"
            )
            raise ValidationError(msg, field="conversations")
        if not 1 <= len(conversations) <= _MAX_PODCAST_ITEMS:
            msg = (
                f"conversations has {len(conversations)} turns; Mureka takes 1 to "
                f"{_MAX_PODCAST_ITEMS} per podcast. Split it into several calls"
            )
            raise ValidationError(msg, field="conversations")
        turns = [_turn(item, index) for index, item in enumerate(conversations)]
        return self._paid("podcast", "/tts/podcast", {"conversations": turns}, self._speech)

    # -- shared ---------------------------------------------------------------------------------

    def _paid(
        self,
        name: str,
        path: str,
        body: Mapping[str, Any],
        parse: Callable[[httpx.Response], T],
    ) -> Operation[T]:
        return self.operation(
            name, self.http_request("POST", path, json=dict(body)), parse, paid=True
        )

    def _speech(self, response: Any) -> Speech:
        from ._mureka_wire import read_speech

        return self.read_answer(response, read_speech)


def _required(value: object, field: str, what: str) -> str:
    text = clean_text(value)
    if text is None:
        raise ValidationError(f"{field} is required: {what}", field=field)
    return text


def _voice(value: object, field: str) -> str:
    found = VOICES.get(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        msg = (
            f"{field} {value!r} is not a Mureka voice; use one of Ethan, Victoria, Jake, Luna, Emma"
        )
        raise ValidationError(msg, field=field)
    return found


def _turn(item: object, index: int) -> dict[str, str]:
    field = f"conversations[{index}]"
    if isinstance(item, Mapping):
        text, voice = item.get("text"), item.get("voice")
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        text, voice = item
    else:
        msg = f"{field} must be a (text, voice) pair or a {{'text', 'voice'}} dict, got {item!r}"
        raise ValidationError(msg, field=field)
    spoken = clean_text(text)
    if spoken is None:
        raise ValidationError(f"{field} has no text", field=field)
    if len(spoken) > _MAX_PODCAST_TEXT:
        msg = (
            f"{field} text is {len(spoken)} characters; Mureka takes at most "
            f"{_MAX_PODCAST_TEXT} per turn. Split the turn"
        )
        raise ValidationError(msg, field=field)
    return {"text": spoken, "voice": _voice(voice, f"{field} voice")}


def _audio_url(source: object, field: str = "source") -> str:
    """The URL Mureka fetches: a track's audio, or a URL or data URL given as it is."""
    if isinstance(source, (Track, Generation)):
        track = track_of(source, field)
        url = track.audio_url or track.wav_url or track.flac_url
        if url is None:
            msg = (
                f"{field}: track {track.id} has no audio URL yet; wait for its task to finish "
                "(client.wait), or pass an audio URL"
            )
            raise ValidationError(msg, field=field)
        return url
    text = clean_text(source)
    lowered = (text or "").lower()
    if text is not None and lowered.startswith(("http://", "https://")):
        return text
    if text is not None and lowered.startswith("data:"):
        header, comma, payload = text.partition(",")
        if not comma or ";base64" not in header.lower():
            msg = f"{field}: a data URL must look like data:audio/mpeg;base64,<data>"
            raise ValidationError(msg, field=field)
        size = len(payload) * 3 // 4
        if size > MAX_FILE_BYTES:
            msg = (
                f"{field}: the data URL holds about {size / 1024 / 1024:.1f} MB; Mureka takes at "
                "most 10 MB. Compress the audio or host it and pass its URL"
            )
            raise ValidationError(msg, field=field)
        return text
    msg = (
        f"{field} must be a Track, a Generation, an audio URL or a base64 data URL, got "
        f"{source!r}; a bare track id has no audio Mureka can fetch"
    )
    raise ValidationError(msg, field=field)
