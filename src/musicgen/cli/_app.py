"""The ``musicgen`` commands (click), and ``run``: exit codes, error lines, Ctrl-C."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.table import Table
from rich.text import Text

from .._errors import NotFoundError
from .._models import Generation, TaskStatus, Track
from .._version import __version__
from ..observability._events import Event
from . import _callbacks
from ._exit import EXIT_CODES_HELP, CliError, ExitCode, failed, interrupted
from ._history import history_rows
from ._runtime import Session, Settings, State, open_session
from ._views import Output, generation_json, status_text

__all__ = ["cli", "run"]

F = TypeVar("F", bound=Callable[..., Any])

#: The running command's state, read by ``run`` when it fails or is interrupted.
STATE = State()

DEFAULT_OUTPUT = Path("musicgen-output")
FORMATS = ("mp3", "wav", "flac")


# -- options every command shares ----------------------------------------------------------------


def _common() -> Callable[[F], F]:
    """Add the shared options; the command receives them as one ``settings`` argument."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            settings = Settings(
                emulator=kwargs.pop("emulator"),
                emulator_url=kwargs.pop("emulator_url"),
                cache=kwargs.pop("cache"),
                no_cache=kwargs.pop("no_cache"),
                json=kwargs.pop("json_mode"),
                debug=kwargs.pop("debug") or STATE.settings.debug,
            )
            if settings.emulator and settings.emulator_url:
                msg = "--emulator runs one in this process; --emulator-url uses a running one"
                raise click.UsageError(f"{msg}: pass only one of them")
            STATE.settings = settings
            STATE.command = click.get_current_context().info_name or ""
            return command(settings, *args, **kwargs)

        options = [
            click.option(
                "--json",
                "json_mode",
                is_flag=True,
                help="Print machine-readable JSON on stdout, and no progress.",
            ),
            click.option(
                "--emulator",
                is_flag=True,
                help="Run against the built-in emulator in this process (no key, no network).",
            ),
            click.option(
                "--emulator-url",
                metavar="URL",
                envvar="MUSICGEN_EMULATOR_URL",
                help="Run against a running `musicgen emulator serve` "
                "[env: MUSICGEN_EMULATOR_URL].",
            ),
            click.option(
                "--cache",
                type=click.Path(dir_okay=False, path_type=Path),
                help="The cache file (default: $MUSICGEN_CACHE, else "
                "~/.cache/musicgen/cache.sqlite3; emulated runs: in memory).",
            ),
            click.option("--no-cache", is_flag=True, help="Use no cache: nothing is resumed."),
            click.option(
                "--debug",
                is_flag=True,
                envvar="MUSICGEN_DEBUG",
                help="Print the full traceback of an error [env: MUSICGEN_DEBUG].",
            ),
        ]
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


_provider_option = click.option(
    "--provider",
    "-p",
    metavar="NAME",
    help="suno or mureka (default: the first whose API key is set).",
)
_output_option = click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="The directory files are written to.",
)
_format_option = click.option(
    "--format",
    "audio_format",
    type=click.Choice(FORMATS),
    default="mp3",
    show_default=True,
    help="Which audio to download (Mureka has wav and flac; Suno mp3).",
)
_no_download_option = click.option(
    "--no-download", is_flag=True, help="Print the URLs instead of downloading."
)
_timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Overall deadline (default 600); past it the task runs on (exit 6: resume it).",
)
_until_option = click.option(
    "--until",
    type=click.Choice(("done", "stream")),
    default="done",
    show_default=True,
    help="stream: return as soon as a playable stream URL exists.",
)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        STATE.settings.debug = True


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "--version", "-V", prog_name="musicgen")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Print the full traceback of an error (also after a command).",
)
def cli() -> None:
    """Generate music with sunoapi.org (Suno) and Mureka.

    API keys come from the environment (MUSICGEN_SUNO_API_KEY or SUNO_API_KEY,
    MUSICGEN_MUREKA_API_KEY or MUREKA_API_KEY). Add --emulator to any command to try it
    offline, without a key. A cache journals every paid task, so running a command again
    resumes it instead of paying twice.

    \b
    Examples:
      musicgen generate "a calm lo-fi beat" --emulator
      musicgen generate --lyrics song.txt --style "synthwave" --title "Neon" -p suno
      musicgen wait TASK_ID --provider suno
    """


# -- generate, wait, status, download ------------------------------------------------------------


@cli.command()
@click.argument("prompt", required=False)
@click.option(
    "--lyrics",
    "lyrics_file",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="The words to sing, from FILE (- reads stdin).",
)
@click.option("--style", help="Style tags (Suno custom mode; Mureka adds them to the prompt).")
@click.option("--title", help="The title (Suno custom mode).")
@click.option("--instrumental", is_flag=True, help="No vocals.")
@_provider_option
@click.option("--model", "-m", help="A model id or alias (see `musicgen models`).")
@_output_option
@_format_option
@click.option("--no-wait", is_flag=True, help="Submit, print the task id and return.")
@_until_option
@_timeout_option
@_no_download_option
@click.option("--fresh", is_flag=True, help="A new take, even if an identical request was made.")
@_common()
def generate(
    settings: Settings,
    prompt: str | None,
    lyrics_file: IO[str] | None,
    style: str | None,
    title: str | None,
    instrumental: bool,
    provider: str | None,
    model: str | None,
    output: Path,
    audio_format: str,
    no_wait: bool,
    until: str,
    timeout: float | None,
    no_download: bool,
    fresh: bool,
) -> None:
    """Generate music from PROMPT (and/or --lyrics, --style, --title), then download it.

    Shows the task's live progress on a terminal (status, elapsed time, polls and the stream
    URL as soon as there is one), then writes the tracks into --output with a byte progress
    bar. Ctrl-C leaves the task running and prints the command that resumes it.
    """
    out = Output(json_mode=settings.json)
    lyrics = lyrics_file.read() if lyrics_file is not None else None
    fields: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "lyrics": lyrics,
        "style": style,
        "title": title,
        "instrumental": instrumental,
        "timeout": timeout,
        "fresh": fresh,
    }
    with _session(settings) as session:
        if no_wait:
            submitted = session.client.submit(prompt, **fields)
            _show_submitted(out, settings, submitted)
            return
        with out.waiting(STATE, "submitting") as view:
            generation = session.client.generate(
                prompt, **fields, on_progress=view.update, until=until
            )
        _tell_reuse(out, generation)
        _finish(out, session, generation, output, audio_format, no_download)


@cli.command()
@click.argument("task_id")
@_provider_option
@_output_option
@_format_option
@_until_option
@_timeout_option
@_no_download_option
@_common()
def wait(
    settings: Settings,
    task_id: str,
    provider: str | None,
    output: Path,
    audio_format: str,
    until: str,
    timeout: float | None,
    no_download: bool,
) -> None:
    """Wait for TASK_ID to finish (e.g. after Ctrl-C or a timeout), then download it."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session:
        provider = session.provider_for(task_id, provider)
        STATE.task = (provider or session.client.default_provider, task_id)
        with out.waiting(STATE, f"waiting for {task_id}") as view:
            generation = session.client.wait(
                task_id, provider=provider, timeout=timeout, on_progress=view.update, until=until
            )
        _finish(out, session, generation, output, audio_format, no_download)


@cli.command()
@click.argument("task_id")
@_provider_option
@_common()
def status(settings: Settings, task_id: str, provider: str | None) -> None:
    """Read TASK_ID's status once (free; a finished task is answered from the cache)."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session:
        provider = session.provider_for(task_id, provider)
        with out.spinner(f"reading {task_id}"):
            generation = session.client.get(task_id, provider=provider)
    if out.json_mode:
        out.json(generation_json(generation))
        return
    _show_generation(out, generation)
    for track in generation.tracks:
        _show_track(out, track, None)
    if generation.error:
        out.line(Text("  error: ", "dim"), generation.error)


@cli.command()
@click.argument("source", metavar="TASK_ID|URL")
@_provider_option
@_output_option
@_format_option
@_common()
def download(
    settings: Settings, source: str, provider: str | None, output: Path, audio_format: str
) -> None:
    """Download the tracks of a finished task, or one file URL, into --output."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session:
        if _is_url(source):
            (path,) = out.downloads(
                session.meter,
                [(Path(source).name, lambda: session.client.download(source, output))],
            )
            if out.json_mode:
                out.json({"url": source, "file": str(path.absolute())})
            else:
                out.line(str(path))
            return
        provider = session.provider_for(source, provider)
        generation = session.client.get(source, provider=provider)
        _check_finished(settings, generation)
        _finish(out, session, generation, output, audio_format, no_download=False)


@cli.command()
@_provider_option
@_common()
def balance(settings: Settings, provider: str | None) -> None:
    """Show the credits (Suno) or balance (Mureka, US cents) left at each provider."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session:
        names = [provider] if provider else list(session.client.providers)
        with out.spinner("reading balances"):
            balances = [session.client.balance(name) for name in names]
    if out.json_mode:
        out.json([{"provider": b.provider, "amount": b.amount, "unit": b.unit} for b in balances])
        return
    table = Table("provider", "amount", "unit", box=None, pad_edge=False)
    for found in balances:
        table.add_row(found.provider, f"{found.amount:g}", found.unit)
    out.table(table)


@cli.command()
@_provider_option
@click.option("--json", "json_mode", is_flag=True, help="Print the catalog as JSON.")
def models(provider: str | None, json_mode: bool) -> None:
    """List each provider's models: ids, aliases, length limits and the default.

    No key is needed: this is the catalog musicgen validates --model against.
    """
    from .._models_catalog import catalog_for
    from ..providers._registry import registered_providers

    out = Output(json_mode=json_mode)
    names = [provider] if provider else list(registered_providers())
    catalogs = [catalog_for(name) for name in names]
    if json_mode:
        out.json(
            {
                catalog.provider: {
                    "default": catalog.default,
                    "models": [
                        {
                            "id": info.id,
                            "aliases": list(info.aliases),
                            "limits": dict(info.limits),
                            "retired": info.retired,
                            "unsupported": sorted(info.unsupported),
                            "description": info.description,
                        }
                        for info in (catalog.get(model) for model in catalog.ids)
                    ],
                }
                for catalog in catalogs
            }
        )
        return
    for catalog in catalogs:
        table = Table(
            "model",
            "aliases",
            "limits (characters)",
            "notes",
            title=f"{catalog.provider} (default {catalog.default})",
            title_justify="left",
            box=None,
            pad_edge=False,
        )
        for model_id in catalog.ids:
            info = catalog.get(model_id)
            notes = [info.description] if info.description else []
            if model_id == catalog.default:
                notes.insert(0, "default")
            if info.retired:
                notes.append("retired")
            if info.unsupported:
                notes.append(f"no {', '.join(sorted(info.unsupported))}")
            limits = ", ".join(f"{field} {limit}" for field, limit in info.limits.items())
            table.add_row(model_id, ", ".join(info.aliases), limits, "; ".join(notes))
        out.table(table)
        out.line("")


@cli.command()
@click.option(
    "--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True, help="Rows."
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The cache file (default: $MUSICGEN_CACHE, else ~/.cache/musicgen/cache.sqlite3).",
)
@click.option("--json", "json_mode", is_flag=True, help="Print the rows as JSON.")
def history(limit: int, cache: Path | None, json_mode: bool) -> None:
    """List recent paid tasks from the cache's journal, newest first, with their status.

    A task is "succeeded" once a finished result is cached, "unfinished" while none is (resume
    it with `musicgen wait`). Failed tasks leave the journal, so that the same request tries
    anew.
    """
    out = Output(json_mode=json_mode)
    rows = history_rows(cache, limit=limit)
    if json_mode:
        out.json([row.to_json() for row in rows])
        return
    if not rows:
        out.note("no tasks in the journal yet")
        return
    table = Table("submitted", "provider", "operation", box=None, pad_edge=False)
    table.add_column("task", no_wrap=True)
    table.add_column("status")
    table.add_column("title")
    for row in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.submitted_at))
        table.add_row(when, row.provider, row.operation, row.task_id, row.status, row.title or "")
    out.table(table)


# -- extend, lyrics, stems -------------------------------------------------------------------------


@cli.command()
@click.argument("source", metavar="TASK_ID|TRACK_ID")
@click.option(
    "--at",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Where the continuation starts (Mureka: 8 to 420).",
)
@click.option(
    "--lyrics",
    "lyrics_file",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="Lyrics of the new part, from FILE (- reads stdin).",
)
@click.option("--prompt", help="A description (Mureka).")
@click.option("--style", help="Style of the new part (Suno).")
@click.option("--title", help="Title of the new song (Suno).")
@_provider_option
@click.option("--model", "-m", help="The model (Suno: the source's own, the default).")
@_output_option
@_format_option
@_timeout_option
@_no_download_option
@click.option("--fresh", is_flag=True, help="A new take, even if an identical request was made.")
@_common()
def extend(
    settings: Settings,
    source: str,
    at: float | None,
    lyrics_file: IO[str] | None,
    prompt: str | None,
    style: str | None,
    title: str | None,
    provider: str | None,
    model: str | None,
    output: Path,
    audio_format: str,
    timeout: float | None,
    no_download: bool,
    fresh: bool,
) -> None:
    """Continue a track from --at seconds (a paid task), then download the new song.

    TASK_ID continues the first track of a finished task; pass a TRACK_ID (see `musicgen
    status`) for another one.
    """
    out = Output(json_mode=settings.json)
    lyrics = lyrics_file.read() if lyrics_file is not None else None
    with _session(settings) as session:
        track = _song(session, source, provider, allow_track_id=True)
        if isinstance(track, Generation):
            provider = provider or track.provider
        with out.spinner(f"extending {source}"):
            generation = session.client.extend(
                track,
                at=at,
                lyrics=lyrics,
                prompt=prompt,
                style=style,
                title=title,
                model=model,
                provider=provider,
                timeout=timeout,
                fresh=fresh,
            )
        _tell_reuse(out, generation)
        _finish(out, session, generation, output, audio_format, no_download)


@cli.command()
@click.argument("prompt")
@_provider_option
@_timeout_option
@_common()
def lyrics(settings: Settings, prompt: str, provider: str | None, timeout: float | None) -> None:
    """Write lyrics about PROMPT (paid; Suno writes two drafts, Mureka one)."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session, out.spinner("writing lyrics"):
        drafts = session.client.lyrics(prompt, provider=provider, timeout=timeout)
    if out.json_mode:
        out.json([{"title": draft.title, "text": draft.text} for draft in drafts])
        return
    for number, draft in enumerate(drafts, 1):
        if number > 1:
            out.line("")
        heading = f"# {draft.title}" if draft.title else f"# draft {number}"
        out.line(Text(heading, "bold"))
        out.line(draft.text)


@cli.command()
@click.argument("source", metavar="TASK_ID|URL")
@click.option(
    "--mode",
    type=click.Choice(("vocals", "stems")),
    default="vocals",
    show_default=True,
    help="vocals: vocals and instrumental; stems: every instrument.",
)
@_provider_option
@_output_option
@_timeout_option
@_no_download_option
@_common()
def stems(
    settings: Settings,
    source: str,
    mode: str,
    provider: str | None,
    output: Path,
    timeout: float | None,
    no_download: bool,
) -> None:
    """Split a finished task's first track (or, for Mureka, an audio URL) into parts (paid)."""
    out = Output(json_mode=settings.json)
    with _session(settings) as session:
        target = _song(session, source, provider, allow_track_id=False)
        if isinstance(target, Generation):
            provider = provider or target.provider
        with out.spinner(f"separating {source} ({mode})"):
            found = session.client.separate(target, mode=mode, provider=provider, timeout=timeout)
        urls = dict(found.parts)
        if found.zip_url:
            urls["zip"] = found.zip_url
        if found.midi_zip_url:
            urls["midi"] = found.midi_zip_url
        files: dict[str, Path] = {}
        if not no_download:
            output_dir = output / _safe_dir(source)
            items = [
                (name, functools.partial(session.client.download, url, output_dir))
                for name, url in urls.items()
            ]
            STATE.phase = "download"
            files = dict(zip(urls, out.downloads(session.meter, items), strict=True))
    if out.json_mode:
        out.json(
            {
                "parts": {
                    name: {"url": url, "file": _file(files.get(name))} for name, url in urls.items()
                },
                "expires_at": found.expires_at,
            }
        )
        return
    for name, url in urls.items():
        out.line(Text(f"{name}: ", "bold"), str(files.get(name, url)))


# -- emulator serve, callbacks serve -------------------------------------------------------------


@cli.group()
def emulator() -> None:
    """The built-in emulator of both APIs, on a real socket."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any."
)
@click.option(
    "--polls-per-stage",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Status reads per task stage (0: finished on the first read).",
)
@click.option(
    "--audio-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Length of every generated track.",
)
def emulator_serve(host: str, port: int, polls_per_stage: int, audio_seconds: float) -> None:
    """Serve the emulator until Ctrl-C; other commands reach it with --emulator-url URL.

    Prints the URL on the first line of stdout. Its tasks live as long as it runs, so a task
    started by one command can be waited on, or resumed, by another.
    """
    import signal

    from ..testing import Emulator, EmulatorServer

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    emulated = Emulator(polls_per_stage=polls_per_stage, audio_seconds=audio_seconds)
    signal.signal(signal.SIGTERM, stop)
    with EmulatorServer(emulated, host=host, port=port) as server:
        click.echo(server.url)
        sys.stdout.flush()
        click.echo(
            f"musicgen emulator running; use --emulator-url {server.url} "
            f"(or export MUSICGEN_EMULATOR_URL={server.url}); Ctrl-C stops it",
            err=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


_callbacks.register(cli)


# -- shared steps ----------------------------------------------------------------------------------


def _on_event(event: Event) -> None:
    """The client's hook: count status reads for the live view (a ``Progress`` comes only on
    a change), and note when the cache answered a paid request, so the command can say so."""
    if event.name == "poll":
        STATE.polls += 1
    elif event.name in ("cache.hit", "cache.resume") and event.task_id and event.provider:
        STATE.reused = (event.name, event.provider, event.task_id)


def _session(settings: Settings) -> AbstractContextManager[Session]:
    return open_session(settings, hooks=(_on_event,))


def _tell_reuse(out: Output, generation: Generation) -> None:
    reused = STATE.reused
    if reused is None or reused[2] != generation.task_id:
        return
    kind, provider, task_id = reused
    what = "resumed" if kind == "cache.resume" else "reused the result of"
    out.note(
        f"{what} {provider} task {task_id}, which an identical request started "
        "(the cache's journal keeps it); --fresh asks for a new take"
    )


def _show_submitted(out: Output, settings: Settings, generation: Generation) -> None:
    if out.json_mode:
        out.json(generation_json(generation))
        return
    out.line(generation.task_id)
    resume = settings.resume_flags(generation.provider)
    out.note(
        f"submitted {generation.provider} task {generation.task_id}; "
        f"wait for it with: musicgen wait {generation.task_id}{resume}"
    )


def _finish(
    out: Output,
    session: Session,
    generation: Generation,
    output: Path,
    audio_format: str,
    no_download: bool,
) -> None:
    """Download the tracks (unless streaming or told not to) and print the result."""
    STATE.task = (generation.provider, generation.task_id)
    streaming = generation.status is TaskStatus.STREAMING
    files: dict[str, Path] = {}
    if not streaming and not no_download and generation.tracks:
        STATE.phase = "download"
        items = [
            (
                track.title or track.id,
                functools.partial(session.client.download, track, output, format=audio_format),
            )
            for track in generation.tracks
        ]
        paths = out.downloads(session.meter, items)
        files = {track.id: path for track, path in zip(generation.tracks, paths, strict=True)}
    if out.json_mode:
        out.json(generation_json(generation, files))
        return
    _show_generation(out, generation)
    for track in generation.tracks:
        _show_track(out, track, files.get(track.id), stream=streaming)
    if streaming:
        resume = session.settings.resume_flags(generation.provider)
        out.note(
            f"still running; get the final files with: musicgen wait {generation.task_id}{resume}"
        )


def _show_generation(out: Output, generation: Generation) -> None:
    tracks = len(generation.tracks)
    out.line(
        Text(f"{generation.provider} task {generation.task_id} ", "bold"),
        status_text(generation.status),
        Text(
            f" ({generation.provider_status}) · model {generation.model or '?'} · "
            f"{tracks} track{'s' if tracks != 1 else ''}",
            "dim",
        ),
    )


def _show_track(out: Output, track: Track, path: Path | None, *, stream: bool = False) -> None:
    length = f" ({track.duration:g}s)" if track.duration else ""
    where = str(path) if path is not None else (track.stream_url if stream else track.audio_url)
    out.line(
        "  ", Text(f"{track.title or track.id}{length}", "bold"), "  ", where or "(no URL yet)"
    )


def _check_finished(settings: Settings, generation: Generation) -> None:
    if generation.status is TaskStatus.SUCCEEDED:
        return
    if generation.status.is_failure:
        reason = generation.error or generation.provider_status
        msg = f"{generation.provider} task {generation.task_id} failed: {reason}"
        raise CliError(msg, ExitCode.FAILED)
    resume = settings.resume_flags(generation.provider)
    msg = (
        f"{generation.provider} task {generation.task_id} is not finished yet "
        f"({generation.status.value})"
    )
    hint = f"wait for it and download with: musicgen wait {generation.task_id}{resume}"
    raise CliError(msg, ExitCode.TIMED_OUT, hint)


def _song(
    session: Session, source: str, provider: str | None, *, allow_track_id: bool
) -> Generation | str:
    """What ``source`` names: a finished task (its generation), else a track id or a URL."""
    if _is_url(source):
        return source
    provider = session.provider_for(source, provider)
    try:
        generation = session.client.get(source, provider=provider)
    except NotFoundError:
        if allow_track_id:
            return source  # not a task: the provider takes it as a track id
        raise
    _check_finished(session.settings, generation)
    return generation


def _file(path: Path | None) -> str | None:
    return None if path is None else str(path.absolute())


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _safe_dir(name: str) -> str:
    from .._download import safe_name

    return safe_name(name.rstrip("/").rsplit("/", 1)[-1] or "stems")


# -- running: exit codes, error lines, Ctrl-C ------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (see ``EXIT_CODES_HELP``)."""
    global STATE
    STATE = State()
    if os.environ.get("MUSICGEN_DEBUG"):
        STATE.settings.debug = True
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="musicgen",
            standalone_mode=False,
        )
    except click.exceptions.Abort as abort:
        # click turns a Ctrl-C into Abort; the interrupt (and the SDK's note) is its cause.
        cause = abort.__cause__ or abort.__context__
        interrupt = cause if isinstance(cause, KeyboardInterrupt) else KeyboardInterrupt()
        return interrupted(STATE, interrupt)
    except KeyboardInterrupt as interrupt:
        return interrupted(STATE, interrupt)
    except BrokenPipeError:
        # The reader went away (`musicgen history | head -1`): stop quietly, and keep Python
        # from reporting the same broken pipe again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.UNEXPECTED
    except click.ClickException as error:
        error.show()
        return ExitCode.USAGE if isinstance(error, click.UsageError) else error.exit_code
    except Exception as error:  # noqa: BLE001 - every failure becomes its lines and exit code
        return failed(STATE, error)
    return int(result) if isinstance(result, int) else ExitCode.OK
