"""What only the data dir holds: the successor key of refresh tokens and the key sealing the
signing keys, and the check that tells a database whose data dir it is meeting."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.errors import ConfigurationError
from backend.settings import Settings
from backend.storage.keyfiles import load_or_create_secret

NONCE_BYTES = 12
CHECK_LABEL = b"jwt-refresh-demo data dir check"


@dataclass(frozen=True)
class DataDirSecrets:
    """The rotation key (successors of refresh tokens) and the sealing key (AES-256-GCM over
    the signing keys' private halves), each a file of the data dir, mode 0600."""

    rotation_key: bytes
    sealing_key: bytes

    @classmethod
    def load(cls, settings: Settings) -> DataDirSecrets:
        """The data dir's secrets, each created on first use."""
        return cls(
            load_or_create_secret(settings.rotation_key_path, lambda: secrets.token_bytes(32)),
            load_or_create_secret(settings.sealing_key_path, lambda: AESGCM.generate_key(256)),
        )

    def check(self) -> bytes:
        """A value the database keeps to recognise these secrets; it reveals neither of them."""
        return hmac.digest(self.rotation_key + self.sealing_key, CHECK_LABEL, "sha256")

    def seal(self, kid: str, private_key: Ed25519PrivateKey) -> bytes:
        """The private key's raw bytes encrypted, bound to its `kid`."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        raw = private_key.private_bytes_raw()
        return nonce + AESGCM(self.sealing_key).encrypt(nonce, raw, kid.encode("ascii"))

    def unseal(self, kid: str, sealed: bytes) -> Ed25519PrivateKey:
        """The private key sealed by `seal`; a ConfigurationError for another data dir's seal."""
        nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        try:
            raw = AESGCM(self.sealing_key).decrypt(nonce, ciphertext, kid.encode("ascii"))
        except InvalidTag as error:
            raise ConfigurationError(
                f"The signing key {kid} in the database was sealed with another data dir's"
                " key-encryption-key: give this server a copy of the deployment's data dir."
            ) from error
        return Ed25519PrivateKey.from_private_bytes(raw)
