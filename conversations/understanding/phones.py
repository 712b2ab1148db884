"""Indonesian mobile numbers as owners type them ("0812-3456-7890", "+62 812...")."""

from __future__ import annotations

import phonenumbers


def normalise_phone(text: str) -> str | None:
    """An Indonesian mobile number in E.164 ("0812-3456-7890" -> "+6281234567890"), or None."""
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if not digits:
        return None
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """A stored number as people read it: "+62 812-3456-7890"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
