"""Applying a new access-token lifetime restarts the embedded server without losing sessions."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from backend import EmbeddedServer, Settings
from desktop.teaching.models.server_restart import restart_with_access_ttl
from tests.support.api import Api, tokens_of


def test_restart_keeps_port_key_and_sessions_and_applies_the_new_lifetime(tmp_path: Path) -> None:
    server = EmbeddedServer(Settings(host="127.0.0.1", port=0, data_dir=tmp_path, access_ttl=60))
    url = server.start()
    try:
        api = Api(url)
        _, before = api.new_session()
        old_kid = jwt.get_unverified_header(before.access_token)["kid"]
        assert restart_with_access_ttl(server, 20) == url
        after = tokens_of(api.refresh(before.refresh_token))
        claims = jwt.decode(after.access_token, options={"verify_signature": False})
        assert after.raw["expires_in"] == 20
        assert claims["exp"] - claims["iat"] in {20, 21}
        assert jwt.get_unverified_header(after.access_token)["kid"] == old_kid
        assert after.session_id == before.session_id
        assert server.settings.access_ttl == 20
    finally:
        server.stop()


@pytest.mark.parametrize("ttl", [14, 301])
def test_lifetimes_outside_the_demo_range_are_refused_before_stopping(
    tmp_path: Path, ttl: int
) -> None:
    server = EmbeddedServer(Settings(host="127.0.0.1", port=0, data_dir=tmp_path))
    url = server.start()
    try:
        with pytest.raises(ValueError, match="15-300"):
            restart_with_access_ttl(server, ttl)
        assert Api(url).get("/health").status_code == 200
        assert server.settings.access_ttl == 300
    finally:
        server.stop()
