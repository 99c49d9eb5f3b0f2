"""Signing in through the browser (RFC 8252): PKCE, a loopback listener, the code; no Qt.

The app listens on 127.0.0.1 on a free port, opens the server's sign-in page with Python's
`webbrowser` (so `BROWSER` chooses the program), and waits for the browser to come back
with a code whose `state` and `iss` it checks; it then trades the code with its verifier.
It never sees the password. Modelled on MSAL Python's `oauth2cli/authcode.py`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import webbrowser
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from desktop.core.errors import BrowserSignInFailed
from desktop.core.events import BrowserStep
from desktop.core.redact import same_secret

CLIENT_ID = "jwt-refresh-demo"
CALLBACK_PATH = "/callback"
WAIT_SECONDS = 300.0
DONE_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · jwt-refresh-demo</title>
<style>body {{ font: 1rem/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto;
padding: 0 1rem }} h1 {{ font-size: 1.4rem }}</style>
<body><h1>{title}</h1><p>{text}</p></body></html>"""
NOT_THIS_ONE = "This answer is not for the sign-in the app is waiting for."
CLOSE_TAB = "You can close this tab and return to the app."
DENIED = {
    "access_denied": "You cancelled signing in in the browser.",
}


def pkce_pair() -> tuple[str, str]:
    """A code verifier of 256 random bits and its S256 challenge (RFC 7636 §4.1, §4.2)."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Callback:
    """What the browser brought back: a code, or an error in the server's words."""

    code: str | None = field(default=None, repr=False)
    error: str | None = None
    description: str = ""


@dataclass
class Attempt:
    """One browser sign-in: the secrets it keeps, the URL it opens, how it ends."""

    server_url: str
    verifier: str = field(repr=False)
    challenge: str
    state: str = field(repr=False)
    redirect_uri: str = ""
    cancelled: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    callback: Callback | None = None

    @property
    def authorize_url(self) -> str:
        query = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "state": self.state,
        }
        return f"{self.server_url}/oauth/authorize?{urlencode(query)}"

    def answer(self, query: dict[str, str]) -> tuple[int, str, str]:
        """Judge one visit to the redirect URI: (status, title, words for the browser)."""
        if not same_secret(query.get("state"), self.state):
            return (
                400,
                "Not this sign-in",
                "This answer is not for the sign-in the app is waiting for.",
            )
        issuer = query.get("iss")
        if issuer is not None and issuer != self.server_url:
            self.finish(
                Callback(
                    error="wrong_issuer",
                    description=f"The answer came from {issuer}, not {self.server_url}.",
                )
            )
            return 400, "Not signed in", "The answer came from another server."
        if query.get("code"):
            self.finish(Callback(code=query["code"]))
            return 200, "Signed in", "You can close this tab and return to the app."
        error = query.get("error", "no_code")
        description = (
            DENIED.get(error) or query.get("error_description") or f"The server said {error}."
        )
        self.finish(Callback(error=error, description=description))
        return 200, "Not signed in", f"{description} You can close this tab and return to the app."

    def finish(self, callback: Callback) -> None:
        if self.callback is None:
            self.callback = callback
            self.arrived.set()

    def cancel(self) -> None:
        self.cancelled.set()
        self.arrived.set()


class LoopbackListener:
    """An HTTP listener on 127.0.0.1 and a free port, for one attempt's redirect."""

    def __init__(self, attempt: Attempt) -> None:
        self.attempt = attempt

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                query = {name: values[0] for name, values in parse_qs(parts.query).items()}
                status, title, text = attempt.answer(query)
                page = DONE_PAGE.format(title=html.escape(title), text=html.escape(text))
                body = page.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = 0.2
        attempt.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"
        self._thread = threading.Thread(target=self._serve, name="loopback", daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._server.handle_request()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.server_close()


def start(server_url: str) -> tuple[Attempt, LoopbackListener]:
    """A new attempt with its listener running, not yet shown in a browser."""
    verifier, challenge = pkce_pair()
    attempt = Attempt(server_url.rstrip("/"), verifier, challenge, secrets.token_urlsafe(16))
    return attempt, LoopbackListener(attempt)


def open_in_browser(attempt: Attempt) -> bool:
    """Open the sign-in page in the user's browser (the `BROWSER` variable chooses it);
    False when none could be opened (the user may still open the address by hand)."""
    return webbrowser.open(attempt.authorize_url, new=1)


def step(attempt: Attempt, name: str, now: float) -> BrowserStep:
    """The record of a step of `attempt`, for the event log and the teaching views."""
    callback = attempt.callback
    return BrowserStep(
        at=now,
        step=name,
        authorize_url=attempt.authorize_url,
        redirect_uri=attempt.redirect_uri,
        code_challenge=attempt.challenge,
        code_verifier=attempt.verifier,
        code=callback.code if callback else None,
    )


def wait_for_code(attempt: Attempt, timeout: float = WAIT_SECONDS) -> str:
    """The code the browser brought back; an error in words if it did not, or was cancelled."""
    if not attempt.arrived.wait(timeout):
        minutes = max(1, round(timeout / 60))
        raise BrowserSignInFailed(
            f"The browser did not come back within {minutes} min. Try again, or sign in"
            " with a password below."
        )
    if attempt.cancelled.is_set():
        raise BrowserSignInFailed("Signing in with the browser was cancelled.")
    callback = attempt.callback
    assert callback is not None
    if callback.code is None:
        raise BrowserSignInFailed(callback.description)
    return callback.code
