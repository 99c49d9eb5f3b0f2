"""The peers section end to end at a tiny scale; nothing here looks at the timings.

The peers' environment is built from PyPI on the first run and kept in bench/results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.peers.environment import REQUIREMENTS
from tests.bench.test_bench_runs import run_bench
from tests.support.components import require_executable

VERSIONS = "- the peers' environment (SQLite "
REFRESHING = (
    "ours: python -m backend (uvicorn)",
    "ours, --sqlite-synchronous normal",
    "DRF + simplejwt, gunicorn sync",
    "DRF + simplejwt, gunicorn gthread (4 threads)",
    "django-oauth-toolkit, gunicorn sync",
    "Flask-JWT-Extended + blocklist, gunicorn sync",
    "ours: backend:create_app on Granian",
)
FLOORS = ("bare Starlette on uvicorn, GET (the floor)", "bare Starlette on Granian, GET")
LABELS = REFRESHING + FLOORS


def normalized(text: str) -> str:
    return text.lower().replace("_", "-")


def pinned() -> list[tuple[str, str]]:
    """Every `name==version` of the peers' requirements, without extras."""
    lines = REQUIREMENTS.read_text().splitlines()
    pins = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return [(name.split("[")[0], version) for name, version in pins]


@pytest.mark.slow
def test_every_peer_is_checked_to_rotate_then_timed(tmp_path: Path) -> None:
    require_executable("wrk")
    document = tmp_path / "README.md"
    output = run_bench(
        "peers", "--seconds", "1", "--repeats", "1", "--connections", "4",
        "--peer-sessions", "12", "--peers-md", str(document),
    )  # fmt: skip
    table = [line for line in output.splitlines() if line.startswith("| ")]
    for label in LABELS:
        (line,) = [line for line in table if line.startswith(f"| {label} ")]
        requests = line.rstrip(" |").rsplit("|", 1)[1].split(" / ")[1]
        assert int(requests.replace(",", "")) > 0, line
    for label in REFRESHING:
        assert f"- {label}: A → 200, new token B; B → 200, new token C; A again → 4" in output
    assert output.count(", refused: rotates") == len(REFRESHING), output
    assert "synchronous=full" in output
    (versions,) = [line for line in output.splitlines() if line.startswith(VERSIONS)]
    for name, version in pinned():
        assert f"{normalized(name)} {version}" in normalized(versions), versions
    written = document.read_text()
    assert all(f"| {label} " in written for label in LABELS)
