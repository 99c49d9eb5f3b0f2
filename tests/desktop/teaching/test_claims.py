"""Every claim of the access token comes with its meaning; times read as local time, countdown."""

from __future__ import annotations

from desktop.teaching.models.claims import CLAIM_NOTES, claim_notes, countdown, header_notes, span

NOW = 1_800_000_000.0
PAYLOAD = {
    "username": "ada",
    "exp": int(NOW) + 245,
    "iss": "http://127.0.0.1:8000",
    "aud": "http://127.0.0.1:8000",
    "sub": "42",
    "client_id": "jwt-refresh-demo",
    "iat": int(NOW) - 55,
    "jti": "abc",
    "sid": "s1",
    "extra": True,
}


def test_known_claims_come_first_in_a_fixed_order_then_the_rest() -> None:
    names = [note.name for note in claim_notes(PAYLOAD, NOW)]
    assert names == [*CLAIM_NOTES, "extra"]


def test_every_claim_the_issue_names_has_a_meaning() -> None:
    notes = {note.name: note for note in claim_notes(PAYLOAD, NOW)}
    for name in ("exp", "sid", "jti", "aud", "iss", "sub", "client_id", "iat", "username"):
        assert len(notes[name].meaning) > 20, name
    assert notes["extra"].meaning == "A claim this app does not know."


def test_exp_reads_as_local_time_and_countdown() -> None:
    notes = {note.name: note for note in claim_notes(PAYLOAD, NOW)}
    assert notes["exp"].comment.endswith("expires in 4 min 05 s")
    assert notes["iat"].comment.endswith("55 s ago")
    assert notes["exp"].value == str(int(NOW) + 245)


def test_countdown_after_expiry_and_long_spans() -> None:
    assert countdown(NOW - 3, NOW) == "expired 3 s ago"
    assert span(3720) == "1 h 02 min"
    assert span(59.9) == "59 s"


def test_header_fields_are_explained() -> None:
    notes = header_notes({"alg": "EdDSA", "typ": "at+jwt", "kid": "k1"})
    assert [note.name for note in notes] == ["alg", "typ", "kid"]
    assert "Ed25519" in notes[0].meaning
