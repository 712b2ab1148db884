"""The FastAPI application served by `lapor-ikm run`: health check and platform webhooks."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.config import Settings
from bot.runtime import Runtime
from bot.storage.db import DATABASE_UNAVAILABLE
from webhook.admin.errors import install as install_error_pages
from webhook.admin.language import DashboardLanguage
from webhook.admin.routes import router as admin_router
from webhook.hardening import Hardening
from webhook.telegram import router as telegram_router
from webhook.whatsapp import router as whatsapp_router


def create_app(settings: Settings, engine: Engine, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """Build the HTTP app around one database engine; the runtime loops start with it."""
    settings.check_for_serving()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings, engine, clock)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # The API's description and its browsable pages are for development; a deployment does not publish them.
    described = settings.environment == "development"
    app = FastAPI(
        title="Lapor IKM",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json" if described else None,
        docs_url="/docs" if described else None,
        redoc_url="/redoc" if described else None,
    )
    app.add_middleware(Hardening, production=settings.environment != "development")
    app.add_middleware(DashboardLanguage, timezone=settings.default_timezone)
    app.state.settings = settings
    app.state.engine = engine

    @app.get("/healthz", responses={503: {"description": "The database does not answer"}})
    def healthz() -> JSONResponse:
        """Liveness and database reachability (503 while the database is down or a background loop is stuck)."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            runtime = getattr(app.state, "runtime", None)
            stuck = runtime.watchdog.stuck() if runtime is not None else []
        except DATABASE_UNAVAILABLE:  # no detail: the page is public
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        if stuck:  # a loop stopped advancing while work waits: restarting the process is the cure
            return JSONResponse({"status": "stuck", "loops": stuck}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.include_router(telegram_router)
    app.include_router(whatsapp_router)
    app.include_router(admin_router)
    install_error_pages(app)
    app.state.secret_key = settings.secret_key or secrets.token_urlsafe(48)  # development: valid until restart
    return app
