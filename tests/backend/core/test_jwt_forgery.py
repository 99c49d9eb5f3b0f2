"""Access tokens the server must refuse: forged, tampered, mistyped, misused or expired."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support.api import Api, Tokens, assert_error
from tests.support.forge import (
    parts,
    server_signing_key,
    sign_ed25519,
    sign_hmac,
    signing_input,
    with_signature,
)
from tests.support.server_process import ServerProcess
from tests.support.stores import both_stores

pytestmark = both_stores


def public_pem(server: ServerProcess) -> bytes:
    """The server's public key as PEM: the secret an HMAC-confusion forger would try."""
    return (
        server_signing_key(server.data_dir, server.database)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


@pytest.fixture
def victim(api: Api) -> Tokens:
    return api.new_session()[1]


def refused(api: Api, token: str) -> None:
    response = api.get("/account", token)
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_the_genuine_token_is_accepted(api: Api, victim: Tokens) -> None:
    assert api.get("/account", victim.access_token).status_code == 200


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_casing(api: Api, victim: Tokens, alg: str) -> None:
    header, payload, _ = parts(victim.access_token)
    refused(api, with_signature({**header, "alg": alg}, payload, b""))
    refused(api, with_signature({**header, "alg": alg}, payload, b"signature"))


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512"])
def test_hmac_keyed_with_the_public_key(
    api: Api, victim: Tokens, module_server, digest: str
) -> None:
    header, payload, _ = parts(victim.access_token)
    forged_header = {**header, "alg": f"HS{digest[3:]}"}
    refused(api, sign_hmac(forged_header, payload, public_pem(module_server)))


def test_tampered_payload(api: Api, victim: Tokens) -> None:
    header, payload, signature = parts(victim.access_token)
    refused(api, f"{signing_input(header, {**payload, 'username': 'admin'})}.{signature}")


def test_tampered_signature(api: Api, victim: Tokens) -> None:
    body, signature = victim.access_token.rsplit(".", 1)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    refused(api, f"{body}.{flipped}")


def test_server_signed_tokens_pass_only_with_the_right_kid_and_typ(
    api: Api, victim: Tokens, module_server
) -> None:
    header, payload, _ = parts(victim.access_token)
    key = server_signing_key(module_server.data_dir, module_server.database)
    assert api.get("/account", sign_ed25519(header, payload, key)).ok
    others = [{**header, "kid": "another-key"}, {k: v for k, v in header.items() if k != "typ"}]
    others += [{**header, "typ": typ} for typ in ("JWT", "id+jwt")]
    for forged in others:
        refused(api, sign_ed25519(forged, payload, key))


def test_signed_by_another_key(api: Api, victim: Tokens) -> None:
    header, payload, _ = parts(victim.access_token)
    refused(api, jwt.encode(payload, Ed25519PrivateKey.generate(), "EdDSA", headers=header))


def test_expired(api: Api, victim: Tokens, module_server) -> None:
    key = server_signing_key(module_server.data_dir, module_server.database)
    header, payload, _ = parts(victim.access_token)
    now = int(time.time())
    stale = {**payload, "iat": now - 600, "exp": now - 1}
    refused(api, jwt.encode(stale, key, "EdDSA", headers=header))


def test_refresh_token_as_bearer(api: Api, victim: Tokens) -> None:
    refused(api, victim.refresh_token)


def test_access_token_expires_without_leeway(start_server) -> None:
    api = Api(start_server("--access-ttl", "1").url)
    _, tokens = api.new_session()
    time.sleep(max(0.0, tokens.raw["expires"] - time.time()) + 0.05)
    body = assert_error(api.get("/account", tokens.access_token), 401, "invalid_token")
    assert "expired" in body["error_description"]
