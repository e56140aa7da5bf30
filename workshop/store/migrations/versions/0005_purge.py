"""purging personal data: anonymous ballots, a retention period, published by-group results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Let a ballot lose its participant, add the retention period and the published
    by-group results."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=False,
                                      server_default='90'))
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=True)
    op.create_table(
        'published_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id'),
    )


def downgrade() -> None:
    """Remove them (ballots of purged workshops cannot get their participant back)."""
    op.drop_table('published_groups')
    op.execute("DELETE FROM ballots WHERE participant_id IS NULL")
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('retention_days')
