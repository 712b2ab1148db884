"""how a permit number came: typed, or read from the owner's photo and confirmed

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00

An owner may send a photo of the certificate instead of typing its number; the bot reads it and asks the owner to
confirm. Officers see which numbers came that way, next to the photo kept as `evidence_photo`. Existing numbers were
all typed, but are left NULL ("not recorded") rather than claimed.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_source', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_column('number_source')
