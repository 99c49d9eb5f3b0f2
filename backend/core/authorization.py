"""A native app's authorization request: its client, loopback redirect and PKCE challenge.

RFC 6749 §4.1.1 (the request), §3.1 (parameters once each, unknown ones ignored), RFC 7636
(PKCE, S256 only) and RFC 8252 §7.3 (loopback redirects on any port). Errors that cannot be
trusted to the redirect URI are `UnknownRedirect`; the others go back to it (§4.1.2.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.errors import AuthorizationRefused, UnknownRedirect

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
CODE_RESPONSE = "code"
PKCE_METHOD = "S256"
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
MAX_REDIRECT_LENGTH = 2048


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked request: who asks, where the answer goes, the PKCE challenge, the state."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    state: str | None

    def parameters(self) -> dict[str, str]:
        """The request's parameters, to carry through a form or a link unchanged."""
        carried = {
            "response_type": CODE_RESPONSE,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.code_challenge,
            "code_challenge_method": PKCE_METHOD,
        }
        if self.state is not None:
            carried["state"] = self.state
        return carried

    @property
    def destination(self) -> str:
        """Where the browser lands afterwards, in words: the host and port of the redirect."""
        return urlsplit(self.redirect_uri).netloc


def is_loopback_redirect(uri: str) -> bool:
    """A native app's redirect: plain http to a loopback host, any port, no fragment."""
    if len(uri) > MAX_REDIRECT_LENGTH or not uri.isprintable() or " " in uri or "#" in uri:
        return False
    parts = urlsplit(uri)
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError:
        return False
    no_userinfo = "@" not in parts.netloc
    return parts.scheme == "http" and no_userinfo and parts.hostname in LOOPBACK_HOSTS


def authorization_request(
    parameters: Iterable[tuple[str, str]], client_id: str
) -> AuthorizationRequest:
    """Check an authorization request's parameters for the server's one native client."""
    values: dict[str, str] = {}
    repeated: list[str] = []
    for name, value in parameters:
        if name in values:
            repeated.append(name)
        values[name] = value
    if values.get("client_id") != client_id or "client_id" in repeated:
        raise UnknownRedirect("This sign-in link names an application this server does not know.")
    redirect_uri = values.get("redirect_uri", "")
    if not is_loopback_redirect(redirect_uri) or "redirect_uri" in repeated:
        raise UnknownRedirect(
            "This sign-in link would send you somewhere other than an app on your computer."
        )
    state = values.get("state")

    def refuse(code: str, description: str) -> AuthorizationRefused:
        return AuthorizationRefused(code, description, redirect_uri, state)

    if repeated:
        raise refuse("invalid_request", f"The parameter {repeated[0]!r} is repeated.")
    if values.get("response_type") != CODE_RESPONSE:
        raise refuse("unsupported_response_type", "Only response_type=code is supported.")
    challenge = values.get("code_challenge")
    if not challenge:
        raise refuse("invalid_request", "PKCE is required: send a code_challenge (S256).")
    if values.get("code_challenge_method") != PKCE_METHOD:
        raise refuse("invalid_request", "Only code_challenge_method=S256 is supported.")
    if not CHALLENGE.fullmatch(challenge):
        raise refuse("invalid_request", "The code_challenge is not a base64url SHA-256 digest.")
    return AuthorizationRequest(client_id, redirect_uri, challenge, state)


def challenge_of(verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str | None, challenge: str) -> bool:
    """Whether a code verifier belongs to the challenge, compared in constant time."""
    if verifier is None or not VERIFIER.fullmatch(verifier):
        return False
    return hmac.compare_digest(challenge_of(verifier), challenge)
