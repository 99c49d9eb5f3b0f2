"""Signing keys over time and the data dir's secrets that seal them: may import storage, below."""
