"""Password hashing: argon2id via passlib, rehashed on policy change, run on a low-priority pool."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar, TypeVarTuple

from passlib.context import CryptContext
from passlib.exc import PasswordSizeError

from backend.threads import take_only_idle_time

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
PASSWORD_CONTEXT = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__rounds=2,
    argon2__parallelism=1,
)


def hash_password(password: str) -> str:
    """A fresh argon2id hash with a random salt."""
    hashed: str = PASSWORD_CONTEXT.hash(password)
    return hashed


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; return (ok, new hash when the policy changed since it was stored).

    With no stored hash (unknown user) it verifies against a dummy hash, so the answer takes
    as long as a wrong password does; so does a password too long to have ever been hashed.
    """
    if stored_hash is None:
        PASSWORD_CONTEXT.dummy_verify()
        return False, None
    try:
        verdict: tuple[bool, str | None] = PASSWORD_CONTEXT.verify_and_update(password, stored_hash)
    except PasswordSizeError:
        PASSWORD_CONTEXT.dummy_verify()
        return False, None
    return verdict


class Hasher:
    """A small pool for argon2 on idle CPU time (Linux), bounded so a burst cannot use up memory."""

    def __init__(self, threads: int = 2) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="hasher", initializer=take_only_idle_time
        )

    async def run(self, work: Callable[[*Ts], T], *args: *Ts) -> T:
        """Run `work(*args)` on the pool and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(work, *args))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
