"""Exit codes by error kind, and the one or two lines an error is reported in."""

from __future__ import annotations

import enum
import json
import re
import sys
import traceback
from typing import TYPE_CHECKING, Any

import attrs
import click

from .._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    GenerationFailedError,
    GenerationTimeoutError,
    MusicGenError,
    PermissionDeniedError,
    SubmissionUncertainError,
    UnknownModelError,
    ValidationError,
)

if TYPE_CHECKING:
    from ._runtime import State

__all__ = [
    "EXIT_CODES_HELP",
    "CliError",
    "ExitCode",
    "Report",
    "exit_code_for",
    "failed",
    "interrupted",
    "interrupted_task",
    "report_for",
]


class ExitCode(enum.IntEnum):
    """What the process exit status says (documented in ``docs/cli.md`` and ``--help``)."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    CONFIGURATION = 3
    REFUSED = 4
    FAILED = 5
    TIMED_OUT = 6
    UNCERTAIN = 7
    INTERRUPTED = 130


#: The exit codes as the group's ``--help`` shows them (``\b`` keeps click from rewrapping).
EXIT_CODES_HELP = """\b
Exit codes:
  0    done
  1    unexpected error (a bug, or a file that cannot be written)
  2    bad usage or input (checked before anything is sent or paid)
  3    configuration or authentication (no API key, a key refused)
  4    the provider refused or could not be reached (credits, rate
       limit, content policy, unknown task, server or network error)
  5    the task ran and failed
  6    not finished: the deadline passed (resume with musicgen wait)
  7    uncertain submission: a task may exist and be paid for
  130  interrupted (Ctrl-C); a submitted task can be resumed"""


class CliError(Exception):
    """An error of the command line's own, with its exit code and an optional hint line."""

    def __init__(self, message: str, code: ExitCode, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of ``error``: the first matching kind, most specific first."""
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, CliError):
        return error.code
    if isinstance(error, SubmissionUncertainError):  # before APIError: it is one too
        return ExitCode.UNCERTAIN
    if isinstance(error, ValidationError):
        return ExitCode.USAGE
    if isinstance(error, (ConfigurationError, AuthenticationError, PermissionDeniedError)):
        return ExitCode.CONFIGURATION
    if isinstance(error, GenerationFailedError):
        return ExitCode.FAILED
    if isinstance(error, GenerationTimeoutError):
        return ExitCode.TIMED_OUT
    if isinstance(error, (APIError, APIConnectionError)):
        return ExitCode.REFUSED
    return ExitCode.UNEXPECTED


@attrs.frozen
class Report:
    """How an error is told: one line, perhaps a second with what to do."""

    code: ExitCode
    message: str
    hint: str | None = None
    task_id: str | None = None
    provider: str | None = None


def report_for(error: BaseException, resume: str) -> Report:
    """The report of ``error``; ``resume`` is the command's flags that reach the same provider
    again (``--provider suno``, ``--emulator-url ...``), for the ``musicgen wait`` hint."""
    code = exit_code_for(error)
    if isinstance(error, CliError):
        return Report(code, error.message, error.hint)
    name = type(error).__name__
    if not isinstance(error, MusicGenError):
        text = str(error) or name
        if isinstance(error, OSError):
            return Report(code, text)
        return Report(
            code, f"unexpected {name}: {text}", "run again with --debug for the traceback"
        )
    task_id = error.task_id
    provider = getattr(error, "provider", None)
    provider = provider if isinstance(provider, str) else None
    message = f"{name}: {error.message}"
    hint: str | None = None
    if isinstance(error, GenerationFailedError):
        reason = getattr(error.generation, "error", None) or error.generation.provider_status
        message = f"{error.provider} task {error.task_id} failed: {reason}"
    elif isinstance(error, GenerationTimeoutError):
        message = (
            f"{error.provider} task {error.task_id} is not finished yet (the deadline passed); "
            "it may still finish"
        )
        hint = f"resume it with: musicgen wait {error.task_id} --provider {error.provider}{resume}"
    elif isinstance(error, SubmissionUncertainError):
        hint = (
            "the task may exist and be paid for: check `musicgen history` or the provider's "
            "dashboard before running this again"
        )
    elif isinstance(error, UnknownModelError):
        message = f"unknown {error.provider} model {error.model!r}; valid: {', '.join(error.valid)}"
        hint = f"`musicgen models --provider {error.provider}` lists them with their aliases"
    elif isinstance(error, ConfigurationError) and "API key" in error.message:
        hint = "set the provider's key in the environment, or try it offline with --emulator"
    return Report(code, message, hint, task_id, provider)


# The note the SDK adds to an interrupt while it waits on a paid task (see _core._resume_note).
_NOTE = re.compile(r"musicgen: (?P<provider>\S+) task (?P<task>\S+) was already submitted")


def interrupted_task(error: BaseException) -> tuple[str, str] | None:
    """``(provider, task id)`` from the PEP 678 note the SDK put on an interrupt, if any."""
    for note in getattr(error, "__notes__", None) or ():
        found = _NOTE.search(str(note))
        if found:
            return found["provider"], found["task"]
    return None


# Commands whose task ``musicgen wait`` cannot follow (it reads music tasks): their paid task
# is resumed by running the same command again, through the cache's journal.
_RERUN_TO_RESUME = frozenset({"stems", "lyrics"})


def failed(state: State, error: BaseException) -> int:
    """Report ``error`` (the traceback first with ``--debug``) and return its exit code."""
    settings = state.settings
    report = report_for(error, settings.resume_flags(None))
    if settings.debug:
        traceback.print_exception(error)
    if settings.json:
        fields: dict[str, Any] = {"exit_code": int(report.code), "message": report.message}
        if report.task_id:
            fields.update(task_id=report.task_id, provider=report.provider)
        if report.hint:
            fields["hint"] = report.hint
        sys.stdout.write(json.dumps({"error": fields}, indent=2) + "\n")
        sys.stdout.flush()
    click.echo(f"Error: {report.message}", err=True)
    if report.hint:
        click.echo(f"Hint: {report.hint}", err=True)
    return int(report.code)


def interrupted(state: State, interrupt: BaseException) -> int:
    """Tell what a Ctrl-C left behind (the task, and the command that resumes it); 130."""
    settings = state.settings
    task = interrupted_task(interrupt)
    waiting = task is not None
    task = task or state.task
    if settings.debug:
        traceback.print_exception(interrupt)
    if task is None:
        click.echo("Interrupted.", err=True)
        return ExitCode.INTERRUPTED
    provider, task_id = task
    resume = settings.resume_flags(provider)
    if not waiting and state.phase == "download":
        click.echo(
            f"Interrupted while downloading {provider} task {task_id}; finish with:", err=True
        )
        click.echo(f"  musicgen download {task_id}{resume}", err=True)
    elif state.command in _RERUN_TO_RESUME:
        kept = (
            "nothing journalled it (--no-cache)"
            if settings.no_cache
            else "run the same command again to resume it (the cache's journal keeps it)"
        )
        click.echo(
            f"Interrupted. {provider} task {task_id} was submitted (and paid for) and runs on; "
            f"{kept}",
            err=True,
        )
    else:
        click.echo(
            f"Interrupted. {provider} task {task_id} was submitted (and paid for) and runs on; "
            "resume it with:",
            err=True,
        )
        click.echo(f"  musicgen wait {task_id}{resume}", err=True)
    if settings.emulator:
        click.echo(
            "(--emulator's tasks end with this process: `musicgen emulator serve` and "
            "--emulator-url keep them across commands)",
            err=True,
        )
    return ExitCode.INTERRUPTED
