"""The signing keys a server holds: unsealed from the store, which one signs, which ones verify;
and the changes `jwt-refresh-server keys` makes: the first key, rotation, retirement."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from backend.core.keys.data_dir import DataDirSecrets
from backend.core.keys.lifecycle import KeyState, current_key, key_state, published
from backend.errors import ConfigurationError
from backend.storage.records import SigningKey
from backend.storage.store import Store

log = logging.getLogger("backend.keys")
ALGORITHM = "EdDSA"


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an RFC 8037 OKP JWK with its RFC 7638 thumbprint as `kid`."""
    x = b64url(public_key.public_bytes_raw())
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    kid = b64url(hashlib.sha256(canonical.encode()).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class LiveKey:
    """A signing key ready to use: its record, both halves and its JWK."""

    record: SigningKey
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    jwk: dict[str, str]

    @property
    def kid(self) -> str:
        return self.record.kid


def live_key(record: SigningKey, secrets: DataDirSecrets) -> LiveKey:
    """A stored key made ready to use: its private half unsealed."""
    private_key = secrets.unseal(record.kid, record.sealed_private_key)
    public_key = private_key.public_key()
    return LiveKey(record, private_key, public_key, public_jwk(public_key))


def sealed_key(
    secrets: DataDirSecrets, private_key: Ed25519PrivateKey, created_at: int, activates_at: int
) -> SigningKey:
    """A record of `private_key` for the store, its private half sealed."""
    kid = public_jwk(private_key.public_key())["kid"]
    return SigningKey(
        kid=kid,
        public_key=private_key.public_key().public_bytes_raw(),
        sealed_private_key=secrets.seal(kid, private_key),
        created_at=created_at,
        activates_at=activates_at,
        retired_at=None,
    )


class KeyRing:
    """One reading of the store's keys, unsealed; which key does what is asked with a time."""

    def __init__(self, keys: list[LiveKey], secrets: DataDirSecrets, access_ttl: int) -> None:
        self.keys = keys
        self.secrets = secrets
        self.access_ttl = access_ttl
        self._records = [key.record for key in keys]
        self._by_kid = {key.kid: key for key in keys}

    @classmethod
    def unseal(cls, records: list[SigningKey], secrets: DataDirSecrets, access_ttl: int) -> KeyRing:
        """The ring of `records`, each private half unsealed with the data dir's key."""
        return cls([live_key(record, secrets) for record in records], secrets, access_ttl)

    def reread(self, records: list[SigningKey]) -> KeyRing:
        """A ring of `records` that reuses the keys this one has unsealed already."""
        keys = []
        for record in records:
            held = self._by_kid.get(record.kid)
            keys.append(held if held and held.record == record else live_key(record, self.secrets))
        return KeyRing(keys, self.secrets, self.access_ttl)

    def state(self, key: LiveKey, now: float) -> KeyState:
        return key_state(key.record, self._records, int(now), self.access_ttl)

    def signing_key(self, now: float) -> LiveKey:
        """The key that signs now."""
        current = current_key(self._records, int(now))
        if current is None:
            raise ConfigurationError("No signing key is current: run `keys rotate`.")
        return self._by_kid[current.kid]

    def accepted(self, kid: object, now: float) -> LiveKey | None:
        """The key named `kid` if it may have signed a live token (so it verifies one)."""
        key = self._by_kid.get(kid) if isinstance(kid, str) else None
        if key is None or not published(self.state(key, now)):
            return None
        return key

    def published(self, now: float) -> list[LiveKey]:
        """The keys of the JWKS: next, current, and previous ones whose tokens may live."""
        return [key for key in self.keys if published(self.state(key, now))]

    def withdrawn_since(self, older: KeyRing) -> bool:
        """Whether a key that `older` held was retired, or is gone, in this reading."""
        return any(
            self._by_kid.get(key.kid) is None
            or self._by_kid[key.kid].record.retired_at != key.record.retired_at
            for key in older.keys
        )


def legacy_private_key(path: Path) -> tuple[Ed25519PrivateKey, int] | None:
    """The signing key of a data dir from before the key table, if its PEM file is there,
    with the time the file was written."""
    try:
        written = int(path.stat().st_mtime)
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    key = serialization.load_pem_private_key(pem, None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} does not hold an Ed25519 private key.")
    return key, written


def check_secrets(store: Store, secrets: DataDirSecrets) -> None:
    """Refuse a data dir whose secrets are not the ones this store was first opened with."""
    if not hmac.compare_digest(store.secrets_check(secrets.check()), secrets.check()):
        raise ConfigurationError(
            "This data dir belongs to another deployment than the database: its rotation"
            " key and key-encryption key differ from the first server's. Give every server"
            " of a deployment a copy of the first server's data dir."
        )


def open_keys(
    store: Store, secrets: DataDirSecrets, legacy_key: Path, now: int
) -> list[SigningKey]:
    """The store's keys, after checking the data dir against it; on an empty store, the first
    key: the data dir's old `signing-key.pem` if it has one, else a new key. In a transaction."""
    check_secrets(store, secrets)
    keys = store.signing_keys()
    if keys:
        return keys
    old = legacy_private_key(legacy_key)
    if old is None:
        first = sealed_key(secrets, Ed25519PrivateKey.generate(), now, now)
    else:
        key, written = old
        first = sealed_key(secrets, key, min(written, now), min(written, now))
    store.add_first_signing_key(first)
    return store.signing_keys()


def forget_legacy_key(legacy_key: Path, keys: list[SigningKey]) -> None:
    """Remove the old PEM file once the database holds its key (after the COMMIT)."""
    old = legacy_private_key(legacy_key)
    if old is None:
        return
    kid = public_jwk(old[0].public_key())["kid"]
    if any(key.kid == kid for key in keys):
        with contextlib.suppress(FileNotFoundError):
            legacy_key.unlink()
            log.info("signing key %s moved from %s into the database", kid, legacy_key.name)
    else:
        log.warning("%s is not among the database's signing keys and is not used", legacy_key)


def rotate(store: Store, secrets: DataDirSecrets, activate_in: int, now: int) -> SigningKey:
    """Add a new key, published at once, signing from `activate_in` seconds on.

    Keys that activate in the same second sign in the order they were created, and times
    are whole seconds: a key added within the second of the one before it is stamped a
    second after that one, so that `--activate-in 0` always makes the new key the signer."""
    latest = max((key.created_at for key in store.signing_keys()), default=now - 1)
    created_at = max(now, latest + 1)
    key = sealed_key(secrets, Ed25519PrivateKey.generate(), created_at, now + activate_in)
    store.add_signing_key(key)
    return key


def retire(store: Store, kid: str, access_ttl: int, now: int) -> None:
    """Withdraw a key at once; the key that signs now cannot be, until another one does."""
    keys = store.signing_keys()
    found = next((key for key in keys if key.kid == kid), None)
    if found is None:
        raise ConfigurationError(f"There is no signing key {kid!r}: see `keys list`.")
    state = key_state(found, keys, now, access_ttl)
    if state is KeyState.CURRENT:
        raise ConfigurationError(
            f"{kid} signs the access tokens now. Run `keys rotate --activate-in 0` first, so"
            " that a new key signs, then retire this one."
        )
    if found.retired_at is not None:
        raise ConfigurationError(f"{kid} is retired already.")
    store.retire_signing_key(kid, now)
