"""Markdown tables, so what the bench prints can go into the README as it is."""

from __future__ import annotations

from collections.abc import Sequence

from bench.stats import Row


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured table with right-aligned columns after the first."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    align = ["-" * widths[0], *("-" * (width - 1) + ":" for width in widths[1:])]

    def line(cells: Sequence[str]) -> str:
        padded = [str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)]
        return "| " + " | ".join(padded) + " |"

    return "\n".join([line(header), line(align), *(line(row) for row in rows)])


def load_table(rows: Sequence[Row]) -> str:
    """The server table: medians of the repetitions, failures summed over them."""
    return markdown(
        [
            "scenario",
            "connections",
            "req/s",
            "p50 ms",
            "p99 ms",
            "server CPU",
            "CPU µs/req",
            "failed / requests",
        ],
        [
            [
                row.name,
                str(row.connections),
                f"{row.rate:,.0f}",
                f"{row.p50_ms:.2f}",
                f"{row.p99_ms:.2f}",
                f"{row.cpu_share:.0%}" if row.cpu_measured else "-",
                f"{row.cpu_per_request_us:,.0f}" if row.cpu_measured else "-",
                f"{row.failures} / {row.requests:,}",
            ]
            for row in rows
        ],
    )
