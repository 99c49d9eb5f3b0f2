"""The rotation check that decides whether a peer is timed, against real HTTP servers."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bench.peers import rotation
from bench.peers.contenders import JSON, Shape
from tests.support.server_process import ServerProcess

PEER_SHAPE = Shape("/refresh", JSON, '{"refresh":"TOKEN"}', "refresh")
OURS_SHAPE = Shape("/tokens/refresh", JSON, '{"refresh_token":"TOKEN"}', "refresh_token")


class Issuer:
    """A token server that hands out new refresh tokens and, unless told to, spends the old."""

    def __init__(self, spends: bool, renews: bool = True) -> None:
        self.spends = spends
        self.renews = renews
        self.live: set[str] = set()

    def issue(self) -> str:
        token = secrets.token_urlsafe(16)
        self.live.add(token)
        return token

    def refresh(self, token: str) -> tuple[int, dict[str, str]]:
        if token not in self.live:
            return 401, {"detail": "token is spent"}
        if self.spends:
            self.live.discard(token)
        return 200, {"access": "access", "refresh": self.issue() if self.renews else token}


@pytest.fixture
def serve() -> Iterator:
    servers: list[ThreadingHTTPServer] = []

    def start(issuer: Issuer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = issuer.refresh(body["refresh"])
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_server_that_spends_used_tokens_rotates(serve) -> None:
    issuer = Issuer(spends=True)
    check = rotation.check(serve(issuer), PEER_SHAPE, issuer.issue())
    assert check.rotates
    assert check.steps[-1] == "A again → 401, refused"


def test_new_tokens_while_the_used_one_still_works_is_not_rotation(serve) -> None:
    issuer = Issuer(spends=False)
    check = rotation.check(serve(issuer), PEER_SHAPE, issuer.issue())
    assert not check.rotates
    assert check.steps[-1] == "A again → 200, accepted"
    assert "not timed" in str(check)


def test_the_same_token_answered_again_is_not_rotation(serve) -> None:
    issuer = Issuer(spends=False, renews=False)
    check = rotation.check(serve(issuer), PEER_SHAPE, issuer.issue())
    assert not check.rotates
    assert check.steps == ("A → 200 without a new refresh token",)


def test_a_refused_first_refresh_is_not_rotation(serve) -> None:
    issuer = Issuer(spends=True)
    check = rotation.check(serve(issuer), PEER_SHAPE, "never-issued")
    assert not check.rotates
    assert check.steps == ("A → 401 without a new refresh token",)


def test_our_server_rotates_despite_its_reuse_grace(server: ServerProcess) -> None:
    """Within the grace our server answers A's successor again; two rotations back it refuses."""
    credentials = {"username": "peer-check", "password": "a long and unusual passphrase 7"}
    requests.post(f"{server.url}/sign-up", json=credentials, timeout=30).raise_for_status()
    signed_in = requests.post(f"{server.url}/sign-in", json=credentials, timeout=30)
    check = rotation.check(server.url, OURS_SHAPE, signed_in.json()["refresh_token"])
    assert check.rotates, check
    assert check.steps[-1] == "A again → 400, refused"
