"""What the inspector shows of a browser sign-in: code, verifier and challenge (RFC 7636)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from desktop.core.events import BrowserStep


@dataclass(frozen=True)
class PkceRow:
    """One secret or parameter of the exchange: its name, value and meaning."""

    name: str
    value: str
    meaning: str
    secret: bool


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_rows(step: BrowserStep) -> list[PkceRow]:
    """The browser sign-in's parts, each explained; `secret` ones are shown shortened."""
    query = {
        name: values[0] for name, values in parse_qs(urlsplit(step.authorize_url).query).items()
    }
    matches = hmac.compare_digest(s256(step.code_verifier), step.code_challenge)
    check = "= BASE64URL(SHA-256(verifier)) ✓" if matches else "does not match the verifier ✗"
    rows = [
        PkceRow(
            "code_verifier",
            step.code_verifier,
            "256 random bits the app made and kept; sent only once, with the code, to"
            " /oauth/token. A code stolen on the way is useless without it.",
            True,
        ),
        PkceRow(
            "code_challenge",
            step.code_challenge,
            f"{check}: sent in the page's address, so the server can later check the"
            " verifier without it ever having travelled through the browser.",
            True,
        ),
        PkceRow(
            "state",
            query.get("state", ""),
            "Random; the app accepts the browser's answer only if it carries the same state.",
            True,
        ),
        PkceRow(
            "redirect_uri",
            step.redirect_uri,
            "Where the browser brings the code: the app's own listener, on 127.0.0.1 and a free"
            " port, open only while it waits.",
            False,
        ),
    ]
    code = step.code
    rows.append(
        PkceRow(
            "code",
            code or "",
            "The authorization code the browser brought back: single use, 60 s, bound to this"
            " app, this redirect and this challenge. The password never reached the app."
            if code
            else "Not yet: the app waits for the browser to come back.",
            bool(code),
        )
    )
    return rows
