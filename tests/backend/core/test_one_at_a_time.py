"""One sign-in per username at a time: holders of a key take turns, other keys do not wait."""

from __future__ import annotations

import asyncio

from backend.core.throttle import OneAtATime


def test_holders_of_one_key_take_turns_and_the_lock_is_then_dropped() -> None:
    locks = OneAtATime()
    order: list[str] = []

    async def hold(key: str, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    async def main() -> None:
        await asyncio.gather(hold("alice", "a1"), hold("alice", "a2"), hold("bob", "b1"))

    asyncio.run(main())
    assert order.index("a1 out") < order.index("a2 in")
    assert order.index("b1 in") < order.index("a1 out")
    assert len(locks) == 0
