"""The client's side of the browser sign-in, for tests: PKCE, the authorize URL, the page's
form, and a loopback receiver standing in for the app's redirect listener."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "jwt-refresh-demo"


def pkce_pair() -> tuple[str, str]:
    """A fresh code verifier and its S256 challenge (RFC 7636 §4.1, §4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Authorization:
    """One authorization request: its parameters and the verifier kept by the client."""

    redirect_uri: str
    verifier: str = ""
    challenge: str = ""
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def __post_init__(self) -> None:
        if not self.verifier:
            self.verifier, self.challenge = pkce_pair()

    def parameters(self, **changes: str | None) -> dict[str, str]:
        """The request's query parameters; a change to None leaves that parameter out."""
        parameters: dict[str, str | None] = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "state": self.state,
            **changes,
        }
        return {name: value for name, value in parameters.items() if value is not None}

    def url(self, base_url: str, **changes: str | None) -> str:
        return f"{base_url}/oauth/authorize?{urlencode(self.parameters(**changes))}"

    def token_fields(self, code: str, **changes: str) -> dict[str, str]:
        """The token request that redeems `code` (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
        return {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": CLIENT_ID,
            "code_verifier": self.verifier,
            **changes,
        }


class HiddenFields(HTMLParser):
    """The hidden inputs of a page's form, as the browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"] or ""] = attributes.get("value") or ""


def hidden_fields(page: str) -> dict[str, str]:
    parser = HiddenFields()
    parser.feed(page)
    return parser.fields


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters, each once."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


SIGNED_IN_PAGE = b"<!doctype html><title>Done</title><p>Signed in.</p>"


class LoopbackReceiver:
    """A redirect target on 127.0.0.1 and a free port that records the queries it receives
    and answers each with `page`."""

    def __init__(self, path: str = "/callback", page: bytes = SIGNED_IN_PAGE) -> None:
        self.received: list[dict[str, str]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                receiver.received.append(query_of(self.path))
                receiver.arrived.set()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 30.0) -> dict[str, str]:
        """The first query that arrived."""
        assert self.arrived.wait(timeout), "the browser never came back to the redirect URI"
        return self.received[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
