"""The Host a request names must be the server's (DNS rebinding), and X-Forwarded-For counts
only from proxies named in --forwarded-allow-ips."""

from __future__ import annotations

import json

import pytest

from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, assert_error, unique_name
from tests.support.raw import send
from tests.support.server_process import ServerProcess

SUITE = "foreign Host headers and spoofed X-Forwarded-For refused or ignored"


def get_with_host(server: ServerProcess, host: str) -> int:
    return send(server.url, "GET", "/health", headers={"Host": host}).status_code


def test_a_rebound_host_name_gets_400(start_server) -> None:
    server = start_server()
    answer = send(server.url, "GET", "/account", headers={"Host": f"evil.example:{server.port}"})
    assert_error(answer, 400, "invalid_request")
    for host in ("attacker.test", "127.0.0.1.evil.example", "localhost.evil.example", ""):
        assert get_with_host(server, host) == 400, host
    for host in (f"127.0.0.1:{server.port}", "127.0.0.1", f"localhost:{server.port}", "LOCALHOST"):
        assert get_with_host(server, host) == 200, host
    FIGURES.tally(SUITE)


def test_allowed_hosts_names_the_hosts_or_any(start_server) -> None:
    named = start_server("--allowed-hosts", "auth.example.com, other.example")
    assert get_with_host(named, "auth.example.com") == 200
    assert get_with_host(named, "Other.Example:443") == 200
    assert get_with_host(named, f"127.0.0.1:{named.port}") == 400
    anything = start_server("--allowed-hosts", "*")
    assert get_with_host(anything, "whatever.example") == 200
    FIGURES.tally(SUITE)


def test_the_issuers_host_is_allowed(start_server) -> None:
    server = start_server("--issuer", "https://auth.example.org")
    assert get_with_host(server, "auth.example.org") == 200
    assert get_with_host(server, f"127.0.0.1:{server.port}") == 200
    assert get_with_host(server, "auth.example.net") == 400


def failed_sign_ins(server: ServerProcess, count: int) -> list[int]:
    """Failed sign-ins on fresh names from 127.0.0.1, each claiming another client address."""
    statuses = []
    for number in range(count):
        body = json.dumps({"username": unique_name("spoof"), "password": PASSWORD}).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{number}"}
        statuses.append(send(server.url, "POST", "/sign-in", body, headers).status_code)
    return statuses


def test_x_forwarded_for_is_ignored_by_default(start_server) -> None:
    statuses = failed_sign_ins(start_server(), 25)
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}, statuses
    FIGURES.tally(SUITE)


@pytest.mark.parametrize("trusted", ["127.0.0.1", "*"])
def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(
    start_server, trusted: str
) -> None:
    statuses = failed_sign_ins(start_server("--forwarded-allow-ips", trusted), 25)
    assert statuses == [401] * 25
