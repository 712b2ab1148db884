"""`lapor-ikm chat`: an owner's conversation in the terminal, with the reminders that came meanwhile."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path
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


READING = N_("(reading the photo...)")


def chat(user: Annotated[str, typer.Option("--user", help="Simulated owner id")] = "1") -> None:
    """Talk to the bot as an owner in the terminal (one message a line; `/foto PATH` sends a photo or PDF)."""
    from bot.channels.console import render, run_console
    from bot.documents.intake import PhotoIntake
    from bot.documents.reader import DocumentReader
    from bot.storage.media import keep_console_file

    settings = get_settings()
    configure_logging(settings, logging.WARNING)
    typer.echo(Translator(settings.default_locale)(CONSOLE_HINT) + "\n")  # first, whether typed at or piped in
    engine = prepare_database(settings)
    service = ConversationService(engine, settings)
    interactive = sys.stdin.isatty()
    for reply in deliver_console_reminders(engine, service, user):  # what came while the owner was away
        sys.stdout.write(render(reply) + "\n\n")

    intake = None
    if settings.read_documents:  # the OCR worker starts on the first photo, not here
        reader = DocumentReader(
            time_limit=settings.document_time_limit,
            engine=settings.document_engine,
            niceness=settings.document_niceness,
        )
        intake = PhotoIntake(reader, lambda _platform, ref: Path(ref.removeprefix("file:")))

    def handle(inbound: Inbound) -> list[Reply]:
        if inbound.media_ref and inbound.media_ref.startswith("file:"):
            # Kept in the media folder, as a channel's photo is: the officers' page shows it from there.
            kept = keep_console_file(Path(settings.media_dir), Path(inbound.media_ref.removeprefix("file:")))
            inbound = replace(inbound, media_ref=f"file:{kept.resolve()}")
            if intake is not None:
                typer.echo(Translator(settings.default_locale)(READING))
                inbound = replace(inbound, reading=intake.read("console", inbound))
        return service.handle("console", user, inbound) + deliver_console_reminders(engine, service, user)

    try:
        run_console(handle, sys.stdin, sys.stdout, "> " if interactive else "")
    finally:
        if intake is not None:
            intake.close()


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
