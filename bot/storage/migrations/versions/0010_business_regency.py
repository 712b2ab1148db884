"""the regency or city of a business

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 06:00:00

A province (or any deployment of several regencies and cities) asks an owner's kabupaten/kota before the kecamatan,
and officers are scoped, filter and count by it. Existing businesses get the regency of their kecamatan.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regency_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.create_index(batch_op.f('ix_business_regency_code'), ['regency_code'], unique=False)
    op.execute(
        "UPDATE business SET regency_code = "
        "(SELECT region.regency_code FROM region WHERE region.code = business.kecamatan_code) "
        "WHERE kecamatan_code IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_regency_code'))
        batch_op.drop_column('regency_code')
