"""Anti-forgery for the pages' forms: a hidden field bound to the page, the browser and the time.

The field is an HMAC over the form's purpose, the authorization request it carries, when the
page was made and a random nonce in a cookie of the browser that loaded it. A form posted
from anywhere else, changed, or older than `page_form_ttl` is refused (400).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping

from backend.errors import InvalidRequest

FIELD = "form_token"
COOKIE = "form_nonce"
NONCE = re.compile(r"[A-Za-z0-9_-]{22,64}")
TOKEN = re.compile(r"(?P<issued>\d{1,12})\.(?P<mac>[A-Za-z0-9_-]{43})")
FORGED = "This form was not made by this server for this browser, or it was changed."


class FormRefused(InvalidRequest):
    """A form post whose anti-forgery field is missing, wrong or too old."""


class FormGuard:
    """Makes and checks the hidden anti-forgery field of the pages' forms."""

    def __init__(self, key: bytes, lifetime: int) -> None:
        self._key = key
        self.lifetime = lifetime

    @staticmethod
    def nonce(cookie: str | None) -> str:
        """The browser's nonce: the one its cookie holds, or a new one."""
        if cookie is not None and NONCE.fullmatch(cookie):
            return cookie
        return secrets.token_urlsafe(16)

    def token(self, purpose: str, nonce: str, carried: Mapping[str, str], now: float) -> str:
        """The hidden field for a page made `now` for this browser and these parameters."""
        issued = int(now)
        return f"{issued}.{self._mac(purpose, nonce, carried, issued)}"

    def check(
        self,
        token: str | None,
        purpose: str,
        cookie: str | None,
        carried: Mapping[str, str],
        now: float,
    ) -> None:
        """Refuse a form whose field was not made by `token` for this browser and request."""
        if not token:
            raise FormRefused(
                "This form came without its anti-forgery field, so it was not sent from this"
                " server's own page."
            )
        match = TOKEN.fullmatch(token)
        if match is None or cookie is None or not NONCE.fullmatch(cookie):
            raise FormRefused(FORGED)
        issued = int(match["issued"])
        expected = self._mac(purpose, cookie, carried, issued)
        if not hmac.compare_digest(expected, match["mac"]):
            raise FormRefused(FORGED)
        if not 0 <= now - issued <= self.lifetime:
            minutes = self.lifetime // 60
            raise FormRefused(f"This page is older than {minutes} minutes.")

    def _mac(self, purpose: str, nonce: str, carried: Mapping[str, str], issued: int) -> str:
        message = json.dumps([purpose, nonce, issued, sorted(carried.items())]).encode("utf-8")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
