"""Developer tasks: `nox -s tests`, `lint`, `typing`, `examples`, `docs`, `package`, `bench`.

`nox -s tests` runs the suite on every Python version the classifiers in pyproject.toml name
that is installed here (on PATH, or under pyenv's versions even when pyenv does not expose it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typing", "examples", "docs", "package"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
CLASSIFIER_PYTHONS = nox.project.python_versions(PYPROJECT)


def _expose_pyenv_versions() -> None:
    """Put pyenv's installed interpreters on PATH: its shims only run the active versions."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    bins = [str(path) for path in sorted(root.glob("*/bin")) if not path.parent.is_symlink()]
    if bins:
        os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


def _runs(version: str) -> bool:
    interpreter = shutil.which(f"python{version}")
    if interpreter is None:
        return False
    done = subprocess.run([interpreter, "-c", "pass"], capture_output=True, check=False)  # noqa: S603
    return done.returncode == 0


_expose_pyenv_versions()
PYTHONS = [version for version in CLASSIFIER_PYTHONS if _runs(version)] or None


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (on each classifier Python that is installed)."""
    session.install("-e", ".[test,sentry,callbacks,cli,redis]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check, over everything."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "examples", "docs/hooks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "examples", "docs/hooks", "noxfile.py")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict over the package, the tests (tests/typing is user code) and the examples."""
    session.install("-e", ".[test,sentry,callbacks,cli,redis]", "mypy")
    session.run("mypy", "--strict", "src", "tests", "examples")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every example against the built-in emulator."""
    session.install("-e", ".[sentry]")
    for example in sorted(Path("examples").glob("*.py")):
        session.run("python", str(example), env={"MUSICGEN_OUTPUT": session.create_tmp()})


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ (strict: a broken reference or link fails)."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and wheel, install the wheel in a fresh venv and check what it ships."""
    session.install("build", "-e", ".[test]")  # pytest reads the ini, which names musicgen
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    env = {"MUSICGEN_DIST": str(dist)}
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/packaging", env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: SDK vs hand-written httpx, side by side; writes benchmarks/results.json.

    suno-easy, a peer client measured beside musicgen, is installed here only.
    """
    session.install("-e", ".[sentry,callbacks]", "suno-easy")
    session.run("python", "-m", "benchmarks", *session.posargs)
