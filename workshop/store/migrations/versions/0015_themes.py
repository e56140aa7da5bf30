"""themes ideas can carry, and the wall grouped by theme

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the workshops' list of themes (null: the default list) and whether the wall is
    grouped by theme (off), and the ideas' theme (none for the ideas already there)."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('themes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('wall_by_theme', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme', sa.String(length=40), nullable=True))


def downgrade() -> None:
    """Remove them."""
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('theme')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('wall_by_theme')
        batch_op.drop_column('themes')
