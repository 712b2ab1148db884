"""Permit numbers read from an owner's photo, through the pure engine: whole conversations, stored rows, replies.

The reading is what the OCR worker hands over (`Inbound.reading`); these tests give it directly, so every path of
the conversation is tried without an engine (tests/test_photo_channels.py runs the real one end to end).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from conversations import Inbound, InboundKind
from conversations import effects as fx
from conversations.events import PermitReading
from conversations.flows.photo_numbers import reading_awaited
from conversations.understanding.document_numbers import DocumentReading, as_permit_reading, read_document
from conversations.understanding.places import RegionDirectory
from tests.dialog import EngineChat
from tests.test_engine import msg, regions, registered_until_products  # noqa: F401  (the fixture)

NIB = "0220009861929"
UNCLEAR = "The photo is not clear enough. Try again from closer, in bright light, or type the number."


def photo(
    *numbers: tuple[str, str], page: str | None = None, read: bool = True, ref: str = "telegram:AgAC1"
) -> Inbound:
    """A photo the OCR worker read: `numbers` as (permit, number)."""
    return Inbound(
        kind=InboundKind.PHOTO,
        media_ref=ref,
        channel="telegram",
        supports_photos=True,
        reading=PermitReading(read=read, page=page or (numbers[0][0] if numbers else None), numbers=numbers),
    )


@pytest.fixture
def owner(regions: RegionDirectory) -> EngineChat:  # noqa: F811
    """An owner on Telegram who registered a food product and is asked about the NIB."""
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    registered_until_products(chat)
    chat.send("Keripik pisang")
    chat.send("berlabel")
    chat.send("lewati")  # the product photo
    chat.send("tidak")  # no other product: the permits follow
    assert chat.session.current == "permit.status|nib|"
    return chat


def food_key(chat: EngineChat) -> str:
    return chat.report.products[0].key


def test_a_photo_at_the_permit_question_is_confirmed_once_and_stored_with_its_source(owner: EngineChat) -> None:
    reply = owner.send_inbound(photo(("nib", NIB)))
    assert (
        msg("{permit} number on the photo: {number}. Is that right?", permit="NIB", number="0220 0098 61929") in reply
    )
    assert owner.choice_ids() == ["ya", "bukan"]
    reply = owner.send("iya bener")
    assert msg("Noted: {number}.", number="0220 0098 61929") in reply
    stored = owner.report.permit("nib")
    assert stored is not None and stored.status == "terbit" and stored.number == NIB
    assert stored.number_source == "photo" and stored.evidence_photo == "telegram:AgAC1"
    # The photo came already: no "send a photo of your NIB"; the next permit is asked.
    assert owner.session.current == f"permit.status|pirt|{food_key(owner)}"


def test_a_number_typed_at_the_confirmation_is_stored_as_typed_with_the_photo(owner: EngineChat) -> None:
    owner.send_inbound(photo(("nib", "0220009861928")))
    reply = owner.send("salah, yg benar 0220 0098 61929")
    assert msg("Noted: {number}.", number="0220 0098 61929") in reply
    stored = owner.report.permit("nib")
    assert stored.number == NIB and stored.number_source == "typed" and stored.evidence_photo == "telegram:AgAC1"


def test_no_asks_the_number_typed_and_keeps_the_photo_as_proof(owner: EngineChat) -> None:
    owner.send_inbound(photo(("nib", "0220009861928")))
    reply = owner.press("bukan")
    assert owner.session.current == "permit.number|nib|" and "0220 0098 61929" in reply  # the example
    owner.send(NIB)
    stored = owner.report.permit("nib")
    assert stored.number == NIB and stored.number_source == "typed" and stored.evidence_photo == "telegram:AgAC1"
    assert owner.session.current == f"permit.status|pirt|{food_key(owner)}"  # no photo question: it came


def test_an_unreadable_photo_says_what_to_do_and_the_typed_path_works(owner: EngineChat) -> None:
    reply = owner.send_inbound(photo(read=False))
    assert msg(UNCLEAR) in reply
    assert owner.session.current == "permit.status|nib|" and owner.report.permit("nib") is None
    owner.send("sudah")
    owner.send(NIB)
    stored = owner.report.permit("nib")
    assert stored.number == NIB and stored.number_source == "typed"


def test_two_numbers_on_the_page_the_owner_chooses(owner: EngineChat) -> None:
    owner.send("sudah")  # at the number question now
    reply = owner.send_inbound(photo(("nib", "0220009861928"), ("nib", NIB)))
    assert msg("The photo shows {count} {permit} numbers. Which one is yours?", count=2, permit="NIB") in reply
    assert "0220 0098 61928" in reply and "0220 0098 61929" in reply
    owner.send("2")
    assert owner.report.permit("nib").number == NIB and owner.report.permit("nib").number_source == "photo"


def test_a_pirt_photo_with_an_old_year_is_stored_as_expired(owner: EngineChat) -> None:
    owner.send("sudah")
    owner.send(NIB)
    owner.send("lewati")  # the NIB photo
    key = food_key(owner)
    assert owner.session.current == f"permit.status|pirt|{key}"
    reply = owner.send_inbound(photo(("pirt", "2063304010123-24")))
    assert "2063304010123-24" in reply
    reply = owner.press("ya")
    assert (
        msg("This permit expired in {year}. We note it as expired; the office can help you renew it.", year=2024)
        in reply
    )
    assert owner.report.permit("pirt", key).status == "kedaluwarsa"


def test_a_photo_of_another_permit_is_confirmed_for_that_permit_and_the_question_stays(owner: EngineChat) -> None:
    key = food_key(owner)
    owner.send_inbound(photo(("halal", "ID31110000123450824")))
    assert owner.session.current == f"permit.read|halal|{key}"
    owner.press("ya")
    assert owner.report.permit("halal", key).number == "ID31110000123450824"
    assert owner.session.current == "permit.status|nib|"  # the NIB question comes back
    owner.send("sudah")
    owner.send(NIB)
    owner.send("lewati")
    owner.send("sudah")  # P-IRT
    owner.send("2063304010123-29")
    reply = owner.send("lewati")
    # The halal certificate was confirmed from the photo: the registration goes on to BPOM without asking it again.
    assert owner.session.current == f"permit.status|bpom|{key}" and "BPOM" in reply
    assert "halal" not in reply.lower()


def test_photos_sent_one_after_another_are_confirmed_in_the_order_they_came(owner: EngineChat) -> None:
    key = food_key(owner)
    owner.send_inbound(photo(("nib", NIB), ref="telegram:nib"))
    reply = owner.send_inbound(photo(("pirt", "2063304010123-29"), ref="telegram:pirt"))
    assert msg("We got the photo of the {permit} too: we will ask about it next.", permit="P-IRT") in reply
    assert "0220 0098 61929" in reply  # the NIB confirmation again, first
    owner.press("ya")
    assert owner.session.current == f"permit.read|pirt|{key}"
    owner.press("ya")
    assert owner.report.permit("nib").evidence_photo == "telegram:nib"
    assert owner.report.permit("pirt", key).evidence_photo == "telegram:pirt"
    assert owner.report.permit("pirt", key).expiry_year == 2029


def test_registration_does_not_ask_again_a_permit_confirmed_from_a_photo(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    registered_until_products(chat)
    chat.send("Keripik pisang")
    chat.send("berlabel")
    assert chat.session.current.startswith("product.photo")
    chat.send_inbound(photo(("nib", NIB)))  # the NIB certificate instead of the product photo
    chat.press("ya")
    chat.send("tidak")  # no other product
    assert chat.session.current == f"permit.status|pirt|{food_key(chat)}"  # NIB is not asked
    asked = [r.text for r in chat.last]
    assert not any("NIB" in text for text in asked)


def test_an_unasked_photo_on_the_menu_asks_which_product_when_there_are_several(owner: EngineChat) -> None:
    owner.send("menu")
    owner.send("produk")
    # A second food product, through the products flow (its permits follow; stop at the first).
    owner.send("tambah")
    owner.send("Sambal bawang")
    owner.send("makanan")
    owner.send("berlabel")
    owner.send("lewati")
    owner.send("menu")
    reply = owner.send_inbound(photo(("pirt", "2063304010123-29")))
    assert (
        msg(
            "{permit} number on the photo: {number}. Which product is it for?",
            permit="P-IRT",
            number="P-IRT No. 2063304010123-29",
        )
        in reply
    )
    sambal = next(p for p in owner.report.products if p.name == "Sambal bawang")
    owner.press(f"p:{sambal.key}")
    assert owner.report.permit("pirt", sambal.key).number == "2063304010123-29"
    assert owner.report.permit("pirt", food_key(owner)) is None


def test_a_product_permit_without_food_products_says_to_add_the_product_first(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    chat.send("halo")
    chat.send("setuju")
    chat.send("menu")  # the registration is set aside: no product will be asked now
    reply = chat.send_inbound(photo(("pirt", "2063304010123-29")))
    assert (
        msg(
            "The photo shows a {permit} number: {number}. To keep it, first add the food or drink product it is for "
            "(MENU > Products).",
            permit="P-IRT",
            number="P-IRT No. 2063304010123-29",
        )
        in reply
    )
    assert not any(isinstance(e, fx.UpsertPermit) for e in chat.effects)
    assert chat.session.current == "menu"


def test_the_same_number_as_stored_is_not_asked_and_the_photo_becomes_its_proof(owner: EngineChat) -> None:
    owner.send("sudah")
    owner.send(NIB)
    owner.send("lewati")  # no photo then
    reply = owner.send_inbound(photo(("nib", NIB), ref="telegram:later"))
    assert (
        msg(
            "The {permit} number on the photo ({number}) is the one stored already.",
            permit="NIB",
            number="0220 0098 61929",
        )
        in reply
    )
    assert owner.report.permit("nib").evidence_photo == "telegram:later"
    assert owner.session.current == f"permit.status|pirt|{food_key(owner)}"


def test_the_photo_asked_after_a_typed_number_offers_a_different_number_read_on_it(owner: EngineChat) -> None:
    owner.send("sudah")
    owner.send("0220009861928")  # mistyped
    assert owner.session.current == "permit.photo|nib|"
    reply = owner.send_inbound(photo(("nib", NIB), ref="telegram:cert"))
    assert msg("Now stored: {value}", value="0220 0098 61928") in reply and "0220 0098 61929" in reply
    owner.press("ya")
    stored = owner.report.permit("nib")
    assert stored.number == NIB and stored.number_source == "photo" and stored.evidence_photo == "telegram:cert"


def test_before_consent_a_photo_is_not_read_into_anything(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    chat.send("halo")
    chat.send_inbound(photo(("nib", NIB)))
    assert chat.effects == [] or not any(isinstance(e, fx.UpsertPermit) for e in chat.effects)
    assert chat.session.current == "consent.ask"


def test_a_reading_survives_its_round_trip_through_the_stored_event() -> None:
    reading = as_permit_reading(read_document(["NOMOR INDUK BERUSAHA", "NIB: 0220 0098 61929", "KBLI 10794"]))
    again = PermitReading.from_json(reading.to_json())
    assert again == reading and again.numbers == (("nib", NIB),) and again.page == "nib"
    assert as_permit_reading(DocumentReading(None, ()), read=False) == PermitReading(read=False)


@pytest.mark.parametrize("no", ["salah", "bukan itu", "tidak"])
def test_saying_it_is_wrong_asks_the_number_typed(owner: EngineChat, no: str) -> None:
    owner.send_inbound(photo(("nib", "0220009861928")))
    owner.send(no)
    assert owner.session.current == "permit.number|nib|" and owner.report.permit("nib") is None


def test_an_owner_back_days_later_with_the_certificate_is_not_asked_whether_to_continue_first(
    owner: EngineChat,
) -> None:
    owner.later(days=3)
    reply = owner.send_inbound(photo(("nib", NIB)))
    assert (
        msg("{permit} number on the photo: {number}. Is that right?", permit="NIB", number="0220 0098 61929") in reply
    )
    owner.press("ya")
    assert owner.report.permit("nib").number == NIB


def test_a_certificate_sent_before_consent_waits_for_the_decision_and_its_question(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    reply = chat.send_inbound(photo(("nib", NIB), ref="telegram:first"))
    assert (
        msg(
            "We keep the photo of your {permit} for now: once you agree, we ask you about its number. "
            "If you do not agree, we delete it at once.",
            permit="NIB",
        )
        in reply
    )
    assert chat.session.current == "consent.ask" and chat.effects == []
    chat.send("setuju")
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt", "tidak"]:
        chat.send(line)
    chat.send("Keripik pisang")
    chat.send("berlabel")
    chat.send("lewati")
    reply = chat.send("tidak")  # no other product: the permits, the NIB first, from the photo
    assert (
        msg("{permit} number on the photo: {number}. Is that right?", permit="NIB", number="0220 0098 61929") in reply
    )
    chat.press("ya")
    stored = chat.report.permit("nib")
    assert stored.number == NIB and stored.evidence_photo == "telegram:first" and stored.number_source == "photo"
    assert chat.session.current == f"permit.status|pirt|{food_key(chat)}"


def test_a_certificate_sent_before_a_refused_consent_is_forgotten(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    chat.send("halo")
    chat.send_inbound(photo(("halal", "ID31110000123450824"), ref="telegram:halal"))
    chat.send("tidak setuju")
    assert fx.ForgetMedia(("telegram:halal",)) in chat.effects
    assert "photos" not in chat.session.data
    assert not any(isinstance(e, fx.UpsertPermit) for e in chat.effects)


def test_a_product_permit_photo_sent_before_the_product_is_asked_about_at_its_permit(regions: RegionDirectory) -> None:  # noqa: F811
    chat = EngineChat(regions=regions, channel="telegram", supports_photos=True)
    chat.send("halo")
    chat.send("setuju")
    chat.send("Sri Wahyuni")
    reply = chat.send_inbound(photo(("pirt", "2063304010123-29"), ref="telegram:pirt"))
    assert (
        msg(
            "{permit} number on the photo: {number}. We will ask you about it once the product is noted.",
            permit="P-IRT",
            number="P-IRT No. 2063304010123-29",
        )
        in reply
    )
    assert chat.session.current == "owner.phone"  # the registration goes on where it was
    for line in ["lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt", "tidak"]:
        chat.send(line)
    chat.send("Keripik pisang")
    chat.send("berlabel")
    chat.send("lewati")
    chat.send("tidak")
    chat.send("belum")  # NIB
    key = food_key(chat)
    assert chat.session.current == f"permit.read|pirt|{key}"
    chat.press("ya")
    stored = chat.report.permit("pirt", key)
    assert stored.number == "2063304010123-29" and stored.evidence_photo == "telegram:pirt"


def test_the_expiry_printed_on_a_bpom_approval_is_confirmed_with_the_number(owner: EngineChat) -> None:
    owner.send("sudah")
    owner.send(NIB)
    owner.send("lewati")
    key = food_key(owner)
    for _permit in ("pirt", "halal"):
        owner.send("belum")
    assert owner.session.current == f"permit.status|bpom|{key}"
    reading = PermitReading(read=True, page="bpom", numbers=(("bpom", "MD224510107115"),), expires="2029-03-12")
    reply = owner.send_inbound(replace(photo(), reading=reading))
    assert (
        msg(
            "{permit} number on the photo: {number}, valid until {date}. Is that right?",
            permit="izin BPOM (Keripik pisang)",
            number="BPOM RI MD 224510107115",
            date="Senin, 12 Maret 2029",
        )
        in reply
    )
    owner.press("ya")
    stored = owner.report.permit("bpom", key)
    assert stored.expires_on == date(2029, 3, 12) and stored.expiry_year == 2029 and stored.status == "terbit"
    assert owner.session.current == "permit.status|merek|"  # no "until when is it valid?": the page said
    renewals = [e for e in owner.effects if isinstance(e, fx.ScheduleReminder) and e.kind == "permit_renewal"]
    assert {e.due_at.date() for e in renewals} == {date(2028, 9, 12), date(2029, 2, 12)}


@pytest.mark.parametrize(
    ("question", "awaited"),
    [
        (None, True),  # nothing asked: a photo sent is most likely a certificate
        ("permit.number|nib|", True),
        ("permit.read|pirt|p1", True),
        ("biz.name", True),
        ("product.photo|p1", False),  # a product's photo asked: read only if a reader is free at once
    ],
)
def test_a_photo_is_read_in_turn_except_where_a_products_photo_was_asked(question: str | None, awaited: bool) -> None:
    assert reading_awaited(question) is awaited
