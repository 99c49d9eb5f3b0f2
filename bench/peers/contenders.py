"""The servers the peers section runs side by side: how each is seeded, served and asked."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import seed
from bench.launch import BenchServer
from bench.peers.apps import (
    DATA_DIR_VARIABLE,
    DJANGO_PEER_VARIABLE,
    OAUTH_CLIENT_ID,
    SECRET_KEY_VARIABLE,
    SESSIONS_PER_USER,
)
from bench.peers.environment import Environment
from bench.peers.server import PeerServer, environment_for
from bench.server.server_bench import ACCESS_TTL, QUIET, SEEDING, progress

TOKEN = "TOKEN"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Shape:
    """A refresh request: its path and body (TOKEN marks the refresh token), and the key of
    the new refresh token in the JSON answer."""

    path: str
    content_type: str
    body: str
    answer_key: str

    def body_for(self, token: str) -> str:
        return self.body.replace(TOKEN, token)


@dataclass(frozen=True)
class Stage:
    """What every contender of one run shares: a scratch dir, the peers' environment,
    how many live sessions each gets, the server's cores, and the peers' signing secret."""

    workdir: Path
    environment: Environment
    sessions: int
    server_cores: str | None
    secret: str


class Contender(ABC):
    """One server in the table: `start` seeds it, starts it and returns its refresh tokens."""

    def __init__(self, key: str, label: str, shape: Shape | None, storage: str) -> None:
        self.key = key
        self.label = label
        self.shape = shape
        self.storage = storage
        self.server: BenchServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    @abstractmethod
    def served(self) -> str:
        """The server's command line."""

    @abstractmethod
    def start(self, stage: Stage) -> list[str]:
        """Seed, start, and return live refresh tokens (none for a server that has none)."""

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


class OursSeed:
    """Our sessions, signed in once on an unpinned server (argon2id is the slow part of
    seeding); each of our contenders starts on a copy of that data dir."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tokens: list[str] = []

    def copy_to(self, data_dir: Path, sessions: int) -> list[str]:
        if not self.tokens:
            self.tokens = self.sign_in(sessions)
        shutil.copytree(self.directory, data_dir)
        return self.tokens

    def journal_modes(self) -> str:
        """The journal mode that each SQLite database of the data dir keeps in its file."""
        modes = []
        for database in sorted(self.directory.glob("*.sqlite3")):
            with sqlite3.connect(database) as connection:
                modes.append(str(connection.execute("PRAGMA journal_mode").fetchone()[0]))
        return ", ".join(modes) or "unknown"

    def sign_in(self, sessions: int) -> list[str]:
        progress(f"ours: signing in {sessions:,} sessions to seed our server")
        server = BenchServer(self.directory, [*QUIET, *SEEDING])
        url = server.start()
        try:
            users = seed.accounts(url, math.ceil(sessions / SESSIONS_PER_USER))

            def refresh_token(n: int) -> str:
                return seed.sign_in(url, users[n % len(users)]).refresh_token

            with ThreadPoolExecutor(max_workers=4) as pool:
                return list(pool.map(refresh_token, range(sessions)))
        finally:
            server.stop()


class Ours(Contender):
    """`python -m backend` as the server bench starts it, on a copy of the seeded data."""

    def __init__(self, key: str, label: str, seeded: OursSeed, synchronous: str = "full") -> None:
        shape = Shape("/tokens/refresh", JSON, '{"refresh_token":"TOKEN"}', "refresh_token")
        super().__init__(key, label, shape, "")
        self.synchronous = synchronous
        durability = [] if synchronous == "full" else ["--sqlite-synchronous", synchronous]
        self.options = ["--access-ttl", ACCESS_TTL, *QUIET, *durability]
        self.seeded = seeded

    @property
    def served(self) -> str:
        return " ".join(["python -m backend", *self.options])

    def start(self, stage: Stage) -> list[str]:
        data_dir = stage.workdir / self.key
        tokens = self.seeded.copy_to(data_dir, stage.sessions + 1)
        self.storage = (
            f"SQLite, journal_mode={self.seeded.journal_modes()}, synchronous={self.synchronous}"
        )
        self.server = self.serve(data_dir, stage)
        self.server.start()
        return tokens

    def serve(self, data_dir: Path, stage: Stage) -> BenchServer:
        return BenchServer(data_dir, self.options, stage.server_cores)


class OursOnGranian(Ours):
    """Our app from its public factory under Granian, as another process manager would run
    it: every option from JWT_REFRESH_*, Granian borrowed from the peers' environment."""

    def __init__(self, key: str, label: str, seeded: OursSeed) -> None:
        super().__init__(key, label, seeded)
        self.settings = {"JWT_REFRESH_ACCESS_TTL": ACCESS_TTL, "JWT_REFRESH_ACCESS_LOG": "off"}

    @property
    def served(self) -> str:
        settings = [f"{name}={value}" for name, value in self.settings.items()]
        return " ".join([*settings, *GRANIAN, "--factory", OUR_FACTORY]).format(port="PORT")

    def serve(self, data_dir: Path, stage: Stage) -> BenchServer:
        borrowed = ["bench.peers.borrowed_granian", str(stage.environment.site_packages)]
        command = [*borrowed, *GRANIAN[1:], "--factory", OUR_FACTORY]
        env = {**self.settings, "JWT_REFRESH_DATA_DIR": str(data_dir)}
        return PeerServer(data_dir, Path(sys.executable), command, env, stage.server_cores)


class Peer(Contender):
    """A peer from the peers' environment: seeded by `bench.peers.apps.seed`, then served."""

    def __init__(
        self,
        key: str,
        label: str,
        command: list[str],
        env: dict[str, str],
        seeder: str | None = None,
        shape: Shape | None = None,
    ) -> None:
        super().__init__(key, label, shape, "none")
        self.command = command
        self.env = env
        self.seeder = seeder

    @property
    def served(self) -> str:
        settings = [f"{name}={value}" for name, value in self.env.items()]
        return " ".join([*settings, "python -m", *self.command]).format(port="PORT")

    def start(self, stage: Stage) -> list[str]:
        data_dir = stage.workdir / self.key
        data_dir.mkdir(parents=True)
        env = {**self.env, DATA_DIR_VARIABLE: str(data_dir), SECRET_KEY_VARIABLE: stage.secret}
        tokens = self.seed(self.seeder, stage, env, data_dir) if self.seeder else []
        self.server = PeerServer(
            data_dir, stage.environment.python, self.command, env, stage.server_cores
        )
        self.server.start()
        return tokens

    def seed(self, seeder: str, stage: Stage, env: dict[str, str], data_dir: Path) -> list[str]:
        """Tables, users and live refresh tokens; notes how the peer's SQLite keeps a commit."""
        out = data_dir / "seeded-tokens"
        arguments = [seeder, str(stage.sessions + 1), str(out)]
        seeding = subprocess.run(
            [str(stage.environment.python), "-m", "bench.peers.apps.seed", *arguments],
            env=environment_for(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if seeding.returncode != 0:
            raise RuntimeError(f"seeding {self.label} failed:\n{seeding.stderr}")
        pragmas = json.loads(seeding.stdout.splitlines()[-1])
        self.storage = (
            f"SQLite, journal_mode={pragmas['journal_mode']}, synchronous={pragmas['synchronous']}"
        )
        return out.read_text().split()


def gunicorn(app: str, threads: int = 0) -> list[str]:
    """gunicorn with one worker process (the bench gives every server one core): sync, or
    gthread with `threads` threads."""
    worker = ["--worker-class", "gthread", "--threads", str(threads)] if threads else []
    return ["gunicorn", "--workers", "1", *worker, "--bind", "127.0.0.1:{port}", app]


DJANGO_WSGI = "bench.peers.apps.django_wsgi:application"
DJANGO_SHAPES = {
    "simplejwt": Shape("/api/token/refresh/", JSON, '{"refresh":"TOKEN"}', "refresh"),
    "oauth_toolkit": Shape(
        "/o/token/",
        FORM,
        f"grant_type=refresh_token&client_id={OAUTH_CLIENT_ID}&refresh_token=TOKEN",
        "refresh_token",
    ),
}
FLASK_SHAPE = Shape("/refresh", JSON, '{"refresh_token":"TOKEN"}', "refresh_token")
FLOOR_APP = "bench.peers.apps.starlette_floor:app"
UVICORN = ["uvicorn", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
           "--host", "127.0.0.1", "--port", "{port}",
           FLOOR_APP]  # fmt: skip
GRANIAN = ["granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", "{port}",
           "--workers", "1", "--runtime-threads", "1", "--loop", "uvloop", "--http", "1",
           "--no-ws", "--log-level", "warning"]  # fmt: skip
OUR_FACTORY = "backend:create_app"
GTHREADS = 4


def django_peer(key: str, label: str, peer: str, threads: int = 0) -> Peer:
    """A Django peer (the settings module serves both) under gunicorn."""
    env = {"DJANGO_SETTINGS_MODULE": "bench.peers.apps.django_settings", DJANGO_PEER_VARIABLE: peer}
    return Peer(key, label, gunicorn(DJANGO_WSGI, threads), env, peer, DJANGO_SHAPES[peer])


def contenders(stage: Stage) -> list[Contender]:
    """Ours first (the ratios' reference), then each peer, then the floor."""
    seeded = OursSeed(stage.workdir / "ours-seed")
    gthread = f"DRF + simplejwt, gunicorn gthread ({GTHREADS} threads)"
    return [
        Ours("ours", "ours: python -m backend (uvicorn)", seeded),
        Ours("ours-normal", "ours, --sqlite-synchronous normal", seeded, "normal"),
        django_peer("simplejwt-sync", "DRF + simplejwt, gunicorn sync", "simplejwt"),
        django_peer("simplejwt-gthread", gthread, "simplejwt", GTHREADS),
        django_peer("oauth-toolkit", "django-oauth-toolkit, gunicorn sync", "oauth_toolkit"),
        Peer(
            "flask",
            "Flask-JWT-Extended + blocklist, gunicorn sync",
            gunicorn("bench.peers.apps.flask_app:app"),
            {},
            "flask",
            FLASK_SHAPE,
        ),
        OursOnGranian("ours-granian", "ours: backend:create_app on Granian", seeded),
        Peer("floor", "bare Starlette on uvicorn, GET (the floor)", UVICORN, {}),
        Peer("floor-granian", "bare Starlette on Granian, GET", [*GRANIAN, FLOOR_APP], {}),
    ]
