"""The queries run for every answer and every dispatch use their indexes in a prepared statement's generic plan.

psycopg prepares a statement on the server after a few runs; PostgreSQL then may keep one generic plan, made without
the parameters' values and, on a young table, without statistics. A status given as a parameter there cannot use a
partial index, and ties between indexes are broken by the order they were made: a check for a chat's unsent messages
once walked every message in flight of every chat. These tests plan the statements the code really sends, on empty
tables (the worst case: nothing analysed yet), the way a long-lived connection would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from psycopg import sql
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.messaging.inbox import InboxWorker
from bot.messaging.outbox import PRIORITY_REPLY, release_stale, unsent_before
from bot.messaging.sending_window import SendingWindow
from bot.scheduling.reminders import dispatch_due
from bot.scheduling.trainings import cancel_reminders
from bot.service import ConversationService
from bot.storage.db import make_engine

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def sent_statements(engine: Engine, action: Callable[[], Any]) -> list[tuple[str, dict[str, Any]]]:
    """The SQL and parameters `action` sends to the database."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, dict(parameters or {})))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def generic_plan(engine: Engine, statement: str, parameters: dict[str, Any]) -> str:
    """EXPLAIN of the statement as a server-side prepared statement, forced to its generic plan."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    numbered = re.sub(r"%\((\w+)\)s", number, statement)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE planned AS {numbered}".replace("%%", "%"))
        arguments = sql.SQL(", ").join(sql.Literal(parameters[name]) for name in names)
        cursor.execute(sql.SQL("EXPLAIN EXECUTE planned({})").format(arguments))
        plan = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()
        return plan
    finally:
        raw.close()


def only(statements: list[tuple[str, dict[str, Any]]], fragment: str) -> tuple[str, dict[str, Any]]:
    """The one statement that contains `fragment`."""
    found = [s for s in statements if fragment in s[0]]
    assert len(found) == 1, [s[0] for s in statements]
    return found[0]


def test_an_answer_checks_its_chats_unsent_messages_by_the_partial_index(pg_engine: Engine) -> None:
    def check() -> None:
        with Session(pg_engine) as db:
            unsent_before(db, "telegram", "1001", 500, PRIORITY_REPLY)

    plan = generic_plan(pg_engine, *only(sent_statements(pg_engine, check), "FROM outboxmessage"))
    assert "ix_outbox_unsent" in plan, plan


def test_the_lease_finds_rows_in_flight_by_the_partial_index(pg_engine: Engine) -> None:
    statement = only(sent_statements(pg_engine, lambda: release_stale(pg_engine, NOW)), "UPDATE outboxmessage")
    plan = generic_plan(pg_engine, *statement)
    assert "ix_outbox_sending" in plan, plan


def test_the_dispatcher_takes_due_reminders_by_the_partial_index(pg_engine: Engine) -> None:
    statements = sent_statements(pg_engine, lambda: dispatch_due(pg_engine, NOW, SendingWindow(), batch=100))
    plan = generic_plan(pg_engine, *only(statements, "FROM reminder JOIN owner"))
    assert "ix_reminder_pending" in plan, plan


def test_an_answer_cancels_an_owners_reminders_by_the_owners_index(pg_engine: Engine) -> None:
    def cancel() -> None:
        with Session(pg_engine) as db:
            cancel_reminders(db, 7, "permit_followup", "pirt:p1")

    plan = generic_plan(pg_engine, *only(sent_statements(pg_engine, cancel), "UPDATE reminder"))
    assert "ix_reminder_target" in plan, plan


def test_taking_an_event_finds_its_chats_unsent_replies_by_the_partial_index(pg_engine: Engine) -> None:
    worker = InboxWorker(pg_engine, ConversationService(pg_engine, Settings()), {})

    def take() -> None:
        worker.process_next("telegram", "1001")

    plan = generic_plan(pg_engine, *only(sent_statements(pg_engine, take), "UPDATE inboxevent"))
    assert "ix_outbox_unsent" in plan and "ix_inbox_pending" in plan, plan
