"""profile questions, answers and consent for results by group (ADS+)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the profile tables and the workshops' group size and profiles flag."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_group_size', sa.Integer(), nullable=False,
                                      server_default='5'))
        batch_op.add_column(sa.Column('profiles_open', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'profile_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_profile_questions_workshop_position', 'profile_questions',
                    ['workshop_id', 'position'])
    op.create_table(
        'profile_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=40), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['question_id'], ['profile_questions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('question_id', 'participant_id'),
    )
    op.create_index('ix_profile_answers_participant', 'profile_answers', ['participant_id'])
    op.create_index(op.f('ix_profile_answers_question_id'), 'profile_answers', ['question_id'])
    op.create_table(
        'profile_consents',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('agreed', sa.Boolean(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.PrimaryKeyConstraint('participant_id'),
    )


def downgrade() -> None:
    """Remove the profile tables and the workshops' columns."""
    op.drop_table('profile_consents')
    op.drop_index(op.f('ix_profile_answers_question_id'), table_name='profile_answers')
    op.drop_index('ix_profile_answers_participant', table_name='profile_answers')
    op.drop_table('profile_answers')
    op.drop_index('ix_profile_questions_workshop_position', table_name='profile_questions')
    op.drop_table('profile_questions')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('profiles_open')
        batch_op.drop_column('min_group_size')
