"""Whole owners, not single words: "that's all", answers ahead, questions back, chatter that is not a name."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations import effects as fx
from conversations.i18n import Translator
from conversations.understanding.places import RegionDirectory
from tests.dialog import EngineChat
from tests.test_engine import consented, regions, registered_until_products  # noqa: F401  (fixture)

ID = Translator("id")


@pytest.fixture
def chat(regions: RegionDirectory) -> EngineChat:  # noqa: F811
    return EngineChat(regions=regions)


def one_product(chat: EngineChat, name: str = "Keripik pisang") -> EngineChat:
    registered_until_products(chat)
    for line in [name, "3"]:  # a food business: no category question, only the packaging
        chat.send(line)
    assert chat.session.current == "product.more"
    return chat


def finish_permits_and_needs(chat: EngineChat) -> list[str]:
    """Answer every remaining question with its first choice or 'belum'; returns the question ids asked."""
    asked = []
    for _ in range(40):
        current = chat.session.current
        if current in (None, "menu"):
            break
        asked.append(current)
        if current.startswith("permit.status"):
            chat.send("belum")
        elif current.startswith("needs.pick"):
            chat.send("1")
        else:
            chat.send("lewati")
    return asked


def test_two_products_end_once_without_asking_the_permits_again(chat: EngineChat) -> None:
    one_product(chat)
    chat.send("Ya, tambah lagi")
    for line in ["Sambal cumi", "2"]:
        chat.send(line)
    reply = chat.send("Tidak")
    assert ID("Next: your permits.") in reply
    asked = finish_permits_and_needs(chat)
    assert "product.more" not in asked
    assert len(asked) == len(set(asked)), f"asked twice: {asked}"
    assert [p.name for p in chat.report.products] == ["Keripik pisang", "Sambal cumi"]
    assert chat.report.registered_at is not None


@pytest.mark.parametrize("closing", ["sudah itu saja", "udah itu aja", "sdh itu aja", "sudah nak itu saja", "cukup"])
def test_that_is_all_means_no_more_products(chat: EngineChat, closing: str) -> None:
    one_product(chat)
    reply = chat.send(closing)
    assert ID("Next: your permits.") in reply
    assert [p.name for p in chat.report.products] == ["Keripik pisang"]


def test_a_product_name_given_with_the_yes_is_the_next_product(chat: EngineChat) -> None:
    one_product(chat)
    reply = chat.send("iya keripik singkong balado")
    assert [p.name for p in chat.report.products] == ["Keripik pisang", "keripik singkong balado"]
    assert "keripik singkong balado" in reply  # the next question is about that product
    assert chat.session.current == "product.packaging|p2"


def test_permit_name_before_the_status_and_other_permits_kept_for_later(chat: EngineChat) -> None:
    one_product(chat)
    chat.send("tidak")
    assert chat.session.current == "permit.status|nib|"
    reply = chat.send("nib udh ada, pirt lg diurus, halal blm")
    assert chat.report.permit("nib", "").status == "terbit"
    # What the message told of the other permits is shown back once, and stored only when confirmed.
    assert chat.session.current == "confirm.facts"
    assert "• P-IRT (Keripik pisang): " + ID("in progress") in reply
    assert "• " + ID("Halal certificate") + " (Keripik pisang): " + ID("not yet") in reply
    assert chat.report.permit("pirt", "p1") is None
    reply = chat.send("ya")
    assert chat.session.current == "permit.number|nib|"
    assert (
        ID("What is the {permit} number? Example: {example}\nType SKIP if you don't remember it now.").split("{")[0]
        in reply
    )
    chat.send("lewati")
    # P-IRT and halal were told already: their status questions are answered from that message.
    assert chat.report.permit("pirt", "p1").status == "diurus"
    assert chat.session.current == "permit.expected|pirt|p1"
    chat.send("lewati")
    assert chat.report.permit("halal", "p1").status == "belum"
    assert "permit.status|pirt|p1" not in chat.session.queue
    assert "permit.status|halal|p1" not in chat.session.queue


def test_dont_know_is_followed_up_not_refused(chat: EngineChat) -> None:
    one_product(chat)
    chat.send("tidak")
    reply = chat.send("gk tau")
    assert ID("That's all right. We will ask again later; an officer of the Dinas can also help you check.") in reply
    assert chat.report.permit("nib", "") is None
    assert any(isinstance(e, fx.ScheduleReminder) and e.ref == "nib:" for e in chat.effects)
    assert chat.session.current != "permit.status|nib|"


@pytest.mark.parametrize(("said", "workers"), [("sy sendiri sm 2 anak", 3), ("berdua", 2), ("sendiri aja", 1)])
def test_the_owner_counts_as_a_worker(chat: EngineChat, said: str, workers: int) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1"]:
        chat.send(line)
    assert chat.session.current == "biz.workers"
    chat.send(said)
    assert chat.report.business.workers == workers


@pytest.mark.parametrize("chatter", ["lho kok dr awal lg", "buat apa nama saya?", "tidak", "sudah itu saja"])
def test_chatter_is_never_stored_as_a_name(chat: EngineChat, chatter: str) -> None:
    consented(chat)
    reply = chat.send(chatter)
    assert chat.report.name is None
    assert chat.session.current == "owner.name"
    assert ID("What is your full name? Example: Sri Wahyuni") in reply


def test_a_name_inside_a_sentence_is_confirmed_before_it_is_stored(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("lewati")
    reply = chat.send("Tidak ada namanya nak, orang biasa sebut rotan pak haji sulaiman")
    assert ID("Do you mean {what}: {value}?", what=ID("the business name"), value="rotan pak haji sulaiman") in reply
    assert chat.report.business is None or chat.report.business.name is None
    chat.send("ya")
    assert chat.report.business.name == "rotan pak haji sulaiman"
    assert chat.session.current == "biz.area|kecamatan"


def test_a_wrong_guess_asks_for_the_name_alone(chat: EngineChat) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    chat.send("lewati")
    chat.send("kan td udh sy tulis, Keripik Bu Sri")
    reply = chat.send("bukan")
    assert ID("All right. Please write just the name.") in reply
    assert chat.session.current == "biz.name"
    chat.send("Keripik Bu Sri")
    assert chat.report.business.name == "Keripik Bu Sri"


def test_questions_back_are_answered_and_the_question_comes_again(chat: EngineChat) -> None:
    one_product(chat)
    chat.send("tidak")
    reply = chat.send("nib itu apa ya bu? sy gk tau")
    assert "oss.go.id" in reply and chat.session.current == "permit.status|nib|"
    assert chat.report.permit("nib", "") is None
    reply = chat.send("Apa bisa dibantu buatkan?")
    assert (
        ID(
            "Yes, the officers of {office} can help you. We have passed on your request; they will contact you.",
            office="Dinas Kota Metro",
        )
        in reply
    )
    assert [e.topic for e in chat.effects if isinstance(e, fx.CreateHelpRequest)] == ["nib"]


def test_a_question_back_before_consent_stores_nothing(chat: EngineChat) -> None:
    chat.send("halo")
    reply = chat.send("buat apa data saya? nanti dipajakin ya?")
    assert "tidak dijual" in reply
    assert chat.session.current == "consent.ask" and chat.effects == []


def test_yes_with_the_sentra_name_needs_no_second_question(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt"]:
        chat.send(line)
    assert chat.session.current == "biz.sentra"
    chat.send("iya, ikut sentra keripik gading")
    assert chat.report.business.in_sentra is True
    assert chat.report.business.sentra == "sentra keripik gading"
    assert chat.session.current == "product.name|new"


def test_a_sticker_with_the_brand_is_a_labelled_package(chat: EngineChat) -> None:
    registered_until_products(chat)
    chat.send("Keripik pisang")
    chat.send("plastik ada stiker merk nya")
    assert chat.report.products[0].packaging == "berlabel"


def test_dates_read_as_people_write_them() -> None:
    from datetime import date

    assert ID.date(date(2026, 12, 1)) == "Selasa, 1 Desember 2026"


def test_the_consent_notice_is_short_names_every_element_and_offers_the_full_text(chat: EngineChat) -> None:
    import hashlib

    reply = chat.send("halo")
    notice = chat.last[0].text
    # About 500 characters of notice; with the consent question at most 600 (the choices become buttons).
    assert len(notice) <= 520 and sum(len(r.text) for r in chat.last) <= 600
    for element in ("Dinas Kota Metro", "nama", "pembinaan", "persetujuan", "UU No. 27 Tahun 2022", "2 tahun"):
        assert element in notice, element  # who, what data, purpose, legal basis, retention
    for right in ("DATA SAYA", "MENU", "HAPUS", "BERHENTI"):
        assert right in reply, right
    assert chat.choice_ids() == ["setuju", "tolak", "baca"]
    assert "Baca lengkap" in reply

    full = chat.send("baca lengkap")
    assert "(UU PDP)" in full and "biasanya langsung" in full and len(full) > len(reply) + 300  # the long text
    assert chat.session.current == "consent.ask" and chat.effects == []

    chat.send("setuju")
    consent = next(e for e in chat.effects if isinstance(e, fx.RecordConsent))
    assert consent.version == "2026-11-v2"
    assert consent.text_sha256 == hashlib.sha256(notice.encode("utf-8")).hexdigest()  # the text decided on


def test_permit_names_are_lower_case_inside_a_sentence_but_acronyms_stay() -> None:
    from conversations.flows.permits import mid_sentence

    assert mid_sentence("Merek terdaftar") == "merek terdaftar"
    assert mid_sentence("Sertifikat halal") == "sertifikat halal"
    assert mid_sentence("Izin BPOM") == "izin BPOM"
    assert [mid_sentence(a) for a in ("NIB", "P-IRT", "BPOM permit")] == ["NIB", "P-IRT", "BPOM permit"]


def test_permit_questions_do_not_capitalise_the_permit_mid_sentence(chat: EngineChat) -> None:
    one_product(chat)
    chat.send("tidak")
    assert "Berapa nomor NIB?" in chat.send("sudah")  # NIB: an acronym stays
    chat.send("lewati")
    chat.send("belum")  # P-IRT
    assert "Berapa nomor sertifikat halal?" in chat.send("sudah")
    chat.send("lewati")
    chat.send("tidak perlu")  # BPOM
    reply = chat.send("lagi diurus")  # merek
    assert "Kira-kira kapan merek terdaftar terbit?" in reply
    assert "Merek terdaftar" not in reply


def test_the_bpom_question_fits_a_drink(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Kopi Bu Sri", "metro pusat", "yosomulyo", "2", "3", "5 jt", "tidak"]:
        chat.send(line)
    for line in ["Kopi bubuk", "3", "tidak", "belum", "belum", "belum"]:
        reply = chat.send(line)
    assert chat.session.current == "permit.status|bpom|p1"
    assert chat.report.products[0].category == "minuman"
    assert "izin BPOM" in reply and "minuman susu" in reply and "makanan" not in reply


def test_the_bpom_question_fits_a_food(chat: EngineChat) -> None:
    one_product(chat)
    for line in ["tidak", "belum", "belum"]:
        chat.send(line)
    reply = chat.send("belum")
    assert chat.session.current == "permit.status|bpom|p1"
    assert "izin BPOM" in reply and "makanan kaleng" in reply and "minuman" not in reply


def test_a_food_business_is_not_asked_whether_its_product_is_food(chat: EngineChat) -> None:
    replies = [chat.send("halo"), chat.send("setuju")]
    for line in ["Sri Wahyuni", "lewati", "Keripik Bu Sri", "metro pusat", "yosomulyo", "1", "3", "5 jt", "tidak"]:
        replies.append(chat.send(line))
    assert chat.report.business.commodity == "makanan"
    for line in ["Keripik pisang", "3", "iya", "Keripik singkong", "2", "tidak"]:
        replies.append(chat.send(line))
    asked = finish_permits_and_needs(chat)
    replies += [r.text for r in chat.last]
    assert chat.report.registered_at is not None
    assert not any("termasuk makanan" in reply for reply in replies)
    assert not any(q.startswith("product.category") for q in asked)
    assert [(p.name, p.category) for p in chat.report.products] == [
        ("Keripik pisang", "makanan"),
        ("Keripik singkong", "makanan"),
    ]
    assert chat.report.permit("pirt", "p1") is not None  # food permits are still asked for each product


def test_other_trades_are_still_asked_the_product_category(chat: EngineChat) -> None:
    consented(chat)
    for line in ["Sri Wahyuni", "lewati", "Sabun Sri Jaya", "metro pusat", "yosomulyo", "6", "sabun herbal"]:
        chat.send(line)
    assert chat.report.business.commodity == "lainnya"
    for line in ["3", "5 jt", "tidak"]:
        chat.send(line)
    reply = chat.send("Sabun sereh")
    assert "termasuk makanan" in reply and chat.session.current == "product.category|p1"


def test_the_console_says_how_to_use_it_first_even_when_piped(tmp_path: Path) -> None:
    from tests.test_cli import run_cli

    result = run_cli(["chat", "--user", "3"], f"sqlite:///{tmp_path / 'hint.db'}", "halo\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    hint = ID("Lapor IKM (a trial in the terminal). Type a message as on WhatsApp, for example: halo. Ctrl+D to quit.")
    assert hint.startswith("Lapor IKM (percobaan di terminal)")
    assert result.stdout.startswith(hint + "\n")
    assert result.stdout.index(hint) < result.stdout.index("Selamat datang")


@pytest.mark.parametrize("said", ["gk ada hp", "belum punya hp bu", "tidak ada"])
def test_an_owner_without_a_mobile_number_says_so_and_goes_on(chat: EngineChat, said: str) -> None:
    consented(chat)
    chat.send("Sri Wahyuni")
    reply = chat.send(said)
    assert "bukan nomor HP" not in reply and "nama usaha" in reply  # not asked again for digits
    assert chat.report.phone is None
