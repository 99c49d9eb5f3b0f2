"""The figures the security suites measure, kept for one summary line each at the end of a run."""

from __future__ import annotations


class Figures:
    """Counts (table cases, requests) and measured notes, keyed by suite, in order of arrival."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._notes: dict[str, str] = {}

    def tally(self, suite: str, amount: int = 1) -> None:
        """Add `amount` to a suite's count (one table case, or requests sent)."""
        self._counts[suite] = self._counts.get(suite, 0) + amount

    def note(self, suite: str, text: str) -> None:
        """Record the one-line result of a measured suite."""
        self._notes[suite] = text

    def count(self, suite: str) -> int:
        return self._counts.get(suite, 0)

    def lines(self) -> list[str]:
        counted = [f"{suite}: {count}" for suite, count in self._counts.items()]
        return counted + [f"{suite}: {text}" for suite, text in self._notes.items()]


FIGURES = Figures()
