"""The catalogue of forged and misused access tokens, each built from one victim's real token."""

from __future__ import annotations

import base64
import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from tests.support.forge import (
    b64url,
    b64url_json,
    okp_jwk,
    parts,
    sign_ed25519,
    sign_hmac,
    with_signature,
)

REMOVE = object()
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class Material:
    """What a forger may hold: a victim's token, public keys, other tokens, and (for claim
    checks only) the server's own signing key read from its data dir."""

    genuine: str
    refresh_token: str
    signing_key: Ed25519PrivateKey
    public_jwk: dict[str, str]
    attacker_key: Ed25519PrivateKey
    other_user_token: str
    foreign_token: str
    foreign_issuer: str
    capture_url: str
    now: int

    @cached_property
    def header(self) -> dict[str, Any]:
        return parts(self.genuine)[0]

    @cached_property
    def claims(self) -> dict[str, Any]:
        return parts(self.genuine)[1]

    @cached_property
    def signature(self) -> str:
        return parts(self.genuine)[2]

    @cached_property
    def other_claims(self) -> dict[str, Any]:
        return parts(self.other_user_token)[1]

    @cached_property
    def public_key_forms(self) -> dict[str, bytes]:
        """The server's public key as the secrets an HMAC-confusion forger would try."""
        public = self.signing_key.public_key()
        info = serialization.PublicFormat.SubjectPublicKeyInfo
        return {
            "pem": public.public_bytes(serialization.Encoding.PEM, info),
            "der": public.public_bytes(serialization.Encoding.DER, info),
            "raw": public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
            "jwk": json.dumps(self.public_jwk, separators=(",", ":")).encode(),
            "jwk-x": self.public_jwk["x"].encode(),
        }


Builder = Callable[[Material], str]


def edited(original: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy with `changes` applied; a value of REMOVE deletes the member."""
    result = dict(original)
    for name, value in changes.items():
        if value is REMOVE:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def server_signed(header: dict[str, Any] | None = None, /, **claims: Any) -> Builder:
    """Validly signed with the server's own key: only the claim or header check can refuse it."""
    return lambda m: sign_ed25519(
        edited(m.header, header or {}), edited(m.claims, claims), m.signing_key
    )


def claims_at(**offsets: int) -> Builder:
    """Server-signed, with time claims set relative to now."""
    return lambda m: server_signed(**{name: m.now + delta for name, delta in offsets.items()})(m)


def attacker_signed(header: Callable[[Material], dict[str, Any]]) -> Builder:
    """The victim's claims under a header of the forger's choosing, signed with the forger's key."""
    return lambda m: sign_ed25519(edited(m.header, header(m)), m.claims, m.attacker_key)


def kid(value: Any) -> Builder:
    return attacker_signed(lambda m: {"kid": value})


def alg_none(spelling: str) -> Builder:
    return lambda m: with_signature({**m.header, "alg": spelling}, m.claims, b"")


def junk_signature(alg: str, size: int) -> Builder:
    """Another algorithm named in the header, over random bytes of its signature's size."""
    return lambda m: with_signature({**m.header, "alg": alg}, m.claims, os.urandom(size))


def hmac_confusion(alg: str, key_form: str) -> Builder:
    return lambda m: sign_hmac({**m.header, "alg": alg}, m.claims, m.public_key_forms[key_form])


def genuine_signature(header: dict[str, Any] | None = None, /, **claims: Any) -> Builder:
    """Changed header or claims that keep the victim's original signature."""
    return lambda m: (
        f"{b64url_json(edited(m.header, header or {}))}."
        f"{b64url_json(edited(m.claims, claims))}.{m.signature}"
    )


def other_user_claims(*names: str) -> Builder:
    """Genuine signature, with some claims taken from another user's token."""
    return lambda m: genuine_signature(**{name: m.other_claims[name] for name in names})(m)


def with_signature_segment(change: Callable[[str], str]) -> Builder:
    return lambda m: m.genuine.rsplit(".", 1)[0] + "." + change(m.signature)


def flip_first_byte(signature: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    return b64url(bytes(raw))


def flip_last_byte(signature: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[-1] ^= 0x80
    return b64url(bytes(raw))


def non_canonical(signature: str) -> str:
    """Same bytes, other text: the last character's unused low bits set differently."""
    last = BASE64URL.index(signature[-1])
    return signature[:-1] + BASE64URL[last ^ 0x01]


def attacker_certificate(key: Ed25519PrivateKey) -> str:
    """A self-signed certificate of the forger's key, base64 DER as in an `x5c` header."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwt-refresh-demo")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, None)
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def foreign_token_with_our_kid(m: Material) -> str:
    header, claims, signature = parts(m.foreign_token)
    return f"{b64url_json({**header, 'kid': m.header['kid']})}.{b64url_json(claims)}.{signature}"


ALGORITHMS: dict[str, Builder] = {
    **{
        f"alg-{spelling}-unsigned": alg_none(spelling)
        for spelling in ("none", "None", "NONE", "nOnE", "NoNe")
    },
    "alg-none-genuine-signature": genuine_signature({"alg": "none"}),
    "alg-none-two-segments": lambda m: alg_none("none")(m).rstrip("."),
    "alg-missing": server_signed({"alg": REMOVE}),
    "alg-empty": server_signed({"alg": ""}),
    "alg-null": server_signed({"alg": None}),
    "alg-lowercase-eddsa": server_signed({"alg": "eddsa"}),
    "alg-fully-specified-ed25519": server_signed({"alg": "Ed25519"}),
    "alg-list": server_signed({"alg": ["EdDSA"]}),
    **{
        f"alg-{alg.lower()}-junk-signature": junk_signature(alg, size)
        for alg, size in (("ES256", 64), ("RS256", 256), ("PS256", 256), ("ES512", 132))
    },
    **{
        f"{alg.lower()}-keyed-with-public-{form}": hmac_confusion(alg, form)
        for alg in ("HS256", "HS384", "HS512")
        for form in ("pem", "der", "raw", "jwk", "jwk-x")
    },
}

KEY_HEADERS: dict[str, Builder] = {
    "server-kid-attacker-signature": attacker_signed(lambda m: {}),
    "kid-missing": kid(REMOVE),
    "kid-empty": kid(""),
    "kid-unknown": kid("attacker-key-1"),
    "kid-of-another-server": lambda m: kid(parts(m.foreign_token)[0]["kid"])(m),
    "kid-path-traversal": kid("../../../../../../../dev/null"),
    "kid-sql-injection": kid("x' UNION SELECT 'secret' --"),
    "kid-shell-injection": kid("$(id)`id`|id"),
    "kid-url": lambda m: kid(f"{m.capture_url}/key")(m),
    "kid-number": kid(1),
    "kid-list": lambda m: kid([m.header["kid"]])(m),
    "kid-null": kid(None),
    "kid-lone-surrogate": kid("\ud800"),
    "kid-nul-byte": lambda m: kid("\x00" + m.header["kid"])(m),
    "kid-very-long": kid("k" * 4000),
    "jku-attacker-key-set": attacker_signed(
        lambda m: {"jku": f"{m.capture_url}/jwks.json", "kid": "attacker"}
    ),
    "jku-with-server-kid": attacker_signed(lambda m: {"jku": f"{m.capture_url}/jwks.json"}),
    "x5u-attacker-certificate": attacker_signed(lambda m: {"x5u": f"{m.capture_url}/cert.pem"}),
    "jwk-embedded-attacker-key": attacker_signed(
        lambda m: {"jwk": okp_jwk(m.attacker_key, m.header["kid"])}
    ),
    "jwk-embedded-without-kid": attacker_signed(
        lambda m: {"jwk": okp_jwk(m.attacker_key, "attacker"), "kid": REMOVE}
    ),
    "x5c-attacker-certificate": attacker_signed(
        lambda m: {"x5c": [attacker_certificate(m.attacker_key)]}
    ),
    "crit-unknown-extension": server_signed({"crit": ["x-unknown"], "x-unknown": True}),
}

TYPES: dict[str, Builder] = {
    "typ-jwt": server_signed({"typ": "JWT"}),
    "typ-missing": server_signed({"typ": REMOVE}),
    "typ-refresh-token": server_signed({"typ": "rt+jwt"}),
    "typ-application-jwt": server_signed({"typ": "application/jwt"}),
    "typ-with-space": server_signed({"typ": "at+jwt "}),
    "typ-null": server_signed({"typ": None}),
    "typ-list": server_signed({"typ": ["at+jwt"]}),
}

CLAIMS: dict[str, Builder] = {
    "expired-a-second-ago": claims_at(exp=-1),
    "expired-an-hour-ago": claims_at(iat=-3900, exp=-3600),
    "expired-in-1970": server_signed(exp=1),
    "exp-missing": server_signed(exp=REMOVE),
    "exp-fractional": lambda m: server_signed(exp=m.now + 300.5)(m),
    "exp-string": lambda m: server_signed(exp=str(m.now + 300))(m),
    "exp-null": server_signed(exp=None),
    "nbf-in-the-future": claims_at(nbf=600),
    "nbf-string": lambda m: server_signed(nbf=str(m.now - 10))(m),
    "iss-other": server_signed(iss="https://evil.example"),
    "iss-trailing-slash": lambda m: server_signed(iss=m.claims["iss"] + "/")(m),
    "iss-of-another-server": lambda m: server_signed(iss=m.foreign_issuer)(m),
    "iss-missing": server_signed(iss=REMOVE),
    "iss-list": lambda m: server_signed(iss=[m.claims["iss"]])(m),
    "aud-other": server_signed(aud="another-api"),
    "aud-list-of-others": server_signed(aud=["another-api", "a-third-api"]),
    "aud-empty-list": server_signed(aud=[]),
    "aud-missing": server_signed(aud=REMOVE),
    "aud-null": server_signed(aud=None),
    **{
        f"{claim}-missing": server_signed(**{claim: REMOVE})
        for claim in ("sub", "client_id", "iat", "jti", "sid", "username")
    },
    "sid-unknown": server_signed(sid="no-such-session"),
    "sid-of-another-user": lambda m: server_signed(sid=m.other_claims["sid"])(m),
    "sub-of-another-user": lambda m: server_signed(sub=m.other_claims["sub"])(m),
    "sid-list": lambda m: server_signed(sid=[m.claims["sid"]])(m),
    "sid-number": server_signed(sid=7),
    "sid-null": server_signed(sid=None),
    "sub-number": server_signed(sub=7),
    "username-object": server_signed(username={"name": "admin"}),
}

TAMPERED: dict[str, Builder] = {
    "payload-sub-of-another-user": other_user_claims("sub"),
    "payload-sid-of-another-user": other_user_claims("sid"),
    "payload-sub-and-sid-of-another-user": other_user_claims("sub", "sid"),
    "payload-exp-extended": lambda m: genuine_signature(exp=m.claims["exp"] + 3600)(m),
    "payload-username-changed": genuine_signature(username="admin"),
    "payload-extra-claim": genuine_signature(admin=True),
    "header-typ-changed": genuine_signature({"typ": "JWT"}),
    "header-extra-member": genuine_signature({"x-extra": 1}),
    "signature-first-byte-flipped": with_signature_segment(flip_first_byte),
    "signature-last-byte-flipped": with_signature_segment(flip_last_byte),
    "signature-non-canonical-base64": with_signature_segment(non_canonical),
    "signature-truncated": with_signature_segment(lambda s: s[:-1]),
    "signature-empty": with_signature_segment(lambda s: ""),
    "signature-doubled": with_signature_segment(lambda s: s + s),
    "signature-padded": with_signature_segment(lambda s: s + "=="),
    "signature-junk-character": with_signature_segment(lambda s: s[:40] + "!" + s[40:]),
    "signature-inner-space": with_signature_segment(lambda s: s[:40] + " " + s[40:]),
    "signature-of-another-token": lambda m: (
        m.genuine.rsplit(".", 1)[0] + "." + parts(m.other_user_token)[2]
    ),
}

SHAPES: dict[str, Builder] = {
    "two-segments": lambda m: m.genuine.rsplit(".", 1)[0],
    "four-segments": lambda m: m.genuine + "." + m.signature,
    "five-segments-like-jwe": lambda m: m.genuine + ".AAAA.BBBB",
    "trailing-dot": lambda m: m.genuine + ".",
    "leading-dot": lambda m: "." + m.genuine,
    "empty-segments": lambda m: "..",
    "not-base64": lambda m: "%%%.%%%.%%%",
    "header-not-json": lambda m: b64url(b"{not json") + "." + m.genuine.split(".", 1)[1],
    "header-json-array": lambda m: b64url(b"[]") + "." + m.genuine.split(".", 1)[1],
    "payload-json-array": lambda m: sign_ed25519(m.header, [m.claims], m.signing_key),
    "payload-json-string": lambda m: sign_ed25519(m.header, "claims", m.signing_key),
    "latin-1-characters": lambda m: m.genuine + "\u00e9",
    "eight-kib-of-junk": lambda m: "a" * 8192,
}

OTHER_TOKENS: dict[str, Builder] = {
    "refresh-token-as-bearer": lambda m: m.refresh_token,
    "token-of-another-server": lambda m: m.foreign_token,
    "token-of-another-server-with-our-kid": foreign_token_with_our_kid,
}

FORGERIES: dict[str, Builder] = {
    **ALGORITHMS,
    **KEY_HEADERS,
    **TYPES,
    **CLAIMS,
    **TAMPERED,
    **SHAPES,
    **OTHER_TOKENS,
}
