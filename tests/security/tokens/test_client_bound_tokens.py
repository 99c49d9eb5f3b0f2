"""Tokens answer for the client they were issued to: a spent one still ends its session under
any client_id, and another client cannot revoke them (RFC 7009 §2.1)."""

from __future__ import annotations

from tests.security.figures import FIGURES
from tests.support.api import Api, assert_error, tokens_of

SUITE = "tokens presented under another client's id"
OTHER = "someone-else"


def test_a_spent_token_under_another_client_id_still_ends_the_session(api: Api) -> None:
    _, first = api.new_session()
    second = tokens_of(api.refresh(first.refresh_token))
    third = tokens_of(api.refresh(second.refresh_token))
    probe = api.form(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": first.refresh_token, "client_id": OTHER},
    )
    assert_error(probe, 400, "invalid_grant")
    body = assert_error(api.refresh(third.refresh_token), 400, "invalid_grant")
    assert "reused" in body["error_description"]
    FIGURES.tally(SUITE)


def test_the_grace_is_not_for_another_client(api: Api) -> None:
    _, first = api.new_session()
    second = tokens_of(api.refresh(first.refresh_token))
    probe = api.form(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": first.refresh_token, "client_id": OTHER},
    )
    assert_error(probe, 400, "invalid_grant")
    assert_error(api.refresh(second.refresh_token), 400, "invalid_grant")


def test_the_current_token_under_another_client_id_is_refused_and_kept(api: Api) -> None:
    _, tokens = api.new_session()
    probe = api.form(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token, "client_id": OTHER},
    )
    assert_error(probe, 400, "invalid_grant")
    assert api.refresh(tokens.refresh_token).status_code == 200


def test_another_client_cannot_revoke_a_refresh_token(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.form("/oauth/revoke", {"token": tokens.refresh_token, "client_id": OTHER})
    assert response.status_code == 200
    assert api.refresh(tokens.refresh_token).status_code == 200
    FIGURES.tally(SUITE)


def test_another_client_cannot_revoke_an_access_token(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.form("/oauth/revoke", {"token": tokens.access_token, "client_id": OTHER})
    assert response.status_code == 200
    assert api.get("/account", tokens.access_token).status_code == 200
    FIGURES.tally(SUITE)


def test_the_owning_client_still_revokes(api: Api) -> None:
    _, tokens = api.new_session()
    fields = {"token": tokens.refresh_token, "client_id": "jwt-refresh-demo"}
    assert api.form("/oauth/revoke", fields).status_code == 200
    assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
