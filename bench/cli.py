"""The bench command line: which sections to run, and how long and hard."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import machine
from bench.client import app_bench, soak
from bench.peers import section as peers
from bench.server import scale_bench, server_bench, sessions_bench, store_bench

SECTIONS = ("server", "sessions", "scale", "stores", "soak", "app", "peers")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 tasks.py bench",
        description="Benchmarks of the auth server on 127.0.0.1; every run stops by itself.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"any of {', '.join(SECTIONS)} (default: all of them, in that order)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--soak-seconds", type=float, default=60.0, help="length of the client soak"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=30.0, help="how long the app sits idle signed in"
    )
    parser.add_argument(
        "--live-sessions",
        type=int,
        default=2000,
        help="other users' live sessions written into the store before the server starts",
    )
    parser.add_argument(
        "--no-variants",
        action="store_true",
        help="skip the synchronous=normal and access-log-on servers",
    )
    peers.add_options(parser)
    return parser


def plan_of(args: argparse.Namespace) -> server_bench.Plan:
    server_cores, load_cores = server_bench.default_cores()
    return server_bench.Plan(
        seconds=args.seconds,
        repeats=args.repeats,
        connections=args.connections,
        server_cores=server_cores,
        load_cores=load_cores,
        variants=not args.no_variants,
        live_sessions=args.live_sessions,
    )


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = set(args.sections) - {*SECTIONS, "all"}
    if unknown:
        parser.error(f"unknown section {', '.join(sorted(unknown))}; choose from {SECTIONS}")
    sections = SECTIONS if not args.sections or "all" in args.sections else args.sections
    if "peers" in sections:
        peers.check_options(parser, args)
    print(f"Machine: {machine.describe()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="jwt-refresh-bench-") as directory:
        workdir = Path(directory)
        if "server" in sections:
            report = server_bench.measure(plan_of(args), workdir / "server")
            print(server_bench.render(report), end="\n\n", flush=True)
        if "sessions" in sections:
            counted = sessions_bench.measure(plan_of(args), workdir / "sessions")
            print(sessions_bench.render(counted), end="\n\n", flush=True)
        if "scale" in sections:
            scaled = scale_bench.measure(plan_of(args), workdir / "scale")
            print(scale_bench.render(scaled), end="\n\n", flush=True)
        if "stores" in sections:
            stores = store_bench.measure(plan_of(args), workdir / "stores")
            print(store_bench.render(stores), end="\n\n", flush=True)
        if "soak" in sections:
            outcome = soak.soak(soak.Plan(seconds=args.soak_seconds), workdir / "soak")
            print(soak.render(outcome), end="\n\n", flush=True)
        if "app" in sections:
            measured = app_bench.measure(workdir / "app", args.idle_seconds)
            print(app_bench.render(measured), end="\n\n", flush=True)
        if "peers" in sections:
            print(peers.run(args, plan_of(args), workdir / "peers"), end="\n\n", flush=True)
    return 0
