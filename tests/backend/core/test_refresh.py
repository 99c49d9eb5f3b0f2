"""Refresh-token rotation: a new token per use, grace for the predecessor, reuse, revocation."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import Api, assert_error, tokens_of
from tests.support.stores import both_stores

pytestmark = both_stores


def test_refresh_rotates_to_a_new_token_in_the_same_session(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.refresh(tokens.refresh_token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    rotated = tokens_of(response)
    assert rotated.refresh_token != tokens.refresh_token
    assert rotated.access_token != tokens.access_token
    assert rotated.session_id == tokens.session_id
    assert api.get("/account", rotated.access_token).status_code == 200


def test_many_rotations_each_give_a_fresh_token(api: Api) -> None:
    _, tokens = api.new_session()
    seen = {tokens.refresh_token}
    current = tokens.refresh_token
    for _ in range(25):
        current = tokens_of(api.refresh(current)).refresh_token
        assert current not in seen
        seen.add(current)
    sessions = api.get("/sessions", tokens_of(api.refresh(current)).access_token).json()
    assert sessions["sessions"][0]["refresh_count"] == 26


def test_predecessor_within_grace_gets_the_same_current_token(api: Api) -> None:
    _, tokens = api.new_session()
    current = tokens_of(api.refresh(tokens.refresh_token))
    replay = api.refresh(tokens.refresh_token)
    assert replay.status_code == 200
    again = tokens_of(replay)
    assert again.refresh_token == current.refresh_token
    assert again.access_token != current.access_token
    assert api.refresh(current.refresh_token).status_code == 200


def test_grandparent_within_grace_is_a_breach_that_ends_the_session(api: Api) -> None:
    _, first = api.new_session()
    second = tokens_of(api.refresh(first.refresh_token))
    third = tokens_of(api.refresh(second.refresh_token))
    body = assert_error(api.refresh(first.refresh_token), 400, "invalid_grant")
    assert "reused" in body["error_description"]
    assert_error(api.refresh(third.refresh_token), 400, "invalid_grant")
    assert api.get("/account", third.access_token).status_code == 401


def test_reuse_after_the_grace_ends_the_whole_session(start_server) -> None:
    api = Api(start_server("--reuse-grace", "1").url)
    _, first = api.new_session()
    second = tokens_of(api.refresh(first.refresh_token))
    time.sleep(1.5)
    assert_error(api.refresh(first.refresh_token), 400, "invalid_grant")
    body = assert_error(api.refresh(second.refresh_token), 400, "invalid_grant")
    assert "reused" in body["error_description"]
    denied = api.get("/account", second.access_token)
    assert denied.status_code == 401
    assert 'error="invalid_token"' in denied.headers["WWW-Authenticate"]


def test_twenty_concurrent_refreshes_of_one_token_yield_one_successor(api: Api) -> None:
    _, tokens = api.new_session()
    apis = [Api(api.base_url) for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda a: a.refresh(tokens.refresh_token), apis))
    assert [r.status_code for r in responses] == [200] * 20
    successors = {r.json()["refresh_token"] for r in responses}
    assert len(successors) == 1
    successor = successors.pop()
    following = api.refresh(successor)
    assert following.status_code == 200
    sessions = api.get("/sessions", tokens_of(following).access_token).json()["sessions"]
    assert sessions[0]["refresh_count"] == 2


def test_unknown_and_malformed_refresh_tokens_are_invalid_grant(api: Api) -> None:
    assert_error(api.refresh("A" * 43), 400, "invalid_grant")
    assert_error(api.refresh("not even close"), 400, "invalid_grant")
    assert_error(api.post("/tokens/refresh", {}), 400, "invalid_request")
    assert_error(api.post("/tokens/refresh", {"refresh_token": 7}), 400, "invalid_request")


def test_access_token_is_not_a_refresh_token(api: Api) -> None:
    _, tokens = api.new_session()
    assert_error(api.refresh(tokens.access_token), 400, "invalid_grant")


def test_idle_timeout_ends_a_session_that_is_not_refreshed(start_server) -> None:
    api = Api(start_server("--refresh-idle-ttl", "3").url)
    _, kept = api.new_session()
    _, idle = api.new_session()
    assert idle.raw["refresh_expires_in"] == 3
    for _ in range(4):  # the idle expiry is rounded up to a whole second, never down
        time.sleep(1.05)
        kept = tokens_of(api.refresh(kept.refresh_token))
    body = assert_error(api.refresh(idle.refresh_token), 400, "invalid_grant")
    assert "expired" in body["error_description"]


def test_absolute_lifetime_ends_a_session_however_often_refreshed(start_server) -> None:
    api = Api(start_server("--refresh-max-ttl", "4").url)
    _, tokens = api.new_session()
    expires_in = [tokens.raw["refresh_expires_in"]]
    for _ in range(2):
        time.sleep(0.6)
        tokens = tokens_of(api.refresh(tokens.refresh_token))
        expires_in.append(tokens.raw["refresh_expires_in"])
    assert expires_in[0] == 4
    assert expires_in[-1] < 4
    time.sleep(expires_in[-1] + 1)
    body = assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
    assert "expired" in body["error_description"]


def test_revoke_ends_the_session_and_is_silent_for_unknown_tokens(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.post("/tokens/revoke", {"refresh_token": tokens.refresh_token})
    assert response.status_code == 204
    assert response.content == b""
    body = assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
    assert "revoked" in body["error_description"]
    assert api.get("/account", tokens.access_token).status_code == 401
    assert api.post("/tokens/revoke", {"refresh_token": "unknown-token"}).status_code == 204


def test_revoking_an_older_token_of_the_chain_ends_the_session(api: Api) -> None:
    _, first = api.new_session()
    second = tokens_of(api.refresh(first.refresh_token))
    third = tokens_of(api.refresh(second.refresh_token))
    assert api.post("/tokens/revoke", {"refresh_token": first.refresh_token}).status_code == 204
    assert_error(api.refresh(third.refresh_token), 400, "invalid_grant")


def test_sign_out_is_recorded_as_the_reason(api: Api) -> None:
    _, tokens = api.new_session()
    body = {"refresh_token": tokens.refresh_token, "reason": "signed_out"}
    assert api.post("/tokens/revoke", body).status_code == 204
    refused = assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
    assert "signed out" in refused["error_description"]
    bad_reason = {"refresh_token": tokens.refresh_token, "reason": "whatever"}
    assert_error(api.post("/tokens/revoke", bad_reason), 400, "invalid_request")


def test_seed_routes_refresh_and_revoke_with_the_token_in_the_path(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.post(f"/tokens/{tokens.refresh_token}/refresh")
    assert response.status_code == 200
    rotated = tokens_of(response)
    assert rotated.refresh_token != tokens.refresh_token
    assert api.post(f"/tokens/{rotated.refresh_token}/revoke").status_code == 204
    assert_error(api.post(f"/tokens/{rotated.refresh_token}/refresh"), 400, "invalid_grant")
    assert api.post("/tokens/no-such-token/revoke").status_code == 204
