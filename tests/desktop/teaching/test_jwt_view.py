"""The inspector's decoding equals PyJWT's, and its signature check follows the server's JWKS."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.teaching.models.http import FetchFailed, fetch_jwks
from desktop.teaching.models.jwt_view import MalformedToken, split_jwt, verify_signature
from tests.support.api import Api
from tests.support.server_process import ServerProcess


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory):
    """A token and key set from a real server."""
    process = ServerProcess(tmp_path_factory.mktemp("inspector"), ["--access-ttl", "60"])
    process.start()
    api = Api(process.url)
    _, tokens = api.new_session()
    yield tokens.access_token, fetch_jwks(process.url), process
    process.stop()


def test_decoded_header_and_claims_equal_pyjwts(real) -> None:
    token, _, _ = real
    parts = split_jwt(token)
    assert parts.header == jwt.get_unverified_header(token)
    assert parts.payload == jwt.decode(token, options={"verify_signature": False})
    assert set(parts.payload) >= {"iss", "aud", "sub", "client_id", "iat", "exp", "jti", "sid"}
    assert parts.header["typ"] == "at+jwt"


def test_signature_of_a_real_token_verifies_against_the_servers_jwks(real) -> None:
    token, jwks, _ = real
    result = verify_signature(split_jwt(token), jwks)
    assert result.valid, result.summary
    assert result.kid == jwks["keys"][0]["kid"]


def test_a_changed_claim_breaks_the_signature(real) -> None:
    token, jwks, _ = real
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["username"] = "mallory"
    forged = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    result = verify_signature(split_jwt(forged), jwks)
    assert not result.valid
    assert "does not match" in result.summary


def test_a_token_signed_by_another_key_with_the_same_kid_is_refused(real) -> None:
    token, jwks, _ = real
    parts = split_jwt(token)
    forged = jwt.encode(
        parts.payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers=parts.header
    )
    assert not verify_signature(split_jwt(forged), jwks).valid


def test_an_unknown_kid_is_named_in_the_result(real) -> None:
    token, _, _ = real
    other = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64(bytes(32)), "kid": "other"}]}
    result = verify_signature(split_jwt(token), other)
    assert not result.valid
    assert "no Ed25519 key" in result.summary


def test_a_symmetric_token_is_not_checked_with_a_public_key(real) -> None:
    _, jwks, _ = real
    hs = jwt.encode({"sub": "1"}, "secret-secret-secret-secret-1234", algorithm="HS256")
    result = verify_signature(split_jwt(hs), jwks)
    assert not result.valid
    assert "HS256" in result.summary


@pytest.mark.parametrize(
    "text",
    ["", "abc", "a.b", "a.b.c.d", "..", "e30.e30.", "e30.W10.c2ln", "!!.e30.c2ln", "e30.e30.a+b"],
)
def test_malformed_tokens_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(MalformedToken):
        split_jwt(text)


def test_fetch_says_when_the_server_cannot_be_reached(real) -> None:
    _, _, process = real
    with pytest.raises(FetchFailed, match=r"jwks\.json"):
        fetch_jwks("http://127.0.0.1:9")
    assert fetch_jwks(process.url + "/")["keys"]
