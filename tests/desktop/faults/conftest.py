"""Fixtures of the fault tests: a fault proxy in front of a real server, a hanging keyring."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import keyring
import pytest

from tests.desktop.conftest import LEDGER, reset_keyring
from tests.desktop.driver import Driver
from tests.desktop.faults.hanging_keyring import HangingKeyring
from tests.desktop.faults.proxy import FaultProxy, Relayed


def note_tokens(item: Relayed) -> None:
    """Tokens in an answer the app may never have seen still count for the secrets scan."""
    try:
        body = json.loads(item.body)
    except ValueError:
        return
    if isinstance(body, dict) and "access_token" in body:
        LEDGER.add_tokens(str(body["access_token"]), str(body.get("refresh_token", "")))


@pytest.fixture
def fault_proxy() -> Iterator[Callable[[str], FaultProxy]]:
    """Start fault proxies in front of servers; each is closed at the end of the test."""
    started: list[FaultProxy] = []

    def start(upstream: str) -> FaultProxy:
        proxy = FaultProxy(upstream)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()
        for item in proxy.relayed:
            note_tokens(item)


@pytest.fixture
def hanging_keyring() -> Iterator[HangingKeyring]:
    """The keyring package uses a backend that hangs on demand; released and reset after."""
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.release()
    reset_keyring()


@dataclass
class ProxiedWindow:
    """A window signed in through a fault proxy, and the offline messages it has shown."""

    proxy: FaultProxy
    app: Driver
    offline: list[str]


@pytest.fixture
def signed_in_behind_proxy(
    server, make_account, fault_proxy, open_window
) -> Callable[[str], ProxiedWindow]:
    """Sign a new account in through a fault proxy in front of the server, with a given store."""

    def open_(token_store: str) -> ProxiedWindow:
        proxy = fault_proxy(server.url)
        account = make_account(server.url)
        app = open_window("--server", proxy.url, "--token-store", token_store)
        app.sign_in(account.username, account.password)
        offline: list[str] = []
        app.controller.connectivity.connect(lambda message, _: offline.append(message))
        return ProxiedWindow(proxy, app, offline)

    return open_
