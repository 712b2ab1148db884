"""Claiming outbox rows: each chat's messages go in order, several at a time, never past one that must wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.models import OutboxMessage
from bot.outbox import PRIORITY_BROADCAST, claim_due, enqueue, mark_retry, mark_sent_many, release

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
