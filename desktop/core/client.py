"""The auth server's HTTP API on `requests`, raising the typed errors of desktop.core.errors."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from desktop.core.clock import Clock
from desktop.core.errors import (
    ApiError,
    CodeRefused,
    Forbidden,
    InvalidCredentials,
    InvalidGrant,
    NetworkDown,
    NotFound,
    RequestRejected,
    RequestTimedOut,
    ResponseCutShort,
    ServerFailed,
    Throttled,
    TokenRejected,
    UnexpectedResponse,
)
from desktop.core.events import HttpExchange
from desktop.core.redact import shorten

DEFAULT_TIMEOUT = (3.05, 10.0)
# A refresh the server rotated but answered too late is retried with the same token about a
# second after the timeout; both must fit in the server's reuse grace (10 s by default).
REFRESH_READ_TIMEOUT = 5.0
SESSIONS_PAGE = 100  # the most the server gives in one page of GET /sessions
ExchangeObserver = Callable[[HttpExchange], None]


@dataclass(frozen=True)
class TokenResponse:
    """A token response, with the local time its request was sent."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    expires: int
    refresh_expires_in: int | None
    session_id: str
    sent_at: float


@dataclass(frozen=True)
class SessionInfo:
    """One of the user's sessions, as `GET /sessions` lists it."""

    id: str
    created_at: int
    last_refreshed_at: int | None
    refresh_count: int
    expires_at: int
    current: bool


def retry_after_seconds(response: requests.Response, now: float) -> float | None:
    """The Retry-After header in seconds (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def error_body(response: requests.Response) -> tuple[str, str]:
    """The contract's error body as (code, description); empty strings if it is not one."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("error_description", ""))


def error_from(response: requests.Response, now: float) -> ApiError:
    """The typed error for a response that is not a success."""
    status = response.status_code
    code, description = error_body(response)
    if status == 429:
        return Throttled(retry_after_seconds(response, now), description)
    if status >= 500:
        return ServerFailed(status, description)
    if code == "invalid_grant":
        return InvalidGrant(description=description)
    if code == "invalid_credentials":
        return InvalidCredentials()
    if status == 401:
        return TokenRejected()
    if status == 403:
        return Forbidden()
    if status == 404:
        return NotFound(description or None)
    return RequestRejected(status, code or "error", description)


def token_response(body: Any, sent_at: float) -> TokenResponse:
    """Parse a token response, refusing anything that is not the contract's shape."""
    try:
        refresh_expires_in = body.get("refresh_expires_in")
        parsed = TokenResponse(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_in=int(body["expires_in"]),
            expires=int(body["expires"]),
            refresh_expires_in=None if refresh_expires_in is None else int(refresh_expires_in),
            session_id=str(body["session_id"]),
            sent_at=sent_at,
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise UnexpectedResponse("The server's token response is incomplete.") from None
    if str(body.get("token_type", "")).lower() != "bearer" or parsed.expires_in <= 0:
        raise UnexpectedResponse("The server's token response is not a Bearer token.")
    return parsed


def session_info(item: Any) -> SessionInfo:
    try:
        last = item.get("last_refreshed_at")
        return SessionInfo(
            id=str(item["id"]),
            created_at=int(item["created_at"]),
            last_refreshed_at=None if last is None else int(last),
            refresh_count=int(item["refresh_count"]),
            expires_at=int(item["expires_at"]),
            current=bool(item["current"]),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise UnexpectedResponse(
            "The server's session list is not in the expected shape."
        ) from None


def issued_detail(response: requests.Response) -> str:
    """'access …, refresh …' when the response carries tokens, else ''."""
    if "json" not in response.headers.get("Content-Type", ""):
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict) or "access_token" not in body:
        return ""
    access, refresh = str(body["access_token"]), str(body.get("refresh_token", ""))
    return f"access {shorten(access)}, refresh {shorten(refresh)}"


class ApiClient:
    """One server's API; every exchange is reported to `observer` with tokens shortened."""

    def __init__(
        self,
        base_url: str,
        clock: Clock,
        observer: ExchangeObserver | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.observer = observer
        self.timeout = timeout
        self._local = threading.local()

    def _http(self) -> requests.Session:
        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = requests.Session()
            http.headers["Accept"] = "application/json"
        return http

    def _unreachable(self) -> str:
        return (
            f"Cannot reach the server at {self.base_url}: it is not running, or the network"
            " to it is down."
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        bearer: str | None = None,
        detail: str = "",
        timeout: tuple[float, float] | None = None,
    ) -> tuple[requests.Response, float]:
        """Send one request; return the response if it succeeded, with the time it was sent."""
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        sent_at, started = self.clock.wall(), self.clock.monotonic()
        try:
            response = self._http().request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                data=form,
                headers=headers,
                timeout=timeout or self.timeout,
            )
        except requests.Timeout:
            self._report(sent_at, started, method, path, None, "timed out")
            raise RequestTimedOut() from None
        except requests.ConnectionError:
            self._report(sent_at, started, method, path, None, "no connection")
            raise NetworkDown(self._unreachable()) from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            self._report(sent_at, started, method, path, None, "answer cut short")
            raise ResponseCutShort() from None
        except requests.RequestException as error:
            self._report(sent_at, started, method, path, None, type(error).__name__)
            raise NetworkDown(self._unreachable()) from None
        if response.ok:
            issued = issued_detail(response)
            full = f"{detail} → {issued}" if detail and issued else detail or issued
            self._report(sent_at, started, method, path, response.status_code, full)
            return response, sent_at
        refusal = error_from(response, self.clock.wall())
        code = error_body(response)[0] or response.reason
        self._report(sent_at, started, method, path, response.status_code, code)
        raise refusal

    def _report(
        self,
        sent_at: float,
        started: float,
        method: str,
        path: str,
        status: int | None,
        detail: str,
    ) -> None:
        if self.observer is not None:
            latency_ms = (self.clock.monotonic() - started) * 1000
            self.observer(HttpExchange(sent_at, method, path, status, latency_ms, detail))

    def _json(self, response: requests.Response) -> Any:
        """The body of a success; one that is not JSON was cut short (or mangled) on the way."""
        try:
            return response.json()
        except ValueError:
            raise ResponseCutShort() from None

    def health(self) -> None:
        self._send("GET", "/health")

    def sign_up(self, username: str, password: str) -> None:
        body = {"username": username, "password": password}
        self._send("POST", "/sign-up", json=body, detail=f"user {username}")

    def sign_in(self, username: str, password: str) -> TokenResponse:
        body = {"username": username, "password": password}
        response, sent_at = self._send("POST", "/sign-in", json=body, detail=f"user {username}")
        return token_response(self._json(response), sent_at)

    def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> TokenResponse:
        """RFC 6749 §4.1.3 with PKCE: the browser's code for a new session's tokens."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": "jwt-refresh-demo",
            "code_verifier": verifier,
        }
        detail = f"code {shorten(code)}, verifier {shorten(verifier)}"
        try:
            response, sent_at = self._send("POST", "/oauth/token", form=form, detail=detail)
        except InvalidGrant as error:
            raise CodeRefused(error.description) from None
        return token_response(self._json(response), sent_at)

    def refresh(self, refresh_token: str) -> TokenResponse:
        body = {"refresh_token": refresh_token}
        detail = f"refresh {shorten(refresh_token)}"
        timeout = (self.timeout[0], min(self.timeout[1], REFRESH_READ_TIMEOUT))
        response, sent_at = self._send(
            "POST", "/tokens/refresh", json=body, detail=detail, timeout=timeout
        )
        return token_response(self._json(response), sent_at)

    def revoke(self, refresh_token: str) -> None:
        body = {"refresh_token": refresh_token}
        self._send("POST", "/tokens/revoke", json=body, detail=f"refresh {shorten(refresh_token)}")

    def revoke_all(self, access_token: str) -> None:
        self._send("POST", "/tokens/revoke-all", bearer=access_token, detail="every session")

    def account(self, access_token: str) -> dict[str, Any]:
        response, _ = self._send("GET", "/account", bearer=access_token)
        body = self._json(response)
        if not isinstance(body, dict):
            raise UnexpectedResponse()
        return body

    def sessions(self, access_token: str, page_size: int = SESSIONS_PAGE) -> list[SessionInfo]:
        """Every live session of the user, newest first, following the pages to the last."""
        sessions: list[SessionInfo] = []
        params = {"limit": str(page_size)}
        seen: set[str] = set()
        while True:
            response, _ = self._send("GET", "/sessions", params=params, bearer=access_token)
            body = self._json(response)
            items = body.get("sessions") if isinstance(body, dict) else None
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            if not isinstance(items, list) or not isinstance(cursor, str | None):
                raise UnexpectedResponse()
            sessions.extend(session_info(item) for item in items)
            if cursor is None:
                return sessions
            if cursor in seen:  # a server handing back a page it gave before would loop forever
                raise UnexpectedResponse()
            seen.add(cursor)
            params = {**params, "cursor": cursor}

    def delete_session(self, access_token: str, session_id: str) -> None:
        path = "/sessions/" + quote(session_id, safe="")
        self._send("DELETE", path, bearer=access_token, detail=f"session {session_id[:8]}")
