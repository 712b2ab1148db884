"""The console simulator: owner messages on stdin, one a line; replies on stdout."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from conversations import Inbound, InboundKind, Reply

# Lines that stand for what a phone would send instead of text (documented in the README).
SIMULATED = {
    "/foto": InboundKind.PHOTO,
    "/stiker": InboundKind.STICKER,
    "/suara": InboundKind.VOICE,
    "/lokasi": InboundKind.LOCATION,
    "/kontak": InboundKind.CONTACT,
}


def parse_console_line(line: str, photo_counter: int = 0) -> Inbound:
    """Turn one typed line into a neutral event (``/foto PATH``, ``/foto caption``, ``/lokasi -5.1,105.3`` ...)."""
    text = line.rstrip("\r\n")
    head, _, rest = text.strip().partition(" ")
    kind = SIMULATED.get(head.lower())
    if kind is InboundKind.PHOTO:
        path = Path(rest.strip().strip("'\"")).expanduser()
        if rest.strip() and path.is_file():  # a real photo or PDF, sent as a phone would send it
            if path.read_bytes()[:5] == b"%PDF-":
                kind = InboundKind.DOCUMENT
            return Inbound(kind=kind, media_ref=f"file:{path.resolve()}", channel="console")
        return Inbound(kind=kind, text=rest, media_ref=f"console:photo:{photo_counter}", channel="console")
    if kind is InboundKind.LOCATION:
        try:
            lat, lng = (float(part) for part in rest.replace(" ", "").split(","))
        except ValueError:
            return Inbound.text_message(text)
        return Inbound(kind=kind, latitude=lat, longitude=lng, channel="console")
    if kind is InboundKind.CONTACT:
        return Inbound(kind=kind, contact_phone=rest.strip(), channel="console")
    if kind is not None:
        return Inbound(kind=kind, channel="console")
    return Inbound.text_message(text)


def render(reply: Reply) -> str:
    """A reply as console text: the message, then its choices as numbered lines."""
    lines = [f"[gambar: {reply.image.removeprefix('file:')}]", reply.text] if reply.image else [reply.text]
    for number, choice in enumerate(reply.choices, start=1):
        line = f"  {number}. {choice.label}"
        if choice.description:
            line += f" – {choice.description}"
        lines.append(line)
    return "\n".join(lines)


def run_console(
    handle: Callable[[Inbound], list[Reply]],
    lines: Iterable[str],
    out: TextIO,
    prompt: str = "",
) -> int:
    """Feed each line to `handle` and print the replies; returns the number of messages handled."""
    count = 0
    if prompt:
        out.write(prompt)
        out.flush()
    for line in lines:
        inbound = parse_console_line(line, photo_counter=count)
        for reply in handle(inbound):
            out.write(render(reply) + "\n\n")
        count += 1
        if prompt:
            out.write(prompt)
        out.flush()
    return count
