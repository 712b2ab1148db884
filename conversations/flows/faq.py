"""Short answers to what owners ask back ("nib itu apa?", "gratis?", "buat apa data saya?"); the question stays open."""

from __future__ import annotations

from conversations import effects as fx
from conversations.i18n import N_
from conversations.turn import Turn, parse_question_id
from conversations.understanding.permit_mentions import named_permits
from conversations.understanding.questions import question_topic

ANSWERS = {
    "nib": N_(
        "NIB (Nomor Induk Berusaha) is your business ID number. It is free: make it online at oss.go.id with your "
        "NIK, or at the DPMPTSP / Mal Pelayanan Publik desk. It comes first: P-IRT, halal and KUR need it."
    ),
    "pirt": N_(
        "P-IRT (SPP-IRT) is the permit for home-made food that is low risk and sold packed with a label. It comes "
        "from your regency or city (DPMPTSP with the health office), through OSS after the NIB, is valid 5 years, "
        "and needs the food-safety course (PKP)."
    ),
    "halal": N_(
        "The halal certificate comes from BPJPH (Kemenag) through SIHALAL. Micro and small businesses with simple "
        "products can use the free self-declare route (SEHATI). It is required for micro and small food and drink "
        "businesses from 17 October 2026."
    ),
    "bpom": N_(
        "A BPOM number (MD ...) is the distribution permit for processed food that P-IRT does not cover: higher "
        "risk or long shelf life, such as milk products, frozen meat or fish, and canned food. ML is for imports. "
        "Most home-made snacks, sambal, coffee or herbal drinks sold locally need P-IRT, not MD: ask us to check yours."
    ),
    "merek": N_(
        "Merek is your brand registered at DJKI (Kemenkumham), online. It protects your brand name for 10 years. "
        "Micro and small businesses pay a reduced fee with a letter from their Dinas."
    ),
    "kbli": N_(
        "KBLI is the code for your kind of business (for example 10794 for chips and crackers), chosen when you "
        "make your NIB in OSS. The officers can help you choose."
    ),
    "kur": N_(
        "KUR (Kredit Usaha Rakyat) is a bank loan with a lower interest rate paid by the government, through banks "
        "such as BRI, BNI, Mandiri and BSI. Small amounts need no extra collateral. The bank needs your NIB."
    ),
    "sentra": N_(
        "A sentra is a group of businesses making the same product in one place, for example 40 chip makers in one "
        "village. A forum or community is a group of owners of the same product. Officers help groups together."
    ),
    "cost": N_(
        "Reporting here is free. The NIB is free. Other permits may have a fee, which micro businesses often get "
        "reduced or waived: the officers can tell you for yours."
    ),
    "data": N_(
        "{office} uses your data only to coach your business, follow up your permits and invite you to training. "
        "It is not sold. Type DATA SAYA to see it, correct it from the menu, or type HAPUS to delete it."
    ),
    "help": N_("Yes, the officers of {office} can help you. We have passed on your request; they will contact you."),
    "help_unregistered": N_(
        "Yes, the officers of {office} can help you. Register first (it is free), then your request reaches them."
    ),
}
_CONTACT = N_("Contact: {contact}")


def answer_question_back(turn: Turn, text: str) -> bool:
    """Answer a question asked back, as a note before the open question; False when the text is not one."""
    topic = question_topic(text)
    if topic is None:
        return False
    _ = turn._
    office = turn.ctx.office_name
    if topic == "help" and turn.report.consent != "given":
        topic = "help_unregistered"  # nothing may be stored before consent
    if topic == "help":
        turn.save(fx.CreateHelpRequest(_help_topic(turn, text), text[:200]))
    reply = _(ANSWERS[topic], office=office)
    if topic in ("help", "nib", "pirt", "halal", "bpom", "merek") and turn.ctx.office_contact:
        reply += "\n" + _(_CONTACT, contact=turn.ctx.office_contact)
    turn.note(reply)
    return True


def _help_topic(turn: Turn, text: str) -> str:
    """What the owner asks help with: a permit named in the text or in the open question, else in general."""
    named = named_permits(text)
    if named:
        return named[0]
    name, args = parse_question_id(turn.session.current or "")
    return args[0] if name.startswith("permit.") and args else "umum"
