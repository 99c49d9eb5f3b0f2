"""The `peers` section of the bench command: its options, and one run from build to file."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from bench.peers import environment, report, rounds
from bench.peers.contenders import Stage
from bench.server.server_bench import Plan


def add_options(parser: argparse.ArgumentParser) -> None:
    options = parser.add_argument_group("the peers section")
    options.add_argument(
        "--peer-sessions",
        type=int,
        default=2000,
        help="live sessions seeded for each server (at least twice the connections)",
    )
    options.add_argument(
        "--peers-venv",
        type=Path,
        default=environment.DEFAULT_HOME,
        help="where the peers' environment is built from PyPI and kept",
    )
    options.add_argument(
        "--peers-md",
        type=Path,
        default=report.DEFAULT_DOCUMENT,
        help="the file whose latest-run block is rewritten",
    )


def check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.peer_sessions < 2 * args.connections:
        parser.error(
            f"--peer-sessions {args.peer_sessions} is too few for {args.connections}"
            f" connections: at least {2 * args.connections}"
        )


def run(args: argparse.Namespace, plan: Plan, workdir: Path) -> str:
    """Build (or reuse) the peers' environment, measure every server, print and file it."""
    stage = Stage(
        workdir=workdir,
        environment=environment.ensure(args.peers_venv),
        sessions=args.peer_sessions,
        server_cores=plan.server_cores,
        secret=secrets.token_urlsafe(48),
    )
    text = report.render(rounds.measure(plan, stage))
    report.write(args.peers_md, text)
    return f"{text}\n\n(written to {args.peers_md})"
