"""Use cases and rules, no HTTP: may import storage, settings and errors; never web or Starlette."""
