"""How the server's own threads give way to the event loop in Linux's CPU scheduler."""

from __future__ import annotations

import contextlib
import os
import sys
import threading


def set_policy(policy_name: str) -> None:
    """Put the calling thread (Linux schedules threads one by one) under a policy named in
    `os`; elsewhere, or where the system refuses, it keeps the one it has."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        policy = getattr(os, policy_name)
        os.sched_setscheduler(threading.get_native_id(), policy, os.sched_param(0))


def take_only_idle_time() -> None:
    """SCHED_IDLE: beside threads that want the CPU the thread gets the smallest share
    there is, and any of them that wakes up takes the CPU from it at once.

    For the password hashers: argon2 works for tens of milliseconds without the interpreter
    lock; a sign-in may wait, the event loop and the database thread should not.
    """
    set_policy("SCHED_IDLE")


def wake_without_preempting() -> None:
    """SCHED_BATCH: the same share of the CPU as before, but the thread's waking up no
    longer interrupts the thread that is running.

    For the database thread, which the event loop hands work to: woken at once, it would
    interrupt the loop in the middle of a request only to wait for the interpreter lock the
    loop holds, and then run with one unit of work where a moment later there would be
    several.
    """
    set_policy("SCHED_BATCH")
