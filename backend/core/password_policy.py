"""Password strength rules, shared by the server and the sign-up form, with bounded work."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn
from zxcvbn.matching import L33T_TABLE

from backend.errors import InvalidRequest

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MIN_SCORE = 2
MAX_ESTIMATED_LENGTH = 32
MAX_ESTIMATED_SUBSTITUTABLE = 10
SUBSTITUTABLE = frozenset(character for subs in L33T_TABLE.values() for character in subs)


@dataclass(frozen=True)
class Strength:
    """A password's estimated strength: score 0 (weakest) to 4, and advice in words."""

    score: int
    acceptable: bool
    feedback: str


def estimated_part(password: str) -> str:
    """The start of a password that the estimator sees, short enough to bound its work.

    zxcvbn tries every combination of the look-alike substitutions it knows (`4` for `a`,
    `|` for `i` or `l`...) over the distinct substitutable characters present, so its time
    grows with the length and exponentially with that count: 71 characters with 20 of them
    took 9.8 s. The estimate stops at 32 characters, and before the eleventh distinct
    substitutable one (at most about 0.1 s here); the rest of a password can only add to
    the strength it is credited with, so a prefix that is strong enough is enough.
    """
    seen: set[str] = set()
    for index, character in enumerate(password[:MAX_ESTIMATED_LENGTH]):
        if character in SUBSTITUTABLE:
            seen.add(character)
            if len(seen) > MAX_ESTIMATED_SUBSTITUTABLE:
                return password[:index]
    return password[:MAX_ESTIMATED_LENGTH]


def password_strength(password: str, username: str = "") -> Strength:
    """Estimate strength with zxcvbn; the same verdict drives the server and the form's meter."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Strength(0, False, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return Strength(0, False, f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    result = zxcvbn(estimated_part(password), user_inputs=[username] if username else [])
    score = int(result["score"])
    feedback = result["feedback"]
    advice = feedback.get("warning") or " ".join(feedback.get("suggestions", []))
    if score < MIN_SCORE:
        return Strength(score, False, advice or "This password is too easy to guess.")
    return Strength(score, True, advice or "Strong enough.")


def check_password(raw: object, username: str) -> str:
    """Return the password if the policy accepts it, else raise InvalidRequest saying why."""
    if not isinstance(raw, str):
        raise InvalidRequest("password must be a string.")
    strength = password_strength(raw, username)
    if not strength.acceptable:
        raise InvalidRequest(f"password is too weak: {strength.feedback}")
    return raw
