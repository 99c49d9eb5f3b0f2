"""`jwt-refresh-server keys`: rotation and retirement seen by a running server without a restart,
an old data dir's key kept, and a data dir of another deployment refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.core.keys.ring import public_jwk
from tests.support.api import Api, assert_token_refused
from tests.support.keys import added_kid, keys, kid_of, listed, published, soon
from tests.support.server_process import ServerProcess, StartServer
from tests.support.stores import both_stores

pytestmark = both_stores


def test_rotate_then_retire_reach_the_running_server(server: ServerProcess) -> None:
    api = Api(server.url)
    username, before = api.new_session()
    (first,) = listed(server)
    assert listed(server) == {first: "current"}
    assert published(api) == {first} == {kid_of(before.access_token)}

    upcoming = added_kid(keys(server, "rotate"))
    assert listed(server) == {first: "current", upcoming: "next"}
    now_signing = added_kid(keys(server, "rotate", "--activate-in", "0"))
    assert listed(server) == {first: "previous", upcoming: "next", now_signing: "current"}
    assert soon(lambda: published(api) == {first, upcoming, now_signing})
    assert kid_of(api.sign_in(username).access_token) == now_signing
    assert api.get("/account", before.access_token).status_code == 200

    retired = keys(server, "retire", first)
    assert retired.returncode == 0, retired.stderr
    assert listed(server)[first] == "retired"
    assert soon(lambda: api.get("/account", before.access_token).status_code == 401)
    assert_token_refused(api.get("/account", before.access_token))
    assert published(api) == {upcoming, now_signing}


def test_the_key_that_signs_and_unknown_keys_cannot_be_retired(server: ServerProcess) -> None:
    (current,) = listed(server)
    refused = keys(server, "retire", current)
    assert refused.returncode == 1
    assert "keys rotate --activate-in 0" in refused.stderr
    unknown = keys(server, "retire", "no-such-kid")
    assert unknown.returncode == 1
    assert "There is no signing key 'no-such-kid'" in unknown.stderr
    assert listed(server) == {current: "current"}


def test_a_data_dir_no_server_used_is_refused_in_words(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend", "keys", "list", "--data-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "No server has used the data dir" in result.stderr
    assert not (tmp_path / "none").exists()


def test_an_old_data_dir_keeps_its_signing_key(start_server: StartServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    old_key = Ed25519PrivateKey.generate()
    pem = old_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (data_dir / "signing-key.pem").write_bytes(pem)
    (data_dir / "rotation-key").write_bytes(b"r" * 32)
    server = start_server(data_dir=data_dir)
    kid = public_jwk(old_key.public_key())["kid"]
    _, tokens = Api(server.url).new_session()
    assert kid_of(tokens.access_token) == kid
    assert listed(server) == {kid: "current"}
    assert not (data_dir / "signing-key.pem").exists()
