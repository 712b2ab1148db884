"""Words officers read for the codes the database stores: commodities, needs, permit statuses, answers, states.

Every function returns the translated word in the request's language (through the dashboard's `_`); a code with no
word (a value written by a newer version, a typo in old data) is shown as "-" with the code kept out of sight, never
raw. Templates reach these as globals (registered in rendering.py).
"""

from __future__ import annotations

from conversations.flows.labels import NEEDS
from conversations.flows.permits import STATUS_LABELS
from conversations.flows.registration import COMMODITIES
from conversations.i18n import N_
from conversations.officer import PERMIT_NAMES
from webhook.admin.language import current_translator

UNKNOWN = "-"
BROADCAST_STATES = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("done"),
    "cancelled": N_("stopped"),
}
_COMMODITIES = {key: label for key, label, _example in COMMODITIES}
_NEEDS = dict(NEEDS)
# Statuses as the dashboard says them: "have it" reads better in a table than "issued", and "not needed" is not "have".
_PERMIT_STATUSES = {**STATUS_LABELS, "terbit": N_("has it")}
_ANSWERS = {
    "invited": N_("not answered yet"),
    "yes": N_("coming"),
    "maybe": N_("maybe"),
    "no": N_("not coming"),
    "waitlist": N_("waiting list"),
}
_HELP_STATES = {"open": N_("waiting"), "closed": N_("handled")}
_ROLES = {"admin": N_("administrator"), "officer": N_("officer"), "viewer": N_("viewer (read only)")}
_DELIVERIES = {
    "queued": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "read": N_("read"),
    "failed": N_("failed"),
    "blocked": N_("bot blocked by the owner"),
    "waiting": N_("waiting for the owner to write (WhatsApp 24-hour rule)"),
    "cancelled": N_("stopped"),
}


def _(message: str) -> str:
    return current_translator()(message)


def _word(table: dict[str, str], code: str | None) -> str:
    return _(table[code]) if code in table else UNKNOWN


def commodity(code: str | None, other: str | None = None) -> str:
    """ "Makanan", or what the owner typed for "Lainnya"."""
    if code == "lainnya" and other:
        return other
    return _word(_COMMODITIES, code)


def need(code: str | None) -> str:
    """A need's name ("Kemasan & label")."""
    return _word(_NEEDS, code)


def permit(code: str | None) -> str:
    """A permit's name (NIB, P-IRT, Halal, BPOM, Merek)."""
    return PERMIT_NAMES.get(code or "", UNKNOWN)


def permit_status(code: str | None) -> str:
    """A permit's status in words ("sudah punya", "sedang diurus", "belum", "tidak perlu", "kedaluwarsa")."""
    return _word(_PERMIT_STATUSES, code) if code else _(N_("not reported"))


def answer(code: str | None) -> str:
    """An invitee's answer to a training invitation."""
    return _word(_ANSWERS, code)


def help_state(code: str | None) -> str:
    """A help request's state."""
    return _word(_HELP_STATES, code)


def role(code: str | None) -> str:
    """An officer's role."""
    return _word(_ROLES, code)


def broadcast_state(code: str | None) -> str:
    """A broadcast's state (scheduled, being sent, done, stopped)."""
    return _word(BROADCAST_STATES, code)


def delivery(code: str | None) -> str:
    """The state of one message of a broadcast."""
    return _word(_DELIVERIES, code)


GLOBALS = {
    "commodity_word": commodity,
    "need_word": need,
    "permit_word": permit,
    "permit_status_word": permit_status,
    "answer_word": answer,
    "help_state_word": help_state,
    "role_word": role,
    "broadcast_state_word": broadcast_state,
    "delivery_word": delivery,
}
