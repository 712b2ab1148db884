"""`lapor-ikm run`: the HTTP server with the inbox worker, the sender, the scheduler and Telegram polling."""

from __future__ import annotations

import logging

import typer

from bot.cli.common import prepare_database
from bot.config import Settings, SettingsError, get_settings
from bot.logsetup import configure_logging
from bot.storage.db import DATABASE_UNAVAILABLE, autovacuum_is_off, describe_error, open_pool

log = logging.getLogger(__name__)


def _connection_advice(error: Exception, settings: Settings) -> str:
    """What to do about a database that refused `run` at start."""
    from bot.runtime import connections_needed

    message = str(getattr(error, "orig", None) or error)
    if any(words in message for words in ("too many clients", "too many connections", "slots are reserved")):
        needed = connections_needed(settings.inbox_concurrency)
        return (
            f" (this process keeps {needed} connections open: raise PostgreSQL's max_connections or the role's "
            "connection limit, or lower INBOX_CONCURRENCY)"
        )
    return " (is the database running, and is DATABASE_URL right?)"


def run() -> None:
    """Serve HTTP (health check, webhooks) on HOST:PORT."""
    import gc

    import uvicorn

    from webhook.app import create_app

    settings = get_settings()
    configure_logging(settings, logging.getLevelNamesMapping()[settings.log_level])
    try:
        settings.check_for_serving()
    except SettingsError as error:
        typer.echo(f"Cannot start: {error}", err=True)
        raise typer.Exit(2) from error
    try:
        engine = prepare_database(settings)
        if autovacuum_is_off(engine):
            # Every answer updates rows of the inbox and the outbox: unvacuumed, their indexes fill with dead entries
            # and, never analysed, the planner keeps plans made for empty tables.
            log.warning("PostgreSQL's autovacuum is off: the inbox and outbox will slow down over time; turn it on")
        open_pool(engine)
    except DATABASE_UNAVAILABLE as error:  # one line, no traceback: systemd or Docker starts the process again
        log.error("Cannot start: %s%s", describe_error(error), _connection_advice(error, settings))
        raise typer.Exit(1) from error
    app = create_app(settings, engine)
    # What is loaded by now lives as long as the process: keep it out of the collector's scans, and collect less
    # often (full collections over it paused answers by tens of milliseconds under load).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    if settings.access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    # uvicorn's own logging setup would bypass the root handlers, and with them the redaction of secrets.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=settings.access_log)
