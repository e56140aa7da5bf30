"""the wording an idea was proposed with, kept when the facilitator edits it

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

(Written beside 0008, the kiosk and paper tables, which came from another branch: it
follows 0008 since both were merged.)
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
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
