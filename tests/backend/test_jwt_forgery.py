"""Access tokens the server must refuse: forged, tampered, mistyped, misused or expired."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.backend.api import Api, Tokens, assert_error


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def split(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def assemble(header: dict, payload: dict, signature: str = "") -> str:
    encode = lambda part: b64(json.dumps(part).encode())  # noqa: E731
    return f"{encode(header)}.{encode(payload)}.{signature}"


def hmac_signed(header: dict, payload: dict, key: bytes, digest: str) -> str:
    unsigned = assemble(header, payload)[:-1]
    signature = hmac.new(key, unsigned.encode(), getattr(hashlib, digest)).digest()
    return f"{unsigned}.{b64(signature)}"


def signing_key(data_dir: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((data_dir / "signing-key.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def server_signed(header: dict, payload: dict, data_dir: Path) -> str:
    """A token with exactly this header, validly signed with the server's own key."""
    unsigned = assemble(header, payload)[:-1]
    return f"{unsigned}.{b64(signing_key(data_dir).sign(unsigned.encode()))}"


def public_pem(data_dir: Path) -> bytes:
    return (
        signing_key(data_dir)
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
    header, payload, _ = split(victim.access_token)
    refused(api, assemble({**header, "alg": alg}, payload))
    refused(api, assemble({**header, "alg": alg}, payload, "c2lnbmF0dXJl"))


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512"])
def test_hmac_keyed_with_the_public_key(
    api: Api, victim: Tokens, module_server, digest: str
) -> None:
    header, payload, _ = split(victim.access_token)
    forged_header = {**header, "alg": f"HS{digest[3:]}"}
    refused(api, hmac_signed(forged_header, payload, public_pem(module_server.data_dir), digest))


def test_tampered_payload(api: Api, victim: Tokens) -> None:
    header, payload, signature = split(victim.access_token)
    refused(api, assemble(header, {**payload, "username": "admin"}, signature))


def test_tampered_signature(api: Api, victim: Tokens) -> None:
    body, signature = victim.access_token.rsplit(".", 1)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    refused(api, f"{body}.{flipped}")


def test_server_signed_tokens_pass_only_with_the_right_kid_and_typ(
    api: Api, victim: Tokens, module_server
) -> None:
    header, payload, _ = split(victim.access_token)
    assert api.get("/account", server_signed(header, payload, module_server.data_dir)).ok
    others = [{**header, "kid": "another-key"}, {k: v for k, v in header.items() if k != "typ"}]
    others += [{**header, "typ": typ} for typ in ("JWT", "id+jwt")]
    for forged in others:
        refused(api, server_signed(forged, payload, module_server.data_dir))


def test_signed_by_another_key(api: Api, victim: Tokens) -> None:
    header, payload, _ = split(victim.access_token)
    refused(api, jwt.encode(payload, Ed25519PrivateKey.generate(), "EdDSA", headers=header))


def test_expired(api: Api, victim: Tokens, module_server) -> None:
    key = serialization.load_pem_private_key(
        (module_server.data_dir / "signing-key.pem").read_bytes(), None
    )
    assert isinstance(key, Ed25519PrivateKey)
    header, payload, _ = split(victim.access_token)
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
