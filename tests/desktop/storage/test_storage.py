"""The token stores: memory, a 0600 file, and the OS keyring on a real Secret Service."""

from __future__ import annotations

import json
import stat
import subprocess
import threading
from pathlib import Path

import keyring
import keyring.backends.SecretService
import pytest

from desktop.core.errors import StorageError, StoreTimeout, StoreUnavailable
from desktop.core.token_store import SERVICE, StoredEntry, server_key
from desktop.storage.file_store import FileStore
from desktop.storage.keyring_store import CallThread, KeyringStore
from desktop.storage.kinds import make_store
from desktop.storage.memory_store import MemoryStore
from tests.desktop.conftest import SecretServiceEnv
from tests.support.components import require_executable

SERVER = "http://127.0.0.1:8123"


TOKEN = "refresh-token-" + "a" * 30


def entry(token: str = TOKEN) -> StoredEntry:
    return StoredEntry(SERVER, "alice", token, "session-1")


def test_the_key_is_the_url_without_a_trailing_slash() -> None:
    assert server_key("http://127.0.0.1:8123/") == SERVER
    assert MemoryStore(SERVER + "/").key == SERVER


def test_the_entry_is_exactly_the_contracts_four_fields() -> None:
    value = json.loads(entry().to_json())
    assert value == {
        "server": SERVER,
        "username": "alice",
        "refresh_token": entry().refresh_token,
        "session_id": "session-1",
    }
    assert StoredEntry.from_json(entry().to_json()) == entry()
    with pytest.raises(StorageError):
        StoredEntry.from_json(json.dumps({**value, "access_token": "x"}))
    with pytest.raises(StorageError):
        StoredEntry.from_json("not json")


def test_the_entry_never_shows_its_token() -> None:
    assert entry().refresh_token not in repr(entry())
    assert entry().refresh_token not in json.dumps(entry().masked())
    assert entry().masked()["refresh_token"].startswith("refr")


def test_memory_store_round_trip() -> None:
    store = MemoryStore(SERVER)
    assert store.load() is None
    store.save(entry())
    assert store.load() == entry()
    store.delete()
    assert store.load() is None
    store.delete()
    assert "memory" in store.describe()


def test_file_store_round_trip_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "refresh-tokens.json"
    store = FileStore(SERVER, path)
    store.check()
    assert store.load() is None
    store.save(entry())
    assert store.load() == entry()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {SERVER: json.loads(entry().to_json())}
    store.delete()
    assert store.load() is None
    assert str(path) in store.describe()


def test_file_store_replaces_atomically_and_keeps_other_servers(tmp_path: Path) -> None:
    path = tmp_path / "data" / "refresh-tokens.json"
    other = FileStore("http://other:1", path)
    other.save(StoredEntry("http://other:1", "bob", "b" * 43, "session-2"))
    store = FileStore(SERVER, path)
    before = path.stat().st_ino
    store.save(entry())
    assert path.stat().st_ino != before
    assert other.load() is not None
    assert store.load() == entry()
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "refresh-tokens.json",
        "refresh-tokens.json.lock",
    ]
    path.chmod(0o644)
    store.save(entry("c" * 43))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_store_reports_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "refresh-tokens.json"
    path.write_text("{not json")
    with pytest.raises(StorageError, match="not valid JSON"):
        FileStore(SERVER, path).load()


def test_file_store_lock_excludes_another_holder(tmp_path: Path) -> None:
    path = tmp_path / "refresh-tokens.json"
    first, second = FileStore(SERVER, path), FileStore(SERVER, path)
    entered = threading.Event()
    with first.lock():

        def take() -> None:
            with second.lock():
                entered.set()

        thread = threading.Thread(target=take)
        thread.start()
        assert not entered.wait(0.3)
    thread.join(5)
    assert entered.is_set()


def test_make_store_builds_each_kind(tmp_path: Path) -> None:
    assert isinstance(make_store("memory", SERVER, tmp_path), MemoryStore)
    assert isinstance(make_store("file", SERVER, tmp_path), FileStore)
    assert isinstance(make_store("keyring", SERVER, tmp_path), KeyringStore)
    with pytest.raises(ValueError, match="unknown token store"):
        make_store("plaintext", SERVER, tmp_path)


def test_keyring_without_a_backend_is_reported(no_keyring: None, tmp_path: Path) -> None:
    store = KeyringStore(SERVER, tmp_path)
    with pytest.raises(StoreUnavailable, match="no keyring backend"):
        store.check()


def test_a_hung_call_times_out() -> None:
    release = threading.Event()
    thread = CallThread()
    with pytest.raises(StoreTimeout):
        thread.call(release.wait, timeout=0.2)
    release.set()
    assert thread.call(lambda: 42, timeout=5) == 42


@pytest.mark.keyring
def test_keyring_store_round_trip_on_a_real_secret_service(
    secret_service: SecretServiceEnv, tmp_path: Path
) -> None:
    assert isinstance(keyring.get_keyring(), keyring.backends.SecretService.Keyring)
    store = KeyringStore(SERVER + "/", tmp_path / "locks")
    store.check()
    assert "SecretService" in store.describe()
    assert store.load() is None
    store.save(entry())
    assert store.load() == entry()
    assert keyring.get_password(SERVICE, SERVER) == entry().to_json()
    store.save(entry("d" * 43))
    assert store.load() == entry("d" * 43)
    store.delete()
    assert store.load() is None
    assert keyring.get_password(SERVICE, SERVER) is None
    store.delete()


@pytest.mark.keyring
def test_secret_tool_reads_the_entry_from_outside(
    secret_service: SecretServiceEnv, tmp_path: Path
) -> None:
    secret_tool = require_executable("secret-tool")
    KeyringStore(SERVER, tmp_path).save(entry())
    result = subprocess.run(
        [secret_tool, "lookup", "service", SERVICE, "username", SERVER],
        capture_output=True,
        text=True,
        env=secret_service.env,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == json.loads(entry().to_json())


@pytest.mark.keyring
def test_the_keyring_viewer_names_the_item_a_refresh_token_for_its_user_and_server(
    secret_service: SecretServiceEnv, tmp_path: Path
) -> None:
    secret_tool = require_executable("secret-tool")
    store = KeyringStore(SERVER, tmp_path)
    store.save(entry())
    store.save(entry("e" * 43))  # a rotation replaces the item, it does not add one
    result = subprocess.run(
        [secret_tool, "search", "--all", "service", SERVICE],
        capture_output=True,
        text=True,
        env=secret_service.env,
        timeout=30,
        check=True,
    )
    labels = [
        line.partition(" = ")[2]
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith("label = ")
    ]
    assert labels == [f"Refresh token for alice at {SERVER}"]
    assert store.load() == entry("e" * 43)
