"""A throwaway PostgreSQL server on a loopback port, from the machine's own binaries.

Debian's `postgresql` package puts them in /usr/lib/postgresql/<version>/bin; elsewhere they
are on PATH. `initdb` and `postgres` refuse to run as root, so under root the cluster belongs
to the `postgres` user (its folder too) and the server runs as that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

SYSTEM_USER = "postgres"
SUPERUSER = "postgres"


def find_binaries() -> Path | None:
    """The folder holding `initdb` and `postgres`: on PATH, else the newest Debian version."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        return Path(on_path).resolve().parent
    versions = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    newest = max(versions, key=lambda path: int(Path(path).parent.parent.name), default=None)
    return Path(newest).parent if newest else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """initdb in a temporary folder, `postgres` on 127.0.0.1 only, trust for local use."""

    def __init__(self, binaries: Path, settings: dict[str, str] | None = None) -> None:
        self.binaries = binaries
        self.settings = settings or {}
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="jwt-refresh-pg-"))
        self.data = self.folder / "data"
        self.log_path = self.folder / "postgres.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._as_user: str | None = SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def pid(self) -> int:
        """The postmaster's process id (every backend is its child)."""
        assert self._process is not None
        return self._process.pid

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        """Create the cluster and start the server; raise with its log if it does not come up."""
        if self._as_user is not None:
            account = pwd.getpwnam(self._as_user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        initdb = [
            str(self.binaries / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ]  # fmt: skip
        subprocess.run(initdb, check=True, capture_output=True, user=self._as_user, timeout=timeout)
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "200",
            **self.settings,
        }
        command = [str(self.binaries / "postgres"), "-D", str(self.data)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, user=self._as_user
            )
        self._wait_until_ready(timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log_path.read_text()}")
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not start:\n{self.log_path.read_text()}"
                    ) from None
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def execute(self, database: str, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Run one statement as the superuser in `database`; the rows it returns."""
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected), then remove the cluster."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
