"""The desktop command line: which server, how long access tokens live, where data and tokens go."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.storage.kinds import STORE_KINDS


def default_data_dir() -> Path:
    """The platform's user data directory for the app."""
    return Path(platformdirs.user_data_dir("jwt-refresh-demo", appauthor=False))


@dataclass(frozen=True)
class AppOptions:
    """What the command line asked for; `server` None means an embedded server."""

    server: str | None
    access_ttl: int | None
    data_dir: Path
    token_store: str | None


def positive_seconds(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jwt-refresh-demo",
        description="Sign in once; the app keeps only a refresh token and stays signed in.",
    )
    parser.add_argument(
        "--server", metavar="URL", help="use this auth server instead of an embedded one"
    )
    parser.add_argument(
        "--access-ttl",
        type=positive_seconds,
        metavar="SECONDS",
        help="access-token lifetime of the embedded server (default 300)",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="where the app keeps its data")
    parser.add_argument(
        "--token-store",
        choices=STORE_KINDS,
        help="where the refresh token is kept (default: the OS keyring; where it cannot be "
        "used, the store chosen then)",
    )
    return parser


def parse_options(argv: list[str]) -> AppOptions:
    """Parse the contract's command line; argparse exits with a message on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.server is not None and args.access_ttl is not None:
        parser.error("--access-ttl applies to the embedded server; set it on the server instead")
    server = args.server.rstrip("/") if args.server else None
    if server is not None and not server.startswith(("http://", "https://")):
        parser.error("--server must be an http:// or https:// URL")
    return AppOptions(
        server=server,
        access_ttl=args.access_ttl,
        data_dir=(args.data_dir or default_data_dir()).expanduser(),
        token_store=args.token_store,
    )
