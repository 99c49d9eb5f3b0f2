"""Usernames: PRECIS (RFC 8265, UsernameCaseMapped with case folding) for new names, and the
older NFKC rule still honoured at sign-in, so accounts keep the names they were given."""

from __future__ import annotations

import contextlib
import re
import unicodedata

import precis_i18n

from backend.errors import InvalidRequest

USERNAME_PATTERN = re.compile(r"[\w.@+-]{3,64}")
PROFILE = precis_i18n.get_profile("UsernameCaseMapped:CaseFold")
SHAPE = "username must be 3 to 64 letters, digits or . _ @ + - characters."
REFUSED_BY_PRECIS = (
    "username must be letters, digits or . _ @ + - only: no spaces, invisible or fill"
    " characters, symbols or compatibility forms (RFC 8265)."
)


def normalise_username(raw: object) -> str:
    """The canonical form of a new username, or InvalidRequest saying what is wrong.

    Surrounding white space is dropped, then RFC 8265's UsernameCaseMapped profile maps
    width and case (case folding, so `STRASSE` and `straße` are one name) and refuses what
    PRECIS refuses: spaces, controls, code points that render as nothing (Hangul fillers,
    the blank Braille pattern, zero-width and other default-ignorable ones), symbols and
    compatibility forms such as mathematical letters.
    """
    if not isinstance(raw, str):
        raise InvalidRequest("username must be a string.")
    stripped = raw.strip()
    if not USERNAME_PATTERN.fullmatch(unicodedata.normalize("NFKC", stripped).casefold()):
        raise InvalidRequest(SHAPE)
    try:
        name: str = PROFILE.enforce(stripped)
    except UnicodeError as error:
        raise InvalidRequest(REFUSED_BY_PRECIS) from error
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidRequest(SHAPE)
    return name


def legacy_username(raw: str) -> str | None:
    """The name the server stored for `raw` before PRECIS (NFKC and case folding), if valid."""
    name = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold().strip())
    return name if USERNAME_PATTERN.fullmatch(name) else None


def sign_in_names(raw: object) -> list[str]:
    """The stored names a sign-in with `raw` may mean, most likely first; [] if none.

    A name that PRECIS accepts has the same canonical form under both rules; an account
    made under the older rule whose name PRECIS now refuses (a compatibility form, a
    Hangul filler) is still found by that rule's form.
    """
    if not isinstance(raw, str):
        raise InvalidRequest("username must be a string.")
    names: list[str] = []
    with contextlib.suppress(InvalidRequest):
        names.append(normalise_username(raw))
    legacy = legacy_username(raw)
    if legacy is not None and legacy not in names:
        names.append(legacy)
    return names
