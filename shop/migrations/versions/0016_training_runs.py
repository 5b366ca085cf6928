"""training runs started from the back office (one active at a time)

Revision ID: 0016_training_runs
Revises: 0015_order_workflow
Create Date: 2026-12-01 22:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_training_runs'
down_revision = '0015_order_workflow'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('training_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=True),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('requested_by', sa.String(length=254), nullable=True),
    sa.Column('since_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_runs')),
    sa.UniqueConstraint('active', name=op.f('uq_training_runs_active'))
    )
    with op.batch_alter_table('training_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_runs_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_runs_created_at'))
    op.drop_table('training_runs')
