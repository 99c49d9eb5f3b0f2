"""The summary of the security suites' figures at the end of the run."""

from __future__ import annotations

from _pytest.terminal import TerminalReporter

from tests.security.figures import FIGURES


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """One line per suite: what it tried and what it measured (the README's figures)."""
    lines = FIGURES.lines()
    if not lines:
        return
    terminalreporter.section("security figures")
    for line in lines:
        terminalreporter.write_line(line)
