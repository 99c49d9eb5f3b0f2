"""The shared test harness: the real server as a subprocess, HTTP calls, forged tokens, tools."""
