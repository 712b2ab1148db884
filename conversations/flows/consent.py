"""First contact: what is collected, why, for how long, the owner's rights, and explicit consent."""

from __future__ import annotations

import hashlib

from conversations import effects as fx
from conversations.events import Choice
from conversations.flows import noted
from conversations.flows.common import BEFORE_CONSENT, keep_until_consent, normalise, yes_no
from conversations.flows.registry import FLOWS, define, flow
from conversations.i18n import N_
from conversations.turn import Answer, Invalid, Prompt, Question, Turn

# Bump when the consent text changes in meaning; stored with every decision.
CONSENT_VERSION = "2026-11-v2"


def consent_notice(turn: Turn) -> str:
    """The short notice shown before asking for consent: every element UU 27/2022 requires, read on a small phone."""
    _ = turn._
    return _(
        N_(
            "Welcome to Lapor IKM.\n\n"
            "{office} records your name, mobile number, business data, products, permits, workers, turnover and "
            "the photos you send, only to coach your business: data collection, permit help, training. "
            "We do not sell your data.\n\n"
            "Legal basis: your consent (Law 27 of 2022 on Personal Data Protection). "
            "Kept at most {years} years after your last report.\n\n"
            "Your rights, type:\n"
            "DATA SAYA: see your data\n"
            "MENU: correct your data\n"
            "HAPUS: delete your data\n"
            "BERHENTI: withdraw your consent\n"
            "We act within 3 x 24 hours."
        ),
        office=turn.ctx.office_name,
        years=turn.ctx.retention_years,
    )


def consent_text(turn: Turn) -> str:
    """The full notice, shown on "Read in full" (UU 27/2022 on personal data protection)."""
    _ = turn._
    return _(
        N_(
            "Welcome to Lapor IKM of {office}.\n\n"
            "Through this chat you report your business so that the office can help you grow: permits "
            "(NIB, P-IRT, halal), packaging, marketing, training and capital.\n\n"
            "Data we ask for: your name, mobile number, business name and area (kecamatan, kelurahan), "
            "products, permit status and numbers, number of workers, turnover and your needs. Photos only "
            "if you send them.\n\n"
            "Legal basis: your consent, under Law 27 of 2022 on Personal Data Protection (UU PDP).\n"
            "Purpose: only for coaching by {office}: data collection, permit follow-ups and training "
            "invitations. We do not sell your data.\n"
            "Kept: while you are coached by the office, and at most {years} years after your last report; "
            "then it is deleted.\n\n"
            "Your rights: see your data (DATA SAYA), correct it (MENU > Correct my data), delete it "
            "(HAPUS), and withdraw your consent at any time (BERHENTI). We act on it within 3 x 24 hours, "
            "mostly at once."
        ),
        office=turn.ctx.office_name,
        years=turn.ctx.retention_years,
    )


def consent_hash(text: str) -> str:
    """SHA-256 of the exact notice text shown, so the record proves what was agreed to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@flow("persetujuan", N_("Consent"))
def start_consent(turn: Turn) -> None:
    """Show the short notice and ask for consent."""
    turn.start("persetujuan", ["consent.ask"])
    turn.say(consent_notice(turn))


def _ask(turn: Turn, args: tuple[str, ...]) -> Prompt:
    _ = turn._
    return Prompt(
        _(N_("Do you agree that your data is stored and used for this purpose?")),
        (
            Choice("setuju", _(N_("I agree"))),
            Choice("tolak", _(N_("I do not agree"))),
            Choice("baca", _(N_("Read in full"))),
        ),
    )


def _handle(turn: Turn, args: tuple[str, ...], answer: Answer) -> None:
    _ = turn._
    decision = answer.choice or _typed_decision(turn, answer)
    if decision == "baca":
        turn.say(consent_text(turn))
        return
    if decision not in ("setuju", "tolak"):
        if keep_until_consent(turn):  # a report typed instead of an answer: kept, and the question asked again
            return
        raise Invalid(_(N_("Please answer 1 (I agree) or 2 (I do not agree).")))
    kept = turn.session.data.pop(BEFORE_CONSENT, None)  # used only if consent is given, else gone with this step
    if decision == "tolak":  # certificate photos sent before the decision: their readings and copies go too
        photos = turn.session.data.pop("photos", None) or {}
        refs = tuple(str(p["media"]) for p in photos.values() if isinstance(p, dict) and p.get("media"))
        if refs:
            turn.save(fx.ForgetMedia(refs))
    digest = consent_hash(consent_notice(turn))  # the decision is made on the short notice shown first
    turn.save(fx.RecordConsent(given=decision == "setuju", version=CONSENT_VERSION, text_sha256=digest))
    turn.save(fx.Audit("consent_given" if decision == "setuju" else "consent_refused", {"version": CONSENT_VERSION}))
    turn.advance()
    if decision == "tolak":
        turn.note(
            _(
                N_(
                    "No problem. We store nothing about you except this refusal.\n"
                    "If you change your mind, just type START."
                )
            )
        )
        return
    turn.note(_(N_("Thank you! Your consent is recorded.")))
    if turn.report.registered_at is None:
        FLOWS["daftar"].start(turn)
        if kept:  # what the owner wrote before agreeing fills the registration, once they confirm it
            noted.take_facts(turn, turn.session.current or "", kept, use_rest=False)
            noted.ask_confirmation(turn)
    else:
        turn.session.queue = ["menu"]


def _typed_decision(turn: Turn, answer: Answer) -> str | None:
    """Read "setuju", "tidak setuju", "iya", "gak" and the like."""
    words = normalise(answer.text).split()
    if "setuju" in words:
        negated = any(w in _NEGATIONS for w in words[: words.index("setuju")])
        return "tolak" if negated else "setuju"
    return {"yes": "setuju", "no": "tolak"}.get(yes_no(turn, answer) or "")


_NEGATIONS = {"tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "ngga", "enggak", "ndak", "nda", "belum", "blm", "not"}


define("consent.ask", Question(ask=_ask, handle=_handle, section=N_("Consent")))
