"""Suno's music edits: extend, covers, vocals and backing, mashups, sections, sounds.

Every endpoint here starts a task of the *music family* (``endpoints.md`` §1.0.1): the
submission answers ``data.taskId`` only, the task is read with ``record-info`` like a
generation (``SunoProvider.status``), and its result is a ``Generation`` whose tracks are the
new audio. All of them cost credits, so every operation is ``paid``: it is never resent once
its bytes may have left, and with a cache it is journalled and resumed like ``generate``.

Wire facts relied on (``endpoints.md`` §1.1-§1.8; ⚠ marks the readings chosen where sources
disagree):

* extend: ``defaultParamFlag`` true needs ``continueAt`` (seconds, > 0 and < the track's
  length), ``prompt`` (sung verbatim), ``style`` and ``title``; false reuses the source's
  settings and needs only ``audioId``. ``model`` "must be consistent with the source audio".
* upload-cover and mashup take ``customMode``/``instrumental`` like generate (⚠ the newest page
  copies drop ``customMode``; they describe another host, so it is sent).
* upload-extend with ``defaultParamFlag`` false needs ``prompt`` (⚠ one copy says only
  ``uploadUrl``; sending a prompt satisfies both readings, so one is required).
* add-vocals and add-instrumental require ``negativeTags`` (≤ 200) and take ``style``
  (add-vocals) or ``tags`` (add-instrumental, ≤ 1000); models ``V4_5PLUS`` (default), ``V5``,
  ``V5_5``.
* replace-section names the window in seconds (``infillStartS``/``infillEndS``, 2 decimals),
  6-60 s long, at most half the track. ⚠ ``fullLyrics`` is absent from the schema but listed as
  required elsewhere: it is sent whenever the lyrics are known.
* sounds: ``prompt`` ≤ 500, ``soundTempo`` 1-300 BPM, ``soundKey`` from a fixed list, model
  ``V5`` by default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._errors import ValidationError
from .._models import Generation, TaskStatus, Track
from ._base import clean_text, track_of
from ._options import SunoOptions
from ._suno_base import SunoBase

if TYPE_CHECKING:
    from .._operations import Operation

__all__ = [
    "SOUND_KEYS",
    "SunoMusicEndpoints",
]

#: The keys ``sounds`` accepts (``soundKey``), besides ``"Any"`` (the default: no key).
SOUND_KEYS: tuple[str, ...] = (
    "Cm", "C#m", "Dm", "D#m", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "A#m", "Bm",
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
)  # fmt: skip

# add-vocals and add-instrumental run on these models only; the first is the API's default.
_OVERDUB_MODELS = ("V4_5PLUS", "V5", "V5_5")
_SOUNDS_DEFAULT_MODEL = "V5"
_SOUNDS_PROMPT_LIMIT = 500
_TEMPO_RANGE = (1, 300)
# Third-party limits tables (endpoints.md §1.4-§1.5); the API answers 413 past them.
_NEGATIVE_TAGS_LIMIT = 200
_OVERDUB_STYLE_LIMIT = 1000
# replace-section's window, in seconds, and its share of the track.
_WINDOW_RANGE = (6.0, 60.0)
_WINDOW_SHARE = 0.5

# Which SunoOptions each endpoint documents (the rest would be silently ignored, so they are
# refused with the list of what works).
_ALL_OPTIONS = frozenset(
    {
        "negative_tags",
        "vocal_gender",
        "style_weight",
        "weirdness_constraint",
        "audio_weight",
        "persona_id",
        "persona_model",
        "callback_url",
    }
)
_TUNING = frozenset(
    {"vocal_gender", "style_weight", "weirdness_constraint", "audio_weight", "callback_url"}
)
_PERSONA = frozenset({"persona_id", "persona_model"})
_ENHARMONIC = {"DB": "C#", "EB": "D#", "GB": "F#", "AB": "G#", "BB": "A#"}


def _seconds(value: object, field: str) -> float:
    # bool is an int subclass: at=True is a bug, not one second.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        msg = f"{field} must be a number of seconds, got {value!r}"
        raise ValidationError(msg, field=field)
    return float(value)


def _required(value: object, field: str, endpoint: str, what: str) -> str:
    text = clean_text(value)
    if text is None:
        msg = f"Suno {endpoint} requires {field}=... ({what}); it is missing or blank"
        raise ValidationError(msg, field=field)
    return text


def _limit(field: str, value: str, limit: int, endpoint: str) -> None:
    if len(value) > limit:
        msg = (
            f"{field} is {len(value)} characters, over the {limit}-character limit of Suno's "
            f"{endpoint}: shorten it"
        )
        raise ValidationError(msg, field=field)


def _upload_url(value: object, field: str = "upload_url") -> str:
    """An http(s) URL of audio Suno can fetch, stripped."""
    text = clean_text(value)
    if text is not None:
        try:
            parts = urlsplit(text)
        except ValueError:  # e.g. "http://[" (an unclosed IPv6 bracket)
            parts = None
        if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
            return text
    msg = (
        f"{field} must be an http(s) URL of the audio that Suno can download, got {value!r}; "
        "upload a local file first (SunoProvider.upload) and pass its URL"
    )
    raise ValidationError(msg, field=field)


def _sound_key(value: str) -> str:
    """``value`` as one of ``SOUND_KEYS`` (``"c#m"``, ``"Dbm"`` and ``"C# minor"`` included)."""
    text = value.strip()
    if text.lower() == "any":
        return "Any"
    match = re.fullmatch(r"([A-Ga-g])\s*([#b♯♭]?)\s*(m|min|minor|maj|major)?", text)
    if match is not None:
        note, accidental, mode = match.groups()
        accidental = {"♯": "#", "♭": "b"}.get(accidental, accidental)
        name = note.upper() + accidental
        name = _ENHARMONIC.get(name.upper(), name)
        # Cb, Fb, E#, B# are not in the list: they stay unknown rather than guessed.
        minor = mode is not None and mode.startswith("m") and not mode.startswith("maj")
        key = f"{name}m" if minor else name
        if key in SOUND_KEYS:
            return key
    msg = f"key must be 'Any' or one of {', '.join(SOUND_KEYS)}, got {value!r}"
    raise ValidationError(msg, field="key")


class SunoMusicEndpoints(SunoBase):
    """Suno's music edits: every method starts a paid music task, read with ``status``."""

    if TYPE_CHECKING:
        # SunoProvider defines it (record-info): the music family's status read.
        def status(
            self, task_id: str, *, instrumental: bool | None = None
        ) -> Operation[Generation]: ...

    # -- extend --------------------------------------------------------------------------------

    def extend(
        self,
        /,
        track: Track | Generation | str,
        *,
        at: float | None = None,
        lyrics: str | None = None,
        prompt: str | None = None,
        style: str | None = None,
        title: str | None = None,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Continue a generated track (``POST /api/v1/generate/extend``): a paid music task
        (12 credits), polled with ``status``; its tracks are the extensions.

        With none of ``at``, ``lyrics``, ``style`` and ``title``, Suno reuses the source's own
        settings and picks the point itself. With any of them it runs in custom mode
        (``defaultParamFlag``), which needs ``at``, ``style``, ``title`` and, unless the source
        is an instrumental, ``lyrics``.

        Args:
            track: The track to continue: a ``Track``, a ``Generation`` (its first track) or a
                track id.
            at: Where the extension starts, in seconds: above 0 and below the track's length.
            lyrics: The words to sing in the extension (sent as Suno's ``prompt``).
            prompt: Not used by Suno's extend (custom mode has no separate description);
                refused, put the words in ``lyrics``.
            style: Style tags of the extension.
            title: Its title.
            model: The model; it must match the source track's model. Default: the model of a
                ``Generation`` passed as ``track``, else the catalog's default.
            **options: ``SunoOptions`` (``negative_tags``, ``vocal_gender``, ``style_weight``,
                ``weirdness_constraint``, ``audio_weight``, ``persona_id``, ``persona_model``,
                ``callback_url``), and ``instrumental=True`` to say the source has no vocals
                (taken from a ``Generation`` passed as ``track`` when it knows).

        Raises:
            ValidationError: A bad track, a missing custom-mode field, ``at`` out of range, a
                text over the model's limit, a model other than the source generation's, or a
                bad option; raised before any request exists.
        """
        source = track_of(track)
        instrumental = _instrumental_option(options, track)
        if clean_text(prompt) is not None:
            msg = (
                "Suno's extend has no separate description: put the words to sing in lyrics= "
                "(with at=, style= and title=), or pass none of them to continue with the "
                "source's own settings"
            )
            raise ValidationError(msg, field="prompt")
        model_id = self._source_model(track, model)
        lyrics, style, title = clean_text(lyrics), clean_text(style), clean_text(title)
        custom = at is not None or any(value is not None for value in (lyrics, style, title))
        wire = self._wire_options(options, _ALL_OPTIONS, "extend")
        body: dict[str, Any] = {
            "defaultParamFlag": custom,
            "audioId": source.id,
            "model": model_id,
            "callBackUrl": self.callback(wire.pop("callBackUrl", None)),
        }
        if custom:
            start = self._continue_at(at, source.duration, "extend")
            self._custom_fields(
                model_id,
                lyrics,
                style,
                title,
                instrumental,
                "extend",
                needs="at=, style= and title=",
            )
            body["continueAt"] = start
            if lyrics is not None:
                body["prompt"] = lyrics
            body["style"] = style
            body["title"] = title
        else:
            _refuse_persona(wire, "extend", "at=, style=, title=")
        body.update(wire)
        return self._music_task(
            "extend", "/generate/extend", body, model=model_id, instrumental=instrumental
        )

    # -- uploads -------------------------------------------------------------------------------

    def upload_cover(
        self,
        /,
        upload_url: str,
        *,
        prompt: str | None = None,
        lyrics: str | None = None,
        style: str | None = None,
        title: str | None = None,
        instrumental: bool = False,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Restyle an uploaded track, keeping its melody (``POST /api/v1/generate/upload-cover``):
        a paid music task (12 credits), polled with ``status``.

        Modes as generate: ``prompt`` alone (≤ 500 characters) describes the cover and Suno
        writes the lyrics; ``style`` and ``title`` (with ``lyrics`` unless ``instrumental``)
        run custom mode, the lyrics sung verbatim.

        Args:
            upload_url: An http(s) URL of the audio (at most 8 minutes, 1 minute on
                ``V4_5ALL``; not checked here). Files are kept 15 days.
            prompt: A description of the cover (simple mode only).
            lyrics: The words to sing (custom mode).
            style: Style tags (custom mode).
            title: The title (custom mode).
            instrumental: No vocals.
            model: The model (default: the catalog's default).
            **options: ``SunoOptions``; ``persona_id``/``persona_model`` need custom mode.

        Raises:
            ValidationError: A bad URL, a missing or extra field for the mode, a text over the
                model's limit, or a bad option; raised before any request exists.
        """
        url = _upload_url(upload_url)
        model_id = self.model_for(model)
        wire = self._wire_options(options, _ALL_OPTIONS, "upload_cover")
        body = {
            "uploadUrl": url,
            **self._song_body(
                model_id, prompt, lyrics, style, title, instrumental, wire, "upload_cover"
            ),
        }
        return self._music_task(
            "upload_cover",
            "/generate/upload-cover",
            body,
            model=model_id,
            instrumental=instrumental,
        )

    def upload_extend(
        self,
        /,
        upload_url: str,
        *,
        at: float | None = None,
        prompt: str | None = None,
        lyrics: str | None = None,
        style: str | None = None,
        title: str | None = None,
        instrumental: bool = False,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Continue an uploaded track (``POST /api/v1/generate/upload-extend``): a paid music
        task (12 credits), polled with ``status``.

        With none of ``at``, ``lyrics``, ``style`` and ``title`` Suno reuses the upload's own
        character and needs ``prompt`` (≤ 500 characters), a description of the extension.
        With any of them it runs in custom mode (``defaultParamFlag``): ``at``, ``style``,
        ``title`` and, unless ``instrumental``, ``lyrics``.

        Args:
            upload_url: An http(s) URL of the audio (at most 8 minutes, 1 minute on
                ``V4_5ALL``; not checked here).
            at: Where the extension starts, in seconds (above 0, below the upload's length).
            prompt: A description of the extension (non-custom mode only).
            lyrics: The words to sing (custom mode).
            style: Style tags (custom mode).
            title: The title (custom mode).
            instrumental: No vocals (custom mode).
            model: The model; Suno asks that it match the source audio's.
            **options: ``SunoOptions``; ``persona_id``/``persona_model`` need custom mode.

        Raises:
            ValidationError: A bad URL, a missing or extra field for the mode, ``at`` out of
                range, a text over the model's limit, or a bad option.
        """
        url = _upload_url(upload_url)
        model_id = self.model_for(model)
        lyrics, style, title = clean_text(lyrics), clean_text(style), clean_text(title)
        text = clean_text(prompt)
        custom = at is not None or any(value is not None for value in (lyrics, style, title))
        wire = self._wire_options(options, _ALL_OPTIONS, "upload_extend")
        body: dict[str, Any] = {
            "uploadUrl": url,
            "defaultParamFlag": custom,
            "instrumental": _flag(instrumental, "instrumental"),
            "model": model_id,
            "callBackUrl": self.callback(wire.pop("callBackUrl", None)),
        }
        if custom:
            if text is not None:
                raise _custom_prompt_error("upload_extend")
            body["continueAt"] = self._continue_at(at, None, "upload_extend")
            self._custom_fields(
                model_id,
                lyrics,
                style,
                title,
                instrumental,
                "upload_extend",
                needs="at=, style= and title=",
            )
            if lyrics is not None:
                body["prompt"] = lyrics
            body["style"] = style
            body["title"] = title
        else:
            if text is None:
                msg = (
                    "Suno's upload_extend needs prompt=... (a description of the extension) "
                    "when it reuses the upload's settings, or at=, style= and title= (with "
                    "lyrics= unless instrumental=True) for custom mode"
                )
                raise ValidationError(msg, field="prompt")
            self.catalog.check_length(model_id, "prompt", text)
            body["prompt"] = text
            _refuse_persona(wire, "upload_extend", "at=, style=, title=")
        body.update(wire)
        return self._music_task(
            "upload_extend",
            "/generate/upload-extend",
            body,
            model=model_id,
            instrumental=instrumental,
        )

    def add_vocals(
        self,
        /,
        upload_url: str,
        *,
        prompt: str,
        title: str,
        style: str,
        negative_tags: str,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Sing over an uploaded instrumental (``POST /api/v1/generate/add-vocals``): a paid
        music task (12 credits), polled with ``status``.

        Args:
            upload_url: An http(s) URL of the instrumental.
            prompt: What the vocals should sing or be about.
            title: The title.
            style: Style of the result (≤ 1000 characters).
            negative_tags: Styles to keep out (≤ 200 characters); required by the API.
            model: ``V4_5PLUS`` (default), ``V5`` or ``V5_5``.
            **options: ``vocal_gender``, ``style_weight``, ``weirdness_constraint``,
                ``audio_weight``, ``callback_url``.

        Raises:
            ValidationError: A bad URL, a missing field, a text over its limit, a model this
                endpoint does not run, or a bad option.
        """
        url = _upload_url(upload_url)
        model_id = self._overdub_model(model, "add_vocals")
        prompt_text = _required(prompt, "prompt", "add_vocals", "what the vocals sing")
        title_text = _required(title, "title", "add_vocals", "the title")
        style_text = _required(style, "style", "add_vocals", "the style of the result")
        negative = _required(negative_tags, "negative_tags", "add_vocals", "styles to keep out")
        self.catalog.check_length(model_id, "lyrics", prompt_text)
        self.catalog.check_length(model_id, "title", title_text)
        _limit("style", style_text, _OVERDUB_STYLE_LIMIT, "add_vocals")
        _limit("negative_tags", negative, _NEGATIVE_TAGS_LIMIT, "add_vocals")
        wire = self._wire_options(options, _TUNING, "add_vocals")
        body: dict[str, Any] = {
            "uploadUrl": url,
            "prompt": prompt_text,
            "title": title_text,
            "style": style_text,
            "negativeTags": negative,
            "model": model_id,
            "callBackUrl": self.callback(wire.pop("callBackUrl", None)),
            **wire,
        }
        return self._music_task(
            "add_vocals", "/generate/add-vocals", body, model=model_id, instrumental=False
        )

    def add_instrumental(
        self,
        /,
        upload_url: str,
        *,
        title: str,
        tags: str,
        negative_tags: str,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Add a backing track to uploaded vocals (``POST /api/v1/generate/add-instrumental``):
        a paid music task (12 credits), polled with ``status``.

        Args:
            upload_url: An http(s) URL of the vocal track.
            title: The title.
            tags: Style of the accompaniment (≤ 1000 characters; Suno's ``tags``).
            negative_tags: Styles to keep out (≤ 200 characters); required by the API.
            model: ``V4_5PLUS`` (default), ``V5`` or ``V5_5``.
            **options: ``vocal_gender``, ``style_weight``, ``weirdness_constraint``,
                ``audio_weight``, ``callback_url``.

        Raises:
            ValidationError: A bad URL, a missing field, a text over its limit, a model this
                endpoint does not run, or a bad option.
        """
        url = _upload_url(upload_url)
        model_id = self._overdub_model(model, "add_instrumental")
        title_text = _required(title, "title", "add_instrumental", "the title")
        tags_text = _required(tags, "tags", "add_instrumental", "the style of the backing")
        negative = _required(
            negative_tags, "negative_tags", "add_instrumental", "styles to keep out"
        )
        self.catalog.check_length(model_id, "title", title_text)
        _limit("tags", tags_text, _OVERDUB_STYLE_LIMIT, "add_instrumental")
        _limit("negative_tags", negative, _NEGATIVE_TAGS_LIMIT, "add_instrumental")
        wire = self._wire_options(options, _TUNING, "add_instrumental")
        body: dict[str, Any] = {
            "uploadUrl": url,
            "title": title_text,
            "tags": tags_text,
            "negativeTags": negative,
            "model": model_id,
            "callBackUrl": self.callback(wire.pop("callBackUrl", None)),
            **wire,
        }
        return self._music_task(
            "add_instrumental",
            "/generate/add-instrumental",
            body,
            model=model_id,
            instrumental=False,
        )

    def mashup(
        self,
        /,
        upload_urls: Sequence[str],
        *,
        prompt: str | None = None,
        lyrics: str | None = None,
        style: str | None = None,
        title: str | None = None,
        instrumental: bool = False,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Blend two uploaded tracks into one (``POST /api/v1/generate/mashup``): a paid music
        task (12 credits), polled with ``status``.

        Modes as generate: ``prompt`` alone (≤ 500 characters), or ``style`` and ``title``
        (with ``lyrics`` unless ``instrumental``) for custom mode.

        Args:
            upload_urls: Exactly two http(s) URLs of audio.
            prompt: A description of the result (simple mode only).
            lyrics: The words to sing (custom mode).
            style: Style tags (custom mode).
            title: The title (custom mode).
            instrumental: No vocals.
            model: The model (default: the catalog's default).
            **options: ``vocal_gender``, ``style_weight``, ``weirdness_constraint``,
                ``audio_weight``, ``persona_id``, ``persona_model`` (custom mode),
                ``callback_url``.

        Raises:
            ValidationError: Not exactly two http(s) URLs, a missing or extra field for the
                mode, a text over the model's limit, or a bad option.
        """
        if isinstance(upload_urls, (str, bytes)) or not isinstance(upload_urls, Sequence):
            msg = (
                "upload_urls must be a list of exactly two http(s) URLs, got "
                f"{type(upload_urls).__name__}"
            )
            raise ValidationError(msg, field="upload_urls")
        if len(upload_urls) != 2:
            msg = (
                f"Suno's mashup blends exactly two tracks: upload_urls has {len(upload_urls)}; "
                "pass two URLs"
            )
            raise ValidationError(msg, field="upload_urls")
        urls = [_upload_url(url, "upload_urls") for url in upload_urls]
        model_id = self.model_for(model)
        wire = self._wire_options(options, _TUNING | _PERSONA, "mashup")
        body = {
            "uploadUrlList": urls,
            **self._song_body(model_id, prompt, lyrics, style, title, instrumental, wire, "mashup"),
        }
        return self._music_task(
            "mashup", "/generate/mashup", body, model=model_id, instrumental=instrumental
        )

    # -- sections and sounds -------------------------------------------------------------------

    def replace_section(
        self,
        track: Track | Generation,
        *,
        start: float,
        end: float,
        prompt: str,
        tags: str,
        title: str,
        lyrics: str | None = None,
        negative_tags: str | None = None,
    ) -> Operation[Generation]:
        """Re-render a time window of a generated track (``POST
        /api/v1/generate/replace-section``): a paid music task (5 credits), polled with
        ``status``.

        Args:
            track: The track to edit: a ``Track`` whose ``task_id`` is known (tracks read from
                a finished generation carry it) or a ``Generation`` (its first track).
            start: Start of the window in seconds (≥ 0).
            end: End of the window in seconds; the window is 6 to 60 s long and, when the
                track's length is known, at most half of it and within it.
            prompt: What the new section should contain.
            tags: Its style (Suno's ``tags``).
            title: The title.
            lyrics: The song's full lyrics after the edit (``fullLyrics``); default: the
                track's lyrics when known.
            negative_tags: Styles to keep out.

        Raises:
            ValidationError: No task id known for the track, a window out of range, or a
                missing field; raised before any request exists.
        """
        source = track_of(track)
        task_id = source.task_id or (track.task_id if isinstance(track, Generation) else None)
        if not task_id:
            msg = (
                f"replace_section needs the task that made track {source.id}: pass the "
                "Generation, one of its tracks (they carry task_id), or "
                "musicgen.Track(id=..., task_id=...)"
            )
            raise ValidationError(msg, field="track")
        first, last = _seconds(start, "start"), _seconds(end, "end")
        self._check_window(first, last, source.duration)
        body: dict[str, Any] = {
            "taskId": task_id,
            "audioId": source.id,
            "prompt": _required(prompt, "prompt", "replace_section", "the new section"),
            "tags": _required(tags, "tags", "replace_section", "the section's style"),
            "title": _required(title, "title", "replace_section", "the title"),
            "infillStartS": round(first, 2),
            "infillEndS": round(last, 2),
        }
        full_lyrics = clean_text(lyrics) or source.lyrics
        if full_lyrics:
            body["fullLyrics"] = full_lyrics
        negative = clean_text(negative_tags)
        if negative is not None:
            body["negativeTags"] = negative
        body["callBackUrl"] = self.callback()
        model = track.model if isinstance(track, Generation) else None
        instrumental = track.instrumental if isinstance(track, Generation) else None
        return self._music_task(
            "replace_section",
            "/generate/replace-section",
            body,
            model=model,
            instrumental=instrumental,
        )

    def sounds(
        self,
        prompt: str,
        *,
        loop: bool = False,
        tempo: int | None = None,
        key: str | None = None,
        grab_lyrics: bool = False,
        model: str | None = None,
    ) -> Operation[Generation]:
        """Make a sound effect or loop (``POST /api/v1/generate/sounds``): a paid music task,
        polled with ``status`` (sunoapi.org publishes no credit price for it).

        Args:
            prompt: What it should sound like (≤ 500 characters).
            loop: Make it loop seamlessly.
            tempo: Beats per minute, 1 to 300; None lets Suno choose.
            key: A musical key (``"C"``, ``"F#m"``..., see ``SOUND_KEYS``; flats such as
                ``"Bbm"`` are accepted) or ``"Any"``; None lets Suno choose.
            grab_lyrics: Ask Suno to fetch lyric subtitles once done (where they appear is not
                documented).
            model: The model; default ``V5``, the one the docs list.

        Raises:
            ValidationError: A missing or too long prompt, a tempo out of range or an unknown
                key; raised before any request exists.
        """
        text = _required(prompt, "prompt", "sounds", "what it should sound like")
        _limit("prompt", text, _SOUNDS_PROMPT_LIMIT, "sounds")
        model_id = _SOUNDS_DEFAULT_MODEL if model is None else self.model_for(model)
        body: dict[str, Any] = {
            "prompt": text,
            "model": model_id,
            "soundLoop": _flag(loop, "loop"),
            "grabLyrics": _flag(grab_lyrics, "grab_lyrics"),
            "callBackUrl": self.callback(),
        }
        if tempo is not None:
            body["soundTempo"] = _tempo(tempo)
        if key is not None:
            if not isinstance(key, str):
                msg = f"key must be a string such as 'C#m' or 'Any', got {key!r}"
                raise ValidationError(msg, field="key")
            body["soundKey"] = _sound_key(key)
        return self._music_task("sounds", "/generate/sounds", body, model=model_id)

    # -- shared --------------------------------------------------------------------------------

    def _music_task(
        self,
        name: str,
        path: str,
        body: Mapping[str, Any],
        *,
        model: str | None,
        instrumental: bool | None = None,
    ) -> Operation[Generation]:
        """A paid POST starting a music task, read with ``status``; journalled by its body."""

        def started(task_id: str, envelope: Mapping[str, Any]) -> Generation:
            return Generation(
                task_id=task_id,
                provider=self.name,
                model=model,
                status=TaskStatus.QUEUED,
                provider_status="PENDING",
                instrumental=instrumental,
                raw=envelope,
            )

        return self.task_operation(
            name, path, body, self.status, started, paid=True, result_type=Generation
        )

    def _wire_options(
        self, options: Mapping[str, Any], allowed: frozenset[str], endpoint: str
    ) -> dict[str, Any]:
        """Check ``options`` (``SunoOptions`` rules, and only those ``endpoint`` documents)
        and return them under their wire names."""
        wire = SunoOptions.from_mapping(options)
        given = set(wire.to_dict())
        extra = sorted(given - allowed)
        if extra:
            msg = (
                f"Suno's {endpoint} does not take the option {extra[0]}; it accepts "
                f"{', '.join(sorted(allowed))}"
            )
            raise ValidationError(msg, field=extra[0])
        return wire.to_wire()

    def _source_model(self, track: object, model: str | None) -> str:
        """The model of an edit of ``track``: ``model``, else the source generation's."""
        known = track.model if isinstance(track, Generation) else None
        source = self.catalog.lookup(known) if known else None
        if model is None:
            return source or self.model_for(known)
        chosen = self.model_for(model)
        if source is not None and chosen != source:
            msg = (
                f"model {chosen} differs from the source generation's model {source}: Suno "
                f"extends a track only with the model that made it; pass model={source!r} "
                "or leave model out"
            )
            raise ValidationError(msg, field="model")
        return chosen

    def _overdub_model(self, model: str | None, endpoint: str) -> str:
        if model is None:
            return _OVERDUB_MODELS[0]
        found = self.catalog.lookup(str(model))
        if found not in _OVERDUB_MODELS:
            msg = (
                f"Suno's {endpoint} runs on {', '.join(_OVERDUB_MODELS)} only, got "
                f"model={model!r}; leave model out for {_OVERDUB_MODELS[0]}"
            )
            raise ValidationError(msg, field="model")
        return found

    def _continue_at(self, at: float | None, duration: float | None, endpoint: str) -> float:
        if at is None:
            msg = (
                f"Suno's custom {endpoint} (lyrics, style or title given) needs at=...: the "
                "second where the extension starts; or pass none of them to let Suno continue "
                "with the source's settings"
            )
            raise ValidationError(msg, field="at")
        start = _seconds(at, "at")
        if start <= 0:
            msg = f"at must be above 0 seconds (where the extension starts), got {at!r}"
            raise ValidationError(msg, field="at")
        if duration is not None and start >= duration:
            msg = (
                f"at is {start:g} s, but the track is {duration:g} s long: the extension must "
                "start inside it; pass a smaller at="
            )
            raise ValidationError(msg, field="at")
        return round(start, 2)

    def _custom_fields(
        self,
        model: str,
        lyrics: str | None,
        style: str | None,
        title: str | None,
        instrumental: bool | None,
        endpoint: str,
        *,
        needs: str,
    ) -> None:
        """Check the custom-mode fields: style and title required, lyrics unless
        instrumental, each within the model's limit."""
        for field, value in (("style", style), ("title", title)):
            if value is None:
                msg = (
                    f"Suno's custom {endpoint} requires {field}=...; pass {needs} together "
                    "(and lyrics= unless instrumental=True)"
                )
                raise ValidationError(msg, field=field)
        if instrumental and lyrics is not None:
            msg = (
                "instrumental=True cannot have lyrics: drop lyrics= for an instrumental, or set "
                "instrumental=False to have them sung"
            )
            raise ValidationError(msg, field="lyrics")
        if lyrics is None and not instrumental:
            msg = (
                f"Suno's custom {endpoint} requires lyrics=... (the words to sing) unless "
                "instrumental=True"
            )
            raise ValidationError(msg, field="lyrics")
        for field, value in (("lyrics", lyrics), ("style", style), ("title", title)):
            if value is not None:
                self.catalog.check_length(model, field, value)

    def _song_body(
        self,
        model: str,
        prompt: str | None,
        lyrics: str | None,
        style: str | None,
        title: str | None,
        instrumental: bool,
        wire: dict[str, Any],
        endpoint: str,
    ) -> dict[str, Any]:
        """The generate-like fields of upload-cover and mashup (``customMode``...), and the
        options, checked like generate's."""
        text, lyrics = clean_text(prompt), clean_text(lyrics)
        style, title = clean_text(style), clean_text(title)
        custom = any(value is not None for value in (lyrics, style, title))
        body: dict[str, Any] = {
            "customMode": custom,
            "instrumental": _flag(instrumental, "instrumental"),
            "model": model,
            "callBackUrl": self.callback(wire.pop("callBackUrl", None)),
        }
        if custom:
            if text is not None:
                raise _custom_prompt_error(endpoint)
            self._custom_fields(
                model, lyrics, style, title, instrumental, endpoint, needs="style= and title="
            )
            if lyrics is not None:
                body["prompt"] = lyrics
            body["style"] = style
            body["title"] = title
        else:
            if text is None:
                msg = (
                    f"Suno's {endpoint} needs either prompt=... (a description; lyrics are "
                    "written for you) or style=... and title=... (custom mode, with lyrics=... "
                    "unless instrumental=True)"
                )
                raise ValidationError(msg, field="prompt")
            self.catalog.check_length(model, "prompt", text)
            body["prompt"] = text
            _refuse_persona(wire, endpoint, "style=, title=")
        body.update(wire)
        return body

    def _check_window(self, start: float, end: float, duration: float | None) -> None:
        low, high = _WINDOW_RANGE
        if start < 0:
            msg = f"start must be 0 or more seconds, got {start:g}"
            raise ValidationError(msg, field="start")
        if end <= start:
            msg = f"end ({end:g} s) must be after start ({start:g} s)"
            raise ValidationError(msg, field="end")
        length = end - start
        if not low <= length <= high:
            msg = (
                f"the section is {length:g} s long; Suno replaces {low:g} to {high:g} seconds "
                "at a time: move start= or end="
            )
            raise ValidationError(msg, field="end")
        if duration is None:
            return
        if end > duration:
            msg = f"end is {end:g} s, past the end of the {duration:g}-second track"
            raise ValidationError(msg, field="end")
        if length > duration * _WINDOW_SHARE:
            msg = (
                f"the section is {length:g} s long, more than half of the {duration:g}-second "
                "track; Suno replaces at most half of a track: shorten the window"
            )
            raise ValidationError(msg, field="end")


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{field} must be True or False, got {value!r}"
        raise ValidationError(msg, field=field)
    return value


def _tempo(value: object) -> int:
    low, high = _TEMPO_RANGE
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not whole:
        msg = f"tempo must be a whole number of beats per minute ({low} to {high}), got {value!r}"
        raise ValidationError(msg, field="tempo")
    bpm = int(value)
    if not low <= bpm <= high:
        msg = f"tempo must be {low} to {high} beats per minute, got {bpm}"
        raise ValidationError(msg, field="tempo")
    return bpm


def _instrumental_option(options: dict[str, Any], track: object) -> bool | None:
    """Take ``instrumental`` out of extend's options; default: what a Generation knows."""
    value = options.pop("instrumental", None)
    if value is None:
        return track.instrumental if isinstance(track, Generation) else None
    return _flag(value, "instrumental")


def _refuse_persona(wire: Mapping[str, Any], endpoint: str, needs: str) -> None:
    if "personaId" in wire or "personaModel" in wire:
        msg = (
            f"persona_id and persona_model apply only to Suno's custom {endpoint}: pass "
            f"{needs} too, or drop the persona"
        )
        raise ValidationError(msg, field="persona_id" if "personaId" in wire else "persona_model")


def _custom_prompt_error(endpoint: str) -> ValidationError:
    msg = (
        f"Suno's custom {endpoint} (style, title or lyrics given) has no separate "
        "description: put the words to sing in lyrics= and the sound in style=, and drop "
        "prompt=. For the simple mode pass only prompt=..."
    )
    return ValidationError(msg, field="prompt")
