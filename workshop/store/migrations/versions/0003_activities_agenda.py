"""an agenda of activities; existing workshops get one idea collection and one vote per round

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The tables as this migration knows them (not the models, which will move on).
workshops = sa.table('workshops', sa.column('id', sa.Integer), sa.column('phase', sa.String),
                     sa.column('current_round_id', sa.Integer),
                     sa.column('current_activity_id', sa.Integer),
                     sa.column('created_at', sa.DateTime))
ideas = sa.table('ideas', sa.column('workshop_id', sa.Integer),
                 sa.column('activity_id', sa.Integer))
rounds = sa.table('rounds', sa.column('id', sa.Integer), sa.column('workshop_id', sa.Integer),
                  sa.column('number', sa.Integer), sa.column('title', sa.String),
                  sa.column('method', sa.String), sa.column('settings', sa.JSON),
                  sa.column('status', sa.String), sa.column('show_live', sa.Boolean),
                  sa.column('require_ticket', sa.Boolean),
                  sa.column('opened_at', sa.DateTime), sa.column('closed_at', sa.DateTime))
activities = sa.table('activities', sa.column('id', sa.Integer),
                      sa.column('workshop_id', sa.Integer), sa.column('position', sa.Integer),
                      sa.column('kind', sa.String), sa.column('title', sa.String),
                      sa.column('prompt', sa.Text), sa.column('settings', sa.JSON),
                      sa.column('status', sa.String), sa.column('round_id', sa.Integer),
                      sa.column('created_at', sa.DateTime),
                      sa.column('opened_at', sa.DateTime), sa.column('closed_at', sa.DateTime))


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    """Create the agenda and give every existing workshop the activities it already ran."""
    op.create_table(
        'activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('prompt', sa.Text(), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id']),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activities_workshop_position', 'activities',
                    ['workshop_id', 'position'], unique=False)
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ideas_activity_id'), ['activity_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_idea_activity', 'activities', ['activity_id'], ['id'])
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_activity_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_workshop_current_activity', 'activities',
                                    ['current_activity_id'], ['id'])
    _fill_agenda(op.get_bind())


def _fill_agenda(bind: sa.Connection) -> None:
    """One idea collection holding every idea, then one vote per round, in round order."""
    for workshop in bind.execute(sa.select(workshops)).mappings().all():
        runs = bind.execute(sa.select(rounds).where(rounds.c.workshop_id == workshop['id'])
                            .order_by(rounds.c.number)).mappings().all()
        collecting = workshop['phase'] == 'ideas'
        collection = bind.execute(activities.insert().values(
            workshop_id=workshop['id'], position=1, kind='ideas', title='', prompt='',
            settings={}, status='open' if collecting else 'closed',
            created_at=workshop['created_at'], opened_at=workshop['created_at'],
            closed_at=None if collecting or not runs else runs[0]['opened_at'],
        ).returning(activities.c.id)).scalar_one()
        bind.execute(ideas.update().where(ideas.c.workshop_id == workshop['id'])
                     .values(activity_id=collection))
        current = collection if collecting else None
        for position, run in enumerate(runs, start=2):
            vote = bind.execute(activities.insert().values(
                workshop_id=workshop['id'], position=position, kind='vote',
                title=run['title'], prompt='',
                settings={"method": run['method'], "method_settings": run['settings'],
                          "source": "approved", "collection": None, "of": None, "count": 3,
                          "show_live": bool(run['show_live']),
                          "require_ticket": bool(run['require_ticket'])},
                status='open' if run['status'] == 'open' else 'closed', round_id=run['id'],
                created_at=run['opened_at'], opened_at=run['opened_at'],
                closed_at=run['closed_at'],
            ).returning(activities.c.id)).scalar_one()
            if workshop['phase'] in ('vote', 'results') and \
                    workshop['current_round_id'] == run['id']:
                current = vote
        if current is not None:
            bind.execute(workshops.update().where(workshops.c.id == workshop['id'])
                         .values(current_activity_id=current))


def downgrade() -> None:
    """Drop the agenda (rounds, ideas and ballots are untouched)."""
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_constraint('fk_workshop_current_activity', type_='foreignkey')
        batch_op.drop_column('current_activity_id')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint('fk_idea_activity', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ideas_activity_id'))
        batch_op.drop_column('activity_id')
    op.drop_index('ix_activities_workshop_position', table_name='activities')
    op.drop_table('activities')
