"""Claiming outbox rows: each chat's messages go in order, several at a time, never past one that must wait.

Answers the inbox worker hands straight to the sender keep that order too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.messaging.adapters import SendResult
from bot.messaging.outbox import (
    PRIORITY_BROADCAST,
    PRIORITY_REPLY,
    Claimed,
    claim_due,
    enqueue,
    mark_retry,
    mark_sent_many,
    release,
    unsent_before,
)
from bot.messaging.sender import Sender
from bot.storage.models import OutboxMessage

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def queue(engine: Engine, chat: str, texts: list[str], priority: int = 0) -> list[int]:
    with Session(engine) as db:
        kind = "broadcast" if priority == PRIORITY_BROADCAST else "reply"
        ids = enqueue(
            db, "telegram", chat, [{"type": "text", "text": t} for t in texts], NOW, kind=kind, priority=priority
        )
        db.commit()
        return ids


def texts(batches: list) -> list[list[str]]:
    return [[m.payload["text"] for m in batch] for batch in batches]


def test_a_chats_answer_is_claimed_together_in_order(engine: Engine) -> None:
    queue(engine, "1", ["satu", "dua", "tiga"])
    queue(engine, "2", ["halo"])
    batches, waiting = claim_due(engine, NOW, 10, set(), {"telegram"})
    assert texts(batches) == [["satu", "dua", "tiga"], ["halo"]]
    assert waiting == set()
    assert claim_due(engine, NOW, 10, set(), {"telegram"})[0] == []  # taken: nothing twice


def test_a_message_waiting_for_a_retry_holds_back_the_ones_after_it(engine: Engine) -> None:
    first, second, third = queue(engine, "1", ["satu", "dua", "tiga"])
    batches, _ = claim_due(engine, NOW, 10, set(), {"telegram"})
    mark_sent_many(engine, [(first, "m1")], NOW)
    mark_retry(engine, second, NOW + timedelta(minutes=5), "500")
    release(engine, [third])  # not tried: back in the queue behind the retry
    assert claim_due(engine, NOW, 10, set(), {"telegram"})[0] == []
    later, _ = claim_due(engine, NOW + timedelta(minutes=6), 10, set(), {"telegram"})
    assert texts(later) == [["dua", "tiga"]]
    with Session(engine) as db:
        attempts = {row.payload["text"]: row.attempts for row in db.exec(select(OutboxMessage)).all()}
    assert attempts == {"satu": 1, "dua": 2, "tiga": 1}  # a released message's attempt is not counted


def test_deliveries_are_recorded_each_with_its_platform_id(engine: Engine) -> None:
    first, second, third = queue(engine, "1", ["satu", "dua", "tiga"])
    claim_due(engine, NOW, 10, set(), {"telegram"})
    mark_retry(engine, second, NOW, "500: server error")  # a failed try leaves its error, which a delivery clears
    mark_sent_many(engine, [(third, "m3"), (first, "m1"), (second, None)], NOW)
    with Session(engine) as db:
        rows = {row.id: row for row in db.exec(select(OutboxMessage)).all()}
    assert {id: rows[id].platform_message_id for id in (first, second, third)} == {
        first: "m1",
        second: None,
        third: "m3",
    }
    assert all(row.status == "sent" and row.error is None for row in rows.values())
    assert all(row.sent_at is not None and row.sent_at.replace(tzinfo=UTC) == NOW for row in rows.values())


def test_busy_chats_are_skipped_and_reported(engine: Engine) -> None:
    queue(engine, "1", ["satu"])
    queue(engine, "2", ["halo"])
    batches, waiting = claim_due(engine, NOW, 10, {("telegram", "1")}, {"telegram"})
    assert texts(batches) == [["halo"]]
    assert waiting == {("telegram", "1")}


def test_delivered_but_unrecorded_messages_do_not_hold_their_chat(engine: Engine) -> None:
    (first,) = queue(engine, "1", ["satu"])
    claim_due(engine, NOW, 10, set(), {"telegram"})
    queue(engine, "1", ["dua"])
    assert claim_due(engine, NOW, 10, set(), {"telegram"})[0] == []  # "satu" may still be on its way
    batches, _ = claim_due(engine, NOW, 10, set(), {"telegram"}, recorded=frozenset({first}))
    assert texts(batches) == [["dua"]]


def test_a_reply_goes_before_an_older_broadcast_of_the_same_chat(engine: Engine) -> None:
    queue(engine, "1", ["pengumuman"], priority=PRIORITY_BROADCAST)
    queue(engine, "1", ["jawaban"])
    batches, _ = claim_due(engine, NOW, 10, set(), {"telegram"})
    assert texts(batches) == [["jawaban"]]


class Recorder:
    """A transport that records what it sends; the first send can be held until released."""

    platform = "telegram"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.hold_first = asyncio.Event()
        self.hold_first.set()

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        if not self.sent:
            await self.hold_first.wait()
        self.sent.append(payload["text"])
        return SendResult("sent", message_id=f"m{len(self.sent)}")


def hand_over(engine: Engine, chat: str, texts: list[str]) -> tuple[list[Claimed], list[int]]:
    """Store an answer already claimed, as the inbox worker does; the answer and its chat's older unsent messages."""
    with Session(engine) as db:
        payloads = [{"type": "text", "text": t} for t in texts]
        ids = enqueue(db, "telegram", chat, payloads, NOW, claim=True)
        older = unsent_before(db, "telegram", chat, ids[0], PRIORITY_REPLY)
        db.commit()
    return [Claimed(i, "telegram", chat, None, p, 1, "reply") for i, p in zip(ids, payloads, strict=True)], older


def statuses(engine: Engine) -> dict[str, tuple[str, int]]:
    with Session(engine) as db:
        return {row.payload["text"]: (row.status, row.attempts) for row in db.exec(select(OutboxMessage)).all()}


def test_a_handed_over_answer_behind_a_message_waiting_for_its_retry_waits_its_turn(engine: Engine) -> None:
    (first,) = queue(engine, "1", ["satu"])
    claim_due(engine, NOW, 10, set(), {"telegram"})
    mark_retry(engine, first, NOW + timedelta(minutes=5), "500")
    answer, older = hand_over(engine, "1", ["dua"])
    assert older == [first]
    transport = Recorder()

    async def run() -> None:
        sender = Sender(engine, {"telegram": transport}, {}, clock=lambda: NOW)
        sender.submit(answer, older)
        while sender._handed:
            await asyncio.sleep(0.01)

    asyncio.run(run())
    assert transport.sent == []  # not past "satu"
    assert statuses(engine) == {"satu": ("queued", 1), "dua": ("queued", 0)}  # back in the queue, no attempt used
    later, _ = claim_due(engine, NOW + timedelta(minutes=6), 10, set(), {"telegram"})
    assert texts(later) == [["satu", "dua"]]


def test_answers_handed_over_while_the_chat_is_sending_go_after_it_in_order(engine: Engine) -> None:
    transport = Recorder()
    transport.hold_first.clear()

    async def run() -> None:
        stop = asyncio.Event()
        sender = Sender(engine, {"telegram": transport}, {}, clock=lambda: NOW)
        running = asyncio.create_task(sender.run(stop))
        await asyncio.sleep(0.2)  # the sender has started (nothing left in flight to re-queue)
        sender.submit(*hand_over(engine, "1", ["satu", "dua"]))
        await asyncio.sleep(0.05)  # "satu" is on its way and held there
        second, older = hand_over(engine, "1", ["tiga"])
        assert len(older) == 2  # both still unsent: this sender's own, so "tiga" queues behind them
        sender.submit(second, older)
        transport.hold_first.set()
        for _ in range(200):
            if statuses(engine) == {t: ("sent", 1) for t in ("satu", "dua", "tiga")}:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await running

    asyncio.run(run())
    assert transport.sent == ["satu", "dua", "tiga"]
    assert statuses(engine) == {t: ("sent", 1) for t in ("satu", "dua", "tiga")}


def test_a_database_error_mid_chat_puts_the_chats_messages_back_at_once(engine: Engine) -> None:
    transport = Recorder()

    def gate(message: Claimed) -> tuple[str, dict[str, Any] | None]:
        if message.payload["text"] == "dua":  # the 24-hour check of the second message meets a dead database
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return "send", None

    async def run() -> None:
        sender = Sender(engine, {"telegram": transport}, {}, clock=lambda: NOW, gates={"telegram": gate})
        sender.submit(*hand_over(engine, "1", ["satu", "dua", "tiga"]))
        while sender._handed:
            await asyncio.sleep(0.01)
        mark_sent_many(engine, sender._take_sent(), NOW)  # what the flush loop would record

    asyncio.run(run())
    assert transport.sent == ["satu"]
    # Not left "sending" for the 60-second lease: "dua" and "tiga" are queued again, in order, no attempt used up.
    assert statuses(engine) == {"satu": ("sent", 1), "dua": ("queued", 0), "tiga": ("queued", 0)}
    later, _ = claim_due(engine, NOW, 10, set(), {"telegram"})
    assert texts(later) == [["dua", "tiga"]]
