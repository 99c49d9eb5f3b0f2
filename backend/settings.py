"""Every knob of the server in one frozen dataclass, with its defaults and command-line parsing."""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

CLIENT_ID = "jwt-refresh-demo"
ENV_PREFIX = "JWT_REFRESH_"
DATABASE_SCHEMES = ("postgresql://", "postgres://")


def default_data_dir() -> Path:
    """The platform's user data directory for the server."""
    return Path(platformdirs.user_data_dir("jwt-refresh-server", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """The server's configuration; `issuer` defaults to the URL it listens on."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=default_data_dir)
    access_ttl: int = 300
    refresh_idle_ttl: int = 14 * 24 * 3600
    refresh_max_ttl: int = 30 * 24 * 3600
    reuse_grace: int = 10
    authorization_code_ttl: int = 60
    page_form_ttl: int = 30 * 60
    issuer: str | None = None
    client_id: str = CLIENT_ID
    max_body_bytes: int = 64 * 1024
    throttle_free_failures: int = 5
    throttle_address_free_failures: int = 20
    throttle_name_free_failures: int = 100
    throttle_base_delay: float = 1.0
    throttle_max_delay: float = 15 * 60.0
    ended_session_retention: int = 7 * 24 * 3600
    sign_in_address_retention: int = 90 * 24 * 3600
    max_sessions: int = 100
    sign_ins_per_minute: int = 30
    cleanup_interval: float = 3600.0
    access_log: bool = True
    sqlite_synchronous: str = "FULL"
    database: str | None = None
    allowed_hosts: tuple[str, ...] | None = None
    forwarded_allow_ips: tuple[str, ...] = ()
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: int = 5
    max_connections: int = 1000
    max_header_line_bytes: int = 16 * 1024
    max_header_bytes: int = 64 * 1024

    def with_issuer(self, url: str) -> Settings:
        """A copy whose issuer is `url` unless one was configured."""
        return self if self.issuer else replace(self, issuer=url)

    def host_names(self) -> tuple[str, ...]:
        """The names a request's Host may give: `allowed_hosts`, or by default the issuer's
        host and the listening address, with `localhost` for a loopback one."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        names = [self.host.strip("[]").lower()]
        if self.issuer:
            issuer_host = urlsplit(self.issuer).hostname
            if issuer_host:
                names.append(issuer_host.lower())
        if is_loopback(self.host):
            names.append("localhost")
        return tuple(dict.fromkeys(names))

    @property
    def database_path(self) -> Path:
        return self.data_dir / "auth.sqlite3"

    @property
    def legacy_key_path(self) -> Path:
        """Where a data dir from before the key table kept its one signing key (PEM)."""
        return self.data_dir / "signing-key.pem"

    @property
    def rotation_key_path(self) -> Path:
        return self.data_dir / "rotation-key"

    @property
    def sealing_key_path(self) -> Path:
        """The key that encrypts the private halves of the signing keys kept in the database."""
        return self.data_dir / "key-encryption-key"

    @property
    def form_key_path(self) -> Path:
        return self.data_dir / "form-key"


def is_loopback(host: str) -> bool:
    """True for `localhost` and for addresses in 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def name_list(text: str) -> tuple[str, ...]:
    """argparse type: a comma-separated list, each item stripped and in lower case."""
    return tuple(item.strip().lower() for item in text.split(",") if item.strip())


def positive_seconds(text: str) -> float:
    """argparse type: a number of seconds above 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number of at least 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def database_url(text: str) -> str:
    """argparse type: a PostgreSQL connection URL."""
    if not text.startswith(DATABASE_SCHEMES):
        raise argparse.ArgumentTypeError(
            f"must be a URL such as postgresql://USER@HOST:PORT/DB, not {text!r}"
            f" (from --database or {ENV_PREFIX}DATABASE)"
        )
    return text


def env(name: str, fallback: object) -> object:
    """The value of JWT_REFRESH_<NAME> for the option `--name`, or `fallback`."""
    return os.environ.get(ENV_PREFIX + name.upper().replace("-", "_"), fallback)


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir and --database: where a server, or a command about its keys, finds its data."""
    defaults = Settings()
    parser.add_argument("--data-dir", type=Path, default=env("data-dir", defaults.data_dir))
    parser.add_argument(
        "--database",
        type=database_url,
        default=env("database", None),
        metavar="URL",
        help="keep everything in this PostgreSQL database (default: SQLite in the data dir)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The contract's command line; each option may also come from JWT_REFRESH_<NAME>."""
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="jwt-refresh-server",
        description="Auth server with short-lived JWT access tokens and rotating refresh tokens.",
        epilog="jwt-refresh-server keys {list,rotate,retire} manages the signing keys.",
    )
    parser.add_argument("--host", default=env("host", defaults.host))
    parser.add_argument("--port", type=non_negative_int, default=env("port", defaults.port))
    add_store_options(parser)
    numbers: tuple[tuple[str, Callable[[str], float], str, str], ...] = (
        ("access-ttl", positive_int, "SECONDS", "access-token lifetime"),
        (
            "refresh-idle-ttl",
            positive_int,
            "SECONDS",
            "a session ends after this long without a refresh",
        ),
        (
            "refresh-max-ttl",
            positive_int,
            "SECONDS",
            "a session ends this long after sign-in, whatever",
        ),
        (
            "reuse-grace",
            non_negative_int,
            "SECONDS",
            "the predecessor of the current refresh token works",
        ),
        (
            "max-sessions",
            positive_int,
            "N",
            "live sessions per account; a sign-in beyond ends the least recently used",
        ),
        ("sign-ins-per-minute", positive_int, "N", "successful sign-ins per account a minute"),
        ("header-timeout", positive_seconds, "SECONDS", "a request's line and headers arrive in"),
        ("body-timeout", positive_seconds, "SECONDS", "a request's body arrives in, after them"),
        ("keep-alive-timeout", positive_int, "SECONDS", "an idle connection is closed after"),
        ("max-connections", positive_int, "N", "open connections; more are closed at once"),
    )
    for name, kind, metavar, help_text in numbers:
        default = getattr(defaults, name.replace("-", "_"))
        unit = " s" if metavar == "SECONDS" else ""
        parser.add_argument(
            f"--{name}",
            type=kind,
            default=env(name, default),
            metavar=metavar,
            help=f"{help_text} (default {default:.12g}{unit})",
        )
    parser.add_argument("--issuer", default=env("issuer", None), metavar="URL")
    parser.add_argument(
        "--allowed-hosts",
        type=name_list,
        default=env("allowed-hosts", None),
        metavar="LIST",
        help="host names a request's Host may name, comma-separated, * for any (default: the"
        " issuer's host and the listening address, with localhost for a loopback one)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        type=name_list,
        default=env("forwarded-allow-ips", ""),
        metavar="LIST",
        help="addresses of proxies whose X-Forwarded-For names the client, comma-separated,"
        " * for any (default: none)",
    )
    parser.add_argument(
        "--sqlite-synchronous",
        type=one_of("sqlite-synchronous", "normal", "full"),
        choices=["normal", "full"],
        default=str(env("sqlite-synchronous", defaults.sqlite_synchronous)).lower(),
        help="full (the default): a committed rotation survives a crash of the server and a power"
        " cut; normal survives a crash of the server only, not a power cut or an OS crash",
    )
    parser.add_argument(
        "--access-log",
        type=one_of("access-log", "on", "off"),
        choices=["on", "off"],
        default=str(env("access-log", "on" if defaults.access_log else "off")),
        help="log every request (method, redacted path, status, latency) to stderr (default on)",
    )
    return parser


def one_of(option: str, *allowed: str) -> Callable[[str], str]:
    """argparse type: one of `allowed`, in any case.

    A type rather than only `choices`: argparse checks `choices` on the command line but not
    on defaults, and a default may come from the environment.
    """

    def parse(text: str) -> str:
        value = text.lower()
        if value not in allowed:
            variable = ENV_PREFIX + option.upper().replace("-", "_")
            raise argparse.ArgumentTypeError(
                f"must be {' or '.join(allowed)}, not {text!r} (from --{option} or {variable})"
            )
        return value

    return parse


def parse_settings(argv: list[str]) -> Settings:
    """Settings from a command line (environment variables fill what it leaves out)."""
    args = build_parser().parse_args(argv)
    return Settings(
        host=args.host,
        port=int(args.port),
        data_dir=Path(args.data_dir),
        access_ttl=int(args.access_ttl),
        refresh_idle_ttl=int(args.refresh_idle_ttl),
        refresh_max_ttl=int(args.refresh_max_ttl),
        reuse_grace=int(args.reuse_grace),
        issuer=args.issuer.rstrip("/") if args.issuer else None,
        sqlite_synchronous=args.sqlite_synchronous.upper(),
        access_log=args.access_log == "on",
        database=args.database,
        max_sessions=int(args.max_sessions),
        sign_ins_per_minute=int(args.sign_ins_per_minute),
        allowed_hosts=args.allowed_hosts,
        forwarded_allow_ips=args.forwarded_allow_ips,
        header_timeout=float(args.header_timeout),
        body_timeout=float(args.body_timeout),
        keep_alive_timeout=int(args.keep_alive_timeout),
        max_connections=int(args.max_connections),
    )


def settings_from_environment() -> Settings:
    """Settings from JWT_REFRESH_* alone, for a process manager that imports the app."""
    return parse_settings([])
