"""`keys rotate --activate-in 0` makes the new key the signer, also within one second."""

from __future__ import annotations

from pathlib import Path

from backend.core.keys import ring
from backend.core.keys.data_dir import DataDirSecrets
from backend.core.keys.lifecycle import current_key
from backend.settings import Settings
from backend.storage.stores import open_store


def test_keys_rotated_in_at_once_within_one_second_sign_in_the_order_added(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    secrets = DataDirSecrets.load(settings)
    now = 1_800_000_000
    try:
        with store.transaction():
            ring.open_keys(store, secrets, settings.legacy_key_path, now)
            for _ in range(20):
                added = ring.rotate(store, secrets, 0, now)
                current = current_key(store.signing_keys(), now)
                assert current is not None
                assert current.kid == added.kid
    finally:
        store.close()
