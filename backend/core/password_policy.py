"""Rules for usernames and password strength, shared by the server and the sign-up form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from zxcvbn import zxcvbn

from backend.errors import InvalidRequest

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MIN_SCORE = 2
ESTIMATED_PREFIX = 72
USERNAME_PATTERN = re.compile(r"[\w.@+-]{3,64}")


@dataclass(frozen=True)
class Strength:
    """A password's estimated strength: score 0 (weakest) to 4, and advice in words."""

    score: int
    acceptable: bool
    feedback: str


def normalise_username(raw: object) -> str:
    """NFKC plus case folding, so names differing only by case or width are one name."""
    if not isinstance(raw, str):
        raise InvalidRequest("username must be a string.")
    name = unicodedata.normalize("NFKC", raw).casefold().strip()
    name = unicodedata.normalize("NFKC", name)
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidRequest("username must be 3 to 64 letters, digits or . _ @ + - characters.")
    return name


def password_strength(password: str, username: str = "") -> Strength:
    """Estimate strength with zxcvbn; the same verdict drives the server and the form's meter."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Strength(0, False, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return Strength(0, False, f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    result = zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=[username] if username else [])
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
