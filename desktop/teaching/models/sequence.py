"""The 'how it works' sequence diagram as data, and which of its steps each real event lights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.events import (
    SIGN_INS,
    BrowserStep,
    EndReason,
    HttpExchange,
    SessionEnded,
    TokensIssued,
)
from desktop.teaching.models.events import TheftAttempted

USER, APP, KEYRING, AUTH, API = "User", "App", "Keyring", "Auth server", "API"
BROWSER, ATTACKER = "Browser", "Attacker"
PARTICIPANTS = (USER, APP, KEYRING, BROWSER, AUTH, API, ATTACKER)
APP_NEVER_SEES_IT = "the app never saw the password"


@dataclass(frozen=True)
class Step:
    """One arrow of the diagram."""

    key: str
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Scenario:
    """A titled group of steps: sign in, call, refresh, revoke, theft."""

    key: str
    title: str
    steps: tuple[Step, ...]


SCENARIOS = (
    Scenario(
        "browser",
        f"Sign in with the browser (RFC 8252): {APP_NEVER_SEES_IT}",
        (
            Step("open", APP, BROWSER, "opens /oauth/authorize with S256(verifier) and a state"),
            Step(
                "credentials", USER, BROWSER, "types username and password into the server's page"
            ),
            Step("post", BROWSER, AUTH, "POST /oauth/authorize {username, password}"),
            Step("redirect", AUTH, BROWSER, "303 to 127.0.0.1:port/callback?code&state"),
            Step("code", BROWSER, APP, "GET /callback?code&state: the state is checked"),
            Step("exchange", APP, AUTH, "POST /oauth/token {code, code_verifier}"),
            Step("issued", AUTH, APP, "access token + refresh token: a new session"),
            Step("save", APP, KEYRING, "save refresh token; no password ever reached the app"),
        ),
    ),
    Scenario(
        "sign-in",
        "Sign in with a password in the app (the 2017 article's way)",
        (
            Step("sign-up", APP, AUTH, "POST /sign-up {username, password} (first time only)"),
            Step("credentials", USER, APP, "types username and password"),
            Step("sign-in", APP, AUTH, "POST /sign-in {username, password}"),
            Step("issued", AUTH, APP, "access token (JWT, minutes) + refresh token (opaque)"),
            Step("save", APP, KEYRING, "save refresh token; the password is forgotten"),
        ),
    ),
    Scenario(
        "call",
        "Call the API",
        (
            Step("request", APP, API, "GET /account, Authorization: Bearer <access token>"),
            Step("answer", API, APP, "200 if signature, exp and session check out; else 401"),
        ),
    ),
    Scenario(
        "refresh",
        "Refresh before the access token expires (also at start-up)",
        (
            Step("read", KEYRING, APP, "read refresh token"),
            Step("request", APP, AUTH, "POST /tokens/refresh {refresh_token}"),
            Step("issued", AUTH, APP, "new access token + NEW refresh token; the old one is spent"),
            Step("save", APP, KEYRING, "replace the refresh token"),
        ),
    ),
    Scenario(
        "revoke",
        "Revoke (sign out)",
        (
            Step("request", APP, AUTH, "POST /tokens/revoke {refresh_token}"),
            Step("answer", AUTH, APP, "204: the session is over"),
            Step("delete", APP, KEYRING, "delete the entry"),
        ),
    ),
    Scenario(
        "theft",
        "Theft: a copied refresh token is replayed",
        (
            Step("replay", ATTACKER, AUTH, "POST /tokens/refresh {an old, already rotated token}"),
            Step("detect", AUTH, ATTACKER, "400 invalid_grant: reuse detected, session ended"),
            Step("app-request", APP, AUTH, "POST /tokens/refresh {the app's current token}"),
            Step("app-refused", AUTH, APP, "400 invalid_grant: sign in again"),
            Step("delete", APP, KEYRING, "delete the entry; the attacker got nothing"),
        ),
    ),
)


def step_id(scenario: str, step: str) -> str:
    return f"{scenario}.{step}"


STEP_IDS = tuple(step_id(s.key, step.key) for s in SCENARIOS for step in s.steps)


@dataclass(frozen=True)
class Lit:
    """Steps to light for one event, in order; `ok` is False when the answer was a refusal."""

    steps: tuple[str, ...]
    ok: bool = True
    note: str = ""


def outcome(status: int | None) -> str:
    return "no answer" if status is None else f"HTTP {status}"


class SequenceTracker:
    """Maps events to the steps they correspond to, remembering what a refusal means."""

    def __init__(self) -> None:
        self.theft_seen = False
        self.last: Lit | None = None

    def feed(self, event: Any) -> Lit | None:
        """The steps this event lights, or None when it is not part of the diagram."""
        lit = self._lit(event)
        if lit is not None:
            self.last = lit
        return lit

    def _lit(self, event: Any) -> Lit | None:
        if isinstance(event, HttpExchange):
            return self._exchange(event)
        if isinstance(event, BrowserStep):
            if event.step == "opened":
                return Lit(("browser.open",), note="the sign-in page opened in the browser.")
            return Lit(
                ("browser.credentials", "browser.post", "browser.redirect", "browser.code"),
                note=f"the browser came back with a code; {APP_NEVER_SEES_IT}.",
            )
        if isinstance(event, TokensIssued):
            scenario = {"sign-in": "sign-in", "browser sign-in": "browser"}.get(
                event.via, "refresh"
            )
            if event.via in SIGN_INS:
                self.theft_seen = False
            saved = (
                "the new refresh token replaced the old one in the store"
                if event.refresh_token_changed
                else "the refresh token stayed the same"
            )
            note = f"a new access token arrived ({event.via}); {saved}."
            return Lit((step_id(scenario, "save"),), note=note)
        if isinstance(event, TheftAttempted):
            self.theft_seen = True
            refused = event.status == 400
            note = "reuse detected" if refused else f"the server answered {outcome(event.status)}"
            return Lit(("theft.replay", "theft.detect"), ok=refused, note=note)
        if isinstance(event, SessionEnded):
            if event.reason in {EndReason.INVALID_GRANT, EndReason.REUSE_DETECTED}:
                return Lit(("theft.delete",), ok=False, note=str(event.reason))
            return Lit(("revoke.delete",), note=str(event.reason))
        return None

    def _exchange(self, event: HttpExchange) -> Lit | None:
        ok = event.status is not None and 200 <= event.status < 300
        note = f"{event.method} {event.path} → {outcome(event.status)}"
        if event.path == "/sign-up":
            return Lit(("sign-in.sign-up",), ok, note)
        if event.path == "/sign-in":
            steps = ("sign-in.credentials", "sign-in.sign-in")
            return Lit((*steps, "sign-in.issued") if ok else steps, ok, note)
        if event.path in {"/account", "/sessions"} or event.path.startswith("/sessions/"):
            return Lit(("call.request", "call.answer"), ok, note)
        if event.path == "/oauth/token":
            exchanged = ("browser.exchange", "browser.issued")
            return Lit(exchanged if ok else exchanged[:1], ok, note)
        if event.path == "/tokens/refresh":
            if ok:
                return Lit(("refresh.read", "refresh.request", "refresh.issued"), ok, note)
            if event.status == 400:
                cause = (
                    "the attacker's replay ended the session"
                    if self.theft_seen
                    else "the session was revoked, expired, or its token was reused"
                )
                return Lit(("theft.app-request", "theft.app-refused"), False, f"{note}: {cause}")
            return Lit(("refresh.read", "refresh.request"), False, note)
        if event.path in {"/tokens/revoke", "/tokens/revoke-all"}:
            return Lit(("revoke.request", "revoke.answer"), ok, note)
        return None


STEP_DELAY = 0.45
HOLD = 3.0
FADE = 6.0


class Glow:
    """When each step lit up, so a view can light steps one after another and fade them out.

    Steps of one event light STEP_DELAY apart, stay fully lit for HOLD seconds, then fade
    over FADE seconds: what just happened stands out, with a short trail showing the order.
    """

    def __init__(self) -> None:
        self.lit: dict[str, tuple[float, bool]] = {}

    def start(self, lit: Lit, now: float) -> None:
        for index, key in enumerate(lit.steps):
            self.lit[key] = (now + index * STEP_DELAY, lit.ok)

    def intensity(self, key: str, now: float) -> float:
        """1 while fully lit, falling to 0 as it fades; 0 before it lights."""
        if key not in self.lit:
            return 0.0
        age = now - self.lit[key][0]
        if age < 0:
            return 0.0
        if age <= HOLD:
            return 1.0
        return max(0.0, 1.0 - (age - HOLD) / FADE)

    def ok(self, key: str) -> bool:
        return self.lit.get(key, (0.0, True))[1]

    def busy(self, now: float) -> bool:
        """Whether anything is still to light up or fade."""
        return any(now - start < HOLD + FADE for start, _ in self.lit.values())

    def newest(self, now: float) -> str | None:
        """The step that lit up last, as of `now`."""
        started = [(start, key) for key, (start, _) in self.lit.items() if start <= now]
        return max(started)[1] if started else None
