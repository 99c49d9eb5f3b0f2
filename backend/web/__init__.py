"""The ASGI app (Starlette): factory, routes, bodies, rendering, middleware; may import core."""
