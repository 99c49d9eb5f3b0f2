"""Bearer routes: account, sessions, ending sessions, revoke-all, and RFC 6750 challenges."""

from __future__ import annotations

from tests.support.api import Api, assert_error, tokens_of
from tests.support.stores import both_stores

pytestmark = both_stores


def test_account_shows_who_is_signed_in(api: Api) -> None:
    username, tokens = api.new_session()
    response = api.get("/account", tokens.access_token)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == username
    assert body["session_id"] == tokens.session_id
    assert body["token_expires_at"] == tokens.raw["expires"]


def test_missing_token_gets_a_bare_bearer_challenge(api: Api) -> None:
    response = api.get("/account")
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_refused_token_gets_an_invalid_token_challenge(api: Api) -> None:
    for header in ("Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer "):
        response = api.http.get(api.base_url + "/account", headers={"Authorization": header})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_sessions_lists_active_sessions_and_marks_the_current_one(api: Api) -> None:
    username, first = api.new_session()
    second = api.sign_in(username)
    tokens_of(api.refresh(second.refresh_token))
    body = api.get("/sessions", first.access_token).json()
    listed = {session["id"]: session for session in body["sessions"]}
    assert set(listed) == {first.session_id, second.session_id}
    assert listed[first.session_id]["current"] is True
    assert listed[second.session_id]["current"] is False
    assert listed[second.session_id]["refresh_count"] == 1
    for session in listed.values():
        assert set(session) == {
            "id", "created_at", "last_refreshed_at", "refresh_count", "expires_at", "current",
        }  # fmt: skip


def test_delete_session_ends_own_sessions_only(api: Api) -> None:
    username, mine = api.new_session()
    other = api.sign_in(username)
    _, stranger = api.new_session()
    assert_error(
        api.delete(f"/sessions/{stranger.session_id}", mine.access_token), 404, "not_found"
    )
    assert api.get("/account", stranger.access_token).status_code == 200
    assert api.delete(f"/sessions/{other.session_id}", mine.access_token).status_code == 204
    assert api.get("/account", other.access_token).status_code == 401
    assert_error(api.refresh(other.refresh_token), 400, "invalid_grant")
    assert_error(api.delete(f"/sessions/{other.session_id}", mine.access_token), 404, "not_found")
    assert_error(api.delete("/sessions/whatever"), 401, "invalid_token")


def test_revoke_all_ends_every_session_and_their_access_tokens_at_once(api: Api) -> None:
    username, first = api.new_session()
    others = [api.sign_in(username) for _ in range(3)]
    fresh = tokens_of(api.refresh(others[0].refresh_token))
    response = api.call("POST", "/tokens/revoke-all", first.access_token)
    assert response.status_code == 204
    for tokens in [first, *others[1:], fresh]:
        denied = api.get("/account", tokens.access_token)
        assert_error(denied, 401, "invalid_token")
        assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
    again = api.sign_in(username)
    assert api.get("/account", again.access_token).status_code == 200
    assert_error(api.post("/tokens/revoke-all"), 401, "invalid_token")


def test_revoke_all_leaves_other_users_signed_in(api: Api) -> None:
    _, mine = api.new_session()
    _, theirs = api.new_session()
    api.call("POST", "/tokens/revoke-all", mine.access_token)
    assert api.get("/account", theirs.access_token).status_code == 200
