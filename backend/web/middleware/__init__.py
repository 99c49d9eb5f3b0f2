"""ASGI middleware around every route: access log, body limit, start-up errors; may import
rendering, errors."""
