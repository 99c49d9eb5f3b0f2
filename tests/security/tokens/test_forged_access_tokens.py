"""Every forged or misused access token is refused on every Bearer route, per RFC 6750."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.security.figures import FIGURES
from tests.security.tokens.capture import CaptureServer
from tests.security.tokens.forgeries import FORGERIES, Material
from tests.support.api import Api, assert_error, assert_token_refused, unique_name
from tests.support.forge import okp_jwk, server_signing_key, sign_ed25519
from tests.support.server_process import ServerProcess

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
    with CaptureServer({"keys": [okp_jwk(attacker_key, "attacker")]}) as server:
        yield server


@pytest.fixture(scope="module")
def material(
    module_server: ServerProcess,
    api: Api,
    foreign_server: ServerProcess,
    attacker_key: Ed25519PrivateKey,
    capture: CaptureServer,
) -> Material:
    victim = api.sign_in(api.sign_up(unique_name("victim")))
    other = api.sign_in(api.sign_up(unique_name("other")))
    foreign = Api(foreign_server.url)
    foreign_tokens = foreign.sign_in(foreign.sign_up(unique_name("foreign")))
    (public_jwk,) = api.http.get(module_server.url + "/.well-known/jwks.json").json()["keys"]
    return Material(
        genuine=victim.access_token,
        refresh_token=victim.refresh_token,
        signing_key=server_signing_key(module_server.data_dir, module_server.database),
        public_jwk=public_jwk,
        attacker_key=attacker_key,
        other_user_token=other.access_token,
        foreign_token=foreign_tokens.access_token,
        foreign_issuer=foreign_server.url,
        capture_url=capture.url,
        now=int(time.time()),
    )


def route_path(route: str, material: Material) -> tuple[str, str]:
    method, path = ROUTES[route]
    return method, path.format(sid=material.claims["sid"])


def assert_victim_unharmed(api: Api, material: Material, route: str) -> None:
    """A refused call on a route that ends sessions must not have ended the victim's."""
    if route in MUTATING:
        assert api.call("GET", "/account", material.genuine).status_code == 200


def test_forger_tools_make_tokens_the_server_accepts(api: Api, material: Material) -> None:
    """The forger's re-signing is sound: unchanged claims under the server key pass."""
    resigned = sign_ed25519(material.header, material.claims, material.signing_key)
    response = api.call("GET", "/account", resigned)
    assert response.status_code == 200, response.text
    assert response.json()["session_id"] == material.claims["sid"]


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_token_is_refused(
    api: Api, material: Material, capture: CaptureServer, forgery: str, route: str
) -> None:
    method, path = route_path(route, material)
    token = FORGERIES[forgery](material)
    assert token != material.genuine
    assert_token_refused(api.call(method, path, token))
    assert capture.requests == [], "the server fetched a key named in a token header"
    assert_victim_unharmed(api, material, route)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("header", list(AUTHORIZATION_HEADERS))
def test_malformed_authorization_header_is_refused(
    api: Api, material: Material, header: str, route: str
) -> None:
    method, path = route_path(route, material)
    authorization = AUTHORIZATION_HEADERS[header](material.genuine)
    assert_token_refused(api.authorized(method, path, authorization))
    assert_victim_unharmed(api, material, route)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("where", ["nowhere", "query-string"])
def test_request_without_a_bearer_header_gets_a_bare_challenge(
    api: Api, material: Material, where: str, route: str
) -> None:
    method, path = route_path(route, material)
    if where == "query-string":
        path = f"{path}?access_token={material.genuine}"
    response = api.call(method, path)
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_victim_unharmed(api, material, route)
    FIGURES.tally(SUITE)
