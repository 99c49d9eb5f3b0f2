"""Tests of desktop.core: the API client against a real server, the session, the policy."""
