"""the liveness key of the process sending an outbox row

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:00:00

A row left "sending" by a process killed with -9 waited for the 60-second lease, and held its chat's later replies
behind it: after a restart nothing was sent for a minute. Rows now carry the advisory-lock key of the process that
took them, and a process whose lock is free again is known to be gone (bot/messaging/liveness.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
