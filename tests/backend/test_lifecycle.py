"""The server process: ready line, keys kept across restarts, SIGTERM, kill -9 durability."""

from __future__ import annotations

import json
import socket
import stat
import threading
import time
from email.utils import parsedate_to_datetime

from tests.support.api import PASSWORD, Api, tokens_of
from tests.support.server_process import ServerProcess


def test_ready_line_and_port_zero(server: ServerProcess) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server.port > 0
    assert f"listening on {server.url}" in server.log


def test_secret_files_are_private_and_reused_after_restart(server: ServerProcess) -> None:
    api = Api(server.url)
    _, tokens = api.new_session()
    secrets_before = {
        name: (server.data_dir / name).read_bytes()
        for name in ("rotation-key", "key-encryption-key")
    }
    for name in (*secrets_before, "auth.sqlite3"):
        mode = stat.S_IMODE((server.data_dir / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    keys_before = api.get("/.well-known/jwks.json").json()
    assert server.stop() == 0
    server.restart()
    for name, content in secrets_before.items():
        assert (server.data_dir / name).read_bytes() == content
    assert api.get("/.well-known/jwks.json").json() == keys_before
    assert api.get("/account", tokens.access_token).status_code == 200
    assert api.refresh(tokens.refresh_token).status_code == 200


def test_sigterm_finishes_requests_in_flight_and_exits_zero(server: ServerProcess) -> None:
    api = Api(server.url)
    username = api.sign_up()
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    head = (
        f"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head + body[:10])
        assert api.get("/health").status_code == 200
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        time.sleep(0.3)
        connection.sendall(body[10:])
        answer = connection.makefile("rb").read().decode()
        stopping.join(15)
    assert answer.startswith("HTTP/1.1 200")
    assert '"access_token"' in answer
    assert server.stop() == 0


def test_kill_9_during_refreshes_loses_no_answered_token(server: ServerProcess) -> None:
    api = Api(server.url)
    sessions = [api.new_session()[1] for _ in range(4)]
    latest = {tokens.session_id: tokens.refresh_token for tokens in sessions}
    stop = threading.Event()

    def keep_refreshing(session_id: str) -> None:
        client = Api(server.url)
        while not stop.is_set():
            try:
                response = client.refresh(latest[session_id])
            except OSError:
                return
            if response.status_code != 200:
                return
            latest[session_id] = tokens_of(response).refresh_token

    first = dict(latest)
    workers = [threading.Thread(target=keep_refreshing, args=(sid,)) for sid in latest]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while sum(latest[sid] != first[sid] for sid in latest) < len(latest):
        assert time.monotonic() < deadline, "the sessions did not start rotating"
        time.sleep(0.05)
    assert all(worker.is_alive() for worker in workers), "a refresh was refused before the kill"
    server.kill()
    stop.set()
    for worker in workers:
        worker.join(10)
    server.restart()
    for session_id, token in latest.items():
        response = api.refresh(token)
        assert response.status_code == 200, response.text
        assert tokens_of(response).session_id == session_id


def test_every_answer_has_a_date_of_its_own_second(server: ServerProcess) -> None:
    api = Api(server.url)
    for _ in range(2):
        before = int(time.time())
        date = api.get("/health").headers["Date"]
        after = int(time.time())
        assert before <= parsedate_to_datetime(date).timestamp() <= after, date
        time.sleep(1.1)
