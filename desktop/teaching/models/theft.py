"""The simulated theft: which old refresh token an attacker replays, and what happened, in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.redact import same_secret
from desktop.teaching.models.claims import span

DEFAULT_REUSE_GRACE = 10.0
GRACE_MARGIN = 1.5
HELD = 3  # the current token, its predecessor and its grandparent


@dataclass
class HeldToken:
    """A refresh token the app held, and when it was rotated out (None while current)."""

    token: str = field(repr=False)
    received_at: float
    rotated_at: float | None = None


@dataclass(frozen=True)
class TheftPlan:
    """What the attacker can do now: replay `token`, wait `wait` seconds, or wait for a rotation."""

    token: str | None = field(default=None, repr=False)
    rotations_ago: int = 0
    wait: float = 0.0
    copied_at: float | None = None
    explanation: str = ""

    @property
    def ready(self) -> bool:
        return self.token is not None


class TokenHistory:
    """The current session's last few refresh tokens, oldest first, as the app rotated them.

    A thief needs at most the current token's grandparent, so older ones are forgotten: the
    history stays small however long the session runs, and holds no more secrets than that.
    """

    def __init__(self) -> None:
        self.session_id = ""
        self.held: list[HeldToken] = []

    def observe(self, refresh_token: str, session_id: str, at: float) -> None:
        """Note the refresh token the app holds now; a new session starts a new history."""
        if session_id != self.session_id:
            self.session_id = session_id
            self.held = []
        if self.held and same_secret(self.held[-1].token, refresh_token):
            return
        if self.held:
            self.held[-1].rotated_at = at
        self.held.append(HeldToken(refresh_token, at))
        del self.held[:-HELD]

    def clear(self) -> None:
        self.session_id = ""
        self.held = []

    def plan(self, now: float, grace: float = DEFAULT_REUSE_GRACE) -> TheftPlan:
        """Pick the token whose replay the server must treat as theft.

        The grandparent of the current token always is; the predecessor is once the reuse
        grace since its rotation has passed (within it, the server assumes a lost response).
        """
        old = self.held[:-1]
        if len(old) >= 2:
            stolen = old[-2]
            return TheftPlan(
                stolen.token,
                2,
                copied_at=stolen.received_at,
                explanation="The attacker replays a refresh token the app used two rotations "
                "ago. A token that old is never accepted again.",
            )
        if len(old) == 1:
            stolen = old[0]
            rotated_at = stolen.rotated_at if stolen.rotated_at is not None else stolen.received_at
            waited = now - rotated_at
            if waited > grace + GRACE_MARGIN:
                return TheftPlan(
                    stolen.token,
                    1,
                    copied_at=stolen.received_at,
                    explanation=f"The attacker replays the app's previous refresh token, "
                    f"rotated {span(waited)} ago: longer than the {span(grace)} reuse grace.",
                )
            return TheftPlan(
                wait=grace + GRACE_MARGIN - waited,
                explanation=f"The app's previous refresh token was rotated {span(waited)} ago. "
                f"For {span(grace)} after a rotation the server still accepts it once, in case "
                "the app's answer got lost, and hands back the current token: that is not theft. "
                "The attacker waits for the grace to pass.",
            )
        return TheftPlan(
            explanation="The app has not rotated its refresh token yet, so there is no old token "
            "to steal. It needs one refresh first."
        )


def clock_time(unix_seconds: float) -> str:
    return datetime.fromtimestamp(unix_seconds).strftime("%H:%M:%S")


def theft_story(
    plan: TheftPlan, status: int | None, error: str, description: str
) -> list[tuple[str, str]]:
    """What the replay did, as (who, what) lines for the panel."""
    if status == 400 and error == "invalid_grant":
        rotations = f"{plan.rotations_ago} rotation{'s' if plan.rotations_ago > 1 else ''}"
        got = f" (it got that token at {clock_time(plan.copied_at)})" if plan.copied_at else ""
        return [
            ("Attacker", f"replayed the refresh token the app held {rotations} ago{got}."),
            (
                "Server",
                "refused it (400 invalid_grant). That token had already been used, so someone "
                "holds a copy, and the server cannot tell the thief from the app: it ended the "
                "whole session. Every refresh token of this sign-in is dead, the app's current "
                "one too.",
            ),
        ]
    if status is None:
        return [("Attacker", f"could not reach the server: {description or error}.")]
    return [
        (
            "Server",
            f"answered the attacker with HTTP {status}{' ' + error if error else ''}: "
            f"{description or 'not what this demo expected.'}",
        )
    ]


def ending_story(reason: str) -> list[tuple[str, str]]:
    """What happened to the app after the replay, as (who, what) lines."""
    return [
        (
            "App",
            f"its next refresh was refused as well ({reason}). It deleted its stored entry "
            "and asks you to sign in again.",
        ),
        (
            "Result",
            "the copied token got the attacker nothing, and the theft showed at the app's next "
            "refresh. Without rotation, a copied refresh token would keep working, unnoticed, "
            "for as long as it lives.",
        ),
    ]
