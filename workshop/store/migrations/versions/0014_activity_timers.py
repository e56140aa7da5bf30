"""a timer per activity, with an optional automatic close; "+1" on ideas

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the activities' planned duration, automatic close and running deadline (no
    timer for the activities planned or run before), and the ideas' +1s."""
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('auto_close', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_activities_ends_at', ['ends_at'], unique=False)
    op.create_table(
        'idea_supports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id']),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idea_id', 'participant_id'))
    op.create_index('ix_idea_supports_idea_id', 'idea_supports', ['idea_id'], unique=False)


def downgrade() -> None:
    """Remove them."""
    op.drop_index('ix_idea_supports_idea_id', table_name='idea_supports')
    op.drop_table('idea_supports')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_ends_at')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('auto_close')
        batch_op.drop_column('timer_seconds')
