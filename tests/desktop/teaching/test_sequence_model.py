"""Real events light the matching steps of the sequence diagram."""

from __future__ import annotations

from desktop.core.events import (
    ApiCalled,
    BrowserStep,
    EndReason,
    HttpExchange,
    SessionEnded,
    TokensIssued,
)
from desktop.teaching.models.events import TheftAttempted
from desktop.teaching.models.sequence import (
    FADE,
    HOLD,
    PARTICIPANTS,
    SCENARIOS,
    STEP_DELAY,
    STEP_IDS,
    Glow,
    Lit,
    SequenceTracker,
)


def exchange(method: str, path: str, status: int | None) -> HttpExchange:
    return HttpExchange(0.0, method, path, status, 1.0)


def tokens(via: str) -> TokensIssued:
    return TokensIssued(0.0, via, "x", 30.0, 0.0, True, "s1")


def test_the_diagram_has_the_six_scenarios_and_valid_participants() -> None:
    keys = [s.key for s in SCENARIOS]
    assert keys == ["browser", "sign-in", "call", "refresh", "revoke", "theft"]
    for scenario in SCENARIOS:
        for step in scenario.steps:
            assert step.source in PARTICIPANTS
            assert step.target in PARTICIPANTS
            assert step.source != step.target
    assert len(set(STEP_IDS)) == len(STEP_IDS)


def test_a_whole_session_lights_steps_in_order() -> None:
    tracker = SequenceTracker()
    events = [
        exchange("POST", "/sign-up", 201),
        exchange("POST", "/sign-in", 200),
        tokens("sign-in"),
        exchange("GET", "/account", 200),
        exchange("POST", "/tokens/refresh", 200),
        tokens("refresh"),
        exchange("POST", "/tokens/revoke", 204),
        SessionEnded(0.0, EndReason.SIGNED_OUT),
    ]
    lit = [tracker.feed(event) for event in events]
    assert all(item is not None and item.ok for item in lit)
    steps = [step for item in lit if item is not None for step in item.steps]
    assert steps == [
        "sign-in.sign-up",
        "sign-in.credentials",
        "sign-in.sign-in",
        "sign-in.issued",
        "sign-in.save",
        "call.request",
        "call.answer",
        "refresh.read",
        "refresh.request",
        "refresh.issued",
        "refresh.save",
        "revoke.request",
        "revoke.answer",
        "revoke.delete",
    ]
    assert set(steps) <= set(STEP_IDS)


def browser_step(step: str) -> BrowserStep:
    return BrowserStep(
        0.0, step, "http://s/oauth/authorize?x", "http://127.0.0.1:9/callback", "c", "v"
    )


def test_a_browser_sign_in_lights_its_own_scenario_and_says_the_app_never_saw_the_password():
    tracker = SequenceTracker()
    events = [
        browser_step("opened"),
        browser_step("came back"),
        exchange("POST", "/oauth/token", 200),
        tokens("browser sign-in"),
    ]
    lit = [tracker.feed(event) for event in events]
    assert all(item is not None and item.ok for item in lit)
    steps = [step for item in lit if item is not None for step in item.steps]
    browser = next(s for s in SCENARIOS if s.key == "browser")
    assert steps == [f"browser.{step.key}" for step in browser.steps]
    assert "the app never saw the password" in browser.title
    came_back = lit[1]
    assert came_back is not None
    assert "never saw the password" in came_back.note
    to_or_from_the_app = [step for step in browser.steps if "App" in (step.source, step.target)]
    assert not any("{username, password}" in step.label for step in to_or_from_the_app)
    assert any("{username, password}" in step.label for step in browser.steps)


def test_a_refused_code_lights_the_exchange_in_the_error_colour() -> None:
    refused = SequenceTracker().feed(exchange("POST", "/oauth/token", 400))
    assert refused is not None
    assert refused.steps == ("browser.exchange",)
    assert not refused.ok


def test_refusals_light_in_the_error_colour() -> None:
    tracker = SequenceTracker()
    wrong_password = tracker.feed(exchange("POST", "/sign-in", 401))
    assert wrong_password is not None
    assert not wrong_password.ok
    assert "sign-in.issued" not in wrong_password.steps
    refused = tracker.feed(exchange("GET", "/account", 401))
    assert refused is not None
    assert not refused.ok
    offline = tracker.feed(exchange("POST", "/tokens/refresh", None))
    assert offline is not None
    assert offline.steps == ("refresh.read", "refresh.request")


def test_theft_lights_the_attacker_then_the_apps_refusal() -> None:
    tracker = SequenceTracker()
    replay = tracker.feed(TheftAttempted(0.0, 2, 400, "invalid_grant"))
    assert replay is not None
    assert replay.steps == ("theft.replay", "theft.detect")
    assert replay.note == "reuse detected"
    app = tracker.feed(exchange("POST", "/tokens/refresh", 400))
    assert app is not None
    assert app.steps == ("theft.app-request", "theft.app-refused")
    assert "attacker" in app.note
    end = tracker.feed(SessionEnded(0.0, EndReason.INVALID_GRANT))
    assert end is not None
    assert end.steps == ("theft.delete",)
    assert tracker.last is end


def test_a_refused_refresh_without_theft_names_other_causes() -> None:
    lit = SequenceTracker().feed(exchange("POST", "/tokens/refresh", 400))
    assert lit is not None
    assert "revoked" in lit.note


def test_events_outside_the_diagram_light_nothing() -> None:
    tracker = SequenceTracker()
    assert tracker.feed(ApiCalled(0.0, True, 200)) is None
    assert tracker.feed(exchange("GET", "/health", 200)) is None
    assert tracker.last is None


def test_glow_lights_steps_in_turn_then_fades() -> None:
    glow = Glow()
    glow.start(Lit(("refresh.read", "refresh.request")), now=100.0)
    assert glow.intensity("refresh.read", 100.0) == 1.0
    assert glow.intensity("refresh.request", 100.0) == 0.0
    assert glow.newest(100.0) == "refresh.read"
    assert glow.intensity("refresh.request", 100.0 + STEP_DELAY) == 1.0
    assert glow.newest(100.0 + STEP_DELAY) == "refresh.request"
    halfway = 100.0 + HOLD + FADE / 2
    assert glow.intensity("refresh.read", halfway) == 0.5
    assert glow.busy(halfway)
    assert not glow.busy(100.0 + STEP_DELAY + HOLD + FADE)
    assert glow.intensity("call.request", 100.0) == 0.0


def test_glow_remembers_refusals() -> None:
    glow = Glow()
    glow.start(Lit(("call.request", "call.answer"), ok=False), now=0.0)
    assert not glow.ok("call.answer")
    assert glow.ok("sign-in.save")
