"""the wording an idea was proposed with, kept when the facilitator edits it

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-29

(Written beside 0008, which another branch adds: when both are merged, this one's
down_revision becomes '0008'.)
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the ideas' original wording (none: never edited, or edited before it was kept)."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_text', sa.Text(), nullable=True))


def downgrade() -> None:
    """Remove it."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('original_text')
