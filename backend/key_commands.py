"""`jwt-refresh-server keys list|rotate|retire`: the signing keys of a data dir and its store."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from backend.core.keys import ring
from backend.core.keys.data_dir import DataDirSecrets
from backend.core.keys.lifecycle import DEFAULT_ACTIVATE_IN, RELOAD_SECONDS, key_state
from backend.errors import ConfigurationError
from backend.settings import Settings, add_store_options, env, non_negative_int, positive_int
from backend.storage.store import Store
from backend.storage.stores import open_store


def moment(seconds: int) -> str:
    """A Unix time as UTC, ISO 8601 to the second."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


OPTIONS_WITH_A_VALUE = frozenset({"--data-dir", "--database", "--access-ttl"})


def kid_after_dashes(argv: list[str]) -> list[str]:
    """`retire`'s arguments with its KID moved behind `--`: a kid is base64url, so it may begin
    with '-' (or '-h', or '--data'), which the parser would otherwise take for an option."""
    if argv[:1] != ["retire"] or "--" in argv:
        return argv
    rest = argv[1:]
    at = 0
    while at < len(rest):
        argument = rest[at]
        if argument in OPTIONS_WITH_A_VALUE:
            at += 2
        elif argument in ("-h", "--help") or argument.split("=")[0] in OPTIONS_WITH_A_VALUE:
            at += 1
        else:
            return ["retire", *rest[:at], *rest[at + 1 :], "--", argument]
    return argv


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jwt-refresh-server keys",
        description="List, rotate and retire the keys that sign access tokens. Running servers"
        f" see every change within {RELOAD_SECONDS} s, without a restart.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="one line per key: kid, state, created")
    rotating = commands.add_parser("rotate", help="add a key: published now, signing later")
    rotating.add_argument(
        "--activate-in",
        type=non_negative_int,
        default=DEFAULT_ACTIVATE_IN,
        metavar="SECONDS",
        help=f"sign with the new key after this long (default {DEFAULT_ACTIVATE_IN} s, so that"
        " caches of the JWKS hold it first; 0 signs with it at once)",
    )
    retiring = commands.add_parser(
        "retire", help="withdraw a key at once (a leaked key)", allow_abbrev=False
    )
    retiring.add_argument("kid", metavar="KID")
    for command in (listing, rotating, retiring):
        add_store_options(command)
        command.add_argument(
            "--access-ttl",
            type=positive_int,
            default=env("access-ttl", Settings().access_ttl),
            metavar="SECONDS",
            help="the servers' access-token lifetime: how long a replaced key stays published",
        )
    return parser


@contextmanager
def opened(settings: Settings) -> Iterator[tuple[Store, DataDirSecrets]]:
    """The store of a data dir a server has used, with its secrets checked against it."""
    if not settings.rotation_key_path.exists():
        raise ConfigurationError(
            f"No server has used the data dir {settings.data_dir} yet (it has no"
            f" {settings.rotation_key_path.name}): give --data-dir of the deployment."
        )
    store = open_store(settings)
    try:
        secrets = DataDirSecrets.load(settings)
        with store.transaction():
            keys = ring.open_keys(store, secrets, settings.legacy_key_path, int(time.time()))
        ring.forget_legacy_key(settings.legacy_key_path, keys)
        yield store, secrets
    finally:
        store.close()


def list_keys(store: Store, settings: Settings) -> None:
    now = int(time.time())
    with store.transaction():
        keys = store.signing_keys()
    for key in keys:
        state = key_state(key, keys, now, settings.access_ttl)
        sys.stdout.write(f"{key.kid}  {state.value:<8}  {moment(key.created_at)}\n")


def rotate_key(store: Store, secrets: DataDirSecrets, activate_in: int) -> None:
    with store.transaction():
        key = ring.rotate(store, secrets, activate_in, int(time.time()))
    sys.stdout.write(f"added {key.kid}: published now, signs from {moment(key.activates_at)}\n")


def retire_key(store: Store, kid: str, settings: Settings) -> None:
    with store.transaction():
        ring.retire(store, kid, settings.access_ttl, int(time.time()))
    sys.stdout.write(f"retired {kid}: the tokens it signed are refused from now on\n")


def main(argv: list[str]) -> int:
    """Run one keys command; a problem is said in words on stderr, with exit code 1."""
    args = build_parser().parse_args(kid_after_dashes(argv))
    settings = Settings(
        data_dir=args.data_dir, database=args.database, access_ttl=int(args.access_ttl)
    )
    try:
        with opened(settings) as (store, secrets):
            if args.command == "list":
                list_keys(store, settings)
            elif args.command == "rotate":
                rotate_key(store, secrets, args.activate_in)
            else:
                retire_key(store, args.kid, settings)
    except ConfigurationError as error:
        sys.stderr.write(f"jwt-refresh-server keys: {error}\n")
        return 1
    return 0
