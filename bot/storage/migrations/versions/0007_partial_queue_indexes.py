"""partial indexes for unsent messages and pending reminders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 14:00:00

The status-first indexes over every row (ix_outbox_due, ix_reminder_due) kept an entry for each message sent and
reminder done: a check for a chat's unsent messages walked all of them, and every row written updated them. Partial
indexes hold only the rows still waiting.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("status IN ('queued', 'sending')")
SENDING = sa.text("status = 'sending'")
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unsent', ['chat_id', 'id'], postgresql_where=UNSENT, sqlite_where=UNSENT)
        batch_op.create_index('ix_outbox_sending', ['claimed_at'], postgresql_where=SENDING, sqlite_where=SENDING)
        batch_op.drop_index('ix_outbox_due')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_pending', ['due_at', 'id'], postgresql_where=PENDING, sqlite_where=PENDING)
        batch_op.drop_index('ix_reminder_due')


def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_due', ['status', 'due_at'], unique=False)
        batch_op.drop_index('ix_reminder_pending', postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'not_before', 'priority', 'id'], unique=False)
        batch_op.drop_index('ix_outbox_sending', postgresql_where=SENDING, sqlite_where=SENDING)
        batch_op.drop_index('ix_outbox_unsent', postgresql_where=UNSENT, sqlite_where=UNSENT)
