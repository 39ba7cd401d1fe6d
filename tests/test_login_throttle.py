"""Password guessing, slowed and limited: the throttle both passwords go through, and the
staff sessions that open the upload route (fast, no server; tests/test_web_guard.py tries
them on a real `rv serve`)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from assistant.api import LoginLockedError
from ui.guard import LoginThrottle, StaffSessions


async def _tries(throttle: LoginThrottle, tries: list[tuple[str, str, bool]]) -> list[str]:
    async def one(address: str, account: str, right: bool) -> str:
        try:
            return "ok" if await throttle.attempt(address, account, lambda: right) else "wrong"
        except LoginLockedError:
            return "locked"

    return list(await asyncio.gather(*(one(*t) for t in tries)))


def test_thirty_parallel_wrong_tries_are_checked_one_by_one_then_locked_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    throttle = LoginThrottle(max_failures=5, window=60, lockout=0.5, delay=0.1)
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="rv.login"):
        outcomes = asyncio.run(_tries(throttle, [("10.0.0.1", "chat:a", False)] * 30))
    took = time.perf_counter() - started
    assert outcomes.count("wrong") == 5 and outcomes.count("locked") == 25
    assert 0.45 < took < 2.0  # five wrong tries, one after another, 0.1 s each
    assert any("10.0.0.1 locked out" in r.getMessage() for r in caplog.records)
    # Locked out: even the right password is refused without being checked.
    assert asyncio.run(_tries(throttle, [("10.0.0.1", "chat:a", True)])) == ["locked"]
    # Another address is not locked out.
    assert asyncio.run(_tries(throttle, [("10.0.0.2", "chat:a", True)])) == ["ok"]
    time.sleep(0.55)
    assert asyncio.run(_tries(throttle, [("10.0.0.1", "chat:a", True)])) == ["ok"]


def test_parallel_tries_at_one_account_from_many_addresses_wait_their_turn() -> None:
    throttle = LoginThrottle(max_failures=100, window=60, lockout=60, delay=0.1)
    started = time.perf_counter()
    tries = [(f"10.0.1.{n}", "staff", False) for n in range(8)]
    assert asyncio.run(_tries(throttle, tries)) == ["wrong"] * 8
    assert time.perf_counter() - started > 0.75  # 8 x 0.1 s: no faster than one by one
    # A right password with no wrong one waiting goes through at once.
    started = time.perf_counter()
    assert asyncio.run(_tries(throttle, [("10.0.1.99", "staff", True)])) == ["ok"]
    assert time.perf_counter() - started < 0.05


def test_failures_outside_the_window_do_not_count() -> None:
    now = [0.0]
    throttle = LoginThrottle(max_failures=3, window=10, lockout=60, delay=0, clock=lambda: now[0])
    for _ in range(2):
        assert asyncio.run(_tries(throttle, [("a", "x", False)])) == ["wrong"]
    now[0] = 11.0
    assert asyncio.run(_tries(throttle, [("a", "x", False)] * 2)) == ["wrong", "wrong"]
    assert throttle.locked_for("a") == 0
    assert asyncio.run(_tries(throttle, [("a", "x", False)])) == ["wrong"]
    assert throttle.locked_for("a") == 60


def test_staff_sessions_are_random_and_checked() -> None:
    sessions = StaffSessions()
    token = sessions.start()
    assert sessions.valid(token) and not sessions.valid(token + "x") and not sessions.valid(None)
    assert sessions.start() != token
