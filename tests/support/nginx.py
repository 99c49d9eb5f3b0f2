"""Debian's nginx in the foreground with a config of its own: one address before several servers."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream auth {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""


class Nginx:
    """A reverse proxy on 127.0.0.1:`port` spreading requests over `upstreams` (host:port).

    It passes a request on to the next server when one cannot be reached, POSTs included
    (`non_idempotent`): a refresh sent twice is safe here, since the repeat falls within
    the reuse grace and gets the same answer.
    """

    def __init__(self, binary: str, folder: Path, port: int, upstreams: list[str]) -> None:
        self.binary = binary
        self.folder = folder
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.upstreams = upstreams
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            f"        server {upstream} max_fails=1 fail_timeout=1s;" for upstream in self.upstreams
        )
        config = self.folder / "nginx.conf"
        config.write_text(CONFIG.format(prefix=self.folder, servers=servers, port=self.port))
        log = (self.folder / "nginx.out").open("ab")
        self._process = subprocess.Popen(
            [self.binary, "-p", str(self.folder), "-c", str(config)], stdout=log, stderr=log
        )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.folder / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(15)
