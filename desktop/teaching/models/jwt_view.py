"""A JWT taken apart for display: its three parts decoded, and its Ed25519 signature checked."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class MalformedToken(ValueError):
    """The text is not a compact JWS with a JSON header and payload."""


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding (RFC 7515 §2), refusing any other alphabet."""
    if any(c in text for c in "+/="):
        raise MalformedToken("a JWT part is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise MalformedToken("a JWT part is not base64url") from error


def decode_json_part(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(text))
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedToken(f"the {name} is not JSON") from error
    if not isinstance(value, dict):
        raise MalformedToken(f"the {name} is not a JSON object")
    return value


@dataclass(frozen=True)
class JwtParts:
    """The three dot-separated parts of a compact JWT, encoded and decoded."""

    header_b64: str
    payload_b64: str
    signature_b64: str = field(repr=False)
    header: dict[str, Any]
    payload: dict[str, Any]

    @property
    def signing_input(self) -> bytes:
        """What the signature covers: the first two parts with the dot between them."""
        return f"{self.header_b64}.{self.payload_b64}".encode("ascii")

    @property
    def signature(self) -> bytes:
        return b64url_decode(self.signature_b64)


def split_jwt(token: str) -> JwtParts:
    """Split and decode a compact JWT without checking its signature."""
    pieces = token.strip().split(".")
    if len(pieces) != 3 or not all(pieces):
        raise MalformedToken("a JWT has three non-empty parts separated by dots")
    header_b64, payload_b64, signature_b64 = pieces
    b64url_decode(signature_b64)
    return JwtParts(
        header_b64=header_b64,
        payload_b64=payload_b64,
        signature_b64=signature_b64,
        header=decode_json_part(header_b64, "header"),
        payload=decode_json_part(payload_b64, "payload"),
    )


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a signature against a key set, in words."""

    valid: bool
    summary: str
    kid: str | None = None


def find_key(jwks: Any, kid: str) -> dict[str, Any] | None:
    """The Ed25519 OKP key with this `kid` in an RFC 7517 key set, if there is one."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return None
    for key in keys:
        if (
            isinstance(key, dict)
            and key.get("kid") == kid
            and key.get("kty") == "OKP"
            and key.get("crv") == "Ed25519"
        ):
            return key
    return None


def verify_signature(parts: JwtParts, jwks: Any) -> Verification:
    """Check an EdDSA signature with the key the header names (RFC 8037)."""
    alg, kid = parts.header.get("alg"), parts.header.get("kid")
    if alg != "EdDSA":
        return Verification(False, f"The header says alg {alg!r}; this server signs with EdDSA.")
    if not isinstance(kid, str):
        return Verification(False, "The header names no key (kid), so no key can be chosen.")
    key = find_key(jwks, kid)
    if key is None:
        return Verification(False, f"The server's key set has no Ed25519 key {kid!r}.", kid)
    try:
        public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(str(key.get("x", ""))))
    except (MalformedToken, ValueError):
        return Verification(False, f"The server's key {kid!r} is not a valid Ed25519 key.", kid)
    try:
        public_key.verify(parts.signature, parts.signing_input)
    except InvalidSignature:
        return Verification(
            False, "The signature does not match: the token was altered or forged.", kid
        )
    return Verification(True, "Signature valid: made by the server's Ed25519 key.", kid)
