"""The server benchmark: the real server on one core, wrk on another, ratios from one run."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import seed, wrk
from bench.launch import BenchServer
from bench.server import refresh_parts
from bench.server.bare_refresh import BARE_REFRESH_PATH
from bench.server.refresh_parts import RefreshParts
from bench.stats import Row, Sample, ratio
from bench.table import load_table

ACCESS_TTL = "900"


@dataclass(frozen=True)
class Plan:
    """How long, how often and how hard; cores are taskset lists, None for no pinning."""

    seconds: float = 5.0
    repeats: int = 3
    connections: int = 32
    sign_in_load: int = 4
    server_cores: str | None = "0"
    load_cores: str | None = "1"
    variants: bool = True
    live_sessions: int = 2000


def default_cores() -> tuple[str | None, str | None]:
    """The first usable core for the server and the second for wrk; no pinning on one core."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None, None
    return str(cores[0]), str(cores[1])


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# The seeding signs one account in hundreds of times within seconds (a pool of tokens per
# scenario), far beyond what the per-account limits let a person do.
SEEDING = ("--max-sessions", "100000", "--sign-ins-per-minute", "100000")


class Target:
    """One server under test, with an account and a pool of access tokens for `/account`."""

    def __init__(
        self, plan: Plan, workdir: Path, name: str, options: list[str], module: str = "backend"
    ) -> None:
        self.plan = plan
        self.workdir = workdir / name
        self.name = name
        self.server = BenchServer(
            self.workdir / "data",
            ["--access-ttl", ACCESS_TTL, *SEEDING, *options],
            plan.server_cores,
            module,
        )
        self.seeds_sqlite = "--database" not in options
        self.url = ""
        self.username = ""
        self.access_tokens = self.workdir / "access-tokens"
        self.sign_in_names = self.workdir / "sign-in-names"
        self.held_tokens = self.workdir / "held-tokens"

    def __enter__(self) -> Target:
        if self.seeds_sqlite:
            seed.live_sessions(self.server.data_dir, self.plan.live_sessions)
        self.url = self.server.start()
        self.username = seed.sign_up(self.url)
        grants = seed.sessions(self.url, self.username, self.plan.connections)
        seed.write_lines(self.access_tokens, [grant.access_token for grant in grants])
        seed.write_lines(self.sign_in_names, seed.accounts(self.url, self.plan.connections))
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def load(
        self, path: str, script: str, args: tuple[str, ...] = (), connections: int | None = None
    ) -> wrk.Load:
        return wrk.Load(
            self.url + path,
            script,
            args,
            connections=connections or self.plan.connections,
            seconds=self.plan.seconds,
            cores=self.plan.load_cores,
        )

    def refresh_pool(self) -> str:
        """Fresh refresh tokens, two per connection, in a file for refresh.lua."""
        grants = seed.sessions(self.url, self.username, 2 * self.plan.connections)
        path = seed.write_lines(self.workdir / "refresh-tokens", [g.refresh_token for g in grants])
        return str(path)

    def measure(self, row: Row, load: wrk.Load) -> Sample:
        """Run one load and note the CPU time the server spent on it."""
        before = self.server.cpu_seconds()
        result = wrk.run(load, self.workdir)
        return row.add(Sample(result, self.server.cpu_seconds() - before))

    def health(self, row: Row) -> Sample:
        return self.measure(row, self.load("/health", "get"))

    def account(self, row: Row) -> Sample:
        return self.measure(row, self.load("/account", "get", (str(self.access_tokens),)))

    def refresh_load(self, path: str = "/tokens/refresh") -> wrk.Load:
        """Rotation from a fresh pool; wrk leaves the tokens it holds at the end in a file."""
        return self.load(path, "refresh", (self.refresh_pool(), str(self.held_tokens)))

    def refresh(self, row: Row, path: str = "/tokens/refresh") -> Sample:
        return self.measure(row, self.refresh_load(path))

    def sign_in(self, row: Row) -> Sample:
        return self.measure(row, self.load("/sign-in", "sign_in", self.sign_in_args()))

    def sign_in_args(self) -> tuple[str, str]:
        """Sign-ins rotate over one account per connection, as different users would."""
        return (str(self.sign_in_names), seed.PASSWORD)

    def refresh_during_sign_ins(self, row: Row, sign_ins: Row) -> Sample:
        """Refresh at full load while a few connections sign in as fast as they are answered."""
        refresh = self.refresh_load()
        signing = self.load(
            "/sign-in",
            "sign_in",
            self.sign_in_args(),
            connections=self.plan.sign_in_load,
        )
        background = wrk.start(signing, self.workdir / "sign-in-load")
        sample = self.measure(row, refresh)
        sign_ins.add(Sample(wrk.finish(background)))
        return sample

    def survives_kill(self) -> Durability:
        """kill -9 the server, start it again on its data, and refresh every token wrk held.

        Each held token is the latest of its chain that a response handed out: after a crash
        the server must still know it, or the client holding it would be signed out.
        """
        tokens = self.held_tokens.read_text().split()
        self.server.kill()
        self.url = self.server.start()
        return Durability(sum(seed.refreshes(self.url, token) for token in tokens), len(tokens))


@dataclass(frozen=True)
class Durability:
    """How many refresh tokens handed out before a kill -9 still worked after the restart."""

    kept: int
    handed_out: int

    def __str__(self) -> str:
        return (
            f"{self.kept} of {self.handed_out} refresh tokens handed out before kill -9 still work"
        )


QUIET = ["--access-log", "off"]


@dataclass
class Rows:
    """Every row of the server table, in print order."""

    health: Row
    account: Row
    refresh: Row
    sign_in: Row
    refresh_loaded: Row
    sign_in_load: Row
    normal_health: Row
    normal_refresh: Row
    logged_health: Row
    logged_account: Row
    logged_refresh: Row
    bare_health: Row
    bare_refresh: Row

    @classmethod
    def empty(cls, plan: Plan) -> Rows:
        c, s = plan.connections, plan.sign_in_load
        return cls(
            health=Row("GET /health (the floor)", c),
            account=Row("GET /account (verify + session check)", c),
            refresh=Row("POST /tokens/refresh (rotation)", c),
            sign_in=Row("POST /sign-in (argon2id)", c),
            refresh_loaded=Row("POST /tokens/refresh during sign-ins", c),
            sign_in_load=Row("  the concurrent POST /sign-in load", s),
            normal_health=Row("GET /health, synchronous=normal", c),
            normal_refresh=Row("POST /tokens/refresh, synchronous=normal", c),
            logged_health=Row("GET /health, access log on", c),
            logged_account=Row("GET /account, access log on", c),
            logged_refresh=Row("POST /tokens/refresh, access log on", c),
            bare_health=Row("GET /health, beside the bare refresh", c),
            bare_refresh=Row(f"POST {BARE_REFRESH_PATH} (the same refresh, no framework)", c),
        )

    def measured(self) -> list[Row]:
        return [row for row in vars(self).values() if row.samples]


@dataclass
class Report:
    """The rows and the kill -9 checks of one run."""

    plan: Plan
    rows: Rows
    durability: dict[str, Durability]
    parts: RefreshParts


def repeat(plan: Plan, steps: list[tuple[str, Callable[[], Sample]]]) -> None:
    """Run the steps in turn, `plan.repeats` times, so noise hits every scenario alike."""
    total = plan.repeats * len(steps)
    done = 0
    for round_number in range(plan.repeats):
        for name, step in steps:
            sample = step()
            done += 1
            progress(
                f"  [{done}/{total}] round {round_number + 1} {name}:"
                f" {sample.result.rate:,.0f} req/s, p99 {sample.result.p99_ms:.1f} ms,"
                f" server CPU {sample.cpu_share:.0%}, {sample.result.failures} failed"
            )


def measure(plan: Plan, workdir: Path) -> Report:
    """Every scenario with the access log off, then synchronous=normal, then the log on."""
    rows = Rows.empty(plan)
    durability: dict[str, Durability] = {}
    progress(f"server on core {plan.server_cores}, wrk on core {plan.load_cores}")
    with Target(plan, workdir, "full", QUIET) as target:
        repeat(
            plan,
            [
                ("health", lambda: target.health(rows.health)),
                ("account", lambda: target.account(rows.account)),
                ("refresh", lambda: target.refresh(rows.refresh)),
                ("sign-in", lambda: target.sign_in(rows.sign_in)),
                (
                    "refresh during sign-ins",
                    lambda: target.refresh_during_sign_ins(rows.refresh_loaded, rows.sign_in_load),
                ),
            ],
        )
        durability["synchronous=full"] = target.survives_kill()
        progress("the parts of a refresh, alone: the signature, the durable rotation")
        parts = refresh_parts.measure(target.access_tokens.read_text().split()[0])
    if plan.variants:
        normal = [*QUIET, "--sqlite-synchronous", "normal"]
        with Target(plan, workdir, "normal", normal) as target:
            repeat(
                plan,
                [
                    ("health, normal", lambda: target.health(rows.normal_health)),
                    ("refresh, normal", lambda: target.refresh(rows.normal_refresh)),
                ],
            )
            durability["synchronous=normal"] = target.survives_kill()
        with Target(plan, workdir, "logged", []) as target:
            repeat(
                plan,
                [
                    ("health, log on", lambda: target.health(rows.logged_health)),
                    ("account, log on", lambda: target.account(rows.logged_account)),
                    ("refresh, log on", lambda: target.refresh(rows.logged_refresh)),
                ],
            )
        bare = "bench.server.bare_refresh"
        with Target(plan, workdir, "bare", QUIET, module=bare) as target:
            repeat(
                plan,
                [
                    ("health, beside the bare refresh", lambda: target.health(rows.bare_health)),
                    (
                        "refresh, no framework",
                        lambda: target.refresh(rows.bare_refresh, BARE_REFRESH_PATH),
                    ),
                ],
            )
    return Report(plan, rows, durability, parts)


def verdict(holds: bool) -> str:
    return "holds" if holds else "MISSED"


def cpu_ratio(row: Row, floor: Row) -> float:
    """The throughput ratio that CPU time per request predicts: floor's cost over row's."""
    return ratio(floor.cpu_per_request_us, row.cpu_per_request_us)


def summary(report: Report) -> str:
    """The ratios from this run, against the project's targets."""
    rows = report.rows
    account = ratio(rows.account.rate, rows.health.rate)
    refresh = ratio(rows.refresh.rate, rows.health.rate)
    stall = ratio(rows.refresh_loaded.p99_ms, rows.refresh.p99_ms)
    lines = [
        f"- account/health: {account:.2f} (target at least 0.8: {verdict(account >= 0.8)})",
        f"- refresh/health: {refresh:.2f} (target at least 0.4: {verdict(refresh >= 0.4)})",
        f"- refresh p99 at {rows.refresh.connections} connections: {rows.refresh.p99_ms:.1f} ms"
        f" (target under 25 ms: {verdict(rows.refresh.p99_ms < 25)})",
        f"- refresh p99 during sign-ins / without: {stall:.2f}"
        f" (target at most 2: {verdict(stall <= 2)});"
        f" {rows.sign_in_load.rate:,.1f} sign-ins/s were answered meanwhile",
        f"- the same ratios from server CPU time per request: refresh/health"
        f" {cpu_ratio(rows.refresh, rows.health):.2f}, account/health"
        f" {cpu_ratio(rows.account, rows.health):.2f} (less sensitive to other load on the"
        " machine than req/s)",
        bound(report.parts, rows.health.cpu_per_request_us),
    ]
    if rows.normal_refresh.samples:
        lines.append(
            f"- synchronous=normal (no power-cut safety): refresh/health"
            f" {ratio(rows.normal_refresh.rate, rows.normal_health.rate):.2f};"
            f" refresh at {ratio(rows.normal_refresh.rate, rows.refresh.rate):.2f} x the rate"
            " with full (the default)"
        )
    if rows.logged_refresh.samples:
        lines.append(
            f"- access log on: account/health"
            f" {ratio(rows.logged_account.rate, rows.logged_health.rate):.2f},"
            f" refresh/health {ratio(rows.logged_refresh.rate, rows.logged_health.rate):.2f};"
            f" health at {ratio(rows.logged_health.rate, rows.health.rate):.2f} x"
            f" the rate with the log off"
        )
    if rows.bare_refresh.samples:
        lines.append(without_framework(rows))
    lines.extend(f"- kill -9 with {mode}: {check}" for mode, check in report.durability.items())
    return "\n".join(lines)


def without_framework(rows: Rows) -> str:
    """What Starlette, the middleware and the body checks add to a refresh, and how close to
    /health the same service comes without them."""
    added = rows.refresh.cpu_per_request_us - rows.bare_refresh.cpu_per_request_us
    bare = ratio(rows.bare_refresh.rate, rows.bare_health.rate)
    return (
        f"- the same refresh with no framework (the service behind a bare ASGI callable: no"
        f" routing, middleware, body checks or error bodies): refresh/health {bare:.2f}"
        f" (target 0.4: {verdict(bare >= 0.4)}; by CPU"
        f" {cpu_ratio(rows.bare_refresh, rows.bare_health):.2f}); a refresh"
        f" {rows.bare_refresh.cpu_per_request_us:.0f} µs of CPU against"
        f" {rows.refresh.cpu_per_request_us:.0f} through Starlette, which adds {added:.0f} µs"
    )


def bound(parts: RefreshParts, health_us: float) -> str:
    """How close to /health a refresh could come here, whatever the code around its parts."""
    least = parts.least_refresh_us(health_us)
    best = parts.best_ratio(health_us)
    return (
        f"- what a refresh cannot do without, each part alone on this machine: the Ed25519"
        f" signature {parts.signature_us:.0f} µs of CPU, a durable rotation in SQLite"
        f" {parts.rotation_us:.0f} µs ({refresh_parts.ROTATIONS_PER_COMMIT} to a COMMIT and"
        f" its fsync); with /health's {health_us:.0f} µs a refresh costs at least {least:.0f}"
        f" µs, so refresh/health can reach at most {best:.2f} here"
        f" (target 0.4: {'not ruled out by these parts' if best >= 0.4 else 'ruled out here'})"
    )


def render(report: Report) -> str:
    plan = report.plan
    return "\n\n".join(
        [
            f"wrk -t1, {plan.seconds:g} s per run, median of {plan.repeats} runs; server pinned"
            f" to core {plan.server_cores}, wrk to core {plan.load_cores};"
            f" {plan.live_sessions:,} other live sessions in the store; access log off"
            " unless stated",
            load_table(report.rows.measured()),
            summary(report),
        ]
    )
