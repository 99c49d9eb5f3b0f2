"""Every forged or misused access token is refused on every Bearer route, per RFC 6750."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.security.capture import CaptureServer
from tests.security.client import Client, assert_error, assert_token_refused
from tests.security.figures import FIGURES
from tests.security.forge import b64url, sign_ed25519
from tests.security.forgeries import FORGERIES, Material
from tests.server_process import ServerProcess

SUITE = "forged or misused access tokens refused (cases x Bearer routes)"
ROUTES = {
    "account": ("GET", "/account"),
    "sessions": ("GET", "/sessions"),
    "revoke-all": ("POST", "/tokens/revoke-all"),
    "delete-session": ("DELETE", "/sessions/{sid}"),
}
MUTATING = {"revoke-all", "delete-session"}
AUTHORIZATION_HEADERS: dict[str, Callable[[str], str]] = {
    "bearer-without-token": lambda token: "Bearer",
    "bearer-and-blanks": lambda token: "Bearer    ",
    "no-scheme": lambda token: token,
    "basic-scheme": lambda token: "Basic dXNlcjpwYXNzd29yZA==",
    "token-scheme": lambda token: f"Token {token}",
    "dpop-scheme": lambda token: f"DPoP {token}",
    "scheme-with-colon": lambda token: f"Bearer: {token}",
    "token-twice": lambda token: f"Bearer {token} {token}",
    "two-credentials": lambda token: f"Bearer {token}, Basic dXNlcjpwYXNzd29yZA==",
}


@pytest.fixture(scope="module")
def foreign_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Another deployment: its own data dir, so its own signing key and issuer."""
    server = ServerProcess(tmp_path_factory.mktemp("foreign"), [])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def attacker_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def capture(attacker_key: Ed25519PrivateKey) -> Iterator[CaptureServer]:
    raw = attacker_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": "attacker", "alg": "EdDSA"}
    with CaptureServer({"keys": [jwk]}) as server:
        yield server


@pytest.fixture(scope="module")
def material(
    module_server: ServerProcess,
    client: Client,
    foreign_server: ServerProcess,
    attacker_key: Ed25519PrivateKey,
    capture: CaptureServer,
) -> Material:
    victim = client.sign_in(client.sign_up("victim"))
    other = client.sign_in(client.sign_up("other"))
    foreign = Client(foreign_server.url)
    foreign_tokens = foreign.sign_in(foreign.sign_up("foreign"))
    key = serialization.load_pem_private_key(
        Path(module_server.data_dir, "signing-key.pem").read_bytes(), None
    )
    assert isinstance(key, Ed25519PrivateKey)
    (public_jwk,) = client.http.get(module_server.url + "/.well-known/jwks.json").json()["keys"]
    return Material(
        genuine=victim["access_token"],
        refresh_token=victim["refresh_token"],
        signing_key=key,
        public_jwk=public_jwk,
        attacker_key=attacker_key,
        other_user_token=other["access_token"],
        foreign_token=foreign_tokens["access_token"],
        foreign_issuer=foreign_server.url,
        capture_url=capture.url,
        now=int(time.time()),
    )


def route_path(route: str, material: Material) -> tuple[str, str]:
    method, path = ROUTES[route]
    return method, path.format(sid=material.claims["sid"])


def assert_victim_unharmed(client: Client, material: Material, route: str) -> None:
    """A refused call on a route that ends sessions must not have ended the victim's."""
    if route in MUTATING:
        assert client.call("GET", "/account", material.genuine).status_code == 200


def test_forger_tools_make_tokens_the_server_accepts(client: Client, material: Material) -> None:
    """The forger's re-signing is sound: unchanged claims under the server key pass."""
    resigned = sign_ed25519(material.header, material.claims, material.signing_key)
    response = client.call("GET", "/account", resigned)
    assert response.status_code == 200, response.text
    assert response.json()["session_id"] == material.claims["sid"]


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_token_is_refused(
    client: Client, material: Material, capture: CaptureServer, forgery: str, route: str
) -> None:
    method, path = route_path(route, material)
    token = FORGERIES[forgery](material)
    assert token != material.genuine
    assert_token_refused(client.call(method, path, token))
    assert capture.requests == [], "the server fetched a key named in a token header"
    assert_victim_unharmed(client, material, route)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("header", list(AUTHORIZATION_HEADERS))
def test_malformed_authorization_header_is_refused(
    client: Client, material: Material, header: str, route: str
) -> None:
    method, path = route_path(route, material)
    authorization = AUTHORIZATION_HEADERS[header](material.genuine)
    assert_token_refused(client.authorized(method, path, authorization))
    assert_victim_unharmed(client, material, route)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("where", ["nowhere", "query-string"])
def test_request_without_a_bearer_header_gets_a_bare_challenge(
    client: Client, material: Material, where: str, route: str
) -> None:
    method, path = route_path(route, material)
    if where == "query-string":
        path = f"{path}?access_token={material.genuine}"
    response = client.call(method, path)
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_victim_unharmed(client, material, route)
    FIGURES.tally(SUITE)
