"""A/B experiments: experiments, their variants, what exposed visitors did

Revision ID: 0013_experiments
Revises: 0012_merch_rules
Create Date: 2026-12-01 23:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_experiments'
down_revision = '0012_merch_rules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('experiments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('min_sample', sa.Integer(), nullable=False),
    sa.Column('winner', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('stopped_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'running', 'stopped')", name=op.f('ck_experiments_status_known')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_experiments_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments')),
    sa.UniqueConstraint('name', name=op.f('uq_experiments_name'))
    )
    op.create_table('experiment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=40), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('slot', sa.String(length=40), nullable=True),
    sa.Column('item_id', sa.String(length=140), nullable=True),
    sa.Column('value', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_events_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_events'))
    )
    with op.batch_alter_table('experiment_events', schema=None) as batch_op:
        batch_op.create_index('ix_experiment_events_experiment_variant_kind', ['experiment_id', 'variant', 'kind'], unique=False)
    op.create_table('experiment_variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=True),
    sa.Column('traffic', sa.Integer(), nullable=False),
    sa.CheckConstraint('traffic >= 0 AND traffic <= 100', name=op.f('ck_experiment_variants_traffic_percent')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_variants_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_variants')),
    sa.UniqueConstraint('experiment_id', 'name', name=op.f('uq_experiment_variants_experiment_id'))
    )
    with op.batch_alter_table('experiment_variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiment_variants_experiment_id'), ['experiment_id'], unique=False)


def downgrade() -> None:
    op.drop_table('experiment_variants')
    op.drop_table('experiment_events')
    op.drop_table('experiments')
