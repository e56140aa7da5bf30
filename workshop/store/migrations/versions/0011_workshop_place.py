"""where the day takes place, for the report of the day

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the workshops' place (empty for those created before)."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=120), server_default='',
                                      nullable=False))


def downgrade() -> None:
    """Remove it."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('place')
