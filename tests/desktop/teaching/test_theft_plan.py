"""The attacker replays a token whose reuse is theft: the grandparent, or an old predecessor."""

from __future__ import annotations

from desktop.teaching.models.theft import GRACE_MARGIN, TokenHistory, ending_story, theft_story

T0 = 1_800_000_000.0


def history(*tokens: tuple[str, float]) -> TokenHistory:
    result = TokenHistory()
    for token, at in tokens:
        result.observe(token, "s1", at)
    return result


def test_no_rotation_yet_means_nothing_to_steal() -> None:
    plan = history(("r1", T0)).plan(T0 + 100)
    assert not plan.ready
    assert plan.wait == 0
    assert "one refresh" in plan.explanation


def test_the_predecessor_within_grace_is_not_theft_so_the_attacker_waits() -> None:
    plan = history(("r1", T0), ("r2", T0 + 20)).plan(T0 + 24, grace=10)
    assert not plan.ready
    assert plan.wait == 10 + GRACE_MARGIN - 4
    assert "grace" in plan.explanation


def test_the_predecessor_after_grace_is_replayed() -> None:
    plan = history(("r1", T0), ("r2", T0 + 20)).plan(T0 + 40, grace=10)
    assert plan.token == "r1"
    assert plan.rotations_ago == 1
    assert plan.copied_at == T0


def test_the_grandparent_is_replayed_at_once() -> None:
    plan = history(("r1", T0), ("r2", T0 + 1), ("r3", T0 + 2)).plan(T0 + 2, grace=10)
    assert plan.token == "r1"
    assert plan.rotations_ago == 2


def test_the_same_token_twice_is_no_rotation_and_a_new_session_starts_over() -> None:
    tokens = history(("r1", T0), ("r1", T0 + 5))
    assert len(tokens.held) == 1
    tokens.observe("n1", "s2", T0 + 6)
    assert [held.token for held in tokens.held] == ["n1"]


def test_the_story_explains_a_detected_reuse_and_its_end() -> None:
    plan = history(("r1", T0), ("r2", T0 + 1), ("r3", T0 + 2)).plan(T0 + 2)
    story = theft_story(plan, 400, "invalid_grant", "reused")
    assert [who for who, _ in story] == ["Attacker", "Server"]
    assert "2 rotations ago" in story[0][1]
    assert "ended the whole session" in story[1][1]
    ending = ending_story("refresh token refused by the server")
    assert [who for who, _ in ending] == ["App", "Result"]
    assert "refresh token refused by the server" in ending[0][1]


def test_an_unexpected_answer_is_reported_as_it_came() -> None:
    plan = history(("r1", T0), ("r2", T0 + 1), ("r3", T0 + 2)).plan(T0 + 2)
    assert theft_story(plan, 200, "", "") == [
        ("Server", "answered the attacker with HTTP 200: not what this demo expected.")
    ]
    assert "could not reach" in theft_story(plan, None, "ConnectionError", "")[0][1]


def test_a_long_session_keeps_only_the_tokens_a_thief_could_use() -> None:
    tokens = history(*((f"r{index}", T0 + index) for index in range(1, 1001)))
    assert [held.token for held in tokens.held] == ["r998", "r999", "r1000"]
    plan = tokens.plan(T0 + 1000, grace=10)
    assert plan.token == "r998"
    assert plan.rotations_ago == 2
