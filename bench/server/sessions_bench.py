"""Whether a refresh or `/account` slows down as the store holds more users' sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.server.server_bench import QUIET, Plan, Target, progress, repeat
from bench.stats import Row, Sample, ratio
from bench.table import load_table

FEW, MANY = 1_000, 100_000
Step = Callable[[], Sample]


@dataclass
class Counted:
    """The rows of one server per number of live sessions."""

    plan: Plan
    rows: dict[int, dict[str, Row]]


def steps(target: Target, rows: dict[str, Row], count: int) -> list[tuple[str, Step]]:
    return [
        (f"health, {count:,}", lambda: target.health(rows["health"])),
        (f"account, {count:,}", lambda: target.account(rows["account"])),
        (f"refresh, {count:,}", lambda: target.refresh(rows["refresh"])),
    ]


def measure(plan: Plan, workdir: Path) -> Counted:
    """Two servers, one with FEW and one with MANY live sessions, measured in turn."""
    rows = {
        count: {
            scenario: Row(f"{label}, {count:,} live sessions", plan.connections)
            for scenario, label in (
                ("health", "GET /health"),
                ("account", "GET /account"),
                ("refresh", "POST /tokens/refresh"),
            )
        }
        for count in (FEW, MANY)
    }
    progress(f"seeding {FEW:,} and {MANY:,} live sessions")
    with (
        Target(replace(plan, live_sessions=FEW), workdir, "few", QUIET) as few,
        Target(replace(plan, live_sessions=MANY), workdir, "many", QUIET) as many,
    ):
        repeat(plan, [*steps(few, rows[FEW], FEW), *steps(many, rows[MANY], MANY)])
    return Counted(plan, rows)


def render(counted: Counted) -> str:
    few, many = counted.rows[FEW], counted.rows[MANY]
    lines = [
        f"- {MANY:,} / {FEW:,} live sessions, {scenario}: rate"
        f" {ratio(many[scenario].rate, few[scenario].rate):.2f}, CPU µs/req"
        f" {ratio(many[scenario].cpu_per_request_us, few[scenario].cpu_per_request_us):.2f}"
        for scenario in ("account", "refresh")
    ]
    table = load_table([row for count in (FEW, MANY) for row in counted.rows[count].values()])
    return "\n\n".join(
        [
            f"Live sessions: {FEW:,} against {MANY:,} in the store, the same load on each"
            f" (wrk -t1, {counted.plan.seconds:g} s per run, median of {counted.plan.repeats})",
            table,
            "\n".join(lines),
        ]
    )
