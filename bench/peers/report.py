"""The peers' table, the notes under it, and the latest run's block in bench/README.md."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench import machine
from bench.launch import ROOT
from bench.peers.environment import ours_versions
from bench.peers.rounds import WARM_UP_SECONDS, Entry, Run
from bench.stats import Row, ratio
from bench.table import markdown

DEFAULT_DOCUMENT = ROOT / "bench" / "README.md"
BEGIN = "<!-- the latest run, written by `python3 tasks.py bench peers`: edit around it -->"
END = "<!-- end of the latest run -->"
HEADER = [
    "server",
    "rotation",
    "req/s",
    "x ours",
    "p50 ms",
    "x ours",
    "p99 ms",
    "x ours",
    "server CPU",
    "CPU µs/req",
    "x ours",
    "failed / requests",
]


def rotation_cell(entry: Entry) -> str:
    if entry.check is None:
        return "-"
    return "rotates" if entry.check.rotates else "NO: not timed"


def cells(entry: Entry, ours: Row) -> list[str]:
    """A table line: medians with their ratio to ours, failures summed over the rounds."""
    row = entry.row
    if not row.samples:
        return [row.name, rotation_cell(entry), *["-"] * (len(HEADER) - 2)]
    return [
        row.name,
        rotation_cell(entry),
        f"{row.rate:,.0f}",
        f"{ratio(row.rate, ours.rate):.2f}",
        f"{row.p50_ms:.2f}",
        f"{ratio(row.p50_ms, ours.p50_ms):.2f}",
        f"{row.p99_ms:.2f}",
        f"{ratio(row.p99_ms, ours.p99_ms):.2f}",
        f"{row.cpu_share:.0%}",
        f"{row.cpu_per_request_us:,.0f}",
        f"{ratio(row.cpu_per_request_us, ours.cpu_per_request_us):.2f}",
        f"{row.failures} / {row.requests:,}",
    ]


def listing(versions: dict[str, str]) -> str:
    return ", ".join(f"{name} {version}" for name, version in versions.items())


def render(run: Run) -> str:
    """What the section prints, and what goes between the markers of bench/README.md."""
    plan, stage = run.plan, run.stage
    ours = run.entries[0].row
    labelled = [(entry.contender.label, entry) for entry in run.entries]
    return "\n".join(
        [
            f"Run at {run.started:%H:%M} UTC on {machine.describe()}.",
            f"wrk -t1, {plan.connections} connections, {plan.seconds:g} s per run, median of"
            f" {plan.repeats} interleaved rounds after a warm-up run each"
            f" ({min(WARM_UP_SECONDS, plan.seconds):g} s); {stage.sessions:,} live sessions"
            f" seeded for each server; servers pinned to core {plan.server_cores}, wrk to core"
            f" {plan.load_cores}; ratios to the first row.",
            "",
            markdown(HEADER, [cells(entry, ours) for entry in run.entries]),
            "",
            "Rotation checks (refresh A for B, B for C, then present A again):",
            "",
            *(f"- {label}: {entry.check}" for label, entry in labelled if entry.check),
            "",
            "How an answered rotation is stored:",
            "",
            *(f"- {label}: {entry.contender.storage}" for label, entry in labelled),
            "",
            "Served by (each under `taskset`, in its own data dir):",
            "",
            *(f"- {label}: `{entry.contender.served}`" for label, entry in labelled),
            "",
            "Versions:",
            "",
            f"- the peers' environment (SQLite {sqlite3.sqlite_version}):"
            f" {listing(stage.environment.versions())}",
            f"- ours (the project's environment): {listing(ours_versions())};"
            " on Granian, with Granian from the peers' environment",
        ]
    )


def write(document: Path, text: str) -> None:
    """Put `text` between the markers of `document`: replacing what was there, after what
    the document says otherwise (a new document holds the block alone)."""
    block = f"{BEGIN}\n\n{text}\n\n{END}"
    existing = document.read_text() if document.exists() else ""
    if BEGIN in existing and END in existing:
        before, rest = existing.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        document.write_text(f"{before}{block}{after}")
    else:
        document.write_text(f"{existing}\n{block}\n" if existing else f"{block}\n")
