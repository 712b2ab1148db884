"""Owners who tell several facts at once, correct themselves, and come back half-way through."""

from __future__ import annotations

import datetime

import pytest

from conversations.i18n import Translator
from conversations.understanding.corrections import read_correction
from conversations.understanding.facts import read_facts
from conversations.understanding.places import RegionDirectory
from conversations.understanding.trades import read_needs
from tests.dialog import EngineChat
from tests.test_engine import consented, regions  # noqa: F401  (fixture)

ID = Translator("id")
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def chat(regions: RegionDirectory) -> EngineChat:  # noqa: F811
    return EngineChat(regions=regions)


# --- reading -------------------------------------------------------------------------------------------------
def test_a_long_message_is_read_fact_by_fact(regions: RegionDirectory) -> None:  # noqa: F811
    text = (
        "Assalamualaikum bu. Saya Darmo Suwito, no hp 0813 1122 3344. Usaha saya Rotan Pak Darmo di desa "
        "Sumbersari, kec. Metro Selatan. Kami bikin kerajinan rotan, yang kerja enam orang, omzet sebulan kira2 "
        "8 jt. Tidak ikut sentra. NIB belum. Butuhnya modal sama promosi."
    )
    found = read_facts(text, regions, TODAY)
    facts = {f.question: f.value for f in found.facts}
    assert facts["owner.name"] == "Darmo Suwito"
    assert facts["owner.phone"] == "+6281311223344"
    assert facts["biz.name"] == "Rotan Pak Darmo"
    assert facts["biz.area|kecamatan"].name == "Metro Selatan"
    assert facts["biz.area|kelurahan"].name == "Sumbersari Bantul"
    assert facts["biz.workers"] == 6
    assert facts["biz.revenue"] == 8_000_000
    assert facts["biz.sentra"] is False
    assert facts["permit.status|nib|"] == "belum"
    assert set(facts["needs.pick"]) == {"modal", "pemasaran"}
    assert found.rest == ""


def test_a_village_alone_finds_its_kecamatan(regions: RegionDirectory) -> None:  # noqa: F811
    facts = {f.question: f.value for f in read_facts("di kel. Yosomulyo", regions, TODAY).facts}
    assert facts["biz.area|kelurahan"].name == "Yosomulyo"
    assert facts["biz.area|kecamatan"].name == "Metro Pusat"


def test_short_answers_and_plain_names_tell_no_facts(regions: RegionDirectory) -> None:  # noqa: F811
    for text in ["sudah", "iya bu", "Keripik Pisang Bu Sri", "Sri Wahyuni", "3 orang", "lg diurus"]:
        found = read_facts(text, regions, TODAY)
        assert [f.question for f in found.facts if f.question != "biz.workers"] == [], text


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("eh salah, Keripik Bu Sri", None, "Keripik Bu Sri"),
        ("bukan, maksudnya Keripik Bu Sri", None, "Keripik Bu Sri"),
        ("maaf salah, nama usahanya Songket Nur Bengkulu", "biz.name", "Songket Nur Bengkulu"),
        ("ganti nama usaha jadi Songket Nur", "biz.name", "Songket Nur"),
        ("ubah no hp jadi 0813 1111 2222", "owner.phone", "0813 1111 2222"),
        ("salah kecamatan, harusnya Selebar", "biz.area|kecamatan", "Selebar"),
    ],
)
def test_corrections_are_read(text: str, question: str | None, value: str) -> None:
    correction = read_correction(text)
    assert correction is not None
    assert (correction.question, correction.text) == (question, value)


@pytest.mark.parametrize("text", ["bukan", "bukan makanan", "salah", "Salah Satu Rasa", "iya"])
def test_answers_are_not_corrections(text: str) -> None:
    assert read_correction(text) is None


# --- whole conversations -------------------------------------------------------------------------------------
def test_facts_told_with_an_answer_are_confirmed_once_and_never_asked(chat: EngineChat) -> None:
    consented(chat)
    reply = chat.send("Sri Wahyuni, hp 0812 3456 7890")
    assert chat.report.name == "Sri Wahyuni"
    assert chat.report.phone is None  # not stored before the owner confirms it
    assert chat.session.current == "confirm.facts"
    assert ID("Mobile number") + ": +62 812-3456-7890" in reply
    reply = chat.send("ya")
    assert chat.report.phone == "+6281234567890"
    assert chat.session.current == "biz.name"
    reply = chat.send("Keripik Bu Sri, di Yosomulyo kec. Metro Pusat")
    assert chat.report.business.name == "Keripik Bu Sri"
    assert "Yosomulyo" in reply and "Metro Pusat" in reply
    chat.send("benar")
    business = chat.report.business
    assert (business.kecamatan_code, business.kelurahan_code) == ("18.72.01", "18.72.01.1005")
    assert chat.session.current == "biz.commodity"  # kecamatan and kelurahan were not asked


def test_a_wrong_reading_is_dropped_and_asked_plainly(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni, hp 0812 3456 7890")
    reply = chat.send("ada yang salah")
    assert ID("All right, I will ask about them one by one.") in reply
    assert chat.report.phone is None
    assert chat.session.current == "owner.phone"


def test_a_correction_in_the_confirmation_replaces_that_line(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni, hp 0812 3456 7890")
    reply = chat.send("hp nya 0813 1122 3344")
    assert chat.session.current == "confirm.facts"
    assert "+62 813-1122-3344" in reply and "+62 812-3456-7890" not in reply
    chat.send("ya")
    assert chat.report.phone == "+6281311223344"


def test_product_details_with_its_name(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Toko Sri", "metro pusat", "yosomulyo", "6", "sabun", "3", "5 jt"]:
        chat.send(line)  # "6": Other (lainnya), so the category is asked for each product
    chat.send("tidak")
    assert chat.session.current == "product.name|new"
    reply = chat.send("Sabun sereh wangi, bukan makanan, kemasan berlabel")
    assert chat.session.current == "confirm.facts"
    assert ID("Not food or drink") in reply and ID("Labelled packaging") in reply
    chat.send("ya")
    product = chat.report.products[0]
    assert (product.name, product.category, product.packaging) == ("Sabun sereh wangi", "nonpangan", "berlabel")
    assert chat.session.current == "product.more"


def test_a_correction_from_a_later_question_changes_the_fact(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sir"]:
        chat.send(line)
    assert chat.session.current == "biz.area|kecamatan"
    reply = chat.send("eh salah, Keripik Bu Sri")
    assert chat.report.business.name == "Keripik Bu Sri"
    assert chat.session.current == "biz.area|kecamatan"  # the open question stays open
    assert "Keripik Bu Sri" in reply
    chat.send("metro pusat")
    reply = chat.send("ganti nama jadi Sri Wahyuningsih")
    assert chat.report.name == "Sri Wahyuningsih"
    assert chat.session.current == "biz.area|kelurahan"


def test_registration_goes_on_where_it_stopped(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat"]:
        chat.send(line)
    chat.send("batal")
    assert chat.session.current == "menu"
    reply = chat.send("lapor")  # "update my report" before the registration ended: the registration goes on
    assert ID("Let's continue your registration where it stopped.") in reply
    assert chat.session.current == "owner.phone"  # the first fact missing: the phone number was skipped
    chat.send("lewati")
    assert chat.session.current == "biz.area|kelurahan"
    chat.send("berhenti")
    chat.send("mulai")
    chat.send("setuju")
    assert chat.session.current == "owner.phone"
    assert chat.report.name == "Sri Wahyuni"


def test_skipping_the_kecamatan_is_allowed(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri"]:
        chat.send(line)
    chat.send("lewati")
    assert chat.session.current == "biz.commodity"
    assert chat.report.business.kecamatan_code is None


FIRST = (
    "Assalamualaikum bu, saya Darmo Suwito dari kel. Yosomulyo kec. Metro Pusat, usaha saya Rotan Pak Darmo, yang "
    "kerja 6 orang, omzet kira2 8 jt sebulan, produknya kursi rotan dan keranjang, NIB belum, butuh modal. "
    "hp 0813 1122 3344"
)


def test_a_first_message_is_kept_until_consent_and_then_fills_the_registration(chat: EngineChat) -> None:
    reply = chat.send(FIRST)  # 196 characters, before any consent
    assert chat.session.current == "consent.ask"
    assert ID("We keep your message for now") in reply or "simpan dulu" in reply
    assert chat.effects == []  # nothing stored before consent
    reply = chat.send("setuju")
    assert chat.session.current == "confirm.facts"
    for shown in ("Darmo Suwito", "Rotan Pak Darmo", "Metro Pusat", "Yosomulyo", "Rp8.000.000", "kursi rotan"):
        assert shown in reply
    chat.send("ya")
    report = chat.report
    assert (report.name, report.phone, report.business.name) == ("Darmo Suwito", "+6281311223344", "Rotan Pak Darmo")
    assert (report.business.kecamatan_code, report.business.kelurahan_code) == ("18.72.01", "18.72.01.1005")
    assert chat.session.current == "biz.commodity"  # the first fact the message did not tell
    for line in ["5", "tidak"]:  # handicraft; no sentra
        chat.send(line)
    assert [p.name for p in chat.report.products] == ["kursi rotan"]  # the products follow, from the message
    assert chat.session.current.startswith("product.packaging")


def test_a_first_message_is_forgotten_when_consent_is_refused(chat: EngineChat) -> None:
    chat.send(FIRST)
    chat.send("tidak setuju")
    assert "before_consent" not in chat.session.data
    assert chat.report.consent == "refused" and chat.report.name is None
    chat.send("mulai")
    chat.send("setuju")
    assert chat.session.current == "owner.name"  # asked plainly: the refused message was not kept


def test_a_declined_delete_goes_back_to_the_registration(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1"]:
        chat.send(line)
    assert chat.session.current == "biz.workers"
    chat.send("hapus")
    reply = chat.send("Tidak")
    assert ID("Let's continue where we were.") in reply
    assert chat.session.current == "biz.workers"
    chat.send("lapor")  # "update my report" before the end: the same registration goes on, nothing asked twice
    assert chat.session.current == "biz.workers"
    chat.send("3")
    reply = chat.send("tidak")  # turnover: rather not say
    assert chat.report.business.monthly_revenue is None
    assert chat.session.current == "biz.sentra"


def test_an_elderly_owners_first_message(regions: RegionDirectory) -> None:  # noqa: F811
    text = (
        "Assalamualaikum nak, saya pak Sulaiman umur 67, usaha rotan di desa Yosorejo kecamatan Metro Timur, pekerja "
        "6 orang, produk kursi, meja, keranjang rotan, omzet sebulan 15 juta, NIB belum, hp 081377778888, butuh "
        "modal dan promosi"
    )
    facts = {f.question: f.value for f in read_facts(text, regions, TODAY).facts}
    assert facts["owner.name"] == "Sulaiman"
    assert facts["biz.commodity"] == "rotan"
    assert (facts["biz.area|kecamatan"].name, facts["biz.area|kelurahan"].name) == ("Metro Timur", "Yosorejo")
    assert [facts[f"product.name|#{n}"] for n in (1, 2, 3)] == ["kursi", "meja", "keranjang rotan"]
    assert (facts["biz.workers"], facts["biz.revenue"], facts["owner.phone"]) == (6, 15_000_000, "+6281377778888")


@pytest.mark.parametrize(
    ("text", "kinds", "note"),
    [
        ("mesin sm tungku hemat kayu bakar bu", ["peralatan", "lainnya"], "tungku hemat kayu bakar"),
        ("kemasan dan modal dan pelatihan bu", ["kemasan", "modal", "pelatihan"], None),
        ("bingung bu", [], None),  # no need named: words alone are not a need
    ],
)
def test_a_need_the_list_lacks_is_kept_as_the_note_of_other(text: str, kinds: list[str], note: str | None) -> None:
    assert read_needs(text) == (kinds, note)


def test_a_long_message_with_no_answer_is_not_refused_for_its_length(chat: EngineChat) -> None:
    consented(chat)
    story = "Begini bu, saya sudah lama usaha dan dulu pernah ikut pelatihan dari dinas tapi belum lanjut " * 3
    reply = chat.send(story)  # 279 characters at the name question, with no name in it
    assert ID("We could not find the answer to this question in your message. Please write just the answer.") in reply
    assert "100" not in reply
    assert chat.session.current == "owner.name" and chat.report.name is None


def test_a_typed_number_of_workers_is_never_taken_for_a_choice(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt", "tidak"]:
        chat.send(line)
    chat.send("mulai ulang")
    for line in ["tetap", "lewati", "tetap", "tetap", "tetap", "tetap"]:
        chat.send(line)
    assert chat.session.current == "biz.workers"
    chat.send("1")  # one worker now, not the first choice
    assert chat.report.business.workers == 1


def test_correcting_the_village_before_any_kecamatan_finds_its_kecamatan(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "lewati"]:  # the kecamatan skipped
        chat.send(line)
    assert chat.session.current == "biz.commodity"
    chat.send("ganti desa jadi Yosomulyo")
    business = chat.report.business
    assert (business.kecamatan_code, business.kelurahan_code) == ("18.72.01", "18.72.01.1005")
    assert chat.session.current == "biz.commodity"
    chat.send("ganti desa jadi Antah Berantah")  # no such village: asked properly, nothing claimed
    assert chat.session.current == "biz.area|kelurahan"
