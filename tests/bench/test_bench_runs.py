"""The benchmarks still run end to end at a tiny scale; nothing here looks at the timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.components import require_component, require_executable
from tests.support.postgres import find_binaries

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.mark.slow
def test_server_sessions_and_scale_sections_print_their_tables() -> None:
    require_executable("wrk")
    output = run_bench(
        "server", "sessions", "scale", "--seconds", "1", "--repeats", "1", "--connections", "4"
    )
    for expected in (
        "Machine: ",
        "| GET /health (the floor)",
        "| POST /tokens/refresh (rotation)",
        "| POST /tokens/refresh, synchronous=normal",
        "| GET /account, access log on",
        "- account/health: ",
        "- refresh/health: ",
        "- what a refresh cannot do without, each part alone on this machine: ",
        "| POST /bare/refresh (the same refresh, no framework)",
        "- the same refresh with no framework (the service behind a bare ASGI callable: ",
        "- kill -9 with synchronous=full: ",
        "2,000 other live sessions in the store",
        "| POST /tokens/refresh, 100,000 live sessions",
        "- 100,000 / 1,000 live sessions, refresh: rate ",
        "| 2 workers, no pinning",
        "- revoke-all across workers (",
    ):
        assert expected in output, output
    bare_row = next(line for line in output.splitlines() if line.startswith("| POST /bare/refresh"))
    failed, _, requests = bare_row.rstrip(" |").rpartition("|")[2].strip().partition(" / ")
    assert failed == "0", bare_row
    assert int(requests.replace(",", "")) > 0, bare_row


@pytest.mark.slow
def test_stores_section_prints_both_stores_and_both_process_counts() -> None:
    require_executable("wrk")
    require_component("PostgreSQL (Debian: postgresql)", find_binaries() is not None)
    output = run_bench("stores", "--seconds", "1", "--repeats", "1", "--connections", "4")
    for expected in (
        "| POST /tokens/refresh, SQLite",
        "| POST /tokens/refresh, PostgreSQL",
        "| refresh, 2 processes",
        "- PostgreSQL/SQLite, one process: account ",
        "- 2 processes / 1 on one core, one PostgreSQL: account ",
    ):
        assert expected in output, output


@pytest.mark.slow
def test_soak_and_app_sections_report() -> None:
    output = run_bench("soak", "app", "--soak-seconds", "2", "--idle-seconds", "1")
    for expected in (
        "- calls: 40, failed: ",
        "- refreshes: ",
        "- launch to first painted window: ",
        "- resident memory after sign-in: ",
        "- idle CPU over 1 s signed in, shown, untouched: ",
        "- idle CPU over 1 s signed in, minimised: ",
        "- idle CPU over 1 s signed in, hidden: ",
    ):
        assert expected in output, output
