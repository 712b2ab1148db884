"""One path for every message: load the owner's state, run the engine, store effects and state together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.config import Settings
from bot.messaging.inbox import Outcome
from bot.officers.accounts import officer_for_account
from bot.officers.chat import handle_officer, link_command, try_link
from bot.scheduling.trainings import training_infos
from bot.storage.db import is_sqlite
from bot.storage.media import forget_media
from bot.storage.models import Training
from bot.store import (
    EffectWriter,
    create_account,
    find_verified_owner,
    link_account,
    load_chat,
    load_regions,
    load_report,
    note_inbound,
    save_chat_state,
)
from conversations import Inbound, InboundKind, Reply, step
from conversations.flows.photo_numbers import reading_awaited
from conversations.session import Session as ChatState
from conversations.turn import Context
from conversations.understanding.places import RegionDirectory

log = logging.getLogger(__name__)
REGIONS_TTL_SECONDS = 300.0


class ConversationService:
    """Runs conversation steps against the database, one transaction per inbound event."""

    def __init__(self, engine: Engine, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self._regions: RegionDirectory | None = None
        self._regions_loaded_at = 0.0

    def regions(self, db: Session) -> RegionDirectory:
        """The region list, re-read every few minutes so a `regions load` is picked up."""
        if self._regions is None or time.monotonic() - self._regions_loaded_at > REGIONS_TTL_SECONDS:
            self._regions = load_regions(db)
            self._regions_loaded_at = time.monotonic()
        return self._regions

    def handle(self, platform: str, external_id: str, inbound: Inbound) -> list[Reply]:
        """Process one inbound event in its own transaction and return the replies (console use)."""
        for attempt in range(3):
            try:
                with Session(self.engine, expire_on_commit=False) as db:
                    outcome = self.handle_in(db, platform, external_id, inbound)
                    db.commit()
                if outcome.forget_media:  # the owner's data is deleted: the photos kept of it go too
                    forget_media(Path(self.settings.media_dir), outcome.forget_media)
                return outcome.replies
            except IntegrityError:  # two first messages of one new user raced to create the account
                if attempt == 2:
                    raise
                log.info("retrying after a concurrent account creation")
        raise AssertionError("unreachable")

    def reading_awaited(self, db: Session, platform: str, external_id: str) -> bool:
        """Whether a photo this chat sends now waits for its reading, by the owner's open question (see
        conversations.flows.photo_numbers.reading_awaited)."""
        chat = load_chat(db, platform, external_id, lock=False)
        state = chat.state if chat is not None else None
        return reading_awaited(ChatState.from_dict(state).current if state is not None else None)

    def handle_in(
        self, db: Session, platform: str, external_id: str, inbound: Inbound, verified_phone: str | None = None
    ) -> Outcome:
        """Run one step inside the caller's transaction: effects and state are written, not committed.

        `verified_phone` is a number the platform vouches for: a first message from it joins the owner who
        already shared the same number verifiably on another channel.
        """
        settings = self.settings
        now = self.clock()
        code = link_command(inbound)
        if code is not None:  # "PETUGAS <code>": an officer linking this chat (owners never reach officer actions)
            return Outcome(replies=try_link(db, code, platform, external_id, now), owner_id=None, locale="id")
        chat = load_chat(db, platform, external_id, lock=not is_sqlite(self.engine))
        if chat is None or chat.officer:
            officer = officer_for_account(db, platform, external_id)
            if officer is not None:
                replies = handle_officer(db, officer[0], officer[1], inbound, settings, self.regions(db), now)
                return Outcome(replies=replies, owner_id=None, locale="id")
        if chat is None:  # a new chat: its account (and owner) first
            with db.begin_nested():
                linked = find_verified_owner(db, verified_phone) if verified_phone else None
                if linked is not None:
                    link_account(db, platform, external_id, linked)
                else:
                    create_account(db, platform, external_id, settings.default_locale, settings.default_timezone)
            chat = load_chat(db, platform, external_id, lock=not is_sqlite(self.engine))
            assert chat is not None
        owner = chat.owner
        assert owner.id is not None
        locale = owner.locale or settings.default_locale
        state = ChatState.from_dict(chat.state) if chat.state is not None else ChatState(locale=locale)
        training_id = _training_in_question(state, inbound)
        if training_id is not None:  # seats are counted under a lock, so the reply matches what is stored
            db.exec(select(Training).where(Training.id == training_id).with_for_update()).first()
        report = load_report(db, chat)
        ctx = Context(
            now=now,
            report=report,
            regions=self.regions(db),
            office_name=settings.office_name,
            office_contact=settings.office_contact,
            retention_years=settings.retention_years,
            resume_after=timedelta(hours=settings.resume_after_hours),
            timezone=owner.timezone or settings.default_timezone,
            trainings=training_infos(db, owner.id, now) if _about_trainings(state, inbound) else {},
            followup_days=settings.followup_days,
            followup_days_per_permit=dict(settings.followup_days_per_permit),
        )
        result = step(state, inbound, ctx)
        writer = EffectWriter(db, owner, platform, now, result.session.locale, chat.business_id)
        writer.apply(result.effects)
        if not writer.deleted:
            save_chat_state(db, owner.id, result.session, now, stored=chat.state is not None)
            if inbound.kind is not InboundKind.TRIGGER:  # a reminder is not the owner writing
                note_inbound(db, chat, now)
        db.flush()
        return Outcome(
            replies=result.replies, owner_id=owner.id, locale=result.session.locale, forget_media=writer.forgotten_media
        )


def _about_trainings(state: ChatState, inbound: Inbound) -> bool:
    """Whether this step can speak of the owner's trainings (only training reminders and questions do)."""
    if inbound.kind is InboundKind.TRIGGER and (inbound.trigger or "").startswith("training"):
        return True
    return any(question.startswith("training.") for question in state.queue)


def _training_in_question(state: ChatState, inbound: Inbound) -> int | None:
    """The training an answer (or a reminder) is about, if any."""
    if inbound.kind is InboundKind.TRIGGER and (inbound.trigger or "").startswith("training"):
        ref = inbound.text
    elif state.current and state.current.startswith("training."):
        ref = state.current.split("|")[1] if "|" in state.current else ""
    else:
        return None
    return int(ref) if ref.isdigit() else None
