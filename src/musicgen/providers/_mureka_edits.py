"""Mureka's song edits: extend, add a track, edit a region, remix (``endpoints.md`` §2.4, §2.9-11).

Each is a paid POST that answers with a SongTask, polled at ``GET /v1/song/query/{id}``; the
result is a ``Generation`` like a generated song's. Each works on a song Mureka made
(``song_id``: a ``Track``, a ``Generation`` or the id) or on an uploaded file
(``upload_audio_id``: purpose ``audio``, or ``remix`` for remixes). Positions are seconds here
and milliseconds on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import ValidationError
from .._models import Generation, Track
from .._operations import Operation
from .._results import Upload
from ._base import clean_text
from ._mureka_base import MurekaBase, check_count, seconds_to_ms

__all__ = ["EXTEND_MODELS", "TRACK_KINDS", "MurekaEditEndpoints"]

#: The models ``song/extend`` takes (``head`` extensions need ``mureka-8``).
EXTEND_MODELS = ("mureka-7.6", "mureka-8")

#: ``extend_at`` bounds, milliseconds [doc: MSPEC §7].
_EXTEND_AT_MS = (8_000, 420_000)

#: ``track/generate``'s ``generate_type`` values, by their lower-case spelling.
TRACK_KINDS: Mapping[str, str] = {
    kind.lower(): kind
    for kind in (
        "Vocals",
        "Instrumental",
        "Drums",
        "Bass",
        "Guitar",
        "Keyboard",
        "Percussion",
        "Strings",
        "Synth",
        "FX",
        "Brass",
        "Woodwinds",
    )
}

#: Region edits: the window is at least 3 s, with at least 12 s of audio before and after it.
_MIN_WINDOW = 3.0
_MARGIN = 12.0

_MAX_REMIX_N = 3


class MurekaEditEndpoints(MurekaBase):
    """Mureka's paid song edits, each a song task."""

    def extend(
        self,
        /,
        track: Track | Generation | str | None = None,
        *,
        at: float | None = None,
        lyrics: str | None = None,
        prompt: str | None = None,
        style: str | None = None,
        title: str | None = None,
        model: str | None = None,
        **options: Any,
    ) -> Operation[Generation]:
        """Extend a song (``POST /v1/song/extend``): a paid task, polled like a song.

        Mureka sings new ``lyrics`` from ``at`` on and returns the whole extended song. It only
        extends songs it made within the last month, or a file uploaded with purpose
        ``audio`` (``upload_audio_id=``, with ``track`` left out). Price not published.

        Args:
            track: The song: a ``Track``, a ``Generation`` (its first track) or a song id.
            at: Where the extension starts, in seconds from the start: 8 to 420 (positions
                past the end are clamped by Mureka). None uses the track's duration (clamped
                to 420) when it is known.
            lyrics: Required: the lyrics of the new part.
            prompt: Not supported by Mureka's extend (refused).
            style: Not supported (refused).
            title: Not supported (refused).
            model: ``mureka-7.6`` or ``mureka-8`` (aliases accepted); None lets Mureka choose.
            **options: ``upload_audio_id`` (an ``Upload`` of purpose ``audio`` or its id,
                instead of ``track``) and ``extend_type`` (``"tail"``, the default, appends;
                ``"head"`` prepends and needs ``model="mureka-8"``).

        Returns:
            An operation whose task's result is the extended song's ``Generation``.

        Raises:
            ValidationError: A refused or unknown argument, no lyrics, ``at`` out of range or
                unknown, both or neither of track and upload_audio_id, or another model.
        """
        for field, value in (("prompt", prompt), ("style", style), ("title", title)):
            if clean_text(value) is not None:
                msg = (
                    f"{field} is not supported by Mureka's extend: the extension follows the "
                    f"song's own style and keeps its name. Remove {field}"
                )
                raise ValidationError(msg, field=field)
        unknown = sorted(set(options) - {"upload_audio_id", "extend_type"})
        if unknown:
            msg = (
                f"unknown option {unknown[0]!r} for Mureka's extend. Accepted options: "
                "upload_audio_id, extend_type"
            )
            raise ValidationError(msg, field=unknown[0])
        body, chosen = self.song_source(track, options.get("upload_audio_id"))
        text = clean_text(lyrics)
        if text is None:
            msg = (
                "Mureka's extend needs lyrics=... for the new part (Mureka answers an error "
                "without them)"
            )
            raise ValidationError(msg, field="lyrics")
        body["lyrics"] = text
        body["extend_at"] = _extend_at(at, chosen)
        resolved = _extend_model(self, model)
        extend_type = options.get("extend_type")
        if extend_type is not None:
            kind = extend_type.strip().lower() if isinstance(extend_type, str) else extend_type
            if kind not in ("tail", "head"):
                msg = (
                    f"extend_type must be 'tail' (append, the default) or 'head' (prepend), got "
                    f"{extend_type!r}"
                )
                raise ValidationError(msg, field="extend_type")
            if kind == "head" and resolved != "mureka-8":
                msg = (
                    "extend_type='head' (prepending) only works with model='mureka-8'; "
                    "Mureka ignores it on other models. Pass model='mureka-8'"
                )
                raise ValidationError(msg, field="extend_type")
            body["extend_type"] = kind
        if resolved is not None:
            body["model"] = resolved
        return self.song_task("extend", "/song/extend", body, model=resolved)

    def add_track(
        self,
        kind: str,
        *,
        song_id: Track | Generation | str | None = None,
        upload_audio_id: str | Upload | None = None,
        start: float | None = None,
        end: float | None = None,
        lyrics: str | None = None,
        prompt: str | None = None,
        vocal_gender: str | None = None,
    ) -> Operation[Generation]:
        """Generate one track for a song (``POST /v1/track/generate``): a paid song task.

        Sing vocals over an accompaniment (``"Vocals"``), make an accompaniment for vocals
        (``"Instrumental"``), or make one instrument (``"Drums"``, ``"Bass"``...), over a song
        Mureka made, an uploaded file (purpose ``audio``), or from a prompt alone.

        Args:
            kind: The ``generate_type``: Vocals, Instrumental, Drums, Bass, Guitar, Keyboard,
                Percussion, Strings, Synth, FX, Brass or Woodwinds (any case).
            song_id: The song to work on: a ``Track``, a ``Generation`` or its id.
            upload_audio_id: Instead, an ``Upload`` of purpose ``audio`` or its id.
            start: Start of the input window, in seconds.
            end: End of the input window, in seconds.
            lyrics: The words to sing; required for ``Vocals``, refused otherwise.
            prompt: The style; required when there is no song or upload to work on.
            vocal_gender: ``"male"`` or ``"female"``, for ``Vocals`` only.

        Returns:
            An operation whose task's result is a ``Generation``.

        Raises:
            ValidationError: An unknown kind, a missing or misplaced argument, or a bad window.
        """
        key = kind.strip().lower() if isinstance(kind, str) else None
        generate_type = TRACK_KINDS.get(key or "")
        if generate_type is None:
            kinds = ", ".join(TRACK_KINDS.values())
            msg = f"kind {kind!r} is not a Mureka track type; use one of {kinds}"
            raise ValidationError(msg, field="kind")
        body: dict[str, Any] = {"generate_type": generate_type}
        source, _ = self.song_source(
            song_id, upload_audio_id, track_field="song_id", required=False
        )
        body.update(source)
        window = _window(start, end, "generate_start", "generate_end")
        body.update(window)
        text = clean_text(lyrics)
        if generate_type == "Vocals":
            if text is None:
                msg = "add_track('Vocals') needs lyrics=... (the words to sing)"
                raise ValidationError(msg, field="lyrics")
            body["lyrics"] = text
        elif text is not None:
            msg = f"lyrics only apply to 'Vocals' tracks, not {generate_type!r}. Remove lyrics"
            raise ValidationError(msg, field="lyrics")
        style = clean_text(prompt)
        if style is not None:
            body["prompt"] = style
        elif not source:
            msg = (
                f"add_track({generate_type!r}) without song_id or upload_audio_id needs "
                "prompt=... describing the track to make"
            )
            raise ValidationError(msg, field="prompt")
        if vocal_gender is not None:
            gender = vocal_gender.strip().lower() if isinstance(vocal_gender, str) else None
            if gender not in ("male", "female"):
                msg = f"vocal_gender must be 'male' or 'female', got {vocal_gender!r}"
                raise ValidationError(msg, field="vocal_gender")
            if generate_type != "Vocals":
                msg = f"vocal_gender only applies to 'Vocals' tracks, not {generate_type!r}"
                raise ValidationError(msg, field="vocal_gender")
            body["vocal_gender"] = gender
        return self.song_task("add_track", "/track/generate", body, model=None)

    def edit_region(
        self,
        track: Track | Generation | str | None = None,
        *,
        start: float,
        end: float,
        lyrics: str | None = None,
        upload_audio_id: str | Upload | None = None,
    ) -> Operation[Generation]:
        """Re-render a time window of a song (``POST /v1/song/region-edit``): a paid song task.

        Args:
            track: The song: a ``Track``, a ``Generation`` or its song id (made within the last
                month). Leave it out to pass ``upload_audio_id`` instead.
            start: Start of the window, in seconds; at least 12 s of audio must come before it.
            end: End of the window, in seconds: at least 3 s after ``start``, and at least
                12 s before the end of the song (checked when its duration is known).
            lyrics: New lyrics for the window; None keeps Mureka's choice.
            upload_audio_id: Instead of ``track``, an ``Upload`` of purpose ``audio`` or its id.

        Returns:
            An operation whose task's result is the edited song's ``Generation``.

        Raises:
            ValidationError: Both or neither sources, or a window that breaks Mureka's rules.
        """
        body, chosen = self.song_source(track, upload_audio_id)
        window = _window(start, end, "edit_start", "edit_end")
        if "edit_start" not in window or "edit_end" not in window:
            raise ValidationError("start and end are both required (seconds)", field="start")
        first, last = window["edit_start"] / 1000, window["edit_end"] / 1000
        if last - first < _MIN_WINDOW:
            msg = (
                f"the window {first:g}-{last:g} s is {last - first:g} s; Mureka edits at least "
                f"{_MIN_WINDOW:g} s. Move end later"
            )
            raise ValidationError(msg, field="end")
        if first < _MARGIN:
            msg = (
                f"start is {first:g} s; Mureka needs at least {_MARGIN:g} s of the song before "
                "the edited window. Move start later"
            )
            raise ValidationError(msg, field="start")
        duration = None if chosen is None else chosen.duration
        if duration is not None and last > duration - _MARGIN:
            msg = (
                f"end is {last:g} s but the song is {duration:g} s long; Mureka needs at least "
                f"{_MARGIN:g} s after the edited window, so end may be at most "
                f"{max(0.0, duration - _MARGIN):g} s"
            )
            raise ValidationError(msg, field="end")
        body.update(window)
        text = clean_text(lyrics)
        if text is not None:
            body["lyrics"] = text
        return self.song_task("edit_region", "/song/region-edit", body, model=None)

    def remix(
        self,
        track: Track | Generation | str | None = None,
        *,
        upload_audio_id: str | Upload | None = None,
        lyrics: str | None = None,
        prompt: str | None = None,
        n: int | None = None,
    ) -> Operation[Generation]:
        """Remix a song (``POST /v1/song/remix``): a paid song task, billed per song made.

        Args:
            track: The song: a ``Track``, a ``Generation`` or its song id (last month only).
            upload_audio_id: Instead, an ``Upload`` of purpose ``remix`` (not ``audio``) or
                its id.
            lyrics: New lyrics; None keeps the song's.
            prompt: The style of the remix.
            n: How many remixes (1-3; Mureka's default 2); each is billed.

        Returns:
            An operation whose task's result is a ``Generation`` with the remixes.

        Raises:
            ValidationError: Both or neither sources, or ``n`` out of range.
        """
        body, _ = self.song_source(track, upload_audio_id, purpose="remix")
        text = clean_text(lyrics)
        if text is not None:
            body["lyrics"] = text
        style = clean_text(prompt)
        if style is not None:
            body["prompt"] = style
        if n is not None:
            body["n"] = check_count(n, "n", _MAX_REMIX_N)
        return self.song_task("remix", "/song/remix", body, model=None)


def _extend_at(at: object, track: Track | None) -> int:
    low, high = _EXTEND_AT_MS
    if at is None:
        duration = None if track is None else track.duration
        if duration is None:
            msg = (
                "at is required here: the second (8-420) where the extension starts "
                "(Mureka's extend_at); the song's duration is not known, so it cannot default "
                "to the end. Pass at=..."
            )
            raise ValidationError(msg, field="at")
        at = min(duration, high / 1000)
    ms = seconds_to_ms(at, "at")
    if not low <= ms <= high:
        msg = (
            f"at is {ms / 1000:g} s; Mureka's extend_at takes {low // 1000} to "
            f"{high // 1000} seconds. Pass a position in range"
        )
        raise ValidationError(msg, field="at")
    return ms


def _extend_model(provider: MurekaBase, model: object) -> str | None:
    if model is None:
        return None
    found = provider.catalog.lookup(model) if isinstance(model, str) else None
    if found not in EXTEND_MODELS:
        msg = (
            f"model {model!r} cannot extend songs; Mureka's extend takes "
            f"{' or '.join(EXTEND_MODELS)}. Pass one of them, or leave model out"
        )
        raise ValidationError(msg, field="model")
    return found


def _window(start: object, end: object, start_key: str, end_key: str) -> dict[str, int]:
    window: dict[str, int] = {}
    if start is not None:
        window[start_key] = seconds_to_ms(start, "start")
    if end is not None:
        window[end_key] = seconds_to_ms(end, "end")
    if start_key in window and end_key in window and window[end_key] <= window[start_key]:
        msg = f"end ({end!r} s) must come after start ({start!r} s)"
        raise ValidationError(msg, field="end")
    return window
