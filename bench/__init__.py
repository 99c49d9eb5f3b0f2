"""Benchmarks of the auth server, the client core and the desktop app."""
