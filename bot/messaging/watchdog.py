"""Whether the background loops still advance: each loop beats once per turn; a loop that has not beaten for a while
while work waits for it is stuck, is logged, and makes /healthz answer 503 (so that an orchestrator restarts it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import utcnow
from bot.storage.models import InboxEvent, OutboxMessage

log = logging.getLogger(__name__)

STUCK_AFTER_SECONDS = 60.0  # each loop turns at least every few seconds when it is idle


def inbox_has_work(engine: Engine) -> bool:
    """Events wait to be processed."""
    with Session(engine) as db:
        return bool(db.execute(select(exists().where(InboxEvent.status == "pending"))).scalar())


def outbox_has_work(engine: Engine) -> bool:
    """Messages are due to be sent."""
    with Session(engine) as db:
        due = exists().where(OutboxMessage.status == "queued", OutboxMessage.not_before <= utcnow())
        return bool(db.execute(select(due)).scalar())


@dataclass
class Watchdog:
    """The last beat of each loop, and what counts as work for it."""

    engine: Engine
    work: dict[str, Callable[[Engine], bool]] = field(default_factory=dict)
    beats: dict[str, float] = field(default_factory=dict)
    _reported: set[str] = field(default_factory=set)

    def watch(self, loop: str, has_work: Callable[[Engine], bool]) -> None:
        """Start watching a loop (it counts as having just beaten)."""
        self.work[loop] = has_work
        self.beat(loop)

    def beat(self, loop: str) -> None:
        """The loop made one turn."""
        self.beats[loop] = time.monotonic()
        if loop in self._reported:
            self._reported.discard(loop)
            log.warning("%s loop advances again", loop)

    def stuck(self) -> list[str]:
        """Loops that have not beaten for STUCK_AFTER_SECONDS while their work waits (logged once per stall)."""
        now = time.monotonic()
        stuck = []
        for loop, has_work in self.work.items():
            silent = now - self.beats.get(loop, now)
            if silent < STUCK_AFTER_SECONDS or not has_work(self.engine):
                continue
            stuck.append(loop)
            if loop not in self._reported:
                self._reported.add(loop)
                log.error("%s loop has not advanced for %.0f s while work waits for it", loop, silent)
        return stuck
