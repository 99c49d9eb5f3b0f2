"""Ending a session refuses its access tokens at once, in every server process of the store.

Each process remembers sessions it has seen active (backend/core/session_cache.py); these
tests warm that memory in two processes first, then end the session through one of them.
The processes share a data dir and its SQLite database (a mark in a shared file), or a
PostgreSQL database (LISTEN/NOTIFY).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.api import Api, Tokens, tokens_of
from tests.support.server_process import ServerProcess
from tests.support.stores import NewDatabase, both_stores

pytestmark = both_stores

ISSUER = "http://auth.test"


def sign_out(api: Api, tokens: Tokens) -> Tokens:
    body = {"refresh_token": tokens.refresh_token, "reason": "signed_out"}
    assert api.post("/tokens/revoke", body).status_code == 204
    return tokens


def revoke(api: Api, tokens: Tokens) -> Tokens:
    assert api.post("/tokens/revoke", {"refresh_token": tokens.refresh_token}).status_code == 204
    return tokens


def revoke_by_seed_route(api: Api, tokens: Tokens) -> Tokens:
    assert api.post(f"/tokens/{tokens.refresh_token}/revoke").status_code == 204
    return tokens


def revoke_all(api: Api, tokens: Tokens) -> Tokens:
    response = api.call("POST", "/tokens/revoke-all", tokens.access_token)
    assert response.status_code == 204, response.text
    return tokens


def delete_session(api: Api, tokens: Tokens) -> Tokens:
    assert api.delete(f"/sessions/{tokens.session_id}", tokens.access_token).status_code == 204
    return tokens


def oauth_revoke_refresh_token(api: Api, tokens: Tokens) -> Tokens:
    assert api.form("/oauth/revoke", {"token": tokens.refresh_token}).status_code == 200
    return tokens


def oauth_revoke_access_token(api: Api, tokens: Tokens) -> Tokens:
    assert api.form("/oauth/revoke", {"token": tokens.access_token}).status_code == 200
    return tokens


def replay_a_spent_token(api: Api, tokens: Tokens) -> Tokens:
    """Rotate twice, then replay the first token: reuse detection ends the session."""
    second = tokens_of(api.refresh(tokens.refresh_token))
    third = tokens_of(api.refresh(second.refresh_token))
    assert api.refresh(tokens.refresh_token).status_code == 400
    return third


ENDINGS: list[Callable[[Api, Tokens], Tokens]] = [
    sign_out,
    revoke,
    revoke_by_seed_route,
    revoke_all,
    delete_session,
    oauth_revoke_refresh_token,
    oauth_revoke_access_token,
    replay_a_spent_token,
]


@pytest.fixture(scope="module")
def two_servers(
    tmp_path_factory: pytest.TempPathFactory, new_database: NewDatabase
) -> Iterator[tuple[Api, Api]]:
    """Two server processes on one data dir and store, with one issuer, as behind a load
    balancer."""
    data_dir: Path = tmp_path_factory.mktemp("shared")
    database = new_database()
    servers = [ServerProcess(data_dir, ["--issuer", ISSUER], database) for _ in range(2)]
    for server in servers:
        server.start()
    yield Api(servers[0].url), Api(servers[1].url)
    for server in servers:
        server.stop()


@pytest.mark.parametrize("end", ENDINGS, ids=lambda end: end.__name__)
def test_an_ended_session_is_refused_at_once_by_every_process(
    two_servers: tuple[Api, Api], end: Callable[[Api, Tokens], Tokens]
) -> None:
    first, second = two_servers
    _, tokens = first.new_session()
    for api in (first, second, first, second):
        assert api.get("/account", tokens.access_token).status_code == 200
    last = end(first, tokens)
    for api in (second, first):
        for access_token in {tokens.access_token, last.access_token}:
            response = api.get("/account", access_token)
            assert response.status_code == 401, response.text
            assert "ended" in response.json()["error_description"]


def test_other_sessions_stay_remembered_and_served(two_servers: tuple[Api, Api]) -> None:
    first, second = two_servers
    _, kept = first.new_session()
    _, ended = first.new_session()
    for api in (first, second):
        assert api.get("/account", kept.access_token).status_code == 200
        assert api.get("/account", ended.access_token).status_code == 200
    revoke(second, ended)
    for api in (first, second):
        assert api.get("/account", kept.access_token).status_code == 200
        assert api.get("/account", ended.access_token).status_code == 401
