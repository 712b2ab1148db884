"""Every flow of the conversation; importing this package registers their questions."""

from conversations.flows import (  # noqa: F401
    common,
    consent,
    corrections,
    needs,
    noted,
    permits,
    photo_numbers,
    privacy,
    products,
    registration,
    reminders,
    summary,
)
