"""How throughput grows with server processes on one machine: SO_REUSEPORT workers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import requests

from bench import seed
from bench.server.server_bench import QUIET, Plan, Target, progress
from bench.stats import Row, ratio
from bench.table import markdown


@dataclass(frozen=True)
class Setup:
    """A number of workers and where the server and wrk may run."""

    label: str
    workers: int
    server_cores: str | None
    load_cores: str | None


def setups(plan: Plan) -> list[Setup]:
    """One and two workers on the server's core, then one and two sharing every core with wrk."""
    return [
        Setup(f"1 worker on core {plan.server_cores}", 1, plan.server_cores, plan.load_cores),
        Setup(f"2 workers on core {plan.server_cores}", 2, plan.server_cores, plan.load_cores),
        Setup("1 worker, no pinning", 1, None, None),
        Setup("2 workers, no pinning", 2, None, None),
    ]


@dataclass(frozen=True)
class Revocation:
    """Fresh connections served before a revoke-all, and refused right after it."""

    attempts: int
    served_before: int
    refused_after: int


def revoke_all_across_workers(url: str, attempts: int = 20) -> Revocation:
    """Use one access token on many new connections (SO_REUSEPORT spreads them over the
    workers, warming each one's verified-token cache), revoke-all, then try them again."""
    grant = seed.sign_in(url, seed.sign_up(url))
    bearer = {"Authorization": f"Bearer {grant.access_token}"}

    def status() -> int:
        return requests.get(f"{url}/account", headers=bearer, timeout=10).status_code

    served = sum(status() == 200 for _ in range(attempts))
    requests.post(f"{url}/tokens/revoke-all", headers=bearer, timeout=10).raise_for_status()
    refused = sum(status() == 401 for _ in range(attempts))
    return Revocation(attempts, served, refused)


@dataclass
class Measured:
    setup: Setup
    health: Row
    refresh: Row
    revocation: Revocation | None


def measure(plan: Plan, workdir: Path) -> list[Measured]:
    """Health and refresh for each setup, `plan.repeats` runs each."""
    measured = []
    for number, setup in enumerate(setups(plan)):
        progress(f"scale: {setup.label}")
        local = replace(plan, server_cores=setup.server_cores, load_cores=setup.load_cores)
        options = [*QUIET, "--workers", str(setup.workers)]
        health = Row("GET /health", plan.connections)
        refresh = Row("POST /tokens/refresh", plan.connections)
        with Target(
            local, workdir, f"scale{number}", options, module="bench.server.workers"
        ) as target:
            for _ in range(plan.repeats):
                target.health(health)
                target.refresh(refresh)
            revocation = revoke_all_across_workers(target.url) if setup.workers > 1 else None
        measured.append(Measured(setup, health, refresh, revocation))
    return measured


def render(measured: list[Measured]) -> str:
    base = measured[0]
    table = markdown(
        ["setup", "health req/s", "x", "refresh req/s", "x", "refresh p99 ms", "refresh failed"],
        [
            [
                m.setup.label,
                f"{m.health.rate:,.0f}",
                f"{ratio(m.health.rate, base.health.rate):.2f}",
                f"{m.refresh.rate:,.0f}",
                f"{ratio(m.refresh.rate, base.refresh.rate):.2f}",
                f"{m.refresh.p99_ms:.1f}",
                str(m.refresh.failures),
            ]
            for m in measured
        ],
    )
    checks = [
        f"- revoke-all across workers ({m.setup.label}): {m.revocation.served_before} of"
        f" {m.revocation.attempts} new connections were served before it,"
        f" {m.revocation.refused_after} of {m.revocation.attempts} refused right after"
        for m in measured
        if m.revocation is not None
    ]
    return "\n\n".join(
        [
            "Workers: N server processes, each with its own socket in one SO_REUSEPORT group,"
            " event loop and SQLite connection, sharing one data dir"
            " (python -m bench.server.workers).",
            table,
            "\n".join(checks),
        ]
    )
