"""The peers' own virtual environment: built from PyPI on first use, kept until it changes."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from bench.launch import ROOT
from bench.server.server_bench import progress

REQUIREMENTS = Path(__file__).resolve().with_name("requirements.txt")
DEFAULT_HOME = ROOT / "bench" / "results" / "peers-venv"
TOOLING = {"pip", "setuptools", "wheel"}
SERVER_STACK = ("starlette", "uvicorn", "uvloop", "httptools", "PyJWT", "cryptography")
LIST_VERSIONS = (
    "import json, importlib.metadata as m;"
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


@dataclass(frozen=True)
class Environment:
    """A built environment: its interpreter, and the version of every package in it."""

    home: Path

    @property
    def python(self) -> Path:
        return self.home / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        """Where its packages are: built by this Python, for this Python's version."""
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        return self.home / "lib" / version / "site-packages"

    def versions(self) -> dict[str, str]:
        listed = subprocess.run(
            [str(self.python), "-c", LIST_VERSIONS],
            capture_output=True,
            text=True,
            check=True,
            cwd=self.home,
        )
        return without_tooling(json.loads(listed.stdout))


def without_tooling(versions: dict[str, str]) -> dict[str, str]:
    """The packages, sorted by name, without the installers every environment has."""
    return {
        name: versions[name]
        for name in sorted(versions, key=str.lower)
        if name.lower() not in TOOLING
    }


def fingerprint() -> str:
    """What the environment is built from: the requirements and this Python."""
    text = REQUIREMENTS.read_text() + sys.version + platform.machine()
    return hashlib.sha256(text.encode()).hexdigest()


def ensure(home: Path = DEFAULT_HOME) -> Environment:
    """The environment at `home`, built (or rebuilt after a change) from PyPI when needed."""
    home.parent.mkdir(parents=True, exist_ok=True)
    stamp = home / ".built-from"
    with FileLock(str(home.with_name(home.name + ".lock"))):
        if not stamp.exists() or stamp.read_text() != fingerprint():
            progress(f"building the peers' environment in {home} from PyPI (once)")
            shutil.rmtree(home, ignore_errors=True)
            venv.create(home, with_pip=True)
            subprocess.run(
                [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
                check=True,
            )  # fmt: skip
            stamp.write_text(fingerprint())
    return Environment(home)


def ours_versions() -> dict[str, str]:
    """The packages our server answers a refresh with, as installed in the project's venv."""
    return {name: metadata.version(name) for name in SERVER_STACK}
