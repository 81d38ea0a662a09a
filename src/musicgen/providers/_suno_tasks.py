"""Suno's task endpoints on a finished track: lyrics, timed lyrics, WAV, stems, MIDI, video,
cover art.

Each endpoint that starts a task has a status read named after it (``lyrics_status``,
``wav_status``, ``separation_status``, ``midi_status``, ``video_status``,
``cover_art_status``): the client polls it, and resumes a journalled task with it. Results are
``Task[R]`` (``musicgen.Task``), with ``result`` set once the task succeeded. The records are
read by the wire models of ``_suno_task_wire`` (see its docstring for the formats).

Wire facts relied on (``endpoints.md`` §1.0.1, §1.10-§1.15, §1.20):

* Every submission answers ``data.taskId`` only; each family has its own ``record-info`` path.
* WAV, stems, video and the timestamped lyrics need the *music task id* and the *track id*
  (``audioId``) of a track Suno generated; a ``Track`` from ``generate`` carries both.
* MIDI starts from a finished *separation* task, not a music task.
* Cover art is made once per music task: a repeat is refused with the existing task's id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import httpx

from .._errors import BadRequestError, ValidationError
from .._models import Generation, TaskStatus, Track
from .._operations import Operation
from .._results import AlignedLyrics, CoverArt, Lyrics, Midi, Stems, Task, Video
from ._base import clean_text, track_of
from ._suno_base import SunoBase

__all__ = [
    "LYRICS_PROMPT_WORDS",
    "SEPARATION_MODES",
    "VIDEO_TEXT_LIMIT",
    "SunoTaskEndpoints",
]

T = TypeVar("T")

#: The lyrics prompt's limit. ⚠ The docs say "200 words"; a third-party table says 200
#: characters. musicgen enforces the documented words; Suno may refuse a long one anyway.
LYRICS_PROMPT_WORDS = 200

#: ``separate(mode=...)`` -> the API's ``type``.
SEPARATION_MODES: Mapping[str, str] = {"vocals": "separate_vocal", "stems": "split_stem"}

#: The longest ``author`` or ``domain_name`` of a music video, in characters.
VIDEO_TEXT_LIMIT = 50

_PROVIDER = "suno"


def _queued(kind: str, flag: str = "PENDING") -> Callable[[str, Mapping[str, Any]], Task[Any]]:
    """The first state of a task just submitted (what ``task_operation`` calls ``started``)."""

    def started(task_id: str, envelope: Mapping[str, Any]) -> Task[Any]:
        return Task(
            task_id=task_id,
            provider=_PROVIDER,
            kind=kind,
            status=TaskStatus.QUEUED,
            provider_status=flag,
            raw=envelope,
        )

    return started


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


class SunoTaskEndpoints(SunoBase):
    """Suno's task endpoints on a finished track, and a status read for each."""

    # -- lyrics --------------------------------------------------------------------------------

    def lyrics(self, prompt: str) -> Operation[Task[tuple[Lyrics, ...]]]:
        """Write lyrics about ``prompt`` (``POST /api/v1/lyrics``, a task polled with
        ``lyrics_status``). Suno usually writes two or three variants.

        Paid: 0.4 credits per request (third-party price list).

        Args:
            prompt: What the lyrics are about; at most 200 words (⚠ the docs say words, a
                third-party table says characters: keep it short if Suno refuses it).

        Returns:
            The task; its ``result`` is the variants, each with a title.

        Raises:
            ValidationError: An empty prompt, or one over 200 words.
        """
        text = clean_text(prompt)
        if text is None:
            msg = "prompt is empty: describe what the lyrics should be about"
            raise ValidationError(msg, field="prompt")
        words = len(text.split())
        if words > LYRICS_PROMPT_WORDS:
            msg = (
                f"prompt has {words} words; Suno's lyrics endpoint takes at most "
                f"{LYRICS_PROMPT_WORDS} words: shorten the description"
            )
            raise ValidationError(msg, field="prompt")
        return self.task_operation(
            "lyrics",
            "/lyrics",
            {"prompt": text, "callBackUrl": self.callback(family="lyrics")},
            self.lyrics_status,
            _queued("lyrics"),
            result_type=Task[tuple[Lyrics, ...]],
        )

    def lyrics_status(self, task_id: str) -> Operation[Task[tuple[Lyrics, ...]]]:
        """Read a lyrics task (``GET /api/v1/lyrics/record-info``).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[tuple[Lyrics, ...]]:
            from ._suno_task_wire import read_lyrics

            return read_lyrics(data, task_id=task_id, raw=raw)

        return self.task_read(
            "lyrics_status",
            "/lyrics/record-info",
            task_id,
            read,
            self.lyrics_status,
            Task[tuple[Lyrics, ...]],
        )

    def timestamped_lyrics(self, track: Track | Generation) -> Operation[AlignedLyrics]:
        """The lyrics of a generated track with each word's time
        (``POST /api/v1/generate/get-timestamped-lyrics``; answers at once, no task).

        Paid: 0.5 credits (third-party price list), so it is never sent twice once it may
        have reached Suno.

        Args:
            track: A track from ``generate`` (or its ``Generation``: the first track); it must
                carry its music task's id (``Track.task_id``).

        Returns:
            The words with start and end in seconds, and Suno's waveform samples.

        Raises:
            ValidationError: Not a Suno track with its task id.
        """
        task_id, source = self._own_track(track, "track", "timestamped lyrics")

        def parse(response: httpx.Response) -> AlignedLyrics:
            from ._suno_task_wire import read_aligned_lyrics
            from ._wire import WireError

            body = self._envelope(response)
            try:
                return read_aligned_lyrics(body.get("data"), raw=body)
            except WireError as error:
                self._unexpected(response, f"unreadable timestamped lyrics: {error}", body)

        return self.operation(
            "timestamped_lyrics",
            self.http_request(
                "POST",
                "/generate/get-timestamped-lyrics",
                json={"taskId": task_id, "audioId": source.id},
            ),
            parse,
            paid=True,
        )

    # -- WAV -----------------------------------------------------------------------------------

    def convert(self, track: Track | Generation, *, format: str = "wav") -> Operation[Task[Track]]:
        """Convert a generated track to WAV (``POST /api/v1/wav/generate``, a task polled with
        ``wav_status``).

        Paid: 0.4 credits (third-party price list). Suno keeps one WAV per track: converting
        the same track again is refused (409 "WAV record already exists").

        Args:
            track: A track from ``generate`` (or its ``Generation``: the first track), with its
                music task's id.
            format: ``"wav"``, the only format Suno converts to.

        Returns:
            The task; its ``result`` is ``track`` with ``wav_url`` set.

        Raises:
            ValidationError: Another format, or not a Suno track with its task id.
        """
        if not isinstance(format, str) or format.strip().lower() != "wav":
            msg = (
                f"format must be 'wav', the only format Suno converts to (got {format!r}); "
                "the MP3 is the track's audio_url already"
            )
            raise ValidationError(msg, field="format")
        task_id, source = self._own_track(track, "track", "WAV conversion")

        def read(wav_task_id: str) -> Operation[Task[Track]]:
            return self.wav_status(wav_task_id, track=source)

        operation = self.task_operation(
            "convert",
            "/wav/generate",
            {"taskId": task_id, "audioId": source.id, "callBackUrl": self.callback(family="wav")},
            read,
            _queued("wav"),
            result_type=Task[Track],
        )
        return self._explained(operation, self._wav_exists)

    def wav_status(self, task_id: str, *, track: Track | None = None) -> Operation[Task[Track]]:
        """Read a WAV task (``GET /api/v1/wav/record-info``).

        Args:
            task_id: The WAV task's id.
            track: The source track, to hand back with ``wav_url`` set; None builds a track
                from the record's ``musicId``.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[Track]:
            from ._suno_task_wire import read_wav

            return read_wav(data, task_id=task_id, raw=raw, track=track)

        def again(wav_task_id: str) -> Operation[Task[Track]]:
            return self.wav_status(wav_task_id, track=track)

        return self.task_read("wav_status", "/wav/record-info", task_id, read, again, Task[Track])

    # -- stems ---------------------------------------------------------------------------------

    def separate(
        self, source: Track | Generation | str, *, mode: str = "vocals"
    ) -> Operation[Task[Stems]]:
        """Split a generated track into parts (``POST /api/v1/vocal-removal/generate``, a task
        polled with ``separation_status``).

        Paid, and charged again on every call: 10 credits for ``"vocals"``, 50 for
        ``"stems"`` (kie docs and a third-party price list).

        Args:
            source: A track Suno generated (or its ``Generation``: the first track), with its
                music task's id. Suno separates only its own tracks: for a file, restyle it
                with ``upload_cover`` first, or use ``provider="mureka"``.
            mode: ``"vocals"`` (parts ``vocals`` and ``instrumental``) or ``"stems"`` (up to
                twelve: ``vocals``, ``backing_vocals``, ``drums``, ``bass``, ``guitar``,
                ``keyboard``, ``percussion``, ``strings``, ``synth``, ``fx``, ``brass``,
                ``woodwinds``).

        Returns:
            The task; its ``result`` is the ``Stems`` (URL per part).

        Raises:
            ValidationError: An unknown mode, a URL, or not a Suno track with its task id.
        """
        wire_type = SEPARATION_MODES.get(mode) if isinstance(mode, str) else None
        if wire_type is None:
            msg = (
                f"mode must be 'vocals' (vocals and instrumental) or 'stems' (up to twelve "
                f"instrument parts), got {mode!r}; isolate_stem() extracts one named part"
            )
            raise ValidationError(msg, field="mode")
        return self._separation("separate", source, {"type": wire_type}, stem=None)

    def isolate_stem(self, source: Track | Generation | str, stem: str) -> Operation[Task[Stems]]:
        """Extract one named part from a generated track (``type: split_stem_advanced``, a task
        polled with ``separation_status``).

        Paid: 20 credits by the third-party price ratio ($0.10 against $0.05 for vocals; not
        documented).

        Args:
            source: A track Suno generated (see ``separate``).
            stem: Suno's ``stemName``, from a list of about a hundred, e.g. ``"Lead Vocal"``,
                ``"Backing Vocals"``, ``"Drum Kit"``, ``"Kick"``, ``"Snare"``, ``"Bass"``,
                ``"Piano"``, ``"Electric Guitar"``, ``"Acoustic Guitar"``, ``"Strings"``,
                ``"Synth"``. It is sent as given.

        Returns:
            The task; its ``result`` has the part under its short name (``"drum_kit"``) and
            the rest of the track under ``"without_<name>"`` when Suno gives both.

        Raises:
            ValidationError: An empty stem, a URL, or not a Suno track with its task id.
        """
        name = clean_text(stem)
        if name is None:
            msg = (
                "stem must name the part to extract, as Suno spells it, e.g. 'Lead Vocal', "
                "'Drum Kit', 'Bass' or 'Piano'"
            )
            raise ValidationError(msg, field="stem")
        body = {"type": "split_stem_advanced", "stemName": name}
        return self._separation("isolate_stem", source, body, stem=name)

    def separation_status(self, task_id: str, *, stem: str | None = None) -> Operation[Task[Stems]]:
        """Read a separation task (``GET /api/v1/vocal-removal/record-info``).

        Args:
            task_id: The separation task's id.
            stem: The part an ``isolate_stem`` task extracts, naming its parts when the record
                does not.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[Stems]:
            from ._suno_task_wire import read_separation

            return read_separation(data, task_id=task_id, raw=raw, stem=stem)

        def again(separation_id: str) -> Operation[Task[Stems]]:
            return self.separation_status(separation_id, stem=stem)

        return self.task_read(
            "separation_status", "/vocal-removal/record-info", task_id, read, again, Task[Stems]
        )

    def _separation(
        self,
        name: str,
        source: object,
        extra: Mapping[str, str],
        *,
        stem: str | None,
    ) -> Operation[Task[Stems]]:
        task_id, track = self._own_track(
            source,
            "source",
            "stem separation",
            url_hint=(
                "Suno separates only the tracks it generated: restyle the file with "
                "upload_cover first and separate that, or use provider='mureka', which "
                "separates any audio"
            ),
        )

        def read(separation_id: str) -> Operation[Task[Stems]]:
            return self.separation_status(separation_id, stem=stem)

        body = {
            "taskId": task_id,
            "audioId": track.id,
            **extra,
            "callBackUrl": self.callback(family="vocal_removal"),
        }
        return self.task_operation(
            name, "/vocal-removal/generate", body, read, _queued("stems"), result_type=Task[Stems]
        )

    # -- MIDI ----------------------------------------------------------------------------------

    def midi(
        self, separation_task_id: Task[Stems] | str, *, audio_id: str | None = None
    ) -> Operation[Task[Midi]]:
        """Transcribe the notes of a finished separation (``POST /api/v1/midi/generate``, a task
        polled with ``midi_status``).

        Free per the kie docs, but it starts a task: it is treated as paid, so it is journalled
        and never sent twice by accident.

        Args:
            separation_task_id: A finished ``separate``/``isolate_stem`` task, or its id (not a
                music task).
            audio_id: One separated track's id (from the separation record's ``originData``);
                None transcribes every part.

        Returns:
            The task; its ``result`` is the ``Midi`` notes (may be empty after a ``"stems"``
            separation, Suno warns).

        Raises:
            ValidationError: An empty id, or a task that is not a separation.
        """
        if isinstance(separation_task_id, Generation):
            msg = (
                "separation_task_id must be a separation task (what separate() returns), not "
                "a music task: separate the track first, then transcribe the separation"
            )
            raise ValidationError(msg, field="separation_task_id")
        if isinstance(separation_task_id, Task):
            if separation_task_id.kind != "stems":
                msg = (
                    "separation_task_id must be a separation task (what separate() returns), "
                    f"got a {separation_task_id.kind!r} task"
                )
                raise ValidationError(msg, field="separation_task_id")
            separation_task_id = separation_task_id.task_id
        task_id = self.check_task_id(separation_task_id, "separation_task_id")
        body: dict[str, Any] = {"taskId": task_id, "callBackUrl": self.callback(family="midi")}
        if audio_id is not None:
            part = clean_text(audio_id)
            if part is None:
                msg = "audio_id is empty: pass a separated track's id, or None for every part"
                raise ValidationError(msg, field="audio_id")
            body["audioId"] = part
        # Free, yet paid=True: it starts a task, and a duplicate is wasted work on both sides;
        # paid operations are journalled (a re-run resumes it) and never blindly resent.
        return self.task_operation(
            "midi",
            "/midi/generate",
            body,
            self.midi_status,
            _queued("midi", "0"),
            result_type=Task[Midi],
        )

    def midi_status(self, task_id: str) -> Operation[Task[Midi]]:
        """Read a MIDI task (``GET /api/v1/midi/record-info``).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[Midi]:
            from ._suno_task_wire import read_midi

            return read_midi(data, task_id=task_id, raw=raw)

        return self.task_read(
            "midi_status", "/midi/record-info", task_id, read, self.midi_status, Task[Midi]
        )

    # -- video ---------------------------------------------------------------------------------

    def music_video(
        self,
        track: Track | Generation,
        *,
        author: str | None = None,
        domain_name: str | None = None,
    ) -> Operation[Task[Video]]:
        """Render a music video of a generated track (``POST /api/v1/mp4/generate``, a task
        polled with ``video_status``).

        Paid: 2 credits (third-party price list).

        Args:
            track: A track from ``generate`` (or its ``Generation``: the first track), with its
                music task's id.
            author: Shown at the start of the video; at most 50 characters.
            domain_name: A watermark at the bottom; at most 50 characters.

        Returns:
            The task; its ``result`` is the ``Video``.

        Raises:
            ValidationError: Text over 50 characters, or not a Suno track with its task id.
        """
        task_id, source = self._own_track(track, "track", "music video")
        body: dict[str, Any] = {
            "taskId": task_id,
            "audioId": source.id,
            "callBackUrl": self.callback(family="mp4"),
        }
        for field, wire, value in (
            ("author", "author", author),
            ("domain_name", "domainName", domain_name),
        ):
            if value is None:
                continue
            if not isinstance(value, str):
                msg = f"{field} must be a string of at most {VIDEO_TEXT_LIMIT} characters"
                raise ValidationError(msg, field=field)
            text = clean_text(value)
            if text is None:
                continue
            if len(text) > VIDEO_TEXT_LIMIT:
                msg = (
                    f"{field} is {len(text)} characters; Suno shows at most "
                    f"{VIDEO_TEXT_LIMIT}: shorten it"
                )
                raise ValidationError(msg, field=field)
            body[wire] = text
        return self.task_operation(
            "music_video",
            "/mp4/generate",
            body,
            self.video_status,
            _queued("video"),
            result_type=Task[Video],
        )

    def video_status(self, task_id: str) -> Operation[Task[Video]]:
        """Read a music-video task (``GET /api/v1/mp4/record-info``).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[Video]:
            from ._suno_task_wire import read_video

            return read_video(data, task_id=task_id, raw=raw)

        return self.task_read(
            "video_status", "/mp4/record-info", task_id, read, self.video_status, Task[Video]
        )

    # -- cover art -----------------------------------------------------------------------------

    def cover_art(self, task: Generation | Track | str) -> Operation[Task[CoverArt]]:
        """Make cover images for a music task (``POST /api/v1/suno/cover/generate``, a task
        polled with ``cover_art_status``). Usually two PNG images.

        Free per third-party price lists, but it starts a task: treated as paid (journalled,
        never sent twice). Suno makes cover art once per music task; a repeat is refused with
        a ``BadRequestError`` naming the existing cover task.

        Args:
            task: The music task: a ``Generation``, one of its tracks, or its task id.

        Returns:
            The task; its ``result`` is the ``CoverArt`` (image URLs).

        Raises:
            ValidationError: No music task id.
        """
        if isinstance(task, Generation):
            music_task_id: object = task.task_id
        elif isinstance(task, Track):
            music_task_id = task.task_id
        else:
            music_task_id = task
        if _is_url(music_task_id):
            msg = "task must be a Suno music task (a Generation or its id), not a URL"
            raise ValidationError(msg, field="task")
        task_id = self.check_task_id(music_task_id, "task")
        operation = self.task_operation(
            "cover_art",
            "/suno/cover/generate",
            {"taskId": task_id, "callBackUrl": self.callback(family="cover_art")},
            self.cover_art_status,
            _queued("cover_art", "0"),
            result_type=Task[CoverArt],
        )
        return self._explained(operation, self._cover_exists)

    def cover_art_status(self, task_id: str) -> Operation[Task[CoverArt]]:
        """Read a cover-art task (``GET /api/v1/suno/cover/record-info``).

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)

        def read(data: Any, raw: Mapping[str, Any]) -> Task[CoverArt]:
            from ._suno_task_wire import read_cover_art

            return read_cover_art(data, task_id=task_id, raw=raw)

        return self.task_read(
            "cover_art_status",
            "/suno/cover/record-info",
            task_id,
            read,
            self.cover_art_status,
            Task[CoverArt],
        )

    # -- shared --------------------------------------------------------------------------------

    def _own_track(
        self, value: object, field: str, what: str, *, url_hint: str | None = None
    ) -> tuple[str, Track]:
        """The music task id and the track of a track Suno generated.

        Raises:
            ValidationError: A URL, a bare track id, or a track without its task id.
        """
        if _is_url(value):
            hint = url_hint or f"Suno's {what} works only on tracks Suno generated"
            msg = f"{field} is a URL: {hint}"
            raise ValidationError(msg, field=field)
        track = track_of(value, field)
        if track.task_id is None and isinstance(value, Generation):
            track = attrs.evolve(track, task_id=value.task_id)
        if not track.task_id:
            msg = (
                f"{field}: Suno's {what} needs the music task's id as well as the track id; "
                "pass the Track or Generation that generate returned, or "
                "Track(id=<audioId>, task_id=<taskId>)"
            )
            raise ValidationError(msg, field=field)
        return track.task_id, track

    def _explained(
        self,
        operation: Operation[T],
        explain: Callable[[BadRequestError], str | None],
    ) -> Operation[T]:
        """``operation`` whose ``BadRequestError`` refusals get a clearer message from
        ``explain`` (None keeps the provider's)."""
        parse = operation.parse

        def explained(response: httpx.Response) -> T:
            try:
                return parse(response)
            except BadRequestError as error:
                message = explain(error)
                if message is None:
                    raise
                raise type(error)(
                    self.redact(message),
                    provider=error.provider,
                    status_code=error.status_code,
                    code=error.code,
                    request_id=error.request_id,
                    retry_after=error.retry_after,
                    body=error.body,
                ) from None

        return attrs.evolve(operation, parse=explained)

    @staticmethod
    def _wav_exists(error: BadRequestError) -> str | None:
        if 409 not in (error.code, error.status_code):
            return None
        return (
            f"{error.message}: Suno keeps one WAV per track and this track has one already; "
            "read the earlier convert task with wav_status(<its task id>) (a client with a "
            "cache resumes an identical convert call by itself)"
        )

    @staticmethod
    def _cover_exists(error: BadRequestError) -> str | None:
        from ._suno_task_wire import read_existing_task_id

        body = error.body
        existing = read_existing_task_id(body.get("data")) if isinstance(body, Mapping) else None
        if existing is not None:
            return (
                f"{error.message}: Suno makes cover art once per music task, and task "
                f"{existing} has it already; read it with cover_art_status({existing!r})"
            )
        if 409 in (error.code, error.status_code) or "already" in error.message.lower():
            return (
                f"{error.message}: Suno makes cover art once per music task, and this one has "
                "it already; read the earlier cover_art task with cover_art_status(<its id>)"
            )
        return None
