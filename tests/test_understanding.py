"""Table tests for the readers of whole owner sentences: closings, names among chatter, questions back, permits."""

from __future__ import annotations

import pytest

from conversations.understanding.answers import Answer, says_no_more, split_leading_answer
from conversations.understanding.names import NameKind, ReadName, read_name
from conversations.understanding.numbers import parse_headcount, parse_money
from conversations.understanding.permit_mentions import read_permit_statuses
from conversations.understanding.questions import question_topic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sudah itu saja", True),
        ("udah itu aja", True),
        ("sudah nak itu saja", True),
        ("cukup", True),
        ("gak ada lagi bu", True),
        ("udah semua", True),
        ("sudah", False),  # "yes, already" at a permit question
        ("iya", False),
        ("keripik", False),
        ("ada lagi", False),
    ],
)
def test_says_no_more(text: str, expected: bool) -> None:
    assert says_no_more(text) is expected


@pytest.mark.parametrize(
    ("text", "said", "rest"),
    [
        ("iya, ikut sentra keripik X", Answer.YES, "ikut sentra keripik X"),
        ("ok pak, Kopi Luwak", Answer.YES, "Kopi Luwak"),
        ("tidak", Answer.NO, ""),
        ("Sentra Keripik Yosomulyo", None, "Sentra Keripik Yosomulyo"),
    ],
)
def test_split_leading_answer(text: str, said: Answer | None, rest: str) -> None:
    assert split_leading_answer(text) == (said, rest)


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("Sri Wahyuni", NameKind.NAME, "Sri Wahyuni"),
        ("Kopi Nak Lanang", NameKind.NAME, "Kopi Nak Lanang"),
        ("Kain batik tulis", NameKind.NAME, "Kain batik tulis"),
        ("nama saya Budi Santoso", NameKind.NAME, "Budi Santoso"),
        ("lho kok dr awal lg", NameKind.CHATTER, None),
        ("tidak", NameKind.CHATTER, None),
        ("buat apa data saya?", NameKind.CHATTER, None),
        (
            "Tidak ada namanya nak, orang biasa sebut rotan pak haji sulaiman yosorejo",
            NameKind.INSIDE,
            "rotan pak haji sulaiman yosorejo",
        ),
        ("kan td udh sy tulis, komunitas kopi bengkulu", NameKind.INSIDE, "komunitas kopi bengkulu"),
    ],
)
def test_read_name(text: str, kind: str, name: str | None) -> None:
    assert read_name(text) == ReadName(kind, name)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("nib itu apa ya bu? sy gk tau", "nib"),
        ("apa itu djki?", "merek"),
        ("apa itu MD? wajib gk buat sambal?", "bpom"),
        ("Apa bisa dibantu buatkan?", "help"),
        ("buat apa data saya? nanti dipajakin ya?", "data"),
        ("gratis?", "cost"),
        ("nib udh ada", None),
        ("Keripik Pisang", None),
        ("ikut sentra keripik gading", None),
    ],
)
def test_question_topic(text: str, topic: str | None) -> None:
    assert question_topic(text) == topic


def test_permit_statuses_in_one_message() -> None:
    found = read_permit_statuses("sdh ada nib dan pirt, halal blm")
    assert {permit: said for permit, (said, _words) in found.items()} == {
        "nib": Answer.DONE,
        "pirt": Answer.DONE,
        "halal": Answer.NOT_YET,
    }
    assert read_permit_statuses("udh ada") == {}


@pytest.mark.parametrize(
    ("text", "count"),
    [("sy sendiri sm 2 anak", 3), ("saya dibantu 2 orang", 3), ("5 orang termasuk saya", 5), ("berdua", 2), ("6", 6)],
)
def test_headcount_includes_the_owner(text: str, count: int) -> None:
    assert parse_headcount(text) == count


def test_average_money() -> None:
    assert parse_money("rata2 dua juta setengah") == 2_500_000
