"""One run of the peers section: start and check every server, warm up, interleaved rounds."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench import seed, wrk
from bench.peers import rotation
from bench.peers.contenders import Contender, Stage, contenders
from bench.server.server_bench import Plan, progress, repeat
from bench.stats import Row, Sample

WARM_UP_SECONDS = 2.0


@dataclass
class Entry:
    """A contender in this run: its rotation check (None: nothing to rotate), its row, and
    the file of its live refresh tokens, each the latest of its chain."""

    contender: Contender
    row: Row
    check: rotation.Check | None = None
    pool: Path | None = None

    @property
    def timed(self) -> bool:
        return self.check is None or self.check.rotates

    def prepare(self, stage: Stage) -> None:
        """Seed and start the server; check with one session that it rotates; pool the rest."""
        tokens = self.contender.start(stage)
        shape = self.contender.shape
        if shape is not None:
            self.check = rotation.check(self.contender.url, shape, tokens[0])
            self.pool = seed.write_lines(stage.workdir / self.contender.key / "pool", tokens[1:])
        progress(f"{self.contender.label}: {self.check or 'nothing to rotate'}")

    def load(self, plan: Plan, directory: Path) -> wrk.Load:
        """Refreshes in the contender's shape from its pool; the floor's GET without one."""
        shape = self.contender.shape
        url, script = self.contender.url + "/", "get"
        arguments: tuple[str, ...] = ()
        if shape is not None and self.pool is not None:
            url, script = self.contender.url + shape.path, "refresh"
            held = str(directory / "held")
            arguments = (str(self.pool), held, shape.content_type, shape.body, shape.answer_key)
        return wrk.Load(url, script, arguments, plan.connections, plan.seconds, plan.load_cores)

    def run(self, plan: Plan, directory: Path) -> Sample:
        """One wrk run; the tokens held at its end are the next run's pool."""
        load = self.load(plan, directory)
        server = self.contender.server
        assert server is not None
        before = server.cpu_seconds()
        result = wrk.run(load, directory)
        sample = Sample(result, server.cpu_seconds() - before)
        if self.pool is not None:
            (directory / "held").replace(self.pool)
        return sample


@dataclass
class Run:
    """Everything one run measured, with when it started."""

    plan: Plan
    stage: Stage
    entries: list[Entry]
    started: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))


def measure(plan: Plan, stage: Stage) -> Run:
    """Every contender up at once; a warm-up run each, then `plan.repeats` rounds in turn."""
    run = Run(plan, stage, [Entry(c, Row(c.label, plan.connections)) for c in contenders(stage)])
    progress(f"servers on core {plan.server_cores}, wrk on core {plan.load_cores}")
    try:
        for entry in run.entries:
            entry.prepare(stage)
        timed = [entry for entry in run.entries if entry.timed]
        warm_up = replace(plan, seconds=min(WARM_UP_SECONDS, plan.seconds), repeats=1)
        repeat(warm_up, [(f"warm-up {e.contender.key}", step(e, warm_up, stage)) for e in timed])
        repeat(plan, [(e.contender.key, step(e, plan, stage, record=True)) for e in timed])
    finally:
        for entry in run.entries:
            entry.contender.stop()
    return run


def step(entry: Entry, plan: Plan, stage: Stage, record: bool = False) -> Callable[[], Sample]:
    """A step for `repeat`: run the entry once, keeping the sample in its row if `record`."""
    directory = stage.workdir / entry.contender.key / "wrk"

    def once() -> Sample:
        sample = entry.run(plan, directory)
        return entry.row.add(sample) if record else sample

    return once
