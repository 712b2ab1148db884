"""server-side officer sessions and login failures per address

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00

A signed cookie alone could not be ended: logout, a password change or a deactivation left a copied cookie valid for
12 hours. Sessions are now rows (the cookie holds a random token, the row its hash). The lockout counted failures on
the officer row, which answered a locked account faster than an unknown one and let anyone lock an officer out; it
now counts failures per username and address in their own table.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'officersession',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['officer_id'], ['officer.id']),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_officersession_officer_id', 'officersession', ['officer_id'], unique=False)
    op.create_table(
        'loginfailure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_loginfailure_address', 'loginfailure', ['address', 'at'], unique=False)
    op.create_index('ix_loginfailure_user', 'loginfailure', ['username', 'at'], unique=False)
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    op.drop_index('ix_loginfailure_user', table_name='loginfailure')
    op.drop_index('ix_loginfailure_address', table_name='loginfailure')
    op.drop_table('loginfailure')
    op.drop_index('ix_officersession_officer_id', table_name='officersession')
    op.drop_table('officersession')
