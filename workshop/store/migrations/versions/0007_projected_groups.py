"""results by group the facilitator shows on the projector

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the workshops' projected by-group results (none shown)."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projected_groups', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Remove them."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('projected_groups')
