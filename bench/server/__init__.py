"""The server benchmarks: one server under wrk, and several processes on one port."""
