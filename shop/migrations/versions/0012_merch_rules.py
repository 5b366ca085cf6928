"""merchandising rules

Revision ID: 0012_merch_rules
Revises: 0011_staff
Create Date: 2026-12-01 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_merch_rules'
down_revision = '0011_staff'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merch_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('slot', sa.String(length=40), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('strength', sa.Float(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('pin', 'boost', 'bury', 'exclude')", name=op.f('ck_merch_rules_action_known')),
    sa.CheckConstraint("target_kind IN ('product', 'brand', 'category')", name=op.f('ck_merch_rules_target_kind_known')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_merch_rules_position_positive')),
    sa.CheckConstraint('ends_at IS NULL OR starts_at IS NULL OR starts_at < ends_at', name=op.f('ck_merch_rules_dates_ordered')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_merch_rules_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merch_rules'))
    )


def downgrade() -> None:
    op.drop_table('merch_rules')
