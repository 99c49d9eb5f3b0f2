"""Sign-in through the browser over HTTP: the authorize page, its form, codes and PKCE, authlib."""

from __future__ import annotations

import base64
import hashlib
import sqlite3

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.support.api import PASSWORD, Api, assert_error, tokens_of
from tests.support.oauth_flow import (
    CLIENT_ID,
    Authorization,
    LoopbackReceiver,
    hidden_fields,
    query_of,
)
from tests.support.server_process import ServerProcess

REDIRECT = "http://127.0.0.1:53682/callback"


def page(api: Api, authorization: Authorization, **changes: str | None) -> requests.Response:
    return api.http.get(authorization.url(api.base_url, **changes), allow_redirects=False)


def post_form(api: Api, authorization: Authorization, **fields: str) -> requests.Response:
    """Load the sign-in page in `api`'s cookie jar and post its form with `fields` added."""
    shown = page(api, authorization)
    assert shown.status_code == 200, shown.text
    form = {**hidden_fields(shown.text), "action": "sign_in", **fields}
    return api.http.post(api.base_url + "/oauth/authorize", data=form, allow_redirects=False)


def code_for(api: Api, authorization: Authorization, username: str) -> str:
    answer = post_form(api, authorization, username=username, password=PASSWORD)
    assert answer.status_code == 303, answer.text
    query = query_of(answer.headers["location"])
    assert query["state"] == authorization.state
    assert query["iss"] == api.base_url
    return query["code"]


def assert_page(response: requests.Response, status: int) -> None:
    """An HTML page with the headers every page carries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in response.text


def test_the_sign_in_page_says_who_asks_and_where_it_lands(api: Api) -> None:
    response = page(api, Authorization(REDIRECT))
    assert_page(response, 200)
    assert "jwt-refresh-demo desktop app" in response.text
    assert "127.0.0.1:53682" in response.text
    assert '<label for="username">' in response.text
    assert '<label for="password">' in response.text
    assert "http://127.0.0.1:53682" in response.headers["content-security-policy"]
    assert "/oauth/sign-up?" in response.text


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": None},
        {"client_id": "someone-else"},
        {"redirect_uri": None},
        {"redirect_uri": "https://127.0.0.1:53682/callback"},
        {"redirect_uri": "http://example.com:53682/callback"},
        {"redirect_uri": "http://127.0.0.1.example.com/callback"},
        {"redirect_uri": "http://user@127.0.0.1:53682/callback"},
        {"redirect_uri": "http://127.0.0.1:53682/callback#fragment"},
        {"redirect_uri": "http://127.0.0.1:99999/callback"},
        {"redirect_uri": "com.example.app:/callback"},
    ],
    ids=[
        "no-client",
        "other-client",
        "no-redirect",
        "https",
        "remote-host",
        "lookalike-host",
        "userinfo",
        "fragment",
        "port-out-of-range",
        "custom-scheme",
    ],
)
def test_an_untrusted_client_or_redirect_gets_a_page_never_a_redirect(
    api: Api, changes: dict[str, str | None]
) -> None:
    response = page(api, Authorization(REDIRECT), **changes)
    assert_page(response, 400)
    assert "location" not in response.headers
    assert "Close this tab" in response.text


def test_a_repeated_redirect_uri_gets_a_page(api: Api) -> None:
    url = Authorization(REDIRECT).url(api.base_url) + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F"
    assert_page(api.http.get(url, allow_redirects=False), 400)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "unsupported_response_type"),
    ],
    ids=["no-pkce", "plain", "no-method", "bad-challenge", "implicit", "no-response-type"],
)
def test_other_bad_parameters_go_back_to_the_app(
    api: Api, changes: dict[str, str | None], error: str
) -> None:
    authorization = Authorization(REDIRECT)
    response = page(api, authorization, **changes)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["error"] == error
    assert query["error_description"]
    assert query["state"] == authorization.state
    assert query["iss"] == api.base_url


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:1/",
        "http://[::1]:65535/cb",
        "http://localhost:8123/oauth/done",
        "http://127.0.0.1/",
        "http://127.0.0.1:4000/cb?session=7",
    ],
    ids=["ipv4", "ipv6", "localhost", "no-port", "with-query"],
)
def test_loopback_redirects_on_any_port_are_accepted(api: Api, redirect_uri: str) -> None:
    api.sign_up(username := f"loop{abs(hash(redirect_uri)) % 10**8}")
    authorization = Authorization(redirect_uri)
    answer = post_form(api, authorization, username=username, password=PASSWORD)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(redirect_uri.split("?")[0])
    if "?" in redirect_uri:
        assert query_of(location)["session"] == "7"
    code = query_of(location)["code"]
    assert api.form("/oauth/token", authorization.token_fields(code)).status_code == 200


def test_right_password_gives_a_code_that_starts_a_session(api: Api) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    code = code_for(api, authorization, username)
    response = api.form("/oauth/token", authorization.token_fields(code))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = tokens_of(response)
    account = api.get("/account", tokens.access_token).json()
    assert account["username"] == username
    assert account["client_id"] == CLIENT_ID
    assert api.session_state(tokens.access_token, tokens.session_id) is not None
    assert api.refresh(tokens.refresh_token).status_code == 200


def test_wrong_password_shows_the_page_again_with_the_reason(api: Api) -> None:
    username = api.sign_up()
    wrong = "a wrong password nobody uses"
    response = post_form(api, Authorization(REDIRECT), username=username, password=wrong)
    assert_page(response, 401)
    assert "The username or password is wrong." in response.text
    assert wrong not in response.text
    assert f'value="{username}"' in response.text


def test_the_page_is_throttled_by_the_same_counts_as_json_sign_in(start_server) -> None:
    api = Api(start_server().url)
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    for _ in range(3):
        response = api.post("/sign-in", {"username": username, "password": "wrong guess one"})
        assert_error(response, 401, "invalid_credentials")
    for _ in range(2):
        response = post_form(api, authorization, username=username, password="wrong guess two")
        assert_page(response, 401)
    held = post_form(api, authorization, username=username, password=PASSWORD)
    assert_page(held, 429)
    assert int(held.headers["retry-after"]) >= 1
    assert "Too many failed sign-ins" in held.text
    assert_error(
        api.post("/sign-in", {"username": username, "password": PASSWORD}), 429, "too_many_attempts"
    )


def test_a_form_without_or_with_a_wrong_anti_forgery_field_is_refused(api: Api) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    shown = page(api, authorization)
    fields = {**hidden_fields(shown.text), "username": username, "password": PASSWORD}
    url = api.base_url + "/oauth/authorize"
    missing = {name: value for name, value in fields.items() if name != "form_token"}
    assert_page(api.http.post(url, data=missing, allow_redirects=False), 400)
    forged = {**fields, "form_token": fields["form_token"][:-2] + "AA"}
    assert_page(api.http.post(url, data=forged, allow_redirects=False), 400)
    other_request = {**fields, "redirect_uri": "http://127.0.0.1:1/elsewhere"}
    assert_page(api.http.post(url, data=other_request, allow_redirects=False), 400)
    other_browser = requests.post(url, data=fields, allow_redirects=False, timeout=10)
    assert_page(other_browser, 400)
    assert api.http.post(url, data=fields, allow_redirects=False).status_code == 303


def test_cancel_goes_back_to_the_app_with_access_denied(api: Api) -> None:
    authorization = Authorization(REDIRECT)
    response = post_form(api, authorization, action="cancel")
    assert response.status_code == 303
    query = query_of(response.headers["location"])
    assert query["error"] == "access_denied"
    assert query["state"] == authorization.state
    assert "code" not in query


@pytest.mark.parametrize(
    "changes",
    [
        {"code_verifier": "x" * 43},
        {"code_verifier": ""},
        {"redirect_uri": "http://127.0.0.1:53682/other"},
        {"client_id": "someone-else"},
    ],
    ids=["wrong-verifier", "no-verifier", "other-redirect", "other-client"],
)
def test_a_code_presented_wrongly_is_refused_and_burnt(api: Api, changes: dict[str, str]) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    code = code_for(api, authorization, username)
    body = assert_error(
        api.form("/oauth/token", authorization.token_fields(code, **changes)), 400, "invalid_grant"
    )
    assert code not in body["error_description"]
    assert_error(api.form("/oauth/token", authorization.token_fields(code)), 400, "invalid_grant")


def test_a_code_presented_twice_ends_the_session_it_started(api: Api) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    code = code_for(api, authorization, username)
    tokens = tokens_of(api.form("/oauth/token", authorization.token_fields(code)))
    again = api.form("/oauth/token", authorization.token_fields(code))
    assert "ended" in assert_error(again, 400, "invalid_grant")["error_description"]
    assert api.get("/account", tokens.access_token).status_code == 401
    assert_error(api.refresh(tokens.refresh_token), 400, "invalid_grant")


def test_token_requests_name_the_public_client_without_a_secret(api: Api) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    unknown = api.form("/oauth/token", authorization.token_fields("never-issued"))
    assert_error(unknown, 400, "invalid_grant")
    code = code_for(api, authorization, username)
    fields = authorization.token_fields(code)
    del fields["client_id"]
    assert_error(api.form("/oauth/token", fields), 400, "invalid_request")
    with_secret = api.form("/oauth/token", {**fields, "client_id": CLIENT_ID, "client_secret": "s"})
    assert_error(with_secret, 401, "invalid_client")
    basic = base64.b64encode(f"{CLIENT_ID}:".encode()).decode()
    response = api.form(
        "/oauth/token", {**fields, "client_secret": ""}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.text


def test_unknown_parameters_and_a_scope_are_ignored(api: Api) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    response = page(api, authorization, scope="openid profile", prompt="login", extra="1")
    assert_page(response, 200)
    code = code_for(api, authorization, username)
    fields = authorization.token_fields(code, scope="anything", unknown="x")
    assert api.form("/oauth/token", fields).status_code == 200


def test_sign_up_from_the_link_comes_back_to_the_same_sign_in(api: Api) -> None:
    authorization = Authorization(REDIRECT)
    shown = api.http.get(
        f"{api.base_url}/oauth/sign-up", params=authorization.parameters(), allow_redirects=False
    )
    assert_page(shown, 200)
    username = f"paged{id(shown) % 10**8}"
    form = {**hidden_fields(shown.text), "username": username, "password": "password"}
    weak = api.http.post(api.base_url + "/oauth/sign-up", data=form, allow_redirects=False)
    assert_page(weak, 400)
    assert "too weak" in weak.text
    form["password"] = PASSWORD
    created = api.http.post(api.base_url + "/oauth/sign-up", data=form, allow_redirects=False)
    assert created.status_code == 303
    back = api.http.get(api.base_url + created.headers["location"], allow_redirects=False)
    assert_page(back, 200)
    assert f'value="{username}"' in back.text
    assert "is ready" in back.text
    assert query_of(created.headers["location"])["state"] == authorization.state
    taken = api.http.post(api.base_url + "/oauth/sign-up", data=form, allow_redirects=False)
    assert_page(taken, 409)
    code = code_for(api, authorization, username)
    assert api.form("/oauth/token", authorization.token_fields(code)).status_code == 200


def test_codes_are_kept_only_as_hashes(api: Api, module_server: ServerProcess) -> None:
    username = api.sign_up()
    authorization = Authorization(REDIRECT)
    code = code_for(api, authorization, username)
    with sqlite3.connect(module_server.data_dir / "auth.sqlite3") as connection:
        rows = connection.execute(
            "SELECT code_hash, code_challenge, expires_at - created_at FROM authorization_codes"
        ).fetchall()
    digest = hashlib.sha256(code.encode()).digest()
    assert (digest, authorization.challenge, 60) in rows
    for path in module_server.data_dir.iterdir():
        assert code.encode() not in path.read_bytes()


def test_authlib_completes_the_flow_with_s256_and_refreshes(api: Api) -> None:
    username = api.sign_up()
    metadata = api.get("/.well-known/oauth-authorization-server").json()
    assert metadata["authorization_endpoint"] == f"{api.base_url}/oauth/authorize"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    receiver = LoopbackReceiver()
    try:
        client = OAuth2Session(
            client_id=CLIENT_ID,
            redirect_uri=receiver.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
        verifier = Authorization(receiver.redirect_uri).verifier
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier
        )
        browser = requests.Session()
        shown = browser.get(url, timeout=10)
        form = {**hidden_fields(shown.text), "username": username, "password": PASSWORD}
        browser.post(metadata["authorization_endpoint"], data=form, timeout=10)
        arrived = receiver.wait()
        assert arrived["state"] == state
        callback = f"{receiver.redirect_uri}?code={arrived['code']}&state={arrived['state']}"
        token = client.fetch_token(
            metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
        assert client.get(api.base_url + "/account", timeout=10).json()["username"] == username
        refreshed = client.refresh_token(metadata["token_endpoint"])
        assert refreshed["refresh_token"] != token["refresh_token"]
    finally:
        receiver.close()
