"""Every text an owner can see has an Indonesian translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from conversations.i18n import LOCALES_DIR, Translator, catalog

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{\w+\}")


def source_messages() -> set[str]:
    """Every string marked with _() or N_() in the code, extracted as `pybabel extract` does."""
    found: set[str] = set()
    for package in ("conversations", "bot", "webhook"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords={"_": None, "N_": None},
        ):
            if isinstance(message, str) and message:
                found.add(message)
    return found


def test_code_has_messages_to_translate() -> None:
    assert len(source_messages()) > 200


def test_every_message_has_an_indonesian_translation() -> None:
    indonesian = catalog("id")
    missing = sorted(m for m in source_messages() if not indonesian.get(m))
    assert not missing, "no Indonesian translation for:\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_translations_keep_placeholders(locale: str) -> None:
    wrong = [
        msgid
        for msgid, text in catalog(locale).items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert not wrong


def test_catalog_files_exist_for_both_languages() -> None:
    for locale in ("id", "en"):
        assert (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").exists()


def test_formats_follow_indonesian_conventions() -> None:
    from datetime import date

    _ = Translator("id")
    assert _.date(date(2024, 3, 25)) == "Senin, 25 Maret 2024"
    assert _.money(1_500_000) == "Rp1.500.000"
    assert Translator("en").date(date(2024, 3, 25)) == "Monday, March 25, 2024"


def test_a_guessed_translation_is_never_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "id" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid "Rekap by kabupaten/kota"\nmsgstr "Rekap per kecamatan"\n\n'
        '#, fuzzy\nmsgid "NIB by kabupaten/kota"\nmsgstr "NIB per kecamatan"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("conversations.i18n.LOCALES_DIR", tmp_path)
    catalog.cache_clear()
    try:
        found = catalog("id")
    finally:
        catalog.cache_clear()
    assert found == {"Rekap by kabupaten/kota": "Rekap per kecamatan"}  # the fuzzy guess is left out
