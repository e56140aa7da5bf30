"""indexes on ideas by workshop and status, and by participant

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index what the pushes, the facilitator's pages and a phone's own list look up, so
    that their cost follows what they show, not how many ideas a flood left behind."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_workshop_status', ['workshop_id', 'status', 'id'],
                              unique=False)
        batch_op.create_index('ix_ideas_participant_status', ['participant_id', 'status'],
                              unique=False)


def downgrade() -> None:
    """Drop the two indexes."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_participant_status')
        batch_op.drop_index('ix_ideas_workshop_status')
