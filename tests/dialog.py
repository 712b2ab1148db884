"""Helpers to drive whole conversations in tests: through the pure engine or the database service."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.channels.console import render
from bot.service import ConversationService
from conversations import Inbound, InboundKind, Reply, Session, step
from conversations.effects import Effect
from conversations.report import Report
from conversations.turn import Context
from conversations.understanding.places import RegionDirectory


def rendered(replies: list[Reply]) -> str:
    """Replies as the console shows them."""
    return "\n\n".join(render(r) for r in replies)


@dataclass
class EngineChat:
    """One owner talking to the pure engine; effects are applied to an in-memory report."""

    regions: RegionDirectory
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    session: Session = field(default_factory=Session)
    report: Report = field(default_factory=Report)
    effects: list[Effect] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)
    channel: str = "console"
    supports_photos: bool = False

    def send_inbound(self, inbound: Inbound) -> str:
        """Send any neutral event; returns the rendered replies."""
        ctx = Context(now=self.now, report=self.report, regions=self.regions, office_name="Dinas Kota Metro")
        result = step(self.session, inbound, ctx)
        self.session = result.session
        for effect in result.effects:
            self.report = self.report.apply(effect, self.now, self.channel)
        self.effects += result.effects
        self.last = result.replies
        return rendered(result.replies)

    def send(self, text: str) -> str:
        """Type a message."""
        return self.send_inbound(
            Inbound(kind=InboundKind.TEXT, text=text, channel=self.channel, supports_photos=self.supports_photos)
        )

    def press(self, choice_id: str) -> str:
        """Press a button by its choice id."""
        return self.send_inbound(
            Inbound(
                kind=InboundKind.CHOICE, choice_id=choice_id, channel=self.channel, supports_photos=self.supports_photos
            )
        )

    def dialog(self, turns: list[tuple[str, str]]) -> None:
        """Say each message and check that the reply contains the expected fragment."""
        for said, expected in turns:
            reply = self.send(said)
            assert expected.lower() in reply.lower(), f"after {said!r} expected {expected!r} in:\n{reply}"

    def later(self, **delta: float) -> None:
        """Let time pass."""
        self.now += timedelta(**delta)

    def choice_ids(self) -> list[str]:
        """Ids of the choices offered by the last reply."""
        return [c.id for r in self.last for c in r.choices]


@dataclass
class ServiceChat:
    """One owner talking through the database-backed service (the path every channel uses)."""

    service: ConversationService
    user: str = "1"
    platform: str = "console"
    last: list[Reply] = field(default_factory=list)

    def send(self, text: str) -> str:
        """Type a message."""
        self.last = self.service.handle(self.platform, self.user, Inbound.text_message(text, channel=self.platform))
        return rendered(self.last)

    def send_inbound(self, inbound: Inbound) -> str:
        """Send any neutral event."""
        self.last = self.service.handle(self.platform, self.user, replace(inbound, channel=self.platform))
        return rendered(self.last)

    def dialog(self, turns: list[tuple[str, str]]) -> None:
        """Say each message and check that the reply contains the expected fragment."""
        for said, expected in turns:
            reply = self.send(said)
            assert expected.lower() in reply.lower(), f"after {said!r} expected {expected!r} in:\n{reply}"
