"""`lapor-ikm chat`: an owner's conversation in the terminal, with the reminders that came meanwhile."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli.common import prepare_database
from bot.config import get_settings
from bot.logsetup import configure_logging
from bot.service import ConversationService
from bot.storage.models import ChannelAccount
from conversations import Inbound, Reply
from conversations.i18n import N_, Translator

CONSOLE_HINT = N_(
    "Lapor IKM (a trial in the terminal). Type a message as on WhatsApp, for example: halo. Ctrl+D to quit."
)


def chat(user: Annotated[str, typer.Option("--user", help="Simulated owner id")] = "1") -> None:
    """Talk to the bot as an owner in the terminal (one message a line)."""
    from bot.channels.console import render, run_console

    settings = get_settings()
    configure_logging(settings, logging.WARNING)
    typer.echo(Translator(settings.default_locale)(CONSOLE_HINT) + "\n")  # first, whether typed at or piped in
    engine = prepare_database(settings)
    service = ConversationService(engine, settings)
    interactive = sys.stdin.isatty()
    for reply in deliver_console_reminders(engine, service, user):  # what came while the owner was away
        sys.stdout.write(render(reply) + "\n\n")

    def handle(inbound: Inbound) -> list[Reply]:
        return service.handle("console", user, inbound) + deliver_console_reminders(engine, service, user)

    run_console(handle, sys.stdin, sys.stdout, "> " if interactive else "")


def deliver_console_reminders(engine: Engine, service: ConversationService, user: str) -> list[Reply]:
    """Reminders due for a console user: dispatched, processed and shown (the console has no sender)."""
    from bot.channels.console_adapter import ConsoleAdapter, take_console_messages
    from bot.messaging.inbox import InboxWorker
    from bot.messaging.sending_window import SendingWindow, parse_window
    from bot.scheduling.reminders import dispatch_due

    settings = service.settings
    with Session(engine) as db:
        account = db.exec(
            select(ChannelAccount).where(ChannelAccount.platform == "console", ChannelAccount.external_id == user)
        ).first()
    if account is None:
        return []
    start, end = parse_window(settings.send_window)
    window = SendingWindow(start, end, skip_holidays=settings.skip_holidays)
    dispatch_due(engine, service.clock(), window, owner_id=account.owner_id)
    worker = InboxWorker(engine, service, {"console": ConsoleAdapter()}, service.clock)
    while worker.process_next("console", user) == "done":
        pass
    return take_console_messages(engine, user, service.clock())
