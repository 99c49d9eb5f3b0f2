"""Misuse of the token, revocation and session endpoints gets the contract's error, harmlessly."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.security.figures import FIGURES
from tests.support.api import Api, assert_error, unique_name

SUITE = "token and session endpoint abuse cases refused"
REFRESH_GRANT = "refresh_token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


@dataclass(frozen=True)
class Tokens:
    """A victim's live session, another user's, and a revoked one."""

    victim_refresh: str
    victim_access: str
    victim_sid: str
    other_access: str
    other_sid: str
    revoked_refresh: str
    revoked_sid: str


@dataclass(frozen=True)
class Abuse:
    """One misuse: how to send it, what to send, and the refusal the contract prescribes."""

    send: Callable[[Api, Tokens], requests.Response]
    status: int
    code: str


def json_to(path: str, body: Callable[[Tokens], Any]) -> Callable[..., requests.Response]:
    return lambda api, t: api.post(path, body(t))


def revoke_body(reason: Any) -> Callable[[Tokens], dict[str, Any]]:
    """A revocation of the victim's refresh token giving `reason`."""
    return lambda t: {"refresh_token": t.victim_refresh, "reason": reason}


def form_to(
    path: str, fields: Callable[[Tokens], Any], headers: dict[str, str] | None = None
) -> Callable[..., requests.Response]:
    return lambda api, t: api.form(path, fields(t), headers=headers or {})


def seed_refresh(token: Callable[[Tokens], str]) -> Callable[..., requests.Response]:
    return lambda api, t: api.http.post(f"{api.base_url}/tokens/{token(t)}/refresh")


def delete_session(session_id: Callable[[Tokens], str]) -> Callable[..., requests.Response]:
    return lambda api, t: api.call("DELETE", f"/sessions/{session_id(t)}", t.victim_access)


def refresh_json(value: Callable[[Tokens], Any], code: str = "invalid_grant") -> Abuse:
    return Abuse(json_to("/tokens/refresh", lambda t: {"refresh_token": value(t)}), 400, code)


def oauth(fields: Callable[[Tokens], Any], code: str, **headers: str) -> Abuse:
    return Abuse(form_to("/oauth/token", fields, headers), 400, code)


def grant(refresh_token: Callable[[Tokens], str], **extra: str) -> Callable[[Tokens], Any]:
    return lambda t: {"grant_type": REFRESH_GRANT, "refresh_token": refresh_token(t), **extra}


def basic(client_id: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:".encode()).decode()


GRANT = "invalid_grant"
INVALID = "invalid_request"
UNSUPPORTED = "unsupported_grant_type"
NOT_FOUND = "not_found"

ABUSES: dict[str, Abuse] = {
    "refresh-empty-object": Abuse(json_to("/tokens/refresh", lambda t: {}), 400, INVALID),
    "refresh-token-null": refresh_json(lambda t: None, code=INVALID),
    "refresh-token-number": refresh_json(lambda t: 1, code=INVALID),
    "refresh-token-list": refresh_json(lambda t: [t.victim_refresh], code=INVALID),
    "refresh-token-object": refresh_json(lambda t: {"value": t.victim_refresh}, code=INVALID),
    "refresh-token-empty": refresh_json(lambda t: "", code=INVALID),
    "refresh-token-too-long": refresh_json(lambda t: "a" * 5000, code=INVALID),
    "refresh-field-misnamed": Abuse(
        json_to("/tokens/refresh", lambda t: {"refreshToken": t.victim_refresh}), 400, INVALID
    ),
    "refresh-password-grant-fields": Abuse(
        json_to("/tokens/refresh", lambda t: {"grant_type": "password", "username": "x"}),
        400,
        INVALID,
    ),
    "refresh-with-access-token": refresh_json(lambda t: t.victim_access),
    "refresh-with-own-session-id": refresh_json(lambda t: t.victim_sid),
    "refresh-with-another-users-session-id": refresh_json(lambda t: t.other_sid),
    "refresh-with-revoked-token": refresh_json(lambda t: t.revoked_refresh),
    "refresh-token-with-trailing-space": refresh_json(lambda t: t.victim_refresh + " "),
    "refresh-token-upper-case": refresh_json(lambda t: t.victim_refresh.upper()),
    "refresh-token-truncated": refresh_json(lambda t: t.victim_refresh[:-1]),
    "refresh-token-padded": refresh_json(lambda t: t.victim_refresh + "="),
    "oauth-grant-missing": oauth(lambda t: {"refresh_token": t.victim_refresh}, INVALID),
    "oauth-grant-empty": oauth(grant(lambda t: t.victim_refresh, grant_type=""), INVALID),
    "oauth-grant-password": oauth(
        lambda t: {"grant_type": "password", "username": "victim", "password": "guess"},
        UNSUPPORTED,
    ),
    "oauth-code-grant-with-a-refresh-token": oauth(
        lambda t: {
            "grant_type": "authorization_code",
            "code": t.victim_refresh,
            "redirect_uri": "http://127.0.0.1:1/",
            "client_id": "jwt-refresh-demo",
        },
        GRANT,
    ),
    "oauth-code-grant-without-client": oauth(
        lambda t: {"grant_type": "authorization_code", "code": "x", "redirect_uri": "http://x"},
        INVALID,
    ),
    "oauth-grant-client-credentials": oauth(
        lambda t: {"grant_type": "client_credentials"}, UNSUPPORTED
    ),
    "oauth-grant-jwt-bearer-with-access-token": oauth(
        lambda t: {"grant_type": JWT_BEARER, "assertion": t.victim_access}, UNSUPPORTED
    ),
    "oauth-grant-token-exchange-with-access-token": oauth(
        lambda t: {"grant_type": TOKEN_EXCHANGE, "subject_token": t.victim_access}, UNSUPPORTED
    ),
    "oauth-grant-upper-case": oauth(
        grant(lambda t: t.victim_refresh, grant_type="REFRESH_TOKEN"), UNSUPPORTED
    ),
    "oauth-grant-type-is-the-token": oauth(
        lambda t: {"grant_type": t.victim_refresh, "refresh_token": t.victim_refresh},
        UNSUPPORTED,
    ),
    "oauth-refresh-token-missing": oauth(lambda t: {"grant_type": REFRESH_GRANT}, INVALID),
    "oauth-refresh-token-empty": oauth(grant(lambda t: ""), INVALID),
    "oauth-refresh-token-too-long": oauth(grant(lambda t: "a" * 5000), INVALID),
    "oauth-with-access-token": oauth(grant(lambda t: t.victim_access), GRANT),
    "oauth-with-own-session-id": oauth(grant(lambda t: t.victim_sid), GRANT),
    "oauth-with-another-users-session-id": oauth(grant(lambda t: t.other_sid), GRANT),
    "oauth-with-revoked-token": oauth(grant(lambda t: t.revoked_refresh), GRANT),
    "oauth-client-id-of-another-client": oauth(
        grant(lambda t: t.victim_refresh, client_id="another-client"), GRANT
    ),
    "oauth-basic-auth-of-another-client": oauth(
        grant(lambda t: t.victim_refresh), GRANT, Authorization=basic("another-client")
    ),
    "oauth-client-id-differs-from-basic-auth": oauth(
        grant(lambda t: t.victim_refresh, client_id="jwt-refresh-demo"),
        INVALID,
        Authorization=basic("another-client"),
    ),
    "oauth-basic-auth-malformed": oauth(
        grant(lambda t: t.victim_refresh), INVALID, Authorization="Basic !!!"
    ),
    "oauth-refresh-token-repeated": oauth(
        lambda t: [
            ("grant_type", REFRESH_GRANT),
            ("refresh_token", t.victim_refresh),
            ("refresh_token", t.revoked_refresh),
        ],
        INVALID,
    ),
    "oauth-grant-type-repeated": oauth(
        lambda t: [
            ("grant_type", REFRESH_GRANT),
            ("grant_type", "password"),
            ("refresh_token", t.victim_refresh),
        ],
        INVALID,
    ),
    "oauth-json-body": Abuse(
        json_to("/oauth/token", grant(lambda t: t.victim_refresh)), 400, INVALID
    ),
    "oauth-fields-in-query-string": Abuse(
        lambda api, t: api.form(
            f"/oauth/token?grant_type={REFRESH_GRANT}&refresh_token={t.victim_refresh}", {}
        ),
        400,
        INVALID,
    ),
    "seed-refresh-with-access-token": Abuse(seed_refresh(lambda t: t.victim_access), 400, GRANT),
    "seed-refresh-with-session-id": Abuse(seed_refresh(lambda t: t.victim_sid), 400, GRANT),
    "seed-refresh-with-revoked-token": Abuse(seed_refresh(lambda t: t.revoked_refresh), 400, GRANT),
    "seed-refresh-with-nul-byte": Abuse(
        seed_refresh(lambda t: "%00" + t.victim_refresh), 400, GRANT
    ),
    "seed-refresh-very-long": Abuse(seed_refresh(lambda t: "a" * 5000), 400, GRANT),
    "revoke-empty-object": Abuse(json_to("/tokens/revoke", lambda t: {}), 400, INVALID),
    "revoke-token-number": Abuse(
        json_to("/tokens/revoke", lambda t: {"refresh_token": 1}), 400, INVALID
    ),
    **{
        f"revoke-reason-{name}": Abuse(
            json_to("/tokens/revoke", revoke_body(reason)),
            400,
            INVALID,
        )
        for name, reason in (
            ("unknown", "stolen"),
            ("object", {}),
            ("list", []),
            ("null", None),
            ("number", 1),
            ("upper-case", "REVOKED"),
        )
    },
    "oauth-revoke-token-missing": Abuse(
        form_to("/oauth/revoke", lambda t: {"token_type_hint": "refresh_token"}), 400, INVALID
    ),
    "oauth-revoke-token-empty": Abuse(
        form_to("/oauth/revoke", lambda t: {"token": ""}), 400, INVALID
    ),
    "oauth-revoke-token-repeated": Abuse(
        form_to("/oauth/revoke", lambda t: [("token", t.victim_refresh), ("token", "x")]),
        400,
        INVALID,
    ),
    "oauth-revoke-json-body": Abuse(
        json_to("/oauth/revoke", lambda t: {"token": t.victim_refresh}), 400, INVALID
    ),
    "delete-another-users-session": Abuse(delete_session(lambda t: t.other_sid), 404, NOT_FOUND),
    "delete-unknown-session": Abuse(delete_session(lambda t: "no-such-session"), 404, NOT_FOUND),
    "delete-own-revoked-session": Abuse(delete_session(lambda t: t.revoked_sid), 404, NOT_FOUND),
    "delete-session-named-by-refresh-token": Abuse(
        delete_session(lambda t: t.victim_refresh), 404, NOT_FOUND
    ),
    "delete-session-very-long-id": Abuse(delete_session(lambda t: "s" * 5000), 404, NOT_FOUND),
}


@pytest.fixture(scope="module")
def tokens(api: Api) -> Tokens:
    victim_name = api.sign_up(unique_name("victim"))
    victim = api.sign_in(victim_name)
    other = api.sign_in(api.sign_up(unique_name("other")))
    revoked = api.sign_in(victim_name)
    response = api.post("/tokens/revoke", {"refresh_token": revoked.refresh_token})
    assert response.status_code == 204
    return Tokens(
        victim_refresh=victim.refresh_token,
        victim_access=victim.access_token,
        victim_sid=victim.session_id,
        other_access=other.access_token,
        other_sid=other.session_id,
        revoked_refresh=revoked.refresh_token,
        revoked_sid=revoked.session_id,
    )


def assert_sessions_untouched(api: Api, tokens: Tokens) -> None:
    """Neither live session ended nor rotated because of a refused request."""
    victim = api.session_state(tokens.victim_access, tokens.victim_sid)
    other = api.session_state(tokens.other_access, tokens.other_sid)
    assert victim is not None, "the victim's session ended"
    assert other is not None, "the other user's session ended"
    assert victim["refresh_count"] == 0, "the victim's refresh token was rotated"


@pytest.mark.parametrize("abuse", list(ABUSES))
def test_abuse_is_refused_and_changes_nothing(api: Api, tokens: Tokens, abuse: str) -> None:
    case = ABUSES[abuse]
    response = case.send(api, tokens)
    assert_error(response, case.status, case.code)
    assert_sessions_untouched(api, tokens)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("refresh", "access_token"),
        ("refresh", "id_token"),
        ("access", "refresh_token"),
        ("access", "device_secret"),
    ],
)
def test_a_wrong_token_type_hint_still_revokes(api: Api, kind: str, hint: str) -> None:
    """RFC 7009 §2.1: a server that cannot find the token by its hint searches the other kinds."""
    session = api.sign_in(api.sign_up(unique_name("hinted")))
    token = session.refresh_token if kind == "refresh" else session.access_token
    response = api.form("/oauth/revoke", {"token": token, "token_type_hint": hint})
    assert response.status_code == 200, response.text
    assert_error(api.refresh(session.refresh_token), 400, "invalid_grant")
    FIGURES.tally(SUITE)
