"""An update answered by the process that received it: stored already taken and processed in one transaction, unless
it must wait behind its chat's events; nothing is lost or done twice either way (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.channels.telegram import TelegramAdapter, chat_key
from bot.messaging.inbox import Adapter, Handoff, InboxWorker, store_event
from bot.messaging.outbox import PRIORITY_BROADCAST
from bot.service import ConversationService
from bot.storage.models import InboxEvent, OutboxMessage
from tests.fakes import updates as tg
from tests.test_outbox import queue

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def make_worker(engine: Engine, settings, handed: list[Handoff]) -> InboxWorker:
    adapters: dict[str, Adapter] = {"telegram": TelegramAdapter()}
    service = ConversationService(engine, settings, clock=lambda: NOW)
    return InboxWorker(engine, service, adapters, lambda: NOW, handoff=handed.append, direct=frozenset({"telegram"}))


def answer(worker: InboxWorker, update: dict) -> str:
    return worker.answer_new("telegram", str(update["update_id"]), chat_key(update), update)


def events(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as db:
        return [(e.event_key, e.status) for e in db.exec(select(InboxEvent).order_by(InboxEvent.id)).all()]


def test_an_update_is_stored_taken_and_answered_in_one_go(engine: Engine, settings) -> None:
    handed: list[Handoff] = []
    worker = make_worker(engine, settings, handed)
    older = queue(engine, "1", ["satu"])  # a reply still unsent from before (another process's, say)
    update = tg.text_update(1, "halo")
    assert answer(worker, update) == "done"
    assert events(engine) == [(str(update["update_id"]), "done")]
    [handoff] = handed
    assert handoff.unsent_before == older  # the sender delivers that one first
    assert "Lapor IKM" in handoff.messages[0].payload["text"]
    with Session(engine) as db:
        reply = db.get(OutboxMessage, handoff.messages[0].id)
        assert reply is not None and reply.status == "sending" and reply.inbox_id is not None


def test_an_update_waits_behind_its_chats_waiting_events(engine: Engine, settings) -> None:
    handed: list[Handoff] = []
    worker = make_worker(engine, settings, handed)
    first, second = tg.text_update(1, "halo"), tg.text_update(1, "1")
    assert store_event(engine, "telegram", str(first["update_id"]), "1", first, NOW)  # left by a crash, say
    other = tg.text_update(2, "halo")
    assert answer(worker, second) == "queue"  # must not overtake "halo"
    assert answer(worker, other) == "done"  # another chat goes on
    assert events(engine) == [(str(first["update_id"]), "pending"), (str(other["update_id"]), "done")]
    assert [h.messages[0].chat_id for h in handed] == ["2"]


def test_an_update_sent_again_is_not_answered_twice(engine: Engine, settings) -> None:
    handed: list[Handoff] = []
    worker = make_worker(engine, settings, handed)
    update = tg.text_update(1, "halo")
    assert answer(worker, update) == "done"
    assert answer(worker, update) == "queue"  # a platform's retry: storing it then finds the duplicate
    assert not store_event(engine, "telegram", str(update["update_id"]), "1", update, NOW)
    assert len(handed) == 1 and len(events(engine)) == 1


def test_a_step_that_fails_leaves_nothing_behind(engine: Engine, settings) -> None:
    handed: list[Handoff] = []
    worker = make_worker(engine, settings, handed)

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in a flow")

    worker.service.handle_in = broken  # type: ignore[method-assign]
    update = tg.text_update(1, "halo")
    assert answer(worker, update) == "queue"  # the caller stores it as waiting: retried, counted, kept
    assert events(engine) == [] and handed == []
    with Session(engine) as db:
        assert db.exec(select(OutboxMessage)).all() == []


def test_the_worker_hands_an_answer_over_with_its_chats_older_unsent_replies(engine: Engine, settings) -> None:
    """Taking the owner's message reads the chat's replies still unsent (another process's, say): the sender must
    deliver those first. Broadcasts and other chats' replies do not hold the answer back."""
    older = queue(engine, "1", ["satu"])
    queue(engine, "1", ["pengumuman"], priority=PRIORITY_BROADCAST)
    queue(engine, "2", ["lain"])
    handed: list[Handoff] = []
    worker = make_worker(engine, settings, handed)
    update = tg.text_update(1, "halo")
    assert store_event(engine, "telegram", str(update["update_id"]), chat_key(update), update, NOW)
    assert worker.process_next("telegram", chat_key(update)) == "done"
    [handoff] = handed
    assert handoff.unsent_before == older
    assert {m.chat_id for m in handoff.messages} == {"1"} and "Lapor IKM" in handoff.messages[0].payload["text"]
    with Session(engine) as db:
        assert db.get(OutboxMessage, handoff.messages[0].id).status == "sending"  # stored claimed
