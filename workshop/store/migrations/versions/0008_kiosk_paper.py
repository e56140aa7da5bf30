"""kiosk and helper links, paper ballots and their entries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the devices and paper entries tables and the rounds' printed paper count."""
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_printed', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=60), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('pin_digest', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'))
    op.create_index('ix_devices_workshop_id', 'devices', ['workshop_id'])
    op.create_table(
        'paper_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('device_id', sa.Integer(), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id']),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('participant_id'))
    op.create_index('ix_paper_entries_round_number', 'paper_entries', ['round_id', 'number'])


def downgrade() -> None:
    """Remove them."""
    op.drop_index('ix_paper_entries_round_number', table_name='paper_entries')
    op.drop_table('paper_entries')
    op.drop_index('ix_devices_workshop_id', table_name='devices')
    op.drop_table('devices')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('paper_printed')
