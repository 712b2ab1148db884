"""Effects: what a conversation step asks the caller to store. Plain data, applied in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class RecordConsent:
    """The owner accepted or refused the consent text of `version` (its exact text hashed)."""

    given: bool
    version: str
    text_sha256: str


@dataclass(frozen=True)
class WithdrawConsent:
    """The owner withdrew consent: stop processing and messaging at once."""


@dataclass(frozen=True)
class UpdateOwner:
    """Set personal fields of the owner (name, phone, locale, timezone)."""

    fields: dict[str, Any]


@dataclass(frozen=True)
class UpdateBusiness:
    """Set fields of the owner's business (created on first use)."""

    fields: dict[str, Any]


@dataclass(frozen=True)
class UpsertProduct:
    """Create or change the product with conversation key `key`."""

    key: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class DeleteProduct:
    """Remove a product and its permits."""

    key: str


# The fields of a permit's report besides its status, named alike here, in the report and in the database.
PERMIT_DETAILS = (
    "number",
    "number_kind",
    "expiry_year",
    "expires_on",
    "expected_on",
    "evidence_photo",
    "number_source",
)


@dataclass(frozen=True)
class UpsertPermit:
    """Record the reported state of one permit; `product_key` is "" for business-level permits."""

    permit: str
    product_key: str
    status: str
    number: str | None = None
    number_kind: str | None = None
    expiry_year: int | None = None
    expires_on: date | None = None
    expected_on: date | None = None
    evidence_photo: str | None = None
    number_source: str | None = None  # "typed", or "photo": read from `evidence_photo` and confirmed by the owner
    keep_details: bool = False  # True: only the status changes, the number and dates stay

    def details(self) -> dict[str, Any]:
        """The number, dates and photo reported (what `keep_details` leaves as they were), by field name."""
        return {name: getattr(self, name) for name in PERMIT_DETAILS}


@dataclass(frozen=True)
class SetNeeds:
    """Replace the open needs with `kinds` (and a note for "other")."""

    kinds: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class MarkReported:
    """The owner finished a report: stamp the report time (and the registration time once)."""


@dataclass(frozen=True)
class DeleteOwnerData:
    """Erase the owner's personal data; anonymous counts stay."""


@dataclass(frozen=True)
class Audit:
    """Write an audit-log line about the owner's own data."""

    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScheduleReminder:
    """Replace the owner's pending reminders of `kind` about `ref` with one due at `due_at`."""

    kind: str
    ref: str
    due_at: datetime


@dataclass(frozen=True)
class CancelReminders:
    """Cancel the owner's pending reminders of `kind` about `ref`."""

    kind: str
    ref: str


@dataclass(frozen=True)
class UpdateInvitation:
    """Record an answer to a training invitation, attendance or feedback (None leaves a field as it is)."""

    training_id: int
    status: str | None = None  # yes/no/maybe (the store may turn yes into waitlist when full)
    attended: bool | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class CreateHelpRequest:
    """The owner asks the office for help on `topic`."""

    topic: str
    detail: str | None = None


@dataclass(frozen=True)
class ForgetMedia:
    """Delete the kept copies of photos the owner sent that nothing will keep (a refused consent's)."""

    refs: tuple[str, ...]


Effect = (
    RecordConsent
    | WithdrawConsent
    | UpdateOwner
    | UpdateBusiness
    | UpsertProduct
    | DeleteProduct
    | UpsertPermit
    | SetNeeds
    | MarkReported
    | DeleteOwnerData
    | Audit
    | ScheduleReminder
    | CancelReminders
    | UpdateInvitation
    | CreateHelpRequest
    | ForgetMedia
)
