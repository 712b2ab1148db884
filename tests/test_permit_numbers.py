"""Table tests for reading permit numbers typed by owners (conversations.permit_numbers)."""

import pytest

from conversations.understanding.permit_numbers import (
    NumberError,
    NumberProblem,
    PermitNumber,
    PermitType,
    example_number,
    parse_permit_number,
)

NIB, PIRT, HALAL, BPOM, MEREK = (
    PermitType.NIB,
    PermitType.PIRT,
    PermitType.HALAL,
    PermitType.BPOM,
    PermitType.MEREK,
)
P = NumberProblem

NIB_OK = ("0220009861929", "0220 0098 61929", None, None)
PIRT_OK = ("2113212010651-29", "P-IRT No. 2113212010651-29", 2029, None)
PIRT_LEGACY = ("206351401041-20", "P-IRT No. 206351401041-20", 2020, "legacy")
HALAL_OK = ("ID32110000474710722", "ID32110000474710722", None, None)
HALAL_MUI = ("00150099991220", "00150099991220", None, "legacy")
MD_12 = ("MD224510107115", "BPOM RI MD 224510107115", None, "md")
MD_15 = ("MD240935001200027", "BPOM RI MD 240935001200027", None, "md")
MEREK_OK = ("IDM000123456", "IDM000123456", None, None)
MEREK_APP = ("DID2021012345", "DID2021012345", None, "application")

# (permit, typed text, (value, display, expiry_year, kind))
VALID = [
    # NIB: groups, labels, separators, surrounding text, leading zero kept
    (NIB, "0220009861929", NIB_OK),
    (NIB, "NIB : 0220 0098 61929", NIB_OK),
    (NIB, "nib saya 0220 0098 61929 pak", NIB_OK),
    (NIB, "No. NIB 0220.0098.61929", NIB_OK),
    (NIB, "nomor: 0220-0098-61929", NIB_OK),
    (NIB, "0220/0098/61929", NIB_OK),
    (NIB, "NIB0220009861929", NIB_OK),
    (NIB, "sudah, 0220 0098 61929", NIB_OK),
    (NIB, "nib 0220009861929, hp 081234567890", NIB_OK),
    (NIB, "0220009861929 081234567890", NIB_OK),  # two numbers, not glued
    (NIB, "NIB\uff1a\uff10\uff12\uff12\uff10\uff10\uff10\uff19\uff18\uff16\uff11\uff19\uff12\uff19", NIB_OK),
    (NIB, "nib 0220009861929 pirt 2113212010651-29", NIB_OK),
    (NIB, "0000012345678", ("0000012345678", "0000 0123 45678", None, None)),
    (NIB, "botol 250 ml, 250ml 0220009861929", NIB_OK),  # "ml" here is a unit, not a BPOM prefix
    # P-IRT: labels and every year separator
    (PIRT, "P-IRT No. 2113212010651-29", PIRT_OK),
    (PIRT, "PIRT 2113212010651 - 29", PIRT_OK),
    (PIRT, "SPP-IRT no. 2113212010651 \u2013 29", PIRT_OK),
    (PIRT, "p-irt no 2113212010651\u201429", PIRT_OK),
    (PIRT, "pirt 2113212010651 29", PIRT_OK),
    (PIRT, "2.11.3212.01.0651-29", PIRT_OK),
    (PIRT, "2 11 3212 01 0651-29", PIRT_OK),
    (PIRT, "211321201065129", PIRT_OK),  # glued, plausible body (packaging 2, province 32)
    (PIRT, "2113212010651-2029", PIRT_OK),  # 4-digit year stored as 2 digits
    (PIRT, "pirt 2113212010651-29 berlaku sampai 2029", PIRT_OK),
    (PIRT, "nib 0220009861929 pirt 2113212010651-29", PIRT_OK),
    (PIRT, "P-IRT No. 2113212010651-05", ("2113212010651-05", "P-IRT No. 2113212010651-05", 2005, None)),
    (PIRT, "P-IRT No. 206351401041-20", PIRT_LEGACY),
    (PIRT, "20635140104120", PIRT_LEGACY),
    # Halal
    (HALAL, "ID32110000474710722", HALAL_OK),
    (HALAL, "Sertifikat Halal: ID 3211 0000 4747 10722", HALAL_OK),
    (HALAL, "no halal id32110000474710722", HALAL_OK),
    (HALAL, "32110000474710722", HALAL_OK),  # "ID" added
    (HALAL, "00150099991220", HALAL_MUI),
    (HALAL, "MUI 0015 0099 9912 20", HALAL_MUI),  # not split as a P-IRT year: implausible body
    (HALAL, "KH-123/2023, sertifikat ID32110000474710722", HALAL_OK),
    # BPOM
    (BPOM, "MD 224510107115", MD_12),
    (BPOM, "BPOM RI MD 2245 1010 7115", MD_12),
    (BPOM, "md224510107115", MD_12),
    (BPOM, "MD-224510107115", MD_12),
    (BPOM, "MD240935001200027", MD_15),
    (BPOM, "BPOM RI ML 123456789012", ("ML123456789012", "BPOM RI ML 123456789012", None, "ml")),
    # Merek
    (MEREK, "IDM000123456", MEREK_OK),
    (MEREK, "idm 000 123 456", MEREK_OK),
    (MEREK, "000123456", MEREK_OK),  # lenient: prefix added
    (MEREK, "DID2021012345", MEREK_APP),
    (MEREK, "did 2021012345", MEREK_APP),
    (MEREK, "JID2021012345", ("JID2021012345", "JID2021012345", None, "application")),
]

# (permit, typed text, problem, digits_found, looks_like)
INVALID = [
    # nothing like a number
    (NIB, "", P.EMPTY, 0, None),
    (NIB, "NIB: belum punya", P.EMPTY, 0, None),
    (NIB, "1", P.EMPTY, 0, None),
    (PIRT, "usaha sudah 2 tahun", P.EMPTY, 0, None),
    # lengths
    (NIB, "0220 0098 6192", P.TOO_SHORT, 12, None),
    (NIB, "0220 0098 619299", P.TOO_LONG, 14, None),
    (NIB, "0220 0098 61929 1", P.TOO_LONG, 14, None),  # stray digit is not dropped
    (NIB, "0" * 50, P.TOO_LONG, 50, None),
    (PIRT, "21132120106-29", P.TOO_SHORT, 11, None),  # body digits counted, year recognised
    (PIRT, "21132120106511-29", P.TOO_LONG, 14, None),
    (PIRT, "21132120", P.TOO_SHORT, 8, None),
    (HALAL, "ID3211000047471072", P.TOO_SHORT, 16, None),
    (HALAL, "ID321100004747107221", P.TOO_LONG, 18, None),
    (HALAL, "1234567890", P.TOO_SHORT, 10, None),
    (BPOM, "MD 2245 1010 711", P.TOO_SHORT, 11, None),
    (BPOM, "MD 2245101071150", P.TOO_LONG, 13, None),  # nearest valid length is 12
    (BPOM, "MD 22451010711500", P.TOO_SHORT, 14, None),  # nearest valid length is 15
    (BPOM, "MD 123", P.TOO_SHORT, 3, None),
    (MEREK, "IDM00012345", P.TOO_SHORT, 8, None),
    (MEREK, "DID20210123", P.TOO_SHORT, 8, None),
    # letters where digits belong
    (NIB, "O220 0098 61929", P.NOT_DIGITS, 12, None),
    (NIB, "0220 OO98 61929", P.NOT_DIGITS, 11, None),
    (NIB, "022000986l929", P.NOT_DIGITS, 12, None),
    (HALAL, "ID 3211 OOOO 4747 10722", P.NOT_DIGITS, 13, None),
    (BPOM, "MD 2245 1O1O 7115", P.NOT_DIGITS, 10, None),
    # P-IRT without a year
    (PIRT, "2113212010651", P.MISSING_YEAR, 13, None),
    (PIRT, "P-IRT No. 2113 2120 1065 1", P.MISSING_YEAR, 13, None),
    (PIRT, "206351401041", P.MISSING_YEAR, 12, None),
    (PIRT, "2113212010651-2129", P.MISSING_YEAR, 13, None),  # not a year in 2000-2099
    (PIRT, "2113212010651, exp 29", P.MISSING_YEAR, 13, None),  # comma: not glued
    # missing prefix
    (BPOM, "224510107115", P.MISSING_PREFIX, 12, None),
    (BPOM, "no bpom 2245 1010 7115", P.MISSING_PREFIX, 12, None),
    (BPOM, "240935001200027", P.MISSING_PREFIX, 15, None),
    (MEREK, "2021012345", P.MISSING_PREFIX, 10, None),
    # fatwa (ketetapan halal) number
    (HALAL, "KH-123/MUI/2023", P.FATWA_NUMBER, 7, None),
    (HALAL, "Kh.Ma.2023.0012", P.FATWA_NUMBER, 8, None),
    (HALAL, "nomor KH 123/2023", P.FATWA_NUMBER, 7, None),
    # wrong permit
    (NIB, "P-IRT No. 2113212010651-29", P.WRONG_PERMIT, 15, PIRT),
    (NIB, "2113212010651 29", P.WRONG_PERMIT, 15, PIRT),  # NIB-length body followed by a year
    (NIB, "211321201065129", P.WRONG_PERMIT, 15, PIRT),
    (NIB, "MD 224510107115", P.WRONG_PERMIT, 12, BPOM),
    (NIB, "ID32110000474710722", P.WRONG_PERMIT, 17, HALAL),
    (NIB, "IDM000123456", P.WRONG_PERMIT, 9, MEREK),
    (NIB, "00150099991220", P.WRONG_PERMIT, 14, HALAL),
    (NIB, "KH-123/MUI/2023", P.WRONG_PERMIT, 7, HALAL),
    (PIRT, "0220 0098 61929", P.WRONG_PERMIT, 13, NIB),  # NIB typed for P-IRT: body can't start with 0
    (PIRT, "ID32110000474710722", P.WRONG_PERMIT, 17, HALAL),
    (PIRT, "MD 224510107115", P.WRONG_PERMIT, 12, BPOM),
    (PIRT, "0015 0099 9912 20", P.WRONG_PERMIT, 14, HALAL),
    (HALAL, "MD 224510107115", P.WRONG_PERMIT, 12, BPOM),
    (HALAL, "BPOM RI MD 2245 1010 7115", P.WRONG_PERMIT, 12, BPOM),
    (HALAL, "0220 0098 61929", P.WRONG_PERMIT, 13, NIB),
    (HALAL, "P-IRT No. 206351401041-20", P.WRONG_PERMIT, 14, PIRT),
    (HALAL, "IDM000123456", P.WRONG_PERMIT, 9, MEREK),
    (BPOM, "P-IRT 2113212010651-29", P.WRONG_PERMIT, 15, PIRT),
    (BPOM, "0220009861929", P.WRONG_PERMIT, 13, NIB),
    (BPOM, "ID32110000474710722", P.WRONG_PERMIT, 17, HALAL),
    (MEREK, "0220 0098 61929", P.WRONG_PERMIT, 13, NIB),  # not the merek-length "0098 61929" inside
    (MEREK, "MD 224510107115", P.WRONG_PERMIT, 12, BPOM),
    (MEREK, "ID32110000474710722", P.WRONG_PERMIT, 17, HALAL),
]


def _case_id(case: tuple[object, ...]) -> str:
    return f"{case[0]}:{case[1]}"


@pytest.mark.parametrize(("permit", "text", "expected"), VALID, ids=[_case_id(c) for c in VALID])
def test_valid_numbers(permit: PermitType, text: str, expected: tuple[str, str, int | None, str | None]) -> None:
    value, display, expiry_year, kind = expected
    assert parse_permit_number(permit, text) == PermitNumber(permit, value, display, expiry_year, kind)


@pytest.mark.parametrize(
    ("permit", "text", "problem", "digits_found", "looks_like"), INVALID, ids=[_case_id(c) for c in INVALID]
)
def test_problems(
    permit: PermitType, text: str, problem: NumberProblem, digits_found: int, looks_like: PermitType | None
) -> None:
    assert parse_permit_number(permit, text) == NumberError(permit, problem, digits_found, looks_like)


@pytest.mark.parametrize("permit", list(PermitType))
def test_example_number_is_valid_and_shown_as_printed(permit: PermitType) -> None:
    example = example_number(permit)
    parsed = parse_permit_number(permit, example)
    assert isinstance(parsed, PermitNumber)
    assert parsed.display == example
