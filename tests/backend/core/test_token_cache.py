"""The verified-token cache holds live tokens only, within its capacity."""

from __future__ import annotations

from backend.core.token_cache import VerifiedTokenCache

T0 = 1_800_000_000


def claims(expires_at: int) -> dict[str, int]:
    return {"exp": expires_at}


def test_a_remembered_token_is_answered_until_it_expires() -> None:
    cache = VerifiedTokenCache()
    cache.put("a", claims(T0 + 3), T0)
    assert cache.get("a", T0 + 2.9) == claims(T0 + 3)
    assert cache.get("a", T0 + 3) is None
    assert len(cache) == 0


def test_expired_tokens_leave_as_new_ones_come_long_before_the_capacity() -> None:
    cache = VerifiedTokenCache(capacity=8192)
    for second in range(10_000):
        cache.put(f"token {second}", claims(T0 + second + 3), T0 + second)
    assert len(cache) == 3
    assert cache.get("token 9999", T0 + 9999) is not None
    assert cache.get("token 9996", T0 + 9999) is None


def test_a_token_that_outlives_the_one_before_it_does_not_keep_expired_ones_past_the_capacity() -> (
    None
):
    cache = VerifiedTokenCache(capacity=8)
    cache.put("long", claims(T0 + 1000), T0)
    for second in range(1, 100):
        cache.put(f"short {second}", claims(T0 + second + 1), T0 + second)
        assert len(cache) <= 8
    assert cache.get("long", T0 + 100) is not None
    assert cache.get("short 99", T0 + 99) is not None


def test_a_full_cache_of_live_tokens_drops_the_oldest_quarter() -> None:
    cache = VerifiedTokenCache(capacity=8)
    for index in range(8):
        cache.put(f"t{index}", claims(T0 + 100), T0)
    cache.put("t8", claims(T0 + 100), T0)
    assert len(cache) == 7
    assert cache.get("t0", T0) is None
    assert cache.get("t1", T0) is None
    assert cache.get("t2", T0) is not None
    assert cache.get("t8", T0) is not None


def test_clear_forgets_everything() -> None:
    cache = VerifiedTokenCache()
    cache.put("a", claims(T0 + 3), T0)
    cache.clear()
    assert cache.get("a", T0) is None
