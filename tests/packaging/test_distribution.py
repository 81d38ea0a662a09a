"""The built distribution, installed from its wheel into a fresh venv, is what users get.

Needs a build: ``nox -s package`` (or ``python -m build --outdir DIR`` and ``MUSICGEN_DIST=DIR``);
without ``MUSICGEN_DIST`` the module is skipped. CI runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

DIST = os.environ.get("MUSICGEN_DIST")
if not DIST:
    pytest.skip("no built distribution: run nox -s package", allow_module_level=True)

NAME = "musicgen-sdk"

# Runs inside the fresh venv: reports what a user's interpreter sees, as JSON.
PROBE = r"""
import importlib, importlib.metadata as md, importlib.util, json, pathlib
import musicgen
dist = md.distribution("musicgen-sdk")
package = pathlib.Path(musicgen.__file__).parent
missing = []
for name in musicgen.__all__:
    try:
        getattr(musicgen, name)
    except Exception as error:
        missing.append(f"{name}: {error!r}")
plugins = [ep for ep in md.entry_points(group="pytest11") if ep.dist.name == dist.name]
print(json.dumps({
    "version": musicgen.__version__,
    "metadata_version": dist.version,
    "location": str(package),
    "py_typed": (package / "py.typed").is_file(),
    "license_files": sorted(str(f) for f in dist.files if "licenses/" in str(f)),
    "license_expression": dist.metadata["License-Expression"],
    "classifiers": dist.metadata.get_all("Classifier") or [],
    "urls": dist.metadata.get_all("Project-URL") or [],
    "plugins": [(ep.name, ep.value) for ep in plugins],
    # Found, not imported: pytest is not installed here.
    "plugin_found": bool(plugins) and importlib.util.find_spec(plugins[0].module) is not None,
    "all": musicgen.__all__,
    "missing": missing,
    "submodules": [importlib.import_module(f"musicgen.{m}").__name__
                   for m in ("cache", "observability", "providers", "testing")],
}))
"""


def _one(pattern: str) -> Path:
    found = sorted(Path(DIST or ".").glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {DIST}, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def wheel() -> Path:
    return _one("musicgen_sdk-*.whl")


@pytest.fixture(scope="module")
def sdist() -> Path:
    return _one("musicgen_sdk-*.tar.gz")


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Install the wheel alone (and its dependencies) into a new venv; probe it there."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600)
    # Away from the checkout, so that src/ or the working directory cannot stand in for it.
    done = subprocess.run(
        [python, "-I", "-c", PROBE],
        cwd=home,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe: dict[str, Any] = json.loads(done.stdout)
    return probe


def test_the_wheel_installs_and_imports_from_the_venv(installed: dict[str, Any]) -> None:
    assert "site-packages" in installed["location"]


def test_the_version_is_the_metadatas(installed: dict[str, Any]) -> None:
    assert installed["version"] == installed["metadata_version"]


def test_it_ships_py_typed(installed: dict[str, Any]) -> None:
    assert installed["py_typed"] is True


def test_the_license_is_in_the_wheel_with_pep_639_metadata(installed: dict[str, Any]) -> None:
    assert [Path(f).name for f in installed["license_files"]] == ["LICENSE"]
    assert installed["license_expression"] == "MIT"
    assert not [c for c in installed["classifiers"] if c.startswith("License ::")]


def test_it_has_project_urls(installed: dict[str, Any]) -> None:
    labels = {url.split(",")[0] for url in installed["urls"]}
    assert {"Documentation", "Source", "Changelog", "Issues"} <= labels


def test_the_pytest_plugin_is_registered(installed: dict[str, Any]) -> None:
    assert installed["plugins"] == [["musicgen", "musicgen.testing._pytest_plugin"]]
    assert installed["plugin_found"] is True


def test_all_is_sorted_and_every_name_imports(installed: dict[str, Any]) -> None:
    assert installed["all"] == sorted(installed["all"])
    assert installed["missing"] == []


def test_the_public_submodules_import(installed: dict[str, Any]) -> None:
    assert len(installed["submodules"]) == 4


def test_the_sdist_has_the_license_and_the_sources(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names
    assert "src/musicgen/py.typed" in names


def test_the_wheel_holds_the_package_only(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
    assert tops == {
        "musicgen",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }
