"""The start-up check refuses a PySide6 that loses references to None, and passes ours."""

from __future__ import annotations

import ctypes
import sys

import PySide6
import pytest

from desktop.qt.none_check import ROUNDS, none_is_immortal, none_leak_problem

NOISE = 10  # references to None that the test's own objects take or release meanwhile
mortal_none = pytest.mark.skipif(
    none_is_immortal(), reason="None is immortal from Python 3.12 on: nothing to lose"
)


def drop_a_reference_to_none() -> None:
    """What a broken binding does on a call returning None: one reference less, each time."""
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))


def test_the_installed_pyside6_passes_the_check(qapp) -> None:
    before = sys.getrefcount(None)
    assert none_leak_problem() is None
    assert before - sys.getrefcount(None) < ROUNDS // 2


@mortal_none
def test_a_call_losing_references_to_none_is_refused_in_words_and_given_back() -> None:
    before = sys.getrefcount(None)
    problem = none_leak_problem(drop_a_reference_to_none)
    assert problem is not None
    assert f"PySide6 {PySide6.__version__}" in problem
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in problem
    assert f"{ROUNDS} in {ROUNDS} calls" in problem
    assert "none_dealloc" in problem
    assert "PySide6-Essentials<6.12" in problem
    assert "3.12 or newer" in problem
    assert abs(sys.getrefcount(None) - before) < NOISE, "the lost references were not given back"


@mortal_none
def test_a_call_that_keeps_none_steady_passes() -> None:
    calls: list[int] = []
    assert none_leak_problem(lambda: calls.append(1)) is None
    assert len(calls) == ROUNDS


@pytest.mark.skipif(not none_is_immortal(), reason="None can be freed before Python 3.12")
def test_where_none_is_immortal_nothing_is_called() -> None:
    def must_not_run() -> None:
        raise AssertionError("the check called Qt although None cannot be freed")

    assert none_leak_problem(must_not_run) is None
