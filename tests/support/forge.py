"""Hand-made JWTs with any header, claims, algorithm and key, where PyJWT refuses to make them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.core.keys.data_dir import DataDirSecrets
from backend.core.keys.ring import KeyRing
from backend.settings import Settings
from backend.storage.stores import open_store

HMAC_DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    """A JSON value as a JWT segment; lone surrogates are kept as `\\ud800` escapes."""
    return b64url(json.dumps(value, separators=(",", ":")).encode("ascii"))


def decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Header, claims and the signature segment of a compact JWS."""
    header, claims, signature = token.split(".")
    return decode_segment(header), decode_segment(claims), signature


def signing_input(header: Any, claims: Any) -> str:
    return f"{b64url_json(header)}.{b64url_json(claims)}"


def with_signature(header: Any, claims: Any, signature: bytes) -> str:
    return f"{signing_input(header, claims)}.{b64url(signature)}"


def sign_hmac(header: dict[str, Any], claims: Any, secret: bytes) -> str:
    """HS256/384/512 (per the header's alg) keyed with `secret`."""
    data = signing_input(header, claims)
    mac = hmac.new(secret, data.encode("ascii"), HMAC_DIGESTS[header["alg"]]).digest()
    return f"{data}.{b64url(mac)}"


def sign_ed25519(header: Any, claims: Any, key: Ed25519PrivateKey) -> str:
    """An Ed25519 signature over whatever header and claims, whatever the header says."""
    data = signing_input(header, claims)
    return f"{data}.{b64url(key.sign(data.encode('ascii')))}"


def server_signing_key(data_dir: Path, database: str | None = None) -> Ed25519PrivateKey:
    """The key a server signs with now, unsealed from its store with its data dir's secrets
    (what a thief of both would hold)."""
    settings = Settings(data_dir=data_dir, database=database)
    store = open_store(settings)
    try:
        with store.transaction():
            records = store.signing_keys()
    finally:
        store.close()
    ring = KeyRing.unseal(records, DataDirSecrets.load(settings), settings.access_ttl)
    return ring.signing_key(time.time()).private_key


def okp_jwk(key: Ed25519PrivateKey, kid: Any) -> dict[str, Any]:
    """The public half of an Ed25519 key as an RFC 8037 JWK."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": kid, "alg": "EdDSA"}
