"""The API client against the real server, and against failing networks."""

from __future__ import annotations

import pytest

from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import (
    InvalidCredentials,
    InvalidGrant,
    NetworkDown,
    NotFound,
    RequestRejected,
    RequestTimedOut,
    ServerFailed,
    Throttled,
    TokenRejected,
    TransientError,
)
from desktop.core.events import HttpExchange
from tests.desktop.conftest import Account, new_password
from tests.desktop.netfail import canned_server, closed_port, silent_server


def client_for(url: str, log: list[HttpExchange] | None = None, **options) -> ApiClient:
    return ApiClient(url, SystemClock(), None if log is None else log.append, **options)


def test_sign_in_refresh_and_call(server, make_account) -> None:
    account: Account = make_account(server.url)
    log: list[HttpExchange] = []
    client = client_for(server.url, log)
    first = client.sign_in(account.username, account.password)
    assert first.expires_in > 0
    assert first.session_id
    second = client.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    assert client.account(second.access_token)["session_id"] == first.session_id
    sessions = client.sessions(second.access_token)
    assert [s.id for s in sessions if s.current] == [first.session_id]
    client.revoke(second.refresh_token)
    with pytest.raises(InvalidGrant):
        client.refresh(second.refresh_token)
    assert [(e.method, e.path, e.status) for e in log] == [
        ("POST", "/sign-in", 200),
        ("POST", "/tokens/refresh", 200),
        ("GET", "/account", 200),
        ("GET", "/sessions", 200),
        ("POST", "/tokens/revoke", 204),
        ("POST", "/tokens/refresh", 400),
    ]
    text = " ".join(e.detail for e in log)
    for secret in (first.access_token, first.refresh_token, second.refresh_token, account.password):
        assert secret not in text
    assert log[1].detail.startswith(f"refresh {first.refresh_token[:4]}…")
    assert log[-1].detail == "invalid_grant"


def test_sessions_follow_the_pages_to_the_last(server, make_account) -> None:
    account: Account = make_account(server.url)
    log: list[HttpExchange] = []
    client = client_for(server.url, log)
    signed_in = [client.sign_in(account.username, account.password) for _ in range(5)]
    log.clear()
    sessions = client.sessions(signed_in[-1].access_token, page_size=2)
    assert sorted(s.id for s in sessions) == sorted(t.session_id for t in signed_in)
    assert [s.created_at for s in sessions] == sorted(
        (s.created_at for s in sessions), reverse=True
    )
    assert [s.id for s in sessions if s.current] == [signed_in[-1].session_id]
    assert [(e.method, e.path, e.status) for e in log] == [("GET", "/sessions", 200)] * 3


def test_refusals_are_typed(server, make_account) -> None:
    account: Account = make_account(server.url)
    client = client_for(server.url)
    with pytest.raises(InvalidCredentials):
        client.sign_in(account.username, "not-the-password")
    with pytest.raises(InvalidGrant):
        client.refresh("x" * 43)
    with pytest.raises(TokenRejected):
        client.account("not-a-jwt")
    with pytest.raises(RequestRejected) as taken:
        client.sign_up(account.username, new_password())
    assert (taken.value.status, taken.value.code) == (409, "username_taken")
    with pytest.raises(RequestRejected) as weak:
        client.sign_up("someone-new", "password")
    assert weak.value.status == 400
    tokens = client.sign_in(account.username, account.password)
    with pytest.raises(NotFound):
        client.delete_session(tokens.access_token, "no-such-session")


def first_throttle(client: ApiClient, username: str) -> Throttled:
    """Sign in with a wrong password until the server throttles; return its answer."""
    for _ in range(30):
        try:
            client.sign_in(username, "wrong password")
        except Throttled as error:
            return error
        except InvalidCredentials:
            pass
    raise AssertionError("the server never throttled")


def test_throttled_sign_in_carries_retry_after(server, make_account) -> None:
    account: Account = make_account(server.url)
    throttled = first_throttle(client_for(server.url), account.username)
    assert throttled.retry_after is not None
    assert throttled.retry_after >= 1
    assert isinstance(throttled, TransientError)


def test_a_refused_connection_is_network_down() -> None:
    log: list[HttpExchange] = []
    with pytest.raises(NetworkDown):
        client_for(closed_port(), log).health()
    assert log[0].status is None


def test_a_server_that_stopped_is_network_down(server) -> None:
    client = client_for(server.url)
    client.health()
    server.kill()
    with pytest.raises(NetworkDown):
        client.health()


def test_a_silent_server_times_out() -> None:
    with silent_server() as url, pytest.raises(RequestTimedOut):
        client_for(url, timeout=(0.5, 0.5)).health()


def test_a_5xx_is_a_server_failure() -> None:
    with canned_server("503 Service Unavailable") as url, pytest.raises(ServerFailed) as failed:
        client_for(url).refresh("x" * 43)
    assert failed.value.status == 503
    assert isinstance(failed.value, TransientError)


def test_a_429_with_an_http_date_retry_after() -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}
    with canned_server("429 Too Many Requests", headers) as url, pytest.raises(Throttled) as error:
        client_for(url).refresh("x" * 43)
    assert error.value.retry_after is not None
    assert error.value.retry_after > 3600
