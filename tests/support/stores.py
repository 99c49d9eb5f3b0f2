"""The two stores a server can keep its data in, and the mark that runs a module on both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

NewDatabase = Callable[[], str | None]
"""A fresh database for a new data dir: a PostgreSQL URL, or None for SQLite in the data dir."""
STORES = ["sqlite", "postgresql"]
both_stores = pytest.mark.parametrize("store", STORES, indirect=True, scope="module")
"""Run every test of a module (`pytestmark = both_stores`) once per store; the `store`
fixture of tests/conftest.py then gives each server a database of that store."""
