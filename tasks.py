"""The project's two commands: `python3 tasks.py run` (the app) and `python3 tasks.py test`."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
USAGE = """usage: python3 tasks.py COMMAND [ARGS...]

commands:
  run [ARGS]     start the desktop app with an embedded server (ARGS go to jwt-refresh-demo)
  server [ARGS]  start the auth server alone (ARGS go to jwt-refresh-server)
  test [ARGS]    lint, format, import contracts, types, then the tests (ARGS go to pytest)
  bench [ARGS]   run the benchmarks in bench/ (ARGS go to bench/run.py)
  screenshots    regenerate the README's screenshots in assets/
"""


def ensure_environment() -> None:
    """Create .venv with this Python and install the project with its test extra, again when
    pyproject.toml changes or another Python runs this script (so `python3.13 tasks.py test`
    tests on 3.13)."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = f"{platform.python_version()} {digest}"
    made = STAMP.read_text() if STAMP.exists() else ""
    if made == wanted:
        return
    same_python = made.split(" ")[0] == platform.python_version()
    if not PYTHON.exists() or not same_python:
        print(f"Setting up .venv for Python {platform.python_version()} (a minute)...", flush=True)
        venv.create(VENV, with_pip=True, clear=True)
    else:
        print("Updating .venv for the changed pyproject.toml...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run_in_venv(*args: str) -> int:
    """Run a command with the virtual environment's Python and return its exit code."""
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


CHECKS = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("lint-imports", "--no-cache"),
    ("mypy",),
)


def test(args: list[str]) -> int:
    """Lint, check formatting, import contracts and types, then run pytest."""
    for tool, *options in CHECKS:
        code = subprocess.run([str(BIN / tool), *options], cwd=ROOT).returncode
        if code:
            return code
    return run_in_venv("-m", "pytest", *args)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (the check is for people running older Pythons)
        print("jwt-refresh-demo needs Python 3.11 or newer.")
        return 2
    if not argv or argv[0] not in {"run", "server", "test", "bench", "screenshots"}:
        print(USAGE, end="")
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    command, args = argv[0], argv[1:]
    ensure_environment()
    if command == "run":
        return run_in_venv("-m", "desktop", *args)
    if command == "server":
        return run_in_venv("-m", "backend", *args)
    if command == "bench":
        return run_in_venv(str(ROOT / "bench" / "run.py"), *args)
    if command == "screenshots":
        return run_in_venv(str(ROOT / "assets" / "make_screenshots.py"), *args)
    return test(args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
