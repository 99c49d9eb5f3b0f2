"""Access tokens (Ed25519 JWTs per RFC 9068), the JWKS, refresh-token secrets: the PyJWT user."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backend.core.keys.live import SigningKeys
from backend.core.keys.ring import ALGORITHM, KeyRing, b64url
from backend.core.token_cache import VerifiedTokenCache
from backend.errors import InvalidToken

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 (a media type, not a secret)
AUDIENCE = "jwt-refresh-demo-api"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "client_id", "iat", "exp", "jti", "sid", "username")
REFRESH_TOKEN_BYTES = 32
STRING_CLAIMS = ("sub", "client_id", "jti", "sid", "username")
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def compact_json(value: Any) -> bytes:
    """JSON without spaces, UTF-8, from an encoder built once (`json.dumps` with options
    builds a new one at every call)."""
    return COMPACT_JSON.encode(value).encode("utf-8")


@dataclass(frozen=True)
class IssuedAccessToken:
    """A signed access token and its lifetime."""

    token: str
    issued_at: int
    expires_at: int


class AccessTokens:
    """Signs and verifies access tokens; the algorithm, the keys and the claims are pinned.

    It signs with the key that is current and verifies with any key that may have signed a
    live token, as `keys` holds them at that moment; when a reload withdrew a key, the
    verifications remembered so far are forgotten, so a retired key's tokens fail at once.
    """

    def __init__(self, keys: SigningKeys, issuer: str, audience: str, lifetime: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._codec = jwt.PyJWT()
        self._verified = VerifiedTokenCache()
        self._verified_with: KeyRing = keys.ring
        self._signing_prefixes: dict[str, str] = {}

    def _signing_prefix(self, kid: str) -> str:
        """The encoded JWS header of a key's tokens and its dot, built once per key."""
        prefix = self._signing_prefixes.get(kid)
        if prefix is None:
            header = {"alg": ALGORITHM, "kid": kid, "typ": ACCESS_TOKEN_TYPE}
            prefix = self._signing_prefixes[kid] = b64url(compact_json(header)) + "."
        return prefix

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
        key = self.keys.ring.signing_key(now)
        signing_input = self._signing_prefix(key.kid) + b64url(compact_json(claims))
        signature = key.private_key.sign(signing_input.encode("ascii"))
        return IssuedAccessToken(f"{signing_input}.{b64url(signature)}", issued_at, expires_at)

    def verify(self, token: str, now: float) -> dict[str, Any]:
        """Return the claims of a valid token, or raise InvalidToken saying what is wrong.

        The signature and claims of a token are checked once, then remembered until it
        expires; its times are checked at every use.
        """
        self._forget_withdrawn()
        claims = self._verified.get(token, now)
        if claims is not None:
            self._check_times(claims, now)
            return claims
        claims = self._decode(token, now)
        self._check_times(claims, now)
        self._verified.put(token, claims, now)
        return claims

    def _forget_withdrawn(self) -> None:
        ring = self.keys.ring
        if ring is not self._verified_with:
            if ring.withdrawn_since(self._verified_with):
                self._verified.clear()
            self._verified_with = ring

    def _decode(self, token: str, now: float) -> dict[str, Any]:
        """The claims of a token whose header, signature, issuer, audience and claims are valid."""
        header = self._header(token)
        self._check_type(header)
        public_key = self._key_of(header, now)
        try:
            claims = self._codec.decode(
                token,
                public_key,
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

    def _key_of(self, header: dict[str, Any], now: float) -> Ed25519PublicKey:
        key = self.keys.ring.accepted(header.get("kid"), now)
        if key is None:
            raise InvalidToken("The access token was signed with an unknown key.")
        return key.public_key

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
        self._keyed_mac = hmac.new(rotation_key, digestmod=hashlib.sha256)

    @staticmethod
    def new() -> str:
        """A fresh token of 256 random bits, URL-safe."""
        return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)

    def successor(self, token: str) -> str:
        """The token that replaces `token` when it is rotated."""
        mac = self._keyed_mac.copy()
        mac.update(token.encode("utf-8"))
        return b64url(mac.digest())

    @staticmethod
    def digest(token: str) -> bytes:
        """What the database keeps: SHA-256 of the token (it has 256 bits of entropy)."""
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
