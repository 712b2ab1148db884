"""The pure engine: global words, bad input, resuming, corrections, data rights (no database)."""

from __future__ import annotations

import pytest

from bot.storage.regions import DEMO_REGION_FILES, read_region_rows
from conversations import Inbound, InboundKind
from conversations import effects as fx
from conversations.i18n import Translator
from conversations.understanding.places import Area, RegionDirectory
from tests.dialog import EngineChat

ID = Translator("id")


def msg(message: str, **values: object) -> str:
    """The Indonesian text of a catalog message, as the owner reads it."""
    return ID(message, **values)


@pytest.fixture(scope="module")
def regions() -> RegionDirectory:
    areas = [
        Area(r.code, r.name, r.level, r.parent_code, r.kind, r.timezone, r.regency_name)
        for path in DEMO_REGION_FILES
        for r in read_region_rows(path)
    ]
    return RegionDirectory.from_areas(areas)


@pytest.fixture
def chat(regions: RegionDirectory) -> EngineChat:
    return EngineChat(regions=regions)


def consented(chat: EngineChat) -> EngineChat:
    chat.send("halo")
    chat.send("setuju")
    return chat


def registered_until_products(chat: EngineChat) -> EngineChat:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt", "tidak"]:
        chat.send(line)
    return chat


def test_first_message_shows_the_notice_and_asks_consent(chat: EngineChat) -> None:
    reply = chat.send("halo")
    assert "UU" in reply and "27" in reply and "Dinas Kota Metro" in reply
    assert "3 x 24" in reply
    assert chat.choice_ids() == ["setuju", "tolak", "baca"]
    assert chat.effects == []


@pytest.mark.parametrize("answer", ["setuju", "1", "iya", "Ya, setuju 👍", "ok"])
def test_consent_accepted_in_many_ways(chat: EngineChat, answer: str) -> None:
    chat.send("halo")
    reply = chat.send(answer)
    assert chat.report.consent == "given"
    assert msg("What is your full name? Example: Sri Wahyuni") in reply
    consent = next(e for e in chat.effects if isinstance(e, fx.RecordConsent))
    assert consent.given and consent.version and len(consent.text_sha256) == 64


@pytest.mark.parametrize("answer", ["2", "tidak setuju", "gak", "tidak"])
def test_refusal_records_only_the_refusal(chat: EngineChat, answer: str) -> None:
    chat.send("halo")
    reply = chat.send(answer)
    assert chat.report.consent == "refused"
    assert [type(e) for e in chat.effects] == [fx.RecordConsent, fx.Audit]
    assert "MULAI" in reply
    later = chat.send("Nama saya Budi")
    assert "MULAI" in later and chat.report.name is None
    chat.send("mulai")
    assert chat.choice_ids() == ["setuju", "tolak", "baca"]


def test_unclear_consent_answer_is_asked_again(chat: EngineChat) -> None:
    chat.send("halo")
    reply = chat.send("apa ini?")
    assert msg("Please answer 1 (I agree) or 2 (I do not agree).") in reply
    assert chat.choice_ids() == ["setuju", "tolak", "baca"] and chat.report.consent == "pending"


OUTSIDE_INDONESIA = (
    "That location is outside Indonesia, so it is not kept. If you are at your business now, send the location "
    "again, or type SKIP."
)
BAD_INPUTS = [
    (Inbound.text_message(""), "Sorry, we did not get an answer (the message is empty or only has emoji)."),
    (Inbound.text_message("   "), "Sorry, we did not get an answer (the message is empty or only has emoji)."),
    (Inbound.text_message("🙏🙏😊"), "Sorry, we did not get an answer (the message is empty or only has emoji)."),
    (Inbound.text_message("/rahasia"), "Sorry, that command is unknown. Type MENU to see what you can do."),
    (Inbound(kind=InboundKind.STICKER), "Nice sticker! But we cannot read stickers. Please type your answer."),
    (Inbound(kind=InboundKind.VOICE), "Sorry, we cannot listen to voice messages yet. Please type your answer."),
    (
        Inbound(kind=InboundKind.PHOTO, media_ref="f1"),
        "Thank you for the picture. For this question we need a typed answer, please.",
    ),
    (
        Inbound(kind=InboundKind.DOCUMENT, media_ref="f2"),
        "Thank you for the document. For this question we need a typed answer, please.",
    ),
    (
        Inbound(kind=InboundKind.LOCATION, latitude=-5.1, longitude=105.3),
        "Thank you, your business location is saved.",
    ),
    (
        Inbound(kind=InboundKind.LOCATION, latitude=-1.23, longitude=-78.5),  # Ecuador
        OUTSIDE_INDONESIA,
    ),
    (
        Inbound(kind=InboundKind.LOCATION, latitude=0.0, longitude=1.0),  # a phone that guessed
        OUTSIDE_INDONESIA,
    ),
    (  # a document's caption is often its file name: not taken as the business name
        Inbound(kind=InboundKind.DOCUMENT, media_ref="f3", text="80skaraokesonglistartist"),
        "Thank you for the document. For this question we need a typed answer, please.",
    ),
    (Inbound(kind=InboundKind.OTHER), "Sorry, we cannot read this kind of message. Please type your answer."),
    (Inbound(kind=InboundKind.CHOICE, choice_id="gone"), "That button is no longer active. Please choose again:"),
]


@pytest.mark.parametrize(("inbound", "expected"), BAD_INPUTS)
def test_bad_input_gets_a_polite_reply_and_the_question_again(
    chat: EngineChat, inbound: Inbound, expected: str
) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("lewati")
    before = chat.report
    reply = chat.send_inbound(inbound)
    assert msg(expected) in reply
    assert msg("What is the name of your business? Example: Keripik Pisang Bu Sri") in reply
    if inbound.kind is InboundKind.LOCATION and inbound.longitude > 0 and inbound.latitude < 0:
        assert (chat.report.business.latitude, chat.report.business.longitude) == (-5.1, 105.3)
    else:
        assert chat.report == before
    assert chat.session.current == "biz.name"


def test_very_long_text_is_refused_with_the_limit(chat: EngineChat) -> None:
    consented(chat)
    reply = chat.send("a" * 5000)
    assert "5.000" in reply and "4.000" in reply  # the cap of any message; a name question reads up to it
    assert chat.report.name is None and chat.session.current == "owner.name"


def test_wrong_permit_number_explains_and_keeps_earlier_answers(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.send("Keripik pisang")  # a food business: no category question
    chat.send("berlabel")
    chat.send("tidak")
    chat.send("sudah")  # NIB
    stored = chat.report
    reply = chat.send("0220 0098 619")
    assert "11" in reply and "0220 0098 61929" in reply  # digits found, and an example
    assert chat.session.current == "permit.number|nib|"
    assert chat.report.business == stored.business and chat.report.products == stored.products
    reply = chat.send("2113212010651-29")
    assert msg("That looks like a {other} number, not a {permit} number.", other="P-IRT", permit="NIB") in reply
    chat.send("NIB 0220009861929")
    assert chat.report.permit("nib").number == "0220009861929"


def test_help_answers_and_asks_the_same_question_again(chat: EngineChat) -> None:
    consented(chat)
    reply = chat.send("bantuan")
    assert "BERHENTI" in reply and "HAPUS" in reply
    assert msg("What is your full name? Example: Sri Wahyuni") in reply
    assert chat.session.current == "owner.name"


def test_menu_mid_flow_then_continue_where_stopped(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("menu")
    assert chat.choice_ids()[0] == "lanjut"
    reply = chat.send("1")
    assert (
        msg(
            "What is your mobile (HP/WhatsApp) number? Example: 0812 3456 7890\nType SKIP if you prefer not to give it."
        ).split("\n")[0]
        in reply
    )
    assert chat.session.current == "owner.phone" and chat.report.name == "Sri Wahyuni"


def test_cancel_keeps_saved_answers(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    reply = chat.send("batal")
    assert msg("Cancelled. Answers you already sent are saved.") in reply
    assert chat.session.current == "menu" and chat.report.name == "Sri Wahyuni"
    assert "lanjut" not in chat.choice_ids()


def test_ulang_repeats_the_question_and_mulai_ulang_goes_back_to_the_start(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("lewati")
    reply = chat.send("ulang")
    assert chat.session.current == "biz.name"
    assert msg("Here is the question again:") in reply
    assert msg("What is the name of your business? Example: Keripik Pisang Bu Sri") in reply
    chat.send("mulai ulang")
    assert chat.session.current == "owner.name"
    assert msg("Keep: {value}", value="Sri Wahyuni") in chat.last[-1].text or "tetap" in chat.choice_ids()
    chat.send("tetap")  # the name given before stays, and the next question comes
    assert chat.report.name == "Sri Wahyuni"
    assert chat.session.current == "owner.phone"


def test_language_switch_and_back(chat: EngineChat) -> None:
    consented(chat)
    reply = chat.send("bahasa")
    assert chat.choice_ids() == ["id", "en"]
    reply = chat.send("2")
    assert "What is your full name?" in reply
    assert fx.UpdateOwner({"locale": "en"}) in chat.effects
    chat.send("language")
    reply = chat.send("Bahasa Indonesia")
    assert msg("What is your full name? Example: Sri Wahyuni") in reply


def test_returning_after_days_is_offered_to_continue(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.later(days=3)
    reply = chat.send("halo")
    assert chat.choice_ids() == ["lanjut", "menu"]
    assert msg("Products") in reply
    chat.send("lanjut")
    assert chat.session.current == "product.name|new"
    chat.send("Keripik pisang")
    assert chat.report.products[0].name == "Keripik pisang"


def test_returning_owner_may_choose_the_menu_and_continue_later(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.later(days=3)
    chat.send("halo")
    chat.send("2")
    assert chat.session.current == "menu" and chat.choice_ids()[0] == "lanjut"


def test_needs_toggle_with_buttons_then_done(chat: EngineChat) -> None:
    consented(chat)
    chat.send("batal")
    chat.send("kebutuhan")
    assert [r.replaces_pressed for r in chat.last] == [False]  # the question itself is new
    chat.press("kemasan")
    assert [r.replaces_pressed for r in chat.last] == [True]  # only the selection changed: shown in place
    chat.press("modal")
    chat.press("kemasan")
    reply = chat.press("selesai")
    assert not any(r.replaces_pressed for r in chat.last)
    assert chat.report.needs == ("modal",)
    assert msg("Thank you, your needs are saved.") in reply


def test_needs_typed_as_a_list_and_other(chat: EngineChat) -> None:
    consented(chat)
    chat.send("batal")
    chat.send("kebutuhan")
    chat.send("1, 3 dan 7")
    chat.send("ikut pameran di kabupaten")
    assert chat.report.needs == ("kemasan", "modal", "lainnya")
    assert chat.report.needs_note == "ikut pameran di kabupaten"


def test_correcting_the_area_asks_only_that_part(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.send("batal")
    chat.send("ubah")
    chat.send("wilayah")
    chat.send("selebar")
    assert chat.report.business.kecamatan_code == "17.71.01"
    assert chat.report.business.kelurahan_code is None  # the old kelurahan belonged to another kecamatan
    chat.send("1")
    assert chat.report.business.kelurahan_code.startswith("17.71.01.")
    assert chat.session.current == "edit.pick"
    assert chat.report.name == "Sri Wahyuni" and chat.report.business.workers == 3


def test_typo_in_kecamatan_is_confirmed(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri", "lewati", "Keripik Bu Sri"]:
        chat.send(line)
    reply = chat.send("Kec. Metro Pusaat")
    assert "Metro Pusat" in reply and chat.choice_ids() == ["yes", "no"]
    chat.send("ya")
    assert chat.report.business.kecamatan_code == "18.72.01"


def test_stop_is_honoured_at_once(chat: EngineChat) -> None:
    registered_until_products(chat)
    reply = chat.send("berhenti")
    assert chat.report.consent == "withdrawn"
    assert "HAPUS" in reply and "MULAI" in reply
    reply = chat.send("keripik")
    assert "MULAI" in reply and chat.session.queue == []


def test_see_my_data_includes_the_consent_record(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.send("batal")
    chat.send("privasi")
    reply = chat.send("1")
    assert "Sri Wahyuni" in reply and "Rabu, 25 November 2026" in reply and "2026-11-v2" in reply
    assert fx.Audit("data_viewed", {"full": True}) in chat.effects


def test_a_bug_in_a_flow_never_reaches_the_owner(chat: EngineChat, monkeypatch: pytest.MonkeyPatch) -> None:
    from conversations.flows import registry

    consented(chat)
    question = registry.QUESTIONS["owner.name"]

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.QUESTIONS, "owner.name", type(question)(ask=question.ask, handle=broken))
    before = chat.session
    reply = chat.send("Sri")
    assert "boom" not in reply and "Traceback" not in reply
    assert msg("Sorry, something went wrong on our side. Your earlier answers are safe. Please try again.") in reply
    assert chat.session.queue == before.queue


@pytest.mark.parametrize("greeting", ["halo", "Selamat pagi", "assalamualaikum", "P"])
def test_a_greeting_is_never_taken_as_an_answer(chat: EngineChat, greeting: str) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("lewati")
    reply = chat.send(greeting)
    assert "Halo, Sri Wahyuni! Kita lanjutkan:" in reply
    assert chat.session.current == "biz.name" and chat.report.business is None
