"""The headless soak: the real client core calls /account on a schedule against the real server."""

from __future__ import annotations

import itertools
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.launch import BenchServer
from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import DesktopError
from desktop.core.events import HttpExchange, SessionEvent, TokensIssued
from desktop.core.policy import lifetime_from_response
from desktop.core.session import Session
from desktop.storage.memory_store import MemoryStore


class NoJitter(random.Random):
    """A Random whose uniform() is the midpoint: the policy's nominal schedule."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


@dataclass(frozen=True)
class Plan:
    access_ttl: int = 2
    calls_per_second: float = 20.0
    seconds: float = 60.0


@dataclass
class Tally:
    """What the observers saw: every HTTP exchange and every token issued."""

    exchanges: list[HttpExchange] = field(default_factory=list)
    issued: list[TokensIssued] = field(default_factory=list)

    def observe(self, event: SessionEvent) -> None:
        if isinstance(event, TokensIssued):
            self.issued.append(event)

    def refreshes(self) -> list[TokensIssued]:
        return [event for event in self.issued if event.via == "refresh"]


@dataclass
class Outcome:
    plan: Plan
    calls: int
    failures: list[str]
    latencies_ms: list[float]
    refreshes: int
    nominal_interval: float
    started: float
    ended: float
    tally: Tally

    @property
    def expected_refreshes(self) -> float:
        """Refreshes the policy plans in the run: one per nominal interval, plus half a call."""
        interval = self.nominal_interval + 0.5 / self.plan.calls_per_second
        return (self.ended - self.started) / interval

    @property
    def statuses(self) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for exchange in self.tally.exchanges:
            counts[exchange.status] = counts.get(exchange.status, 0) + 1
        return counts


def nominal_interval(access_ttl: int) -> float:
    """Seconds from one refresh to the next by the client's policy, without its jitter."""
    lifetime = lifetime_from_response(0.0, access_ttl, NoJitter())
    return lifetime.refresh_at - lifetime.issued_at


def soak(plan: Plan, workdir: Path) -> Outcome:
    """Sign in with the client core, then call /account at a fixed rate until the time is up."""
    with BenchServer(workdir / "data", ["--access-ttl", str(plan.access_ttl)]) as server:
        username = seed.sign_up(server.url)
        clock = SystemClock()
        tally = Tally()
        client = ApiClient(server.url, clock, observer=tally.exchanges.append)
        session = Session(client, MemoryStore(server.url), clock, observer=tally.observe)
        session.sign_in(username, seed.PASSWORD)
        failures: list[str] = []
        latencies: list[float] = []
        period = 1 / plan.calls_per_second
        calls = round(plan.seconds * plan.calls_per_second)
        started = time.monotonic()
        for number in range(calls):
            time.sleep(max(0.0, started + number * period - time.monotonic()))
            before = time.perf_counter()
            try:
                session.account()
            except DesktopError as error:
                failures.append(f"call {number}: {type(error).__name__}: {error}")
            latencies.append((time.perf_counter() - before) * 1000)
        ended = time.monotonic()
        return Outcome(
            plan=plan,
            calls=calls,
            failures=failures,
            latencies_ms=latencies,
            refreshes=len(tally.refreshes()),
            nominal_interval=nominal_interval(plan.access_ttl),
            started=started,
            ended=ended,
            tally=tally,
        )


def render(outcome: Outcome) -> str:
    plan = outcome.plan
    latencies = sorted(outcome.latencies_ms)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    expected = outcome.expected_refreshes
    within = abs(outcome.refreshes - expected) <= 1
    issued = outcome.tally.issued
    margins = [old.access_expires_at - new.at for old, new in itertools.pairwise(issued)]
    lines = [
        f"Soak: desktop.core.session.Session + desktop.core.client.ApiClient against the server,"
        f" access tokens of {plan.access_ttl} s, /account {plan.calls_per_second:g} times a second"
        f" for {outcome.ended - outcome.started:.1f} s",
        f"- calls: {outcome.calls}, failed: {len(outcome.failures)}"
        f" ({'holds' if not outcome.failures else 'MISSED'}: target 0)",
        f"- HTTP statuses seen: {dict(sorted(outcome.statuses.items(), key=str))}",
        f"- refreshes: {outcome.refreshes}, expected {expected:.1f} (the policy refreshes"
        f" {outcome.nominal_interval:.2f} s after each token is asked for, give or take 10 %,"
        f" at the next call) ({'holds' if within else 'MISSED'}: within one)",
        f"- call latency p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms",
    ]
    if margins:
        lines.append(
            f"- the token in use still had at least {min(margins):.2f} s left when its"
            " successor arrived"
        )
    lines.extend(f"  {failure}" for failure in outcome.failures[:5])
    return "\n".join(lines)
