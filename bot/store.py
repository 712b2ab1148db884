"""Reading an owner's stored report and applying conversation effects to the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot.models import (
    AuditLog,
    Business,
    ChannelAccount,
    ChatSession,
    ConsentRecord,
    HelpRequest,
    Invitation,
    Need,
    Owner,
    Permit,
    Product,
    Region,
    Reminder,
)
from bot.trainings import answer_invitation, cancel_reminders, replace_reminder
from conversations import effects as fx
from conversations.regions import Area, RegionDirectory
from conversations.report import BusinessInfo, ConsentInfo, PermitInfo, ProductInfo, Report
from conversations.session import Session as ChatState

_BUSINESS_FIELDS = tuple(BusinessInfo.__dataclass_fields__)
_OWNER_FIELDS = {"name", "phone", "phone_verified", "locale", "timezone"}
_PRODUCT_FIELDS = {"name", "category", "packaging", "photo"}


def get_account(db: Session, platform: str, external_id: str) -> ChannelAccount | None:
    """The channel account for a platform user, if known."""
    return db.exec(
        select(ChannelAccount).where(ChannelAccount.platform == platform, ChannelAccount.external_id == external_id)
    ).first()


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


def load_report(db: Session, owner: Owner) -> Report:
    """Build the conversation's snapshot of everything stored about `owner`."""
    # Plain column queries: this runs for every message, and ORM objects cost several times more to build.
    assert owner.id is not None
    business = db.execute(
        select(Business.id, *(getattr(Business, name) for name in _BUSINESS_FIELDS)).where(
            Business.owner_id == owner.id
        )
    ).first()
    consents = db.execute(
        select(ConsentRecord.action, ConsentRecord.text_version, ConsentRecord.at)
        .where(ConsentRecord.owner_id == owner.id)
        .order_by(ConsentRecord.id)
    ).all()
    channels = db.execute(select(ChannelAccount.platform).where(ChannelAccount.owner_id == owner.id)).scalars().all()
    products: tuple[ProductInfo, ...] = ()
    permits: tuple[PermitInfo, ...] = ()
    needs: tuple[str, ...] = ()
    note = None
    info = None
    if business is not None:
        business_id = business[0]
        info = BusinessInfo(**dict(zip(_BUSINESS_FIELDS, business[1:], strict=True)))
        products = tuple(
            ProductInfo(*row)
            for row in db.execute(
                select(Product.key, Product.name, Product.category, Product.packaging, Product.photo)
                .where(Product.business_id == business_id)
                .order_by(Product.id)
            ).all()
        )
        permits = tuple(
            PermitInfo(*row)
            for row in db.execute(
                select(
                    Permit.type,
                    Permit.product_key,
                    Permit.status,
                    Permit.number,
                    Permit.number_kind,
                    Permit.expiry_year,
                    Permit.expires_on,
                    Permit.expected_on,
                    Permit.evidence_photo,
                    Permit.reported_at,
                    Permit.reported_via,
                )
                .where(Permit.business_id == business_id)
                .order_by(Permit.id)
            ).all()
        )
        need_rows = db.execute(
            select(Need.kind, Need.note).where(Need.business_id == business_id, Need.status == "open").order_by(Need.id)
        ).all()
        needs = tuple(kind for kind, _note in need_rows)
        note = next((n for _kind, n in need_rows if n), None)
    return Report(
        consent=owner.consent_status,
        name=owner.name,
        phone=owner.phone,
        business=info,
        products=products,
        permits=permits,
        needs=needs,
        needs_note=note,
        registered_at=owner.registered_at,
        last_report_at=owner.last_report_at,
        consent_history=tuple(ConsentInfo(*row) for row in consents),
        channels=tuple(dict.fromkeys(channels)),
    )


def load_regions(db: Session) -> RegionDirectory:
    """Every region of the deployment."""
    rows = db.exec(select(Region)).all()
    areas = [
        Area(
            code=r.code,
            name=r.name,
            level=r.level,
            parent_code=r.parent_code,
            kind=r.kind,
            timezone=r.timezone,
            regency_name=r.regency_name,
        )
        for r in rows
    ]
    regency = rows[0].regency_name if rows and len({r.regency_code for r in rows}) == 1 else ""
    return RegionDirectory.from_areas(areas, regency_name=regency)


def load_chat_state(db: Session, owner_id: int, default_locale: str) -> ChatState:
    """The stored conversation state of an owner (a fresh one if none)."""
    row = db.get(ChatSession, owner_id)
    if row is None:
        return ChatState(locale=default_locale)
    return ChatState.from_dict(row.state)


def save_chat_state(db: Session, owner_id: int, state: ChatState, now: datetime) -> None:
    """Store the conversation state of an owner."""
    # One UPDATE, not a load and a flush: this runs for every message.
    values = {"state": state.to_dict(), "updated_at": now}
    statement = update(ChatSession).where(ChatSession.owner_id == owner_id).values(**values)
    result = db.exec(statement.execution_options(synchronize_session=False))
    if not result.rowcount:  # type: ignore[attr-defined]
        db.add(ChatSession(owner_id=owner_id, **values))


class EffectWriter:
    """Applies conversation effects for one owner inside the caller's transaction."""

    def __init__(self, db: Session, owner: Owner, channel: str, now: datetime, consent_text_locale: str) -> None:
        self.db = db
        self.owner = owner
        self.channel = channel
        self.now = now
        self.locale = consent_text_locale
        self.deleted = False

    @property
    def owner_id(self) -> int:
        """The owner's primary key."""
        assert self.owner.id is not None
        return self.owner.id

    def apply(self, effects: list[fx.Effect]) -> None:
        """Apply every effect in order."""
        for effect in effects:
            self._apply(effect)

    def _business(self) -> Business:
        business = business_of(self.db, self.owner_id)
        if business is None:
            business = Business(owner_id=self.owner_id, created_at=self.now, updated_at=self.now)
            self.db.add(business)
            self.db.flush()
        return business

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
                business = self._business()
                for name, value in fields.items():
                    if name in _BUSINESS_FIELDS:
                        setattr(business, name, value)
                business.updated_at = now
                db.add(business)
            case fx.UpsertProduct(key=key, fields=fields):
                business = self._business()
                product = db.exec(select(Product).where(Product.business_id == business.id, Product.key == key)).first()
                if product is None:
                    product = Product(business_id=business.id, key=key, created_at=now)
                for name, value in fields.items():
                    if name in _PRODUCT_FIELDS:
                        setattr(product, name, value)
                db.add(product)
                if fields.get("category") == "nonpangan":  # food permits no longer apply to this product
                    db.exec(
                        delete(Permit).where(
                            Permit.business_id == business.id,
                            Permit.product_key == key,
                            Permit.type.in_(("pirt", "halal", "bpom")),  # type: ignore[attr-defined]
                        )
                    )
            case fx.DeleteProduct(key=key):
                business = self._business()
                db.exec(delete(Permit).where(Permit.business_id == business.id, Permit.product_key == key))
                db.exec(delete(Product).where(Product.business_id == business.id, Product.key == key))
            case fx.UpsertPermit():
                self._upsert_permit(effect)
            case fx.SetNeeds(kinds=kinds, note=note):
                business = self._business()
                db.exec(
                    update(Need).where(Need.business_id == business.id, Need.status == "open").values(status="closed")
                )
                for kind in kinds:
                    db.add(
                        Need(
                            business_id=business.id,
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
        business = self._business()
        row = self.db.exec(
            select(Permit).where(
                Permit.business_id == business.id,
                Permit.product_key == effect.product_key,
                Permit.type == effect.permit,
            )
        ).first()
        if row is None:
            row = Permit(business_id=business.id, product_key=effect.product_key, type=effect.permit, status="")
        row.status = effect.status
        if not effect.keep_details:
            values: dict[str, Any] = {
                "number": effect.number,
                "number_kind": effect.number_kind,
                "expiry_year": effect.expiry_year,
                "expires_on": effect.expires_on,
                "expected_on": effect.expected_on,
                "evidence_photo": effect.evidence_photo,
            }
            for name, value in values.items():
                setattr(row, name, value)
        row.reported_via = self.channel
        row.reported_at = self.now
        self.db.add(row)

    def _delete_personal_data(self) -> None:
        """Erase what identifies the owner; keep anonymous facts (area, commodity, permit statuses)."""
        db, owner = self.db, self.owner
        business = business_of(db, self.owner_id)
        if business is not None:
            business.name = None
            business.sentra = None
            business.commodity_other = None
            business.kelurahan_code = None
            db.add(business)
            db.exec(update(Product).where(Product.business_id == business.id).values(name=None, photo=None))
            db.exec(update(Permit).where(Permit.business_id == business.id).values(number=None, evidence_photo=None))
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
        db.exec(delete(ChannelAccount).where(ChannelAccount.owner_id == self.owner_id))
        db.exec(delete(ChatSession).where(ChatSession.owner_id == self.owner_id))
        self.deleted = True
