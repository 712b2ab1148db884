"""The FastAPI application served by `lapor-ikm run`."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    """Build the HTTP app around one database engine."""
    app = FastAPI(title="Lapor IKM", version="0.1.0")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.state.settings = settings
    app.state.engine = engine
    return app
