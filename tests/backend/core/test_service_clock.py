"""The use cases under a fake clock: exact grace, idle and absolute boundaries without sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from passlib.context import CryptContext

from backend.core.authorization import AuthorizationRequest
from backend.core.authorization_codes import Presentation
from backend.core.service import AuthService
from backend.errors import InvalidGrant, InvalidToken
from backend.settings import Settings
from backend.web.app import build_service
from tests.support.api import PASSWORD
from tests.support.oauth_flow import CLIENT_ID, pkce_pair
from tests.support.stores import NewDatabase, both_stores

pytestmark = both_stores


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock, new_database: NewDatabase) -> Iterator[AuthService]:
    settings = Settings(
        data_dir=tmp_path,
        database=new_database(),
        issuer="http://issuer.test",
        access_ttl=60,
        refresh_idle_ttl=100,
        refresh_max_ttl=250,
        reuse_grace=10,
    )
    built = build_service(settings, clock)
    yield built
    built.close()


def run(coroutine):
    return asyncio.run(coroutine)


def signed_in(service: AuthService):
    run(service.accounts.sign_up("clockuser", PASSWORD))
    return run(service.accounts.sign_in("clockuser", PASSWORD, "127.0.0.1"))


def test_grace_holds_up_to_its_last_second_and_not_after(
    service: AuthService, clock: FakeClock
) -> None:
    first = signed_in(service)
    second = run(service.rotation.refresh(first.refresh_token))
    clock.advance(10)
    assert run(service.rotation.refresh(first.refresh_token)).refresh_token == second.refresh_token
    clock.advance(0.5)
    with pytest.raises(InvalidGrant, match="reused"):
        run(service.rotation.refresh(first.refresh_token))
    with pytest.raises(InvalidGrant, match="reused"):
        run(service.rotation.refresh(second.refresh_token))


def test_idle_expiry_moves_with_each_refresh(service: AuthService, clock: FakeClock) -> None:
    start = int(clock.now)
    grant = signed_in(service)
    assert grant.refresh_expires_at == start + 100
    clock.advance(99)
    grant = run(service.rotation.refresh(grant.refresh_token))
    assert grant.refresh_expires_at == start + 199
    clock.advance(99)
    grant = run(service.rotation.refresh(grant.refresh_token))
    assert grant.refresh_expires_at == start + 250
    clock.advance(40)
    idle = run(service.accounts.sign_in("clockuser", PASSWORD, "127.0.0.1"))
    clock.advance(100)
    with pytest.raises(InvalidGrant, match="expired"):
        run(service.rotation.refresh(idle.refresh_token))


def test_absolute_expiry_caps_the_session(service: AuthService, clock: FakeClock) -> None:
    grant = signed_in(service)
    for _ in range(5):
        clock.advance(49)
        grant = run(service.rotation.refresh(grant.refresh_token))
    clock.advance(6)
    with pytest.raises(InvalidGrant, match="expired"):
        run(service.rotation.refresh(grant.refresh_token))


def test_a_remembered_session_is_refused_from_its_last_second(
    service: AuthService, clock: FakeClock
) -> None:
    grant = signed_in(service)
    for _ in range(5):
        clock.advance(49)
        grant = run(service.rotation.refresh(grant.refresh_token))
    header = f"Bearer {grant.access_token}"
    assert run(service.sessions.authenticate(header)).session_id == grant.session_id
    assert len(service.sessions.active_sessions) == 1
    clock.advance(4)
    assert run(service.sessions.authenticate(header)).session_id == grant.session_id
    clock.advance(1)
    with pytest.raises(InvalidToken, match="expired"):
        run(service.sessions.authenticate(header))
    assert len(service.sessions.active_sessions) == 0


def test_access_token_dies_exactly_at_exp(service: AuthService, clock: FakeClock) -> None:
    grant = signed_in(service)
    header = f"Bearer {grant.access_token}"
    clock.advance(59)
    assert run(service.sessions.authenticate(header)).session_id == grant.session_id
    clock.advance(1)
    with pytest.raises(InvalidToken, match="expired"):
        run(service.sessions.authenticate(header))


def test_issuer_is_checked(service: AuthService, tmp_path: Path) -> None:
    grant = signed_in(service)
    other = build_service(replace(service.settings, issuer="http://elsewhere.test"))
    try:
        with pytest.raises(InvalidToken, match="issuer"):
            run(other.sessions.authenticate(f"Bearer {grant.access_token}"))
    finally:
        other.close()


def test_ended_sessions_are_kept_for_the_retention_then_purged(
    service: AuthService, clock: FakeClock
) -> None:
    grant = signed_in(service)
    run(service.rotation.revoke(grant.refresh_token))
    assert run(service.purge()) == 0
    clock.advance(service.settings.ended_session_retention + 1)
    assert run(service.purge()) == 1
    with pytest.raises(InvalidGrant, match="unknown"):
        run(service.rotation.refresh(grant.refresh_token))


def test_a_hash_from_an_older_policy_is_upgraded_at_sign_in(service: AuthService) -> None:
    run(service.accounts.sign_up("olduser", PASSWORD))
    weaker = CryptContext(schemes=["argon2"], argon2__memory_cost=8192, argon2__rounds=1)
    user = run(service.database.run(lambda store: store.user_by_name("olduser")))
    old_hash = weaker.hash(PASSWORD)
    run(service.database.run(lambda store: store.set_password_hash(user.id, old_hash)))
    run(service.accounts.sign_in("olduser", PASSWORD, "127.0.0.1"))
    upgraded = run(service.database.run(lambda store: store.user_by_name("olduser")))
    assert upgraded.password_hash != old_hash
    assert upgraded.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def issued_code(service: AuthService, redirect_uri: str = "http://127.0.0.1:9/cb"):
    """A code for a fresh account, and how to present it rightly."""
    run(service.accounts.sign_up("codeuser", PASSWORD))
    user = run(service.accounts.authenticate("codeuser", PASSWORD, "127.0.0.1"))
    verifier, challenge = pkce_pair()
    request = AuthorizationRequest(CLIENT_ID, redirect_uri, challenge, "state")
    code = run(service.codes.issue(user, request))
    return Presentation(code, CLIENT_ID, redirect_uri, verifier)


def test_a_code_works_until_its_sixtieth_second(service: AuthService, clock: FakeClock) -> None:
    presented = issued_code(service)
    clock.advance(59.9)
    grant = run(service.codes.exchange(presented))
    header = f"Bearer {grant.access_token}"
    assert run(service.sessions.authenticate(header)).username == "codeuser"


def test_a_code_expires_at_sixty_seconds(service: AuthService, clock: FakeClock) -> None:
    presented = issued_code(service)
    clock.advance(60)
    with pytest.raises(InvalidGrant, match="expired: codes live 60 s"):
        run(service.codes.exchange(presented))
    clock.advance(-30)
    with pytest.raises(InvalidGrant, match="already presented"):
        run(service.codes.exchange(presented))


def test_expired_codes_are_purged(service: AuthService, clock: FakeClock) -> None:
    presented = issued_code(service)
    clock.advance(service.settings.ended_session_retention + 61)
    run(service.purge())
    clock.now -= service.settings.ended_session_retention + 61
    with pytest.raises(InvalidGrant, match="unknown"):
        run(service.codes.exchange(presented))
