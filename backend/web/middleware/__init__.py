"""ASGI middleware around every route: access log, body limit; may import rendering, errors."""
