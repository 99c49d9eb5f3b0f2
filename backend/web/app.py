"""The app factory: the service built from the data dir, then routes, middleware, error handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from backend.core.passwords import Hasher
from backend.core.service import AuthService
from backend.core.sessions import Clock
from backend.core.tokens import AccessTokens, RefreshTokens, load_signing_key
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.keyfiles import load_or_create_secret
from backend.storage.sqlite import SqliteStore
from backend.web import oauth, routes
from backend.web.error_handlers import HANDLERS
from backend.web.middleware.access_log import AccessLogMiddleware
from backend.web.middleware.allowed_hosts import AllowedHostsMiddleware
from backend.web.middleware.body_limit import BodyLimitMiddleware
from backend.web.pages import authorize, sign_up
from backend.web.pages.forgery import FormGuard
from backend.web.pages.html import STYLESHEET_PATH, stylesheet

log = logging.getLogger("backend.http")
AUDIENCE = "jwt-refresh-demo-api"
ROUTES = [
    *routes.ROUTES,
    *oauth.ROUTES,
    *authorize.ROUTES,
    *sign_up.ROUTES,
    Route(STYLESHEET_PATH, stylesheet, methods=["GET"]),
]


def build_service(settings: Settings, clock: Clock = time.time) -> AuthService:
    """Open the data dir's keys and database and assemble the service."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    access_tokens = AccessTokens(
        load_signing_key(settings.key_path),
        issuer=settings.issuer or f"http://{settings.host}:{settings.port}",
        audience=AUDIENCE,
        lifetime=settings.access_ttl,
    )
    refresh_tokens = RefreshTokens.from_file(settings.rotation_key_path)
    store = SqliteStore(settings.database_path, settings.sqlite_synchronous)
    return AuthService.assemble(
        settings, Database(store), Hasher(), access_tokens, refresh_tokens, clock
    )


async def purge_periodically(service: AuthService) -> None:
    while True:
        removed = await service.purge()
        if removed:
            log.info("purged %d old sessions", removed)
        await asyncio.sleep(service.settings.cleanup_interval)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app for `settings` (its issuer should be set to the public URL)."""
    service = build_service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        purger = asyncio.create_task(purge_periodically(service))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            service.close()

    middleware = [
        Middleware(AllowedHostsMiddleware, names=settings.host_names()),
        Middleware(BodyLimitMiddleware, limit=settings.max_body_bytes),
    ]
    if settings.access_log:
        middleware.insert(0, Middleware(AccessLogMiddleware))
    app = Starlette(
        routes=ROUTES,
        middleware=middleware,
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.service = service
    form_key = load_or_create_secret(settings.form_key_path, lambda: secrets.token_bytes(32))
    app.state.form_guard = FormGuard(form_key, settings.page_form_ttl)
    return app
