"""Questions owners ask back instead of answering ("nib itu apa?", "gratis gak?", "buat apa data saya?")."""

from __future__ import annotations

import re

# What a question is about, by the words in it; the first topic that matches wins (most specific first).
_TOPICS: tuple[tuple[str, str], ...] = (
    (
        "help",
        r"(?:bisa|bs|boleh|minta|mohon|tolong)\s+(?:di\s*)?bantu|dibantu\s+(?:buat|urus|bikin)|bantu(?:in)?\s+(?:buat|urus|bikin)",
    ),
    (
        "data",
        r"\bpajak\w*|\bdata\s+(?:saya|sy|kami|ku)\b|\bdata\w*\s+(?:buat|untuk|utk)\s+apa|disebar|dijual|aman\s+(?:gak|ga|tidak|kah)",
    ),
    ("pirt", r"\b(?:spp\s*-?\s*irt|p\s*-?\s*irt|pirt|irt)\b"),
    ("bpom", r"\b(?:b\s*\.?\s*pom|pom|md|ml|izin\s+edar)\b"),
    ("halal", r"\bhalal\b|\bbpjph\b|\bsihalal\b|self\s*-?\s*declare"),
    ("merek", r"\b(?:merek|merk|haki|hki|djki)\b"),
    ("kbli", r"\bkbli\b"),
    ("kur", r"\bkur\b|kredit\s+usaha|pinjaman|modal\s+usaha"),
    ("nib", r"\b(?:nib|oss|nomor\s+induk\s+berusaha)\b"),
    ("sentra", r"\b(?:sentra|paguyuban|komunitas|forum)\b"),
    ("cost", r"\b(?:gratis|bayar|biaya(?:nya)?|berapa\s+(?:harga|ongkos))\b"),
)
_TOPIC_RES = tuple((topic, re.compile(pattern, re.IGNORECASE)) for topic, pattern in _TOPICS)
# Words that make a message a question even without "?".
_ASKING = re.compile(
    r"\b(?:apa|apaan|apakah|itu\s+apa|gimana|gmn|bagaimana|caranya|kenapa|knp|maksudnya|wajib|harus|perlu\s+(?:gak|ga|gk|"
    r"tidak|nggak)|gratis|bayar|biaya(?:nya)?|berapa|dimana|di\s+mana|kemana|ke\s+mana|bisa\s+dibantu|buat\s+apa|"
    r"untuk\s+apa|utk\s+apa)\b",
    re.IGNORECASE,
)


def question_topic(text: str) -> str | None:
    """The topic of a question asked back ("nib", "pirt", "halal", "bpom", "merek", "kbli", "kur", "sentra", "cost",
    "help", "data"), or None when the text is not such a question."""
    if "?" not in text and not _ASKING.search(text):
        return None
    return next((topic for topic, pattern in _TOPIC_RES if pattern.search(text)), None)
