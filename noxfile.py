"""Developer tasks: `nox -s tests`, `nox -s lint`, `nox -s typing`, `nox -s examples`,
`nox -s bench`."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typing", "examples"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", ".[test,sentry,cli]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, over everything."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "examples", "noxfile.py")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict over the package."""
    session.install("-e", ".[sentry,cli]", "mypy")
    session.run("mypy", "--strict", "src")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every example against the built-in emulator."""
    session.install("-e", ".[sentry]")
    for example in sorted(Path("examples").glob("*.py")):
        session.run("python", str(example), env={"MUSICGEN_OUTPUT": session.create_tmp()})


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: SDK vs hand-written httpx, side by side; writes benchmarks/results.json."""
    session.install("-e", ".[sentry]")
    session.run("python", "-m", "benchmarks", *session.posargs)
