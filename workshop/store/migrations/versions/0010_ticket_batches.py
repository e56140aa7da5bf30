"""the batch a ticket was printed in, so that reloading the printed page prints nothing

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tickets' batch key (none for the tickets printed before)."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_tickets_workshop_batch', ['workshop_id', 'batch'],
                              unique=False)


def downgrade() -> None:
    """Remove it."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_workshop_batch')
        batch_op.drop_column('batch')
