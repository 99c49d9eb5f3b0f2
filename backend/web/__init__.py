"""The ASGI app (Starlette): factory, routes, bodies, rendering; may import core and below."""
