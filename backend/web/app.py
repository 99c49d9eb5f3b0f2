"""The app factory: the service built from the data dir, then routes, middleware, error handlers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from backend.core.keys.lifecycle import RELOAD_SECONDS
from backend.core.service import AuthService
from backend.core.sessions import Clock
from backend.settings import Settings, settings_from_environment
from backend.storage.keyfiles import load_or_create_secret
from backend.storage.stores import open_store
from backend.web import oauth, routes
from backend.web.error_handlers import HANDLERS
from backend.web.middleware.access_log import AccessLogMiddleware
from backend.web.middleware.allowed_hosts import AllowedHostsMiddleware
from backend.web.middleware.body_limit import BodyLimitMiddleware
from backend.web.middleware.startup import StartupErrorMiddleware
from backend.web.pages import authorize, sign_up
from backend.web.pages.forgery import FormGuard
from backend.web.pages.html import STYLESHEET_PATH, stylesheet
from backend.web.path_table import PathTableRouter

log = logging.getLogger("backend.http")
ROUTES = [
    *routes.ROUTES,
    *oauth.ROUTES,
    *authorize.ROUTES,
    *sign_up.ROUTES,
    Route(STYLESHEET_PATH, stylesheet, methods=["GET"]),
]


def build_service(settings: Settings, clock: Clock = time.time) -> AuthService:
    """Open the data dir and the store, and assemble the service."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = open_store(settings)
    try:
        return AuthService.open(settings, store, clock)
    except BaseException:
        store.close()
        raise


async def every(seconds: float, work: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `work` now and then every `seconds`; a failure is logged and tried again later."""
    while True:
        try:
            await work()
        except Exception as error:
            log.warning("%s failed, will try again: %s", what, error)
        await asyncio.sleep(seconds)


async def purge(service: AuthService) -> None:
    removed = await service.purge()
    if removed:
        log.info("purged %d old sessions", removed)


def keep_out_of_the_collector() -> None:
    """What exists once the app has started (modules, the password dictionaries, the service)
    lives as long as the process: `gc.freeze()` takes it out of the cycle collector, so a
    full collection costs microseconds instead of about 30 ms per pause. Garbage first."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app; `settings` default to the JWT_REFRESH_* environment (its issuer should be
    the public URL). The service opens when the app starts (the ASGI lifespan), in the
    process that serves, so process managers that fork workers run it unchanged; whatever
    serves it, the collector leaves what the started app holds alone.
    """
    settings = settings or settings_from_environment()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service = build_service(settings)
        app.state.service = service
        form_key = load_or_create_secret(settings.form_key_path, lambda: secrets.token_bytes(32))
        app.state.form_guard = FormGuard(form_key, settings.page_form_ttl)
        tasks = [
            asyncio.create_task(every(settings.cleanup_interval, partial(purge, service), "purge")),
            asyncio.create_task(every(RELOAD_SECONDS, service.keys.reload, "reading the keys")),
        ]
        keep_out_of_the_collector()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            service.close()

    middleware = [
        Middleware(StartupErrorMiddleware),
        Middleware(AllowedHostsMiddleware, names=settings.host_names()),
        Middleware(BodyLimitMiddleware, limit=settings.max_body_bytes),
    ]
    if settings.access_log:
        middleware.insert(0, Middleware(AccessLogMiddleware))
    app = Starlette(middleware=middleware, exception_handlers=HANDLERS)
    app.router = PathTableRouter(ROUTES, lifespan=lifespan)
    return app
