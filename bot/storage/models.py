"""SQL tables of Lapor IKM. Timestamps are aware UTC datetimes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.clock import utcnow


class Owner(SQLModel, table=True):
    """A business owner; created at first contact, personal fields filled only after consent."""

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164
    phone_verified: bool = False  # shared through the platform's contact button
    locale: str = Field(default="id", max_length=8)
    timezone: str = Field(default="Asia/Jakarta", max_length=40)
    consent_status: str = Field(default="pending", max_length=16)  # pending/given/refused/withdrawn
    consent_at: datetime | None = None
    consent_version: str | None = Field(default=None, max_length=40)
    withdrawn_at: datetime | None = None
    deleted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    registered_at: datetime | None = None
    last_report_at: datetime | None = None


class ConsentRecord(SQLModel, table=True):
    """Every consent decision an owner made, with the exact text version shown."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    action: str = Field(max_length=16)  # given/refused/withdrawn
    text_version: str = Field(max_length=40)
    text_sha256: str = Field(max_length=64)
    locale: str = Field(max_length=8)
    channel: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)


class ChannelAccount(SQLModel, table=True):
    """One owner's identity on one platform (telegram user id, whatsapp id, console user)."""

    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_channel_account"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    blocked: bool = False
    last_inbound_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Business(SQLModel, table=True):
    """The business an owner runs (one per owner)."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", unique=True)
    name: str | None = Field(default=None, max_length=200)
    # The regency or city (kabupaten/kota): asked first where a deployment covers several, else that of the kecamatan.
    regency_code: str | None = Field(default=None, max_length=10, index=True)
    kecamatan_code: str | None = Field(default=None, max_length=20, index=True)
    kelurahan_code: str | None = Field(default=None, max_length=20)
    commodity: str | None = Field(default=None, max_length=40, index=True)
    commodity_other: str | None = Field(default=None, max_length=200)
    workers: int | None = None
    monthly_revenue: int | None = None  # rupiah
    size: str | None = Field(default=None, max_length=16)  # mikro/kecil/menengah/besar
    in_sentra: bool | None = None
    sentra: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Product(SQLModel, table=True):
    """A product of a business; `key` is the conversation's stable handle for it."""

    __table_args__ = (UniqueConstraint("business_id", "key", name="uq_product_key"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    key: str = Field(max_length=16)
    name: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=16)  # makanan/minuman/nonpangan
    packaging: str | None = Field(default=None, max_length=16)  # belum/sederhana/berlabel
    photo: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class Permit(SQLModel, table=True):
    """The status of one permit of a business, or of one of its products."""

    __table_args__ = (UniqueConstraint("business_id", "product_key", "type", name="uq_permit"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    product_key: str = Field(default="", max_length=16)  # "" for a business-level permit
    type: str = Field(max_length=16, index=True)  # nib/pirt/halal/bpom/merek
    status: str = Field(max_length=16, index=True)  # belum/diurus/terbit/kedaluwarsa/tidak_perlu
    number: str | None = Field(default=None, max_length=40)
    number_kind: str | None = Field(default=None, max_length=16)
    issued_on: date | None = None
    expires_on: date | None = None
    expiry_year: int | None = None
    expected_on: date | None = None  # when an owner expects a permit in progress to be issued
    evidence_photo: str | None = Field(default=None, max_length=300)
    # How the number came: "typed", or "photo" (read from `evidence_photo` and confirmed by the owner).
    number_source: str | None = Field(default=None, max_length=8)
    reported_via: str | None = Field(default=None, max_length=16)
    reported_at: datetime = Field(default_factory=utcnow)


class Need(SQLModel, table=True):
    """Something an owner says the business needs (packaging, capital, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    kind: str = Field(max_length=20, index=True)
    note: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="open", max_length=16)  # open/closed
    created_at: datetime = Field(default_factory=utcnow)


class Region(SQLModel, table=True):
    """A kecamatan or kelurahan/desa of the deployment, with its Kemendagri code."""

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
    level: str = Field(max_length=12, index=True)  # kecamatan/kelurahan
    kind: str | None = Field(default=None, max_length=12)  # kelurahan/desa
    parent_code: str | None = Field(default=None, max_length=20, index=True)
    regency_code: str = Field(max_length=10)
    regency_name: str = Field(max_length=100)
    timezone: str = Field(default="Asia/Jakarta", max_length=40)


class ChatSession(SQLModel, table=True):
    """Conversation state of one owner, shared by all their channels."""

    owner_id: int = Field(foreign_key="owner.id", primary_key=True)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Who did what to which data, for owners' rights and officers' accountability."""

    __table_args__ = (Index("ix_auditlog_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=40)  # owner:12, officer:3, system
    action: str = Field(max_length=40)
    target_type: str = Field(max_length=20)
    target_id: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# Predicates of partial indexes. Queries that should use one spell the status as a literal, not a parameter: a
# prepared statement's generic plan cannot know a parameter's value, so it could not use the index.
_UNSENT = text("status IN ('queued', 'sending')")
_SENDING = text("status = 'sending'")
_PENDING = text("status = 'pending'")


class InboxEvent(SQLModel, table=True):
    """An inbound platform event, stored before the webhook answers and processed exactly once."""

    __table_args__ = (
        UniqueConstraint("platform", "event_key", name="uq_inbox_event"),
        Index("ix_inbox_pending", "status", "platform", "chat_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_key: str = Field(max_length=128)  # Telegram update_id, WhatsApp wamid
    chat_key: str = Field(max_length=64)  # the sender; events of one chat are processed in order
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)  # pending/done/failed
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A message to send (reply, reminder, broadcast), delivered by the sender at the platform's pace."""

    __table_args__ = (
        # The sender's queue in the order it takes it: a claim reads the first rows instead of sorting every queued
        # one (a 100,000-recipient broadcast made each claim sort the whole queue).
        Index(
            "ix_outbox_queue",
            "priority",
            "id",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
        # Messages not yet sent, per chat: an answer checks that nothing older of its chat is still on its way.
        # Partial indexes stay small: once a message is sent, vacuum takes it out of them.
        Index("ix_outbox_unsent", "chat_id", "id", postgresql_where=_UNSENT, sqlite_where=_UNSENT),
        # Rows in flight, for the lease that returns those of a dead sender to the queue.
        Index("ix_outbox_sending", "claimed_at", postgresql_where=_SENDING, sqlite_where=_SENDING),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64, index=True)
    owner_id: int | None = Field(default=None, index=True)
    kind: str = Field(default="reply", max_length=16)  # reply/callback/reminder/broadcast/notice
    priority: int = 0  # lower is sooner: replies 0, reminders 5, broadcasts 9
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # queued/sending/sent/failed/blocked, or waiting: outside WhatsApp's 24-hour window with no template
    status: str = Field(default="queued", max_length=12)
    delivery: str | None = Field(default=None, max_length=12)  # delivered/read/failed, from platform receipts
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    claimed_by: int | None = None  # the liveness lock key of the process sending it (bot/messaging/liveness.py)
    sent_at: datetime | None = None
    platform_message_id: str | None = Field(default=None, max_length=128, index=True)
    error: str | None = Field(default=None, sa_column=Column(Text))
    inbox_id: int | None = None
    broadcast_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Training(SQLModel, table=True):
    """A training the Dinas holds, with the audience it invites."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(default="Asia/Jakarta", max_length=40)  # the place's zone, for showing the time
    place: str = Field(max_length=300)
    capacity: int | None = None  # None: no limit
    description: str | None = Field(default=None, sa_column=Column(Text))
    segment: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reminder_days: int = 3  # the early reminder, days before
    status: str = Field(default="scheduled", max_length=12)  # scheduled/cancelled
    created_by: str = Field(default="system", max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """One owner invited to one training, with their answer and attendance."""

    __table_args__ = (UniqueConstraint("training_id", "owner_id", name="uq_invitation"),)

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="training.id", index=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    status: str = Field(default="invited", max_length=12)  # invited/yes/no/maybe/waitlist
    responded_at: datetime | None = None
    attended: bool | None = None
    feedback: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class Reminder(SQLModel, table=True):
    """A message due to an owner at a time: claimed by the dispatcher, not one scheduler job each."""

    __table_args__ = (
        # The dispatcher's order (due first); a reminder that is done leaves the index.
        Index("ix_reminder_pending", "due_at", "id", postgresql_where=_PENDING, sqlite_where=_PENDING),
        Index("ix_reminder_target", "owner_id", "kind", "ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id")
    kind: str = Field(max_length=24)  # training_invite, training_h3, permit_followup, report_request, ...
    ref: str = Field(default="", max_length=64)  # what it is about: a training id, "pirt:p1", a round
    due_at: datetime
    status: str = Field(default="pending", max_length=12)  # pending/queued/cancelled/skipped
    queued_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class HelpRequest(SQLModel, table=True):
    """An owner asked the office for help (for example with a permit): officers follow these up."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    topic: str = Field(max_length=40)  # e.g. "pirt", "training:3"
    detail: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="open", max_length=12)  # open/closed
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class SchedulerState(SQLModel, table=True):
    """Small facts the scheduler keeps between runs (the last periodic round done)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)


class Officer(SQLModel, table=True):
    """A Dinas officer: admin, officer (limited to some kecamatan) or viewer."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(default="officer", max_length=12)  # admin/officer/viewer
    # Kecamatan codes an officer may see and reach; None means the whole deployment (admins, or unscoped).
    kecamatan_scope: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    password_hash: str | None = Field(default=None, max_length=200)
    link_code_hash: str | None = Field(default=None, max_length=64)  # to link a chat account
    link_code_expires: datetime | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class OfficerSession(SQLModel, table=True):
    """A dashboard login. The cookie holds a random token; only its hash is stored, and deleting the row logs out."""

    token_hash: str = Field(primary_key=True, max_length=64)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    csrf: str = Field(max_length=64)  # the token every form of this session carries
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class LoginFailure(SQLModel, table=True):
    """A wrong password (or unknown username) from an address: the lockout counts these."""

    __table_args__ = (
        Index("ix_loginfailure_address", "address", "at"),
        Index("ix_loginfailure_user", "username", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60)
    address: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


class OfficerAccount(SQLModel, table=True):
    """A chat account (Telegram, WhatsApp) through which an officer uses the bot."""

    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_officer_account"),)

    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Broadcast(SQLModel, table=True):
    """An announcement to a segment; each recipient is an outbox row (its delivery status is that row's)."""

    id: int | None = Field(default=None, primary_key=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    photo: str | None = Field(default=None, max_length=300)
    segment: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="scheduled", max_length=12)  # scheduled/sending/done/cancelled
    scheduled_at: datetime = Field(default_factory=utcnow)
    recipients: int = 0
    created_at: datetime = Field(default_factory=utcnow)
