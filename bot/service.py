"""One path for every message: load the owner's state, run the engine, store effects and state together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.clock import utcnow
from bot.config import Settings
from bot.models import Owner, Training
from bot.officer_service import handle_officer, link_command, try_link
from bot.officers import officer_for_account
from bot.store import (
    EffectWriter,
    create_account,
    find_verified_owner,
    get_account,
    link_account,
    load_chat_state,
    load_regions,
    load_report,
    save_chat_state,
)
from bot.trainings import training_infos
from conversations import Inbound, InboundKind, Reply, step
from conversations.regions import RegionDirectory
from conversations.session import Session as ChatState
from conversations.turn import Context

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
                return outcome.replies
            except IntegrityError:  # two first messages of one new user raced to create the account
                if attempt == 2:
                    raise
                log.info("retrying after a concurrent account creation")
        raise AssertionError("unreachable")

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
        officer = officer_for_account(db, platform, external_id)
        if officer is not None:
            replies = handle_officer(db, officer[0], officer[1], inbound, settings, self.regions(db), now)
            return Outcome(replies=replies, owner_id=None, locale="id")
        account = get_account(db, platform, external_id)
        if account is None:
            with db.begin_nested():
                linked = find_verified_owner(db, verified_phone) if verified_phone else None
                if linked is not None:
                    account = link_account(db, platform, external_id, linked)
                else:
                    account = create_account(
                        db, platform, external_id, settings.default_locale, settings.default_timezone
                    )
        # Lock the owner row so one owner's messages are processed one at a time (PostgreSQL).
        owner = db.exec(select(Owner).where(Owner.id == account.owner_id).with_for_update()).one()
        assert owner.id is not None
        state = load_chat_state(db, owner.id, owner.locale or settings.default_locale)
        training_id = _training_in_question(state, inbound)
        if training_id is not None:  # seats are counted under a lock, so the reply matches what is stored
            db.exec(select(Training).where(Training.id == training_id).with_for_update()).first()
        ctx = Context(
            now=now,
            report=load_report(db, owner),
            regions=self.regions(db),
            office_name=settings.office_name,
            retention_years=settings.retention_years,
            resume_after=timedelta(hours=settings.resume_after_hours),
            timezone=owner.timezone or settings.default_timezone,
            trainings=training_infos(db, owner.id, now),
            followup_days=settings.followup_days,
            followup_days_per_permit=dict(settings.followup_days_per_permit),
        )
        result = step(state, inbound, ctx)
        writer = EffectWriter(db, owner, platform, now, result.session.locale)
        writer.apply(result.effects)
        if not writer.deleted:
            save_chat_state(db, owner.id, result.session, now)
            if inbound.kind is not InboundKind.TRIGGER:  # a reminder is not the owner writing
                account.last_inbound_at = now
                if account.blocked:  # writing to us again means the owner unblocked the bot
                    account.blocked = False
                db.add(account)
        db.flush()
        return Outcome(replies=result.replies, owner_id=owner.id, locale=result.session.locale)


@dataclass(frozen=True)
class Outcome:
    """What one step produced for the caller."""

    replies: list[Reply]
    owner_id: int | None  # None when the message came from an officer
    locale: str


def _training_in_question(state: ChatState, inbound: Inbound) -> int | None:
    """The training an answer (or a reminder) is about, if any."""
    if inbound.kind is InboundKind.TRIGGER and (inbound.trigger or "").startswith("training"):
        ref = inbound.text
    elif state.current and state.current.startswith("training."):
        ref = state.current.split("|")[1] if "|" in state.current else ""
    else:
        return None
    return int(ref) if ref.isdigit() else None
