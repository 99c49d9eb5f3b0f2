"""The teaching panels' own requests: the server's public keys and the attacker's replay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

JWKS_PATH = "/.well-known/jwks.json"
TIMEOUT = (3.05, 10.0)


class FetchFailed(Exception):
    """The key set could not be fetched; the message says why, in words."""


def fetch_jwks(server_url: str) -> dict[str, Any]:
    """GET the server's RFC 7517 key set."""
    url = server_url.rstrip("/") + JWKS_PATH
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except requests.RequestException as error:
        raise FetchFailed(f"Could not fetch {JWKS_PATH}: {type(error).__name__}.") from None
    except ValueError:
        raise FetchFailed(f"{JWKS_PATH} did not answer with JSON.") from None
    if not isinstance(body, dict):
        raise FetchFailed(f"{JWKS_PATH} did not answer with a key set.")
    return body


@dataclass(frozen=True)
class ReplayResult:
    """What the server answered the attacker: status (None: no answer), error code and text."""

    status: int | None
    error: str = ""
    description: str = ""


def replay_refresh_token(server_url: str, refresh_token: str) -> ReplayResult:
    """Present a refresh token as an attacker would: from another client, with no other context."""
    url = server_url.rstrip("/") + "/tokens/refresh"
    try:
        response = requests.post(url, json={"refresh_token": refresh_token}, timeout=TIMEOUT)
    except requests.RequestException as error:
        return ReplayResult(None, type(error).__name__, "The server could not be reached.")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ReplayResult(
        response.status_code,
        str(body.get("error", "")),
        str(body.get("error_description", "")),
    )
