"""Password hashing policy: argon2id through passlib's CryptContext, rehashing when it changes."""

from __future__ import annotations

from passlib.context import CryptContext
from passlib.exc import PasswordSizeError

PASSWORD_CONTEXT = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__rounds=2,
    argon2__parallelism=1,
)


def hash_password(password: str) -> str:
    """A fresh argon2id hash with a random salt."""
    return PASSWORD_CONTEXT.hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; return (ok, new hash when the policy changed since it was stored).

    With no stored hash (unknown user) it verifies against a dummy hash, so the answer takes
    as long as a wrong password does; so does a password too long to have ever been hashed.
    """
    if stored_hash is None:
        PASSWORD_CONTEXT.dummy_verify()
        return False, None
    try:
        return PASSWORD_CONTEXT.verify_and_update(password, stored_hash)
    except PasswordSizeError:
        PASSWORD_CONTEXT.dummy_verify()
        return False, None
