"""OAuth 2.0: the token endpoint, revocation, metadata and JWKS, and unmodified standard clients."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from requests_oauthlib import OAuth2Session as OAuthlibSession

from tests.support.api import Api, assert_error, tokens_of
from tests.support.stores import both_stores

pytestmark = both_stores

CLIENT_ID = "jwt-refresh-demo"


def test_refresh_grant_answers_rfc6749_token_response(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.form(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"] != tokens.refresh_token
    assert api.get("/account", body["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"grant_type": "password", "username": "a", "password": "b"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"refresh_token": "x"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "unknown"}, "invalid_grant"),
    ],
    ids=[
        "password-grant",
        "client-credentials-grant",
        "no-grant-type",
        "no-refresh-token",
        "unknown-token",
    ],
)
def test_token_endpoint_errors_follow_rfc6749(api: Api, fields: dict, code: str) -> None:
    assert_error(api.form("/oauth/token", fields), 400, code)


def test_token_endpoint_wants_a_form(api: Api) -> None:
    response = api.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": "x"})
    assert_error(response, 400, "invalid_request")


def test_client_id_is_checked_when_given(api: Api) -> None:
    _, tokens = api.new_session()
    wrong = {
        "grant_type": "refresh_token",
        "refresh_token": tokens.refresh_token,
        "client_id": "someone-else",
    }
    assert_error(api.form("/oauth/token", wrong), 400, "invalid_grant")
    basic = base64.b64encode(b"someone-else:").decode()
    headers = {"Authorization": f"Basic {basic}"}
    fields = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
    assert_error(api.form("/oauth/token", fields, headers=headers), 400, "invalid_grant")
    right = {**wrong, "client_id": CLIENT_ID}
    assert api.form("/oauth/token", right).status_code == 200


def test_revocation_endpoint_answers_200_and_ends_the_session(api: Api) -> None:
    _, tokens = api.new_session()
    assert api.form("/oauth/revoke", {"token": "never-issued"}).status_code == 200
    response = api.form(
        "/oauth/revoke", {"token": tokens.refresh_token, "token_type_hint": "refresh_token"}
    )
    assert response.status_code == 200
    assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")
    assert_error(api.form("/oauth/revoke", {}), 400, "invalid_request")


def test_revoking_an_access_token_ends_its_session(api: Api) -> None:
    _, tokens = api.new_session()
    response = api.form(
        "/oauth/revoke", {"token": tokens.access_token, "token_type_hint": "access_token"}
    )
    assert response.status_code == 200
    assert api.get("/account", tokens.access_token).status_code == 401


def test_metadata_and_jwks_verify_an_access_token(api: Api) -> None:
    _, tokens = api.new_session()
    metadata = api.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == api.base_url
    assert metadata["token_endpoint"] == f"{api.base_url}/oauth/token"
    assert metadata["revocation_endpoint"] == f"{api.base_url}/oauth/revoke"
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    key_set = api.http.get(metadata["jwks_uri"], timeout=10).json()
    assert all(set(key) == {"kty", "crv", "x", "kid", "use", "alg"} for key in key_set["keys"])
    header = jwt.get_unverified_header(tokens.access_token)
    assert header["typ"] == "at+jwt"
    jwk = next(key for key in key_set["keys"] if key["kid"] == header["kid"])
    claims = jwt.decode(
        tokens.access_token,
        jwt.PyJWK(jwk).key,
        algorithms=["EdDSA"],
        audience="jwt-refresh-demo-api",
        issuer=metadata["issuer"],
    )
    assert claims["sid"] == tokens.session_id
    assert claims["client_id"] == CLIENT_ID
    assert {"iss", "aud", "sub", "client_id", "iat", "exp", "jti", "sid", "username"} <= set(claims)


def test_authlib_client_refreshes_automatically_across_many_rotations(start_server) -> None:
    api = Api(start_server("--access-ttl", "30").url)
    _, tokens = api.new_session()
    metadata = api.get("/.well-known/oauth-authorization-server").json()
    seen: list[str] = []
    client = AuthlibSession(
        client_id=CLIENT_ID,
        token=tokens.raw,
        token_endpoint=metadata["token_endpoint"],
        token_endpoint_auth_method="none",
        update_token=lambda token, refresh_token=None, access_token=None: seen.append(
            token["refresh_token"]
        ),
    )
    for _ in range(30):
        assert client.get(api.base_url + "/account", timeout=10).status_code == 200
    assert len(seen) == 30
    assert len(set(seen)) == 30
    assert client.revoke_token(metadata["revocation_endpoint"], seen[-1]).status_code == 200
    assert_error(api.refresh(seen[-1]), 400, "invalid_grant")


def test_requests_oauthlib_client_refreshes_on_expiry(start_server, monkeypatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    api = Api(start_server("--access-ttl", "1").url)
    _, tokens = api.new_session()
    token_url = api.get("/.well-known/oauth-authorization-server").json()["token_endpoint"]
    saved: list[dict] = []
    client = OAuthlibSession(
        CLIENT_ID,
        token={**tokens.raw, "expires_at": tokens.raw["expires"]},
        auto_refresh_url=token_url,
        auto_refresh_kwargs={"client_id": CLIENT_ID},
        token_updater=saved.append,
    )
    for _ in range(3):
        time.sleep(max(0.0, client.token["expires_at"] - time.time()) + 0.2)
        assert client.get(api.base_url + "/account", timeout=10).status_code == 200
    assert len(saved) == 3
    assert len({token["refresh_token"] for token in saved}) == 3
    assert tokens_of(api.refresh(saved[-1]["refresh_token"])).session_id == tokens.session_id
