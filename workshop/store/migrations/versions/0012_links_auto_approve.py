"""automatic approval of ideas with a blocklist, and why a waiting idea waits

Co-facilitator and moderator links are rows of `devices` (kinds "cofacilitator" and
"moderator"): no table changes for them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the workshops' automatic approval (off) and blocklist (the default), and the
    ideas' word that held them."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_approve', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('blocklist', sa.Text(), nullable=True))
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_for', sa.String(length=60), nullable=True))


def downgrade() -> None:
    """Remove them."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('held_for')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('blocklist')
        batch_op.drop_column('auto_approve')
