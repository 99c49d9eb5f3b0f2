"""Repeated wrk results folded into one row: medians of rate and latency, every failure summed."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.wrk import Result


@dataclass(frozen=True)
class Sample:
    """One wrk run and the CPU time the server spent during it (None: not measured)."""

    result: Result
    server_cpu: float | None = None

    @property
    def cpu_share(self) -> float:
        """The server's CPU use as a fraction of one core."""
        if self.server_cpu is None or not self.result.seconds:
            return 0.0
        return self.server_cpu / self.result.seconds

    @property
    def cpu_per_request_us(self) -> float:
        if self.server_cpu is None or not self.result.requests:
            return 0.0
        return self.server_cpu / self.result.requests * 1e6


@dataclass
class Row:
    """One line of the table: a scenario and the samples of its repetitions."""

    name: str
    connections: int
    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> Sample:
        self.samples.append(sample)
        return sample

    def median(self, value: Callable[[Sample], float]) -> float:
        return statistics.median(value(s) for s in self.samples) if self.samples else 0.0

    @property
    def rate(self) -> float:
        return self.median(lambda s: s.result.rate)

    @property
    def p50_ms(self) -> float:
        return self.median(lambda s: s.result.p50_ms)

    @property
    def p99_ms(self) -> float:
        return self.median(lambda s: s.result.p99_ms)

    @property
    def cpu_share(self) -> float:
        return self.median(lambda s: s.cpu_share)

    @property
    def cpu_per_request_us(self) -> float:
        return self.median(lambda s: s.cpu_per_request_us)

    @property
    def cpu_measured(self) -> bool:
        return any(s.server_cpu is not None for s in self.samples)

    @property
    def failures(self) -> int:
        return sum(s.result.failures for s in self.samples)

    @property
    def requests(self) -> int:
        return sum(s.result.requests for s in self.samples)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
