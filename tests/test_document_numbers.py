"""Reading permit numbers from the text an OCR engine read on a permit document (issue 21), without any engine."""

import pytest

from conversations.understanding.document_numbers import OcrLine, page_permit, read_document, repair_ocr_text
from conversations.understanding.permit_numbers import PermitType

NIB_PAGE = """PEMERINTAH REPUBLIK INDONESIA
PERIZINAN BERUSAHA BERBASIS RISIKO
NOMOR INDUK BERUSAHA: 0220 0098 61929
Berdasarkan Undang-Undang Nomor 6 Tahun 2023 tentang Cipta Kerja,
Pemerintah Republik Indonesia menerbitkan NIB kepada:
1. Nama Pelaku Usaha : KERIPIK GADING
2. Alamat : Jl. Melati No. 48 RT 007/RW 002
3. Nomor Telepon : 0812345678901
5. Kode KBLI : 10722, 10796
Diterbitkan di Jakarta, tanggal: 21 Juni 2019"""

PIRT_PAGE = """PEMERINTAH KABUPATEN GIANYAR
DINAS PENANAMAN MODAL DAN PTSP
SERTIFIKAT PRODUKSI PANGAN
INDUSTRI RUMAH TANGGA
Nomor:503/506/SPP-IRT/2023
Nama Perusahaan : SAMBAL JOSS
NIB:0227071898399
Telp/HP:08122555943
Jenis Pangan : 04 Tempe Kedelai
Nomor P-IRT : 2113212010651-29
Kab.Gianyar, 3 Maret 2025
NIP. 19700101 199503 1 004"""

HALAL_PAGE = """KEMENTERIAN AGAMA REPUBLIK INDONESIA
BADAN PENYELENGGARA JAMINAN PRODUK HALAL
SERTIFIKAT HALAL
Nomor:ID32110000474710722
Nama Pelaku Usaha : SARI NANAS SUBANG
Nomor Ketetapan Halal : KH.401/11/2025
Tanggal Terbit : 5 Desember 2025"""

BPOM_LABEL = """DODOL DURIAN
Komposisi: singkong, minyak sawit, garam
Berat bersih / Netto: 250 ml
BPOM RI MD 224510107115
Telp. (098) 5036244
Kode Produksi: 887918
Baik digunakan sebelum: 20 01 2028"""


def lines(page: str) -> list[str]:
    return page.splitlines()


def values(reading) -> list[str]:
    return [found.number.value for found in reading.candidates]


@pytest.mark.parametrize(
    "page, permit, number",
    [
        (NIB_PAGE, PermitType.NIB, "0220009861929"),
        (PIRT_PAGE, PermitType.PIRT, "2113212010651-29"),
        (HALAL_PAGE, PermitType.HALAL, "ID32110000474710722"),
        (BPOM_LABEL, PermitType.BPOM, "MD224510107115"),
    ],
)
def test_each_document_gives_its_permit_and_only_its_number(page, permit, number):
    reading = read_document(lines(page))
    assert reading.permit is permit
    assert values(reading) == [number]
    assert reading.number is not None and reading.number.value == number


def test_the_nib_on_an_spp_irt_certificate_is_another_permit_not_a_candidate():
    reading = read_document(lines(PIRT_PAGE))
    assert [f.number.value for f in reading.others] == ["0227071898399"]
    assert reading.number.expiry_year == 2029


@pytest.mark.parametrize(
    "misread, permit, number",
    [
        ("Nomor: 1032110000474710722", PermitType.HALAL, "ID32110000474710722"),  # "10" for "ID"
        ("Nomor: 1D32110000474710722", PermitType.HALAL, "ID32110000474710722"),
        ("Nomor: lD 32110000474710722", PermitType.HALAL, "ID32110000474710722"),
        ("Nomor: ID321100OO474710722", PermitType.HALAL, "ID32110000474710722"),  # O for 0 inside digits
        ("BPOM RI M0 224510107115", PermitType.BPOM, "MD224510107115"),  # "M0" for "MD"
        ("BPOM RI MO 224510107115", PermitType.BPOM, "MD224510107115"),
        ("BPOM RI M1 240935001200027", PermitType.BPOM, "ML240935001200027"),  # "M1" for "ML"
        ("BPOM RI MI 224510107115", PermitType.BPOM, "ML224510107115"),
        ("NIB : O22O 0098 6l929", PermitType.NIB, "0220009861929"),  # O/0 and l/1
        ("NOMOR INDUK BERUSAHA:I2664737S2883", PermitType.NIB, "1266473752883"),  # I/1 and S/5
        ("P-IRT No. 2113212010651_29", PermitType.PIRT, "2113212010651-29"),
        ("P-IRT No. 21132I20IO651-29", PermitType.PIRT, "2113212010651-29"),
    ],
)
def test_known_ocr_misreadings_are_repaired(misread, permit, number):
    reading = read_document([misread])
    assert reading.permit is permit
    assert values(reading) == [number]
    assert reading.candidates[0].repaired


@pytest.mark.parametrize(
    "page",
    [
        # distractors alone: nothing is offered
        "Nomor: 503/123/SPP-IRT/2024\nTanggal: 12-05-2024",
        "SERTIFIKAT HALAL\nNomor Ketetapan Halal : KH.00123/2024\nJakarta, 1 Mei 2025",
        "Telp : 0812345678901\nHP: 0812 3456 78901",  # 13-digit phone numbers are not NIBs
        "Kode KBLI : 10794, 10796",
        "NIP. 19700101 199503 1 004\nNIK 3302011501800001",
        "NPWP : 39.891.463.7-505.000\nKode Produksi: 2405120001234",
        "Berat bersih 250 ml 224510107115",  # "ml" after a quantity is a unit, not the ML prefix
        "NOMOR INDUK BERUSAHA: 0220 0098 6192",  # 12 digits: cut off, not guessed
        "",
    ],
)
def test_distractors_and_broken_numbers_give_nothing(page):
    reading = read_document(lines(page))
    assert reading.candidates == ()
    assert reading.others == ()
    assert reading.number is None


def test_a_bare_13_digit_number_needs_an_nib_label_or_an_nib_page():
    assert values(read_document(["Nomor: 0220009861929"])) == []
    assert values(read_document(["NOMOR INDUK BERUSAHA", "0220009861929"])) == ["0220009861929"]
    assert values(read_document(["PERIZINAN BERUSAHA BERBASIS RISIKO NOMOR INDUK BERUSAHA", "0220009861929"])) == [
        "0220009861929"
    ]


def test_a_p_irt_number_must_have_a_plausible_body():
    # packaging digit 0 or no province code where the kab/kota code starts: an OCR slip, not a P-IRT
    assert values(read_document(["P-IRT No. 0113212010651-29"])) == []
    assert values(read_document(["P-IRT No. 2110012010651-29"])) == []


def test_two_numbers_of_the_page_permit_are_both_offered_for_the_owner_to_choose():
    page = ["SERTIFIKAT HALAL", "Nomor: ID32110000474710722", "Nomor: ID32110000474710723"]
    reading = read_document(page)
    assert values(reading) == ["ID32110000474710722", "ID32110000474710723"]
    assert reading.number is None  # the owner chooses


def test_boxes_on_one_row_are_joined_and_far_digit_boxes_stay_apart():
    row = [
        OcrLine("NIB", (100, 500, 160, 530), 0.99),
        OcrLine(":", (165, 500, 172, 530), 0.9),
        OcrLine("0220 0098 61929", (180, 498, 420, 532), 0.98),
        OcrLine("PERIZINAN BERUSAHA BERBASIS RISIKO", (300, 100, 600, 140), 0.99),
    ]
    assert values(read_document(row)) == ["0220009861929"]
    apart = [
        OcrLine("Nomor", (100, 500, 190, 530)),
        OcrLine("022000986", (200, 500, 350, 530)),
        OcrLine("1929", (700, 500, 770, 530)),
    ]
    assert read_document(apart).candidates == ()
    as_points = [("NIB : 0220009861929", [[100, 500], [400, 500], [400, 530], [100, 530]], 0.97)]
    assert values(read_document(as_points)) == ["0220009861929"]


def test_a_row_read_with_low_confidence_is_not_offered():
    assert read_document([OcrLine("NIB : 0220009861929", (0, 0, 300, 30), 0.3)]).candidates == ()


def test_strong_shapes_are_read_without_a_title():
    assert values(read_document(["ID32110000474710722"])) == ["ID32110000474710722"]
    assert values(read_document(["MD 224510107115"])) == ["MD224510107115"]
    assert read_document(["ID32110000474710722"]).permit is PermitType.HALAL


def test_page_permit_from_title_words_even_with_spaces_lost():
    assert page_permit(["BADAN PENGAWASOBAT DAN MAKANAN"]) is PermitType.BPOM
    assert page_permit(["SERTIFIKATPRODUKSIPANGAN", "INDUSTRIRUMAHTANGGA"]) is PermitType.PIRT
    assert page_permit(["Diberikan kepada"]) is None


def test_repair_leaves_words_and_plain_numbers_alone():
    assert repair_ocr_text("Kios Sol 12") == "kios sol 12"
    assert repair_ocr_text("Rp1.500.000") == "rp1.500.000"


# A thumb or glare over the start of the number's row leaves the end of a modern number, which has a legacy shape:
# 14 halal digits (MUI) or a 12-digit P-IRT body.  OCR lines as RapidOCR read two photos of the occlusion probe
# (tests/documents/make_photos.py `make_occlusion_set`, seed 21: python bench/ocr.py --set occlusion).
HALAL_START_UNDER_A_THUMB = [  # 24-occlusion-halal-finger-start-28.jpg: ID63434450915441010, "Nomor: ID634" hidden
    OcrLine("KEMENTERIAN AGAMA REPUBLIK INDONESIA", (373, 164, 1247, 223), 0.99),
    OcrLine("BADAN PENYELENGGARA JAMINAN PRODUK HALAL", (316, 212, 1299, 273), 1.00),
    OcrLine("SERTIFIKAT HALAL", (525, 269, 1094, 331), 1.00),
    OcrLine("34450915441010", (766, 350, 1144, 401), 1.00),
    OcrLine("Diberikan kepada:", (238, 435, 512, 482), 1.00),
    OcrLine("Nama Pelaku Usaha : KUE BASAH BU ATIK", (233, 481, 930, 533), 0.99),
    OcrLine("Nomor Ketetapan Halal : KH.279/02/2023", (215, 679, 899, 733), 0.98),
    OcrLine("Tanggal Terbit : 24 Juli 2023", (211, 731, 682, 783), 0.97),
]
PIRT_START_UNDER_A_THUMB = [  # 60-occlusion-pirt-finger-start-04.jpg: 2413123887767-31, "No. PIRT: 2" hidden
    OcrLine("DINAS PENANAMAN MODAL DAN PTSP", (487, 245, 1243, 340), 0.99),
    OcrLine("SERTIFIKAT PRODUKSI PANGAN", (479, 303, 1246, 401), 1.00),
    OcrLine("INDUSTRI RUMAH TANGGA", (536, 375, 1188, 463), 1.00),
    OcrLine("Nomor: 503/149/SPP-IRT/2025", (293, 426, 791, 496), 1.00),
    OcrLine("NIB:1264422067719", (289, 616, 654, 675), 0.99),
    OcrLine("Telp/HP:08277540057", (289, 715, 672, 775), 1.00),
    OcrLine("ong", (777, 786, 844, 830), 1.00),
    OcrLine("413123887767-31", (786, 832, 1129, 886), 0.99),
    OcrLine("Sertifikat ini berlaku 5 (lima) tahun", (290, 908, 797, 964), 0.98),
]


@pytest.mark.parametrize("page", [HALAL_START_UNDER_A_THUMB, PIRT_START_UNDER_A_THUMB])
def test_the_end_of_a_number_whose_start_is_hidden_is_not_offered(page):
    assert read_document(page).candidates == ()


def test_legacy_numbers_are_read_after_their_label_and_an_mui_number_starts_with_00():
    assert values(read_document(["SERTIFIKAT HALAL", "Nomor: 00150012345678"])) == ["00150012345678"]
    assert values(read_document(["SERTIFIKAT HALAL", "Nomor: 34450915441010"])) == []
    assert values(read_document(["P-IRT No. 206337601001-20"])) == ["206337601001-20"]
    assert (
        values(read_document(["SERTIFIKAT PRODUKSI PANGAN INDUSTRI RUMAH TANGGA", "Telp 0812", "206337601001-20"]))
        == []
    )
