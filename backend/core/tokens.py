"""Access tokens (Ed25519 JWTs per RFC 9068), the JWKS, refresh-token secrets: the PyJWT user."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from backend.core.token_cache import VerifiedTokenCache
from backend.errors import InvalidToken
from backend.storage.keyfiles import load_or_create_secret

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 (a media type, not a secret)
ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "client_id", "iat", "exp", "jti", "sid", "username")
REFRESH_TOKEN_BYTES = 32
STRING_CLAIMS = ("sub", "client_id", "jti", "sid", "username")
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def compact_json(value: Any) -> bytes:
    """JSON without spaces, UTF-8, from an encoder built once (`json.dumps` with options
    builds a new one at every call)."""
    return COMPACT_JSON.encode(value).encode("utf-8")


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The server's Ed25519 key, created on first start (PEM, mode 0600)."""

    def generate() -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    key = serialization.load_pem_private_key(load_or_create_secret(path, generate), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an RFC 8037 OKP JWK with its RFC 7638 thumbprint as `kid`."""
    x = b64url(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    kid = b64url(hashlib.sha256(compact_json({"crv": "Ed25519", "kty": "OKP", "x": x})).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class IssuedAccessToken:
    """A signed access token and its lifetime."""

    token: str
    issued_at: int
    expires_at: int


class AccessTokens:
    """Signs and verifies access tokens; the algorithm, key and claims are pinned."""

    def __init__(
        self, private_key: Ed25519PrivateKey, issuer: str, audience: str, lifetime: int
    ) -> None:
        self._private_key = private_key
        self._public_key = private_key.public_key()
        self.jwk = public_jwk(self._public_key)
        self.kid = self.jwk["kid"]
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._codec = jwt.PyJWT()
        self._verified = VerifiedTokenCache()
        header = {"alg": ALGORITHM, "kid": self.kid, "typ": ACCESS_TOKEN_TYPE}
        self._signing_prefix = b64url(compact_json(header)) + "."

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """RFC 7517 key set: public members only."""
        return {"keys": [dict(self.jwk)]}

    def issue(
        self, *, subject: str, username: str, session_id: str, client_id: str, now: float
    ) -> IssuedAccessToken:
        """Sign a new access token for a session (RFC 7515 compact serialisation).

        `exp` is rounded up, so the token lives at least `lifetime` seconds and a client that
        counts `expires_in` from the response never holds a token the server already refuses.
        The header never changes, so it is encoded once; the claims are a plain dict of
        strings and integers, so JSON needs no generic conversion (PyJWT verifies them).
        """
        issued_at = int(now)
        expires_at = math.ceil(now) + self.lifetime
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "client_id": client_id,
            "iat": issued_at,
            "exp": expires_at,
            "jti": secrets.token_urlsafe(12),
            "sid": session_id,
            "username": username,
        }
        signing_input = self._signing_prefix + b64url(compact_json(claims))
        signature = self._private_key.sign(signing_input.encode("ascii"))
        return IssuedAccessToken(f"{signing_input}.{b64url(signature)}", issued_at, expires_at)

    def verify(self, token: str, now: float) -> dict[str, Any]:
        """Return the claims of a valid token, or raise InvalidToken saying what is wrong.

        The signature and claims of a token are checked once, then remembered until it
        expires; its times are checked at every use.
        """
        claims = self._verified.get(token, now)
        if claims is not None:
            self._check_times(claims, now)
            return claims
        claims = self._decode(token)
        self._check_times(claims, now)
        self._verified.put(token, claims, now)
        return claims

    def _decode(self, token: str) -> dict[str, Any]:
        """The claims of a token whose header, signature, issuer, audience and claims are valid."""
        header = self._header(token)
        self._check_type(header)
        self._check_kid(header)
        try:
            claims = self._codec.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError as error:
            raise InvalidToken("The access token is for another audience.") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken("The access token comes from another issuer.") from error
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"The access token lacks the {error.claim} claim.") from error
        except jwt.InvalidTokenError as error:
            raise InvalidToken("The access token's signature or format is invalid.") from error
        self._check_claim_types(claims)
        return claims

    def _check_times(self, claims: dict[str, Any], now: float) -> None:
        self._check_expiry(claims, now)
        self._check_not_before(claims, now)

    def _header(self, token: str) -> dict[str, Any]:
        if not COMPACT_JWS.fullmatch(token):
            raise InvalidToken("The access token is not a compact JWT (RFC 7515, section 7.1).")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise InvalidToken("The access token is not a JWT.") from error
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("The access token uses an algorithm this server does not accept.")
        return header

    @staticmethod
    def _check_type(header: dict[str, Any]) -> None:
        typ = str(header.get("typ", "")).lower()
        if typ not in {ACCESS_TOKEN_TYPE, f"application/{ACCESS_TOKEN_TYPE}"}:
            raise InvalidToken("The token is not an access token (typ must be at+jwt).")

    def _check_kid(self, header: dict[str, Any]) -> None:
        kid = header.get("kid")
        if kid != self.kid:
            raise InvalidToken("The access token was signed with an unknown key.")

    @staticmethod
    def _check_claim_types(claims: dict[str, Any]) -> None:
        for name in STRING_CLAIMS:
            if not isinstance(claims[name], str) or not claims[name]:
                raise InvalidToken(f"The access token's {name} claim is not a non-empty string.")

    @staticmethod
    def _check_expiry(claims: dict[str, Any], now: float) -> None:
        exp, iat = claims["exp"], claims["iat"]
        if not isinstance(exp, int) or not isinstance(iat, int):
            raise InvalidToken("The access token's times are not whole seconds.")
        if now >= exp:
            raise InvalidToken("The access token has expired.")

    @staticmethod
    def _check_not_before(claims: dict[str, Any], now: float) -> None:
        nbf = claims.get("nbf")
        if nbf is not None and (not isinstance(nbf, int) or now < nbf):
            raise InvalidToken("The access token is not valid yet.")


class RefreshTokens:
    """Opaque refresh tokens: random, stored only as hashes, successors derived with a key.

    A successor is HMAC(rotation key, predecessor), so the server can hand the current token
    back to a client replaying its predecessor within the reuse grace without storing it:
    the rotation key lives in a file, not in the database.
    """

    def __init__(self, rotation_key: bytes) -> None:
        self._rotation_key = rotation_key

    @classmethod
    def from_file(cls, path: Path) -> RefreshTokens:
        return cls(load_or_create_secret(path, lambda: secrets.token_bytes(32)))

    @staticmethod
    def new() -> str:
        """A fresh token of 256 random bits, URL-safe."""
        return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)

    def successor(self, token: str) -> str:
        """The token that replaces `token` when it is rotated."""
        return b64url(hmac.digest(self._rotation_key, token.encode("utf-8"), "sha256"))

    @staticmethod
    def digest(token: str) -> bytes:
        """What the database keeps: SHA-256 of the token (it has 256 bits of entropy)."""
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
