"""Reading an owner's stored report and applying conversation effects to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, cast, delete, exists, insert, literal_column, null, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot.scheduling.trainings import answer_invitation, cancel_reminders, replace_reminder
from bot.storage.models import (
    AuditLog,
    Business,
    ChannelAccount,
    ChatSession,
    ConsentRecord,
    HelpRequest,
    InboxEvent,
    Invitation,
    Need,
    OfficerAccount,
    OutboxMessage,
    Owner,
    Permit,
    Product,
    Region,
    Reminder,
)
from bot.storage.regions import area_of
from conversations import effects as fx
from conversations.report import BusinessInfo, ConsentInfo, PermitInfo, ProductInfo, Report
from conversations.session import Session as ChatState
from conversations.understanding.places import RegionDirectory

_BUSINESS_FIELDS = tuple(BusinessInfo.__dataclass_fields__)
_OWNER_FIELDS = {"name", "phone", "phone_verified", "locale", "timezone"}
_PRODUCT_FIELDS = {"name", "category", "packaging", "photo"}
# How stale an account's "last wrote at" may get before a message updates it: it only decides whether WhatsApp's
# 24-hour window is open (a minute early is safe) and which account a broadcast uses; one write less per message.
LAST_INBOUND_PRECISION = timedelta(minutes=1)


@dataclass
class ChatRow:
    """What one query tells about a chat account: its owner (locked), the account's facts, the stored conversation
    state and the owner's business."""

    owner: Owner
    account_id: int
    blocked: bool
    last_inbound_at: datetime | None
    state: dict[str, Any] | None  # None: no conversation stored yet
    officer: bool  # the account is also linked to an officer (officers take precedence)
    business_id: int | None
    business: BusinessInfo | None


def _chat_query(lock: bool) -> Any:
    query = (
        select(
            Owner,
            ChannelAccount.id,
            ChannelAccount.blocked,
            ChannelAccount.last_inbound_at,
            ChatSession.state,
            exists()
            .where(
                OfficerAccount.platform == bindparam("platform"),
                OfficerAccount.external_id == bindparam("external_id"),
            )
            .label("officer"),
            Business.id,
            *(getattr(Business, name) for name in _BUSINESS_FIELDS),
        )
        .join(ChannelAccount, ChannelAccount.owner_id == Owner.id)  # type: ignore[arg-type]
        .outerjoin(ChatSession, ChatSession.owner_id == Owner.id)  # type: ignore[arg-type]
        .outerjoin(Business, Business.owner_id == Owner.id)  # type: ignore[arg-type]
        .where(ChannelAccount.platform == bindparam("platform"), ChannelAccount.external_id == bindparam("external_id"))
    )
    # One owner's messages are processed one at a time (PostgreSQL; SQLite has a single writer anyway). A row whose
    # owner another transaction holds is skipped rather than waited for: see load_chat.
    return query.with_for_update(of=Owner, skip_locked=True) if lock else query  # type: ignore[arg-type]


# Built once: this runs for every message, and building a statement costs more than running it.
_CHAT = {False: _chat_query(False), True: _chat_query(True)}
_LOCK_OWNER = (
    select(Owner.id)
    .join(ChannelAccount, ChannelAccount.owner_id == Owner.id)  # type: ignore[arg-type]
    .where(ChannelAccount.platform == bindparam("platform"), ChannelAccount.external_id == bindparam("external_id"))
    .with_for_update(of=Owner)
)


def load_chat(db: Session, platform: str, external_id: str, lock: bool) -> ChatRow | None:
    """The owner behind a chat account with everything a step needs first, in one query; None if unknown.

    With `lock` (PostgreSQL) the owner stays locked until the transaction ends."""
    params = {"platform": platform, "external_id": external_id}
    row = db.execute(_CHAT[lock], params).first()
    if row is None and lock:
        # An unknown chat, or a step on the owner's other channel holds the owner: wait for it, then read again. The
        # query cannot simply wait for the lock: what it read from the other tables would be from before the other
        # step's commit (READ COMMITTED re-reads only the locked row), and its conversation state would be lost.
        if db.execute(_LOCK_OWNER, params).first() is None:
            return None
        row = db.execute(_CHAT[lock], params).first()  # the lock is this transaction's own now: not skipped
    if row is None:
        return None
    owner, account_id, blocked, last_inbound_at, state, is_officer, business_id, *business = row
    info = BusinessInfo(**dict(zip(_BUSINESS_FIELDS, business, strict=True))) if business_id is not None else None
    return ChatRow(owner, account_id, bool(blocked), last_inbound_at, state, bool(is_officer), business_id, info)


def note_inbound(db: Session, chat: ChatRow, now: datetime) -> None:
    """Record that the owner wrote (and so has not blocked the bot), unless it was noted a moment ago."""
    recent = chat.last_inbound_at is not None and now - chat.last_inbound_at < LAST_INBOUND_PRECISION
    if recent and not chat.blocked:
        return
    table = ChannelAccount.__table__  # type: ignore[attr-defined]
    db.connection().execute(
        update(table).where(table.c.id == chat.account_id).values(last_inbound_at=now, blocked=False)
    )


def create_account(db: Session, platform: str, external_id: str, locale: str, timezone: str) -> ChannelAccount:
    """Create an owner (no personal data yet) and their first channel account."""
    owner = Owner(locale=locale, timezone=timezone)
    db.add(owner)
    db.flush()
    assert owner.id is not None
    account = ChannelAccount(platform=platform, external_id=external_id, owner_id=owner.id)
    db.add(account)
    db.flush()
    return account


def find_verified_owner(db: Session, phone: str) -> Owner | None:
    """The owner who shared `phone` through a platform that verifies it (not a typed number)."""
    return db.exec(
        select(Owner).where(Owner.phone == phone, Owner.phone_verified, Owner.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()


def link_account(db: Session, platform: str, external_id: str, owner: Owner) -> ChannelAccount:
    """Attach a new channel account to an existing owner."""
    assert owner.id is not None
    account = ChannelAccount(platform=platform, external_id=external_id, owner_id=owner.id)
    db.add(account)
    db.flush()
    db.add(
        AuditLog(
            actor=f"owner:{owner.id}",
            action="channel_linked",
            target_type="owner",
            target_id=owner.id,
            detail={"platform": platform},
        )
    )
    return account


def business_of(db: Session, owner_id: int) -> Business | None:
    """The owner's business row, if any."""
    return db.exec(select(Business).where(Business.owner_id == owner_id)).first()


def _typed_nulls(*types: Any) -> list[Any]:
    return [cast(null(), type_) for type_ in types]


_STR = Permit.__table__.c.type.type  # type: ignore[attr-defined]
_INT = Permit.__table__.c.expiry_year.type  # type: ignore[attr-defined]
_DATE = Permit.__table__.c.expires_on.type  # type: ignore[attr-defined]
_TIME = Permit.__table__.c.reported_at.type  # type: ignore[attr-defined]
# Everything listed under an owner in one round trip: consents (0), channels (1), products (2), permits (3) and open
# needs (4) as rows of one shape - a tag, the id, eight texts, a number, two dates and a time - sorted by tag and id.
_REPORT_ROWS = union_all(
    select(
        literal_column("3", Integer).label("tag"),
        Permit.id,
        Permit.type,
        Permit.product_key,
        Permit.status,
        Permit.number,
        Permit.number_kind,
        Permit.evidence_photo,
        Permit.reported_via,
        Permit.number_source,
        Permit.expiry_year,
        Permit.expires_on,
        Permit.expected_on,
        Permit.reported_at,
    ).where(Permit.business_id == bindparam("business_id")),
    select(
        literal_column("0", Integer),
        ConsentRecord.id,
        ConsentRecord.action,
        ConsentRecord.text_version,
        *_typed_nulls(_STR, _STR, _STR, _STR, _STR, _STR, _INT, _DATE, _DATE),
        ConsentRecord.at,
    ).where(ConsentRecord.owner_id == bindparam("owner_id")),
    select(
        literal_column("1", Integer),
        ChannelAccount.id,
        ChannelAccount.platform,
        *_typed_nulls(_STR, _STR, _STR, _STR, _STR, _STR, _STR, _INT, _DATE, _DATE, _TIME),
    ).where(ChannelAccount.owner_id == bindparam("owner_id")),
    select(
        literal_column("2", Integer),
        Product.id,
        Product.key,
        Product.name,
        Product.category,
        Product.packaging,
        Product.photo,
        *_typed_nulls(_STR, _STR, _STR, _INT, _DATE, _DATE, _TIME),
    ).where(Product.business_id == bindparam("business_id")),
    select(
        literal_column("4", Integer),
        Need.id,
        Need.kind,
        Need.note,
        *_typed_nulls(_STR, _STR, _STR, _STR, _STR, _STR, _INT, _DATE, _DATE, _TIME),
    ).where(Need.business_id == bindparam("business_id"), Need.status == "open"),
).order_by(literal_column("1"), literal_column("2"))


def load_report(db: Session, chat: ChatRow) -> Report:
    """The conversation's snapshot of everything stored about the chat's owner."""
    owner = chat.owner
    rows = db.connection().execute(_REPORT_ROWS, {"owner_id": owner.id, "business_id": chat.business_id})
    consents: list[ConsentInfo] = []
    channels: list[str] = []
    products: list[ProductInfo] = []
    permits: list[PermitInfo] = []
    needs: list[tuple[str, str | None]] = []
    for tag, _id, s1, s2, s3, s4, s5, s6, s7, s8, number, date1, date2, time in rows:
        if tag == 0:
            consents.append(ConsentInfo(s1, s2, time))
        elif tag == 1:
            channels.append(s1)
        elif tag == 2:
            products.append(ProductInfo(s1, s2, s3, s4, s5))
        elif tag == 3:
            permits.append(PermitInfo(s1, s2, s3, s4, s5, number, date1, date2, s6, time, s7, s8))
        else:
            needs.append((s1, s2))
    return Report(
        consent=owner.consent_status,
        name=owner.name,
        phone=owner.phone,
        business=chat.business,
        products=tuple(products),
        permits=tuple(permits),
        needs=tuple(kind for kind, _note in needs),
        needs_note=next((note for _kind, note in needs if note), None),
        registered_at=owner.registered_at,
        last_report_at=owner.last_report_at,
        consent_history=tuple(consents),
        channels=tuple(dict.fromkeys(channels)),
    )


def load_regions(db: Session) -> RegionDirectory:
    """Every region of the deployment."""
    rows = db.exec(select(Region)).all()
    areas = [area_of(r) for r in rows]
    regency = rows[0].regency_name if rows and len({r.regency_code for r in rows}) == 1 else ""
    return RegionDirectory.from_areas(areas, regency_name=regency)


_CHAT_STATES = ChatSession.__table__  # type: ignore[attr-defined]
_UPDATE_STATE = update(_CHAT_STATES).where(_CHAT_STATES.c.owner_id == bindparam("owner"))
_INSERT_STATE = insert(_CHAT_STATES).values(owner_id=bindparam("owner"))


def save_chat_state(db: Session, owner_id: int, state: ChatState, now: datetime, stored: bool) -> None:
    """Store the conversation state of an owner (`stored`: a row exists already)."""
    statement = _UPDATE_STATE if stored else _INSERT_STATE
    db.connection().execute(statement, {"owner": owner_id, "state": state.to_dict(), "updated_at": now})


def _permit_upsert(dialect: str, keep_details: bool) -> Any:
    """One statement that stores a permit's report whether or not the permit has a row yet."""
    table = Permit.__table__  # type: ignore[attr-defined]
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    changed = ["status", "reported_via", "reported_at"]
    if not keep_details:  # a status-only report leaves the number, dates and photo as they were
        changed += fx.PERMIT_DETAILS
    return statement.on_conflict_do_update(
        index_elements=["business_id", "product_key", "type"],
        set_={name: statement.excluded[name] for name in changed},
    )


_NEEDS = Need.__table__  # type: ignore[attr-defined]
_CLOSE_NEEDS = (
    update(_NEEDS)
    .where(_NEEDS.c.business_id == bindparam("of_business"), _NEEDS.c.status == "open")
    .values(status="closed")
)
# Built once (a permit is reported in most steps of a report).
_PERMIT_UPSERTS = {
    (dialect, keep): _permit_upsert(dialect, keep) for dialect in ("postgresql", "sqlite") for keep in (False, True)
}


class EffectWriter:
    """Applies conversation effects for one owner inside the caller's transaction."""

    def __init__(
        self,
        db: Session,
        owner: Owner,
        channel: str,
        now: datetime,
        consent_text_locale: str,
        business_id: int | None,
    ) -> None:
        self.db = db
        self.owner = owner
        self.channel = channel
        self.now = now
        self.locale = consent_text_locale
        self.business_id = business_id  # as the step's chat query found it (None: created on the first business fact)
        self.deleted = False
        self.forgotten_media: tuple[str, ...] = ()  # photos of deleted data: their kept copies go after the commit

    @property
    def owner_id(self) -> int:
        """The owner's primary key."""
        assert self.owner.id is not None
        return self.owner.id

    def apply(self, effects: list[fx.Effect]) -> None:
        """Apply every effect in order."""
        for effect in effects:
            self._apply(effect)

    def _business(self) -> int:
        """The owner's business row id, creating the row if there is none yet."""
        if self.business_id is None:
            business = Business(owner_id=self.owner_id, created_at=self.now, updated_at=self.now)
            self.db.add(business)
            self.db.flush()
            self.business_id = business.id
        assert self.business_id is not None
        return self.business_id

    def _apply(self, effect: fx.Effect) -> None:  # noqa: C901  (one branch per effect type)
        db, owner, now = self.db, self.owner, self.now
        match effect:
            case fx.RecordConsent(given=given, version=version, text_sha256=digest):
                action = "given" if given else "refused"
                owner.consent_status = action
                owner.consent_version = version
                owner.consent_at = now
                if given:
                    owner.withdrawn_at = None
                db.add(owner)
                db.add(
                    ConsentRecord(
                        owner_id=self.owner_id,
                        action=action,
                        text_version=version,
                        text_sha256=digest,
                        locale=self.locale,
                        channel=self.channel,
                        at=now,
                    )
                )
            case fx.WithdrawConsent():
                owner.consent_status = "withdrawn"
                owner.withdrawn_at = now
                db.add(owner)
                db.add(
                    ConsentRecord(
                        owner_id=self.owner_id,
                        action="withdrawn",
                        text_version=owner.consent_version or "",
                        text_sha256="",
                        locale=self.locale,
                        channel=self.channel,
                        at=now,
                    )
                )
            case fx.UpdateOwner(fields=fields):
                for name, value in fields.items():
                    if name in _OWNER_FIELDS:
                        setattr(owner, name, value)
                db.add(owner)
            case fx.UpdateBusiness(fields=fields):
                business_id = self._business()
                changes = {name: value for name, value in fields.items() if name in _BUSINESS_FIELDS}
                table = Business.__table__  # type: ignore[attr-defined]
                db.connection().execute(
                    update(table).where(table.c.id == business_id).values(**changes, updated_at=now)
                )
            case fx.UpsertProduct(key=key, fields=fields):
                business_id = self._business()
                product = db.exec(select(Product).where(Product.business_id == business_id, Product.key == key)).first()
                if product is None:
                    product = Product(business_id=business_id, key=key, created_at=now)
                for name, value in fields.items():
                    if name in _PRODUCT_FIELDS:
                        setattr(product, name, value)
                db.add(product)
                if fields.get("category") == "nonpangan":  # food permits no longer apply to this product
                    db.exec(
                        delete(Permit).where(
                            Permit.business_id == business_id,
                            Permit.product_key == key,
                            Permit.type.in_(("pirt", "halal", "bpom")),  # type: ignore[attr-defined]
                        )
                    )
            case fx.DeleteProduct(key=key):
                business_id = self._business()
                db.exec(delete(Permit).where(Permit.business_id == business_id, Permit.product_key == key))
                db.exec(delete(Product).where(Product.business_id == business_id, Product.key == key))
            case fx.UpsertPermit():
                self._upsert_permit(effect)
            case fx.SetNeeds(kinds=kinds, note=note):
                business_id = self._business()
                db.connection().execute(_CLOSE_NEEDS, {"of_business": business_id})
                for kind in kinds:
                    db.add(
                        Need(
                            business_id=business_id,
                            kind=kind,
                            note=note if kind == "lainnya" else None,
                            created_at=now,
                        )
                    )
            case fx.MarkReported():
                owner.last_report_at = now
                owner.registered_at = owner.registered_at or now
                db.add(owner)
            case fx.DeleteOwnerData():
                self._delete_personal_data()
            case fx.ScheduleReminder(kind=kind, ref=ref, due_at=due_at):
                replace_reminder(db, self.owner_id, kind, ref, due_at, now)
            case fx.CancelReminders(kind=kind, ref=ref):
                cancel_reminders(db, self.owner_id, kind, ref)
            case fx.UpdateInvitation():
                self._update_invitation(effect)
            case fx.ForgetMedia(refs=refs):
                self.forgotten_media += refs
            case fx.CreateHelpRequest(topic=topic, detail=detail):
                db.add(HelpRequest(owner_id=self.owner_id, topic=topic, detail=detail, created_at=now))
            case fx.Audit(action=action, detail=detail):
                db.add(
                    AuditLog(
                        at=now,
                        actor=f"owner:{self.owner_id}",
                        action=action,
                        target_type="owner",
                        target_id=self.owner_id,
                        detail={**detail, "channel": self.channel},
                    )
                )
        db.flush()

    def _update_invitation(self, effect: fx.UpdateInvitation) -> None:
        if effect.status is not None:
            answer_invitation(self.db, effect.training_id, self.owner_id, effect.status, self.now)
        if effect.attended is not None or effect.feedback is not None:
            invitation = self.db.exec(
                select(Invitation).where(
                    Invitation.training_id == effect.training_id, Invitation.owner_id == self.owner_id
                )
            ).first()
            if invitation is None:
                return
            if effect.attended is not None:
                invitation.attended = effect.attended
            if effect.feedback is not None:
                invitation.feedback = effect.feedback
            self.db.add(invitation)

    def _upsert_permit(self, effect: fx.UpsertPermit) -> None:
        values: dict[str, Any] = {
            "business_id": self._business(),
            "product_key": effect.product_key,
            "type": effect.permit,
            "status": effect.status,
            "reported_via": self.channel,
            "reported_at": self.now,
        }
        if not effect.keep_details:
            values.update(effect.details())
        statement = _PERMIT_UPSERTS[self.db.get_bind().dialect.name, effect.keep_details]
        self.db.connection().execute(statement, values)

    def _delete_personal_data(self) -> None:
        """Erase what identifies the owner; keep anonymous facts (area, commodity, permit statuses)."""
        db, owner = self.db, self.owner
        business = business_of(db, self.owner_id)
        if business is not None:
            photos = db.exec(select(Product.photo).where(Product.business_id == business.id)).all()
            proofs = db.exec(select(Permit.evidence_photo).where(Permit.business_id == business.id)).all()
            self.forgotten_media = tuple(ref for ref in (*photos, *proofs) if ref)
            business.name = None
            business.sentra = None
            business.commodity_other = None
            business.kelurahan_code = None
            db.add(business)
            db.exec(update(Product).where(Product.business_id == business.id).values(name=None, photo=None))
            db.exec(
                update(Permit)
                .where(Permit.business_id == business.id)
                .values(number=None, evidence_photo=None, number_source=None)
            )
            db.exec(update(Need).where(Need.business_id == business.id).values(note=None))
        owner.name = None
        owner.phone = None
        owner.phone_verified = False
        owner.consent_status = "withdrawn"
        owner.withdrawn_at = owner.withdrawn_at or self.now
        owner.deleted_at = self.now
        db.add(owner)
        db.exec(
            update(Reminder)
            .where(Reminder.owner_id == self.owner_id, Reminder.status == "pending")
            .values(status="cancelled")
        )
        self._forget_messages()
        db.exec(delete(ChannelAccount).where(ChannelAccount.owner_id == self.owner_id))
        db.exec(delete(ChatSession).where(ChatSession.owner_id == self.owner_id))
        self.deleted = True

    def _forget_messages(self) -> None:
        """Empty the stored texts of the owner's messages and of what was sent to them (names, numbers, photos' ids,
        readings): each row stays, so a message the platform sends again is still known and not taken as new."""
        accounts = self.db.exec(
            select(ChannelAccount.platform, ChannelAccount.external_id).where(ChannelAccount.owner_id == self.owner_id)
        ).all()
        for platform, external_id in accounts:
            self.db.exec(
                update(InboxEvent)
                .where(
                    InboxEvent.platform == platform,
                    InboxEvent.chat_key == external_id,
                    InboxEvent.status.in_(("done", "failed")),  # type: ignore[attr-defined]
                )
                .values(payload={})
            )
            # Messages still on their way keep theirs (the sender needs it); sent, failed and blocked ones do not.
            self.db.exec(
                update(OutboxMessage)
                .where(
                    OutboxMessage.platform == platform,
                    OutboxMessage.chat_id == external_id,
                    OutboxMessage.status.in_(("sent", "failed", "blocked")),  # type: ignore[attr-defined]
                )
                .values(payload={})
            )
