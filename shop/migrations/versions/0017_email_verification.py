"""users.email_verified_at (e-mail verification) and users.totp_last_step (TOTP replay guard)

Revision ID: 0017_email_verification
Revises: 0016_training_runs
Create Date: 2026-12-01 21:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_email_verification'
down_revision = '0016_training_runs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('email_verified_at')
