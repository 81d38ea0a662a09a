"""Errors: one or two lines on stderr (the traceback only with --debug) and an exit code per
kind, as `musicgen --help` and docs/cli.md document them."""

from __future__ import annotations

from musicgen.testing import Emulator, EmulatorServer, Fault

from .conftest import Cli


def against(server: EmulatorServer, *more: str) -> tuple[str, ...]:
    return ("--emulator-url", server.url, "--no-cache", *more)


def test_an_unknown_option_is_a_usage_error(cli: Cli) -> None:
    run = cli("generate", "rain", "--emulator", "--colour")

    assert run.code == 2
    assert "No such option '--colour'" in run.stderr


def test_input_refused_before_sending_is_a_usage_error(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    run = cli("generate", "x" * 501, *against(server))

    assert run.code == 2
    assert run.stderr.startswith("Error: ValidationError: prompt is 501 characters")
    assert emulator.submissions() == 0


def test_an_unknown_model_is_a_usage_error_naming_the_valid_ones(
    cli: Cli, server: EmulatorServer
) -> None:
    run = cli("generate", "rain", "--model", "v9", *against(server))

    assert run.code == 2
    assert run.stderr.splitlines() == [
        "Error: unknown suno model 'v9'; valid: V5_5, V5, V4_5PLUS, V4_5ALL, V4_5, V4, V3_5",
        "Hint: `musicgen models --provider suno` lists them with their aliases",
    ]


def test_no_api_key_is_a_configuration_error(cli: Cli) -> None:
    run = cli("generate", "rain")

    assert run.code == 3
    lines = run.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Error: ConfigurationError: no provider is configured")
    assert lines[1] == (
        "Hint: set the provider's key in the environment, or try it offline with --emulator"
    )


def test_a_refused_key_is_a_configuration_error(cli: Cli) -> None:
    with EmulatorServer(Emulator(suno_api_key="the-real-key")) as server:
        run = cli("balance", "--provider", "suno", *against(server))

    assert run.code == 3
    assert run.stderr.startswith("Error: AuthenticationError: ")


def test_no_credits_left_is_a_refusal(cli: Cli, server: EmulatorServer, emulator: Emulator) -> None:
    emulator.suno_credits = 0

    run = cli("generate", "rain", *against(server))

    assert run.code == 4
    assert run.stderr.startswith("Error: InsufficientCreditsError: ")


def test_an_unknown_task_is_a_refusal(cli: Cli, server: EmulatorServer) -> None:
    run = cli("status", "no-such-task", "--provider", "suno", *against(server))

    assert run.code == 4
    assert run.stderr.startswith("Error: NotFoundError: ")


def test_a_failed_task_exits_5_and_names_it(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED", reason="no audio")

    run = cli("generate", "rain", *against(server))

    assert run.code == 5
    (task_id,) = emulator.tasks
    assert run.stderr.splitlines() == [
        f"Error: suno task {task_id} failed: no audio (errorCode 500)"
    ]


def test_a_deadline_that_passes_exits_6_with_the_resume_command(cli: Cli) -> None:
    with EmulatorServer(Emulator(polls_per_stage=1000)) as server:
        run = cli("generate", "rain", "--timeout", "0.5", *against(server))
        (task_id,) = server.emulator.tasks
        url = server.url

    assert run.code == 6
    assert run.stderr.splitlines()[1] == (
        f"Hint: resume it with: musicgen wait {task_id} --provider suno --emulator-url {url}"
    )


def test_an_uncertain_submission_exits_7(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.inject(Fault("drop", operation="submit"))

    run = cli("generate", "rain", *against(server))

    assert run.code == 7
    assert emulator.submissions("suno") == 1  # the task exists: never submitted again
    assert "the task may exist and be paid for" in run.stderr


def test_errors_fit_in_two_lines_and_debug_adds_the_traceback(
    cli: Cli, server: EmulatorServer
) -> None:
    quiet = cli("status", "no-such-task", "-p", "suno", *against(server))
    loud = cli("status", "no-such-task", "-p", "suno", *against(server), "--debug")

    assert len(quiet.stderr.splitlines()) <= 2
    assert "Traceback (most recent call last)" not in quiet.stderr
    assert loud.code == quiet.code == 4
    assert loud.stderr.startswith("Traceback (most recent call last)")
    assert loud.stderr.endswith(quiet.stderr)


def test_errors_with_json_are_json_on_stdout_too(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED", reason="no audio")

    run = cli("generate", "rain", "--json", *against(server))

    (task_id,) = emulator.tasks
    assert run.code == 5
    assert run.json() == {
        "error": {
            "exit_code": 5,
            "message": f"suno task {task_id} failed: no audio (errorCode 500)",
            "task_id": task_id,
            "provider": "suno",
        }
    }
