"""Fault tests of the desktop app: a broken network through a proxy, broken keyrings."""
