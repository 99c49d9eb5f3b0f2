"""PostgreSQL beside SQLite in one run, and two server processes on one PostgreSQL behind one
address against one process: what sharing a database costs per process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.launch import process_cpu_seconds
from bench.server.server_bench import QUIET, Plan, Target, progress, repeat
from bench.stats import Row, Sample, ratio
from bench.table import load_table
from tests.support.postgres import PostgresServer, find_binaries


@dataclass
class Measured:
    """The rows of one run, with the CPU time PostgreSQL itself spent per request."""

    plan: Plan
    sqlite_account: Row
    sqlite_refresh: Row
    postgres_account: Row
    postgres_refresh: Row
    one_process: dict[str, Row]
    two_processes: dict[str, Row]
    database_cpu_us: dict[str, float]


@contextmanager
def local_postgres(cores: str | None) -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL (durable defaults: fsync and synchronous_commit on), pinned to the
    server's core so that the database's work counts against the same core as SQLite's does."""
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError("the stores section needs PostgreSQL (Debian: postgresql)")
    server = PostgresServer(binaries)
    try:
        server.start()
        if cores is not None:
            os.sched_setaffinity(server.pid, {int(core) for core in cores.split(",")})
        yield server
    finally:
        server.stop()


def with_database_cpu(
    postgres: PostgresServer, spent: dict[str, list[float]], name: str, step: Callable[[], Sample]
) -> Callable[[], Sample]:
    """`step`, also noting the CPU time the PostgreSQL processes spent per request on it."""

    def measured() -> Sample:
        before = process_cpu_seconds(postgres.pid)
        sample = step()
        used = process_cpu_seconds(postgres.pid) - before
        spent.setdefault(name, []).append(used / max(sample.result.requests, 1) * 1e6)
        return sample

    return measured


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def measure(plan: Plan, workdir: Path) -> Measured:
    """Both stores interleaved round by round, then one and two processes on PostgreSQL."""
    c = plan.connections
    measured = Measured(
        plan,
        Row("GET /account, SQLite", c),
        Row("POST /tokens/refresh, SQLite", c),
        Row("GET /account, PostgreSQL", c),
        Row("POST /tokens/refresh, PostgreSQL", c),
        {"account": Row("GET /account, 1 process", c), "refresh": Row("refresh, 1 process", c)},
        {"account": Row("GET /account, 2 processes", c), "refresh": Row("refresh, 2 processes", c)},
        {},
    )
    spent: dict[str, list[float]] = {}
    with local_postgres(plan.server_cores) as postgres, ExitStack() as stack:
        progress("stores: SQLite and PostgreSQL, one process each")
        lite = stack.enter_context(Target(plan, workdir, "sqlite", QUIET))
        database = ["--database", postgres.create_database("bench_one")]
        pg = stack.enter_context(Target(plan, workdir, "postgresql", [*QUIET, *database]))
        repeat(
            plan,
            [
                ("account, SQLite", lambda: lite.account(measured.sqlite_account)),
                ("refresh, SQLite", lambda: lite.refresh(measured.sqlite_refresh)),
                (
                    "account, PostgreSQL",
                    with_database_cpu(
                        postgres,
                        spent,
                        "account",
                        lambda: pg.account(measured.postgres_account),
                    ),
                ),
                (
                    "refresh, PostgreSQL",
                    with_database_cpu(
                        postgres,
                        spent,
                        "refresh",
                        lambda: pg.refresh(measured.postgres_refresh),
                    ),
                ),
            ],
        )
        stack.close()
        progress("stores: one and two server processes on one PostgreSQL, one core")
        shared = ["--database", postgres.create_database("bench_shared")]
        for workers, rows in ((1, measured.one_process), (2, measured.two_processes)):
            options = [*QUIET, *shared, "--workers", str(workers)]
            # One data dir for both, as the servers of one deployment share their secrets.
            with Target(plan, workdir, "shared", options, module="bench.server.workers") as target:
                account, refresh = rows["account"], rows["refresh"]
                repeat(
                    plan,
                    [
                        (f"account, {workers}", partial(target.account, account)),
                        (f"refresh, {workers}", partial(target.refresh, refresh)),
                    ],
                )
    measured.database_cpu_us = {name: median(values) for name, values in spent.items()}
    return measured


def render(measured: Measured) -> str:
    account = ratio(measured.postgres_account.rate, measured.sqlite_account.rate)
    refresh = ratio(measured.postgres_refresh.rate, measured.sqlite_refresh.rate)
    one, two = measured.one_process, measured.two_processes
    shared_account = ratio(two["account"].rate, one["account"].rate)
    shared_refresh = ratio(two["refresh"].rate, one["refresh"].rate)
    rows = [
        measured.sqlite_account,
        measured.postgres_account,
        measured.sqlite_refresh,
        measured.postgres_refresh,
        one["account"],
        two["account"],
        one["refresh"],
        two["refresh"],
    ]
    cpu = measured.database_cpu_us
    return "\n\n".join(
        [
            f"Stores: each server on core {measured.plan.server_cores} with PostgreSQL pinned"
            " there too (wrk on the other); PostgreSQL with fsync and synchronous_commit on,"
            " SQLite with synchronous=full; the 1- and 2-process rows share one PostgreSQL"
            " database and one address (SO_REUSEPORT, python -m bench.server.workers).",
            load_table(rows),
            "\n".join(
                [
                    f"- PostgreSQL/SQLite, one process: account {account:.2f}, refresh"
                    f" {refresh:.2f} (target at least 0.6)",
                    f"- 2 processes / 1 on one core, one PostgreSQL: account"
                    f" {shared_account:.2f}, refresh {shared_refresh:.2f} (target at least 0.9)",
                    f"- PostgreSQL's own CPU per request (not in the server CPU column): account"
                    f" {cpu.get('account', 0):.0f} µs, refresh {cpu.get('refresh', 0):.0f} µs",
                ]
            ),
        ]
    )
