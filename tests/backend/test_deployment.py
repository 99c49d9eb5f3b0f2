"""A deployment: three servers on one PostgreSQL behind nginx, the second and third given a copy of
the first one's data dir. 50 clients rotate through the proxy while one server is killed with
kill -9 and started again, a key is rotated and the old one retired, and some sessions end:
no session is lost, no chain forks, every ending is refused by every server at once, and
sign-in failures count across the servers."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jwt
import pytest
import requests

from tests.support.api import Api, Tokens, assert_error, tokens_of
from tests.support.components import require_executable
from tests.support.keys import added_kid, keys, published, soon
from tests.support.nginx import Nginx
from tests.support.postgres import PostgresServer, free_port
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.slow
ACCOUNTS = 10
SESSIONS_PER_ACCOUNT = 5
RETRIES = 100
PAUSE = 0.05
FREE_FAILURES = 5


@dataclass
class Client:
    """One session driven through the proxy: its tokens, and what it saw."""

    tokens: Tokens
    spent: list[str] = field(default_factory=list)
    rotations: int = 0
    recovered_401s: int = 0
    ended: bool = False

    def rotate(self, api: Api) -> None:
        """One rotation; an error or a 5xx is retried with the same token (the reuse grace
        makes the repeat of a refresh whose answer was lost safe)."""
        for _ in range(RETRIES):
            try:
                response = api.refresh(self.tokens.refresh_token)
            except requests.RequestException:
                time.sleep(PAUSE)
                continue
            if response.status_code >= 500:
                time.sleep(PAUSE)
                continue
            assert response.status_code == 200, response.text
            fresh = tokens_of(response)
            assert fresh.refresh_token != self.tokens.refresh_token
            assert fresh.session_id == self.tokens.session_id
            self.spent.append(self.tokens.refresh_token)
            self.tokens = fresh
            self.rotations += 1
            return
        raise AssertionError("the proxy gave no answer to a refresh")

    def call_account(self, api: Api) -> None:
        """GET /account; a 401 (a token of a retired key) is followed by a refresh and a retry."""
        for _ in range(RETRIES):
            response = api.get("/account", self.tokens.access_token)
            if response.status_code == 200:
                return
            assert response.status_code in (401, 502, 503), response.text
            if response.status_code == 401:
                self.recovered_401s += 1
                self.rotate(api)
            time.sleep(PAUSE)
        raise AssertionError("/account never answered 200")


def end_by_revoke(api: Api, client: Client) -> None:
    assert api.post("/tokens/revoke", {"refresh_token": client.tokens.refresh_token}).ok


def end_by_deleting(api: Api, client: Client) -> None:
    path = f"/sessions/{client.tokens.session_id}"
    assert api.delete(path, client.tokens.access_token).status_code == 204


def end_by_oauth_revoke(api: Api, client: Client) -> None:
    assert api.form("/oauth/revoke", {"token": client.tokens.access_token}).ok


def end_by_replaying(api: Api, client: Client) -> None:
    client.rotate(api)
    client.rotate(api)
    assert api.refresh(client.spent[-2]).status_code == 400


ENDINGS: list[Callable[[Api, Client], None]] = [
    end_by_revoke,
    end_by_deleting,
    end_by_oauth_revoke,
    end_by_replaying,
]


@dataclass
class Deployment:
    nginx: Nginx
    servers: list[ServerProcess]
    postgres: PostgresServer
    database: str

    @property
    def direct(self) -> list[Api]:
        return [Api(server.url) for server in self.servers]


@pytest.fixture
def deployment(
    tmp_path: Path, postgres: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[Deployment]:
    nginx_binary = require_executable("nginx")
    database = postgres.create_database(f"deployment{time.monotonic_ns()}")
    port = free_port()
    options = ["--issuer", f"http://127.0.0.1:{port}", "--access-log", "off"]
    first = ServerProcess(tmp_path / "host1", options, database)
    first.start()
    servers = [first]
    for host in ("host2", "host3"):
        shutil.copytree(first.data_dir, tmp_path / host)
        servers.append(ServerProcess(tmp_path / host, options, database))
        servers[-1].start()
    nginx = Nginx(nginx_binary, tmp_path / "nginx", port, [s.url[7:] for s in servers])
    nginx.start()
    yield Deployment(nginx, servers, postgres, database)
    nginx.stop()
    for server in servers:
        server.stop()


def publishes(api: Api, kid: str) -> bool:
    return kid in published(api)


def withdrawn(api: Api, kid: str) -> bool:
    return kid not in published(api)


def sign_in_clients(api: Api) -> list[Client]:
    clients = []
    for _ in range(ACCOUNTS):
        username = api.sign_up()
        clients += [Client(api.sign_in(username)) for _ in range(SESSIONS_PER_ACCOUNT)]
    return clients


def check_the_throttle_is_shared(deployment: Deployment, proxy: Api) -> None:
    """Five failures spread over the three servers hold back the sixth attempt on any of them."""
    username = proxy.sign_up()
    wrong = {"username": username, "password": "not the password at all"}
    servers = deployment.direct
    for attempt in range(FREE_FAILURES):
        response = servers[attempt % len(servers)].post("/sign-in", wrong)
        assert_error(response, 401, "invalid_credentials")
    for api in servers:
        assert_error(api.post("/sign-in", wrong), 429, "too_many_attempts")


def test_a_deployment_keeps_every_session_through_a_kill_a_key_rotation_and_endings(
    deployment: Deployment,
) -> None:
    proxy = Api(deployment.nginx.url)
    check_the_throttle_is_shared(deployment, proxy)
    clients = sign_in_clients(proxy)
    enders = clients[::SESSIONS_PER_ACCOUNT][: len(ENDINGS) * 2]
    _, signed_by_the_old_key = proxy.new_session()
    stop, end_now = threading.Event(), threading.Event()
    problems: list[BaseException] = []

    def drive(client: Client) -> None:
        api = Api(deployment.nginx.url)
        try:
            while not stop.is_set():
                if client in enders and end_now.is_set():
                    end_and_check_everywhere(client)
                    return
                client.rotate(api)
                if client.rotations % 3 == 0:
                    client.call_account(api)
        except BaseException as error:
            problems.append(error)

    def end_and_check_everywhere(client: Client) -> None:
        ENDINGS[enders.index(client) % len(ENDINGS)](Api(deployment.nginx.url), client)
        client.ended = True
        for api in deployment.direct:
            response = api.get("/account", client.tokens.access_token)
            assert response.status_code == 401, (api.base_url, response.text)

    threads = [threading.Thread(target=drive, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        victim = deployment.servers[1]
        before_the_kill = sum(client.rotations for client in clients)
        victim.kill()
        time.sleep(1)
        victim.restart()
        time.sleep(1)
        after_the_restart = sum(client.rotations for client in clients)

        first = deployment.servers[0]
        old_kid = jwt.get_unverified_header(signed_by_the_old_key.access_token)["kid"]
        new_kid = added_kid(keys(first, "rotate", "--activate-in", "0"))
        for api in deployment.direct:
            assert soon(partial(publishes, api, new_kid))
        retired = keys(first, "retire", old_kid)
        assert retired.returncode == 0, retired.stdout + retired.stderr
        for api in deployment.direct:
            assert soon(partial(withdrawn, api, old_kid))
            response = api.get("/account", signed_by_the_old_key.access_token)
            assert response.status_code == 401, response.text

        end_now.set()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert problems == []
    assert 0 < before_the_kill < after_the_restart < sum(client.rotations for client in clients)

    kept = [client for client in clients if not client.ended]
    assert len(kept) == len(clients) - len(enders)
    assert all(client.rotations >= 3 for client in clients)
    for client in kept:
        client.rotate(proxy)
    for client in clients:
        if client.ended:
            assert proxy.refresh(client.tokens.refresh_token).status_code == 400
    check_chains(deployment, clients)


def check_chains(deployment: Deployment, clients: list[Client]) -> None:
    """The database agrees with every client on its session's rotations, and each chain holds
    exactly one token per generation: nothing lost, nothing forked."""
    name = deployment.database.rsplit("/", 1)[1]
    rows = deployment.postgres.execute(
        name,
        "SELECT s.id, s.refresh_count, s.current_generation, count(t.token_hash),"
        " count(DISTINCT t.generation), max(t.generation)"
        " FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id GROUP BY s.id",
    )
    chains = {row[0]: row[1:] for row in rows}
    for client in clients:
        count, generation, tokens, generations, newest = chains[client.tokens.session_id]
        assert count == client.rotations, (client.tokens.session_id, count, client.rotations)
        assert generation == newest == count
        assert tokens == generations == count + 1
