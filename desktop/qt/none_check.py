"""Refuse to run on a PySide6 that loses references to None: on Python 3.11 it aborts the app."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import partial

import PySide6
from PySide6.QtCore import QObject

ROUNDS = 300
FIX = (
    "Install a PySide6 below 6.12 for this Python (python -m pip install "
    "'PySide6-Essentials<6.12', which is what pyproject.toml asks for), or run the app on "
    "Python 3.12 or newer, where None cannot be freed."
)


def none_is_immortal() -> bool:
    """True from Python 3.12 on (PEP 683): None's count no longer moves, nothing can free it."""
    return sys.version_info >= (3, 12)


def references_lost(call: Callable[[], object], rounds: int = ROUNDS) -> int:
    """How many references to None `rounds` calls of `call` lost; each one is given back.

    A binding that drops a reference on every call returning None makes this `rounds`; a
    sound one makes it about 0. Handing the lost references back lets the process exit
    without the abort a count that reaches zero would cause.
    """
    before = sys.getrefcount(None)
    for _ in range(rounds):
        call()
    lost = before - sys.getrefcount(None)
    for _ in range(max(0, lost)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return lost


def none_leak_problem(call: Callable[[], object] | None = None, rounds: int = ROUNDS) -> str | None:
    """Why this PySide6 cannot run the app on this Python, in words; None when it can.

    `call` is a Qt call that returns None (by default, naming a QObject), made `rounds`
    times. On Python 3.12 and later nothing is called: None is immortal there.
    """
    if none_is_immortal():
        return None
    counted = call or partial(QObject().setObjectName, "none-check")
    lost = references_lost(counted, rounds)
    if lost < rounds // 2:
        return None
    python = ".".join(map(str, sys.version_info[:3]))
    return (
        f"PySide6 {PySide6.__version__} loses a reference to None on every Qt call that "
        f"returns nothing ({lost} in {rounds} calls just now). On Python {python} the app "
        "would abort within minutes with 'Fatal Python error: none_dealloc'. " + FIX
    )
