"""outbox_mails: e-mails queued in the transaction that made them, sent after commit

Revision ID: 0009_outbox
Revises: 0008_search
Create Date: 2026-12-01 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_outbox'
down_revision = '0008_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails')),
    )
    op.create_index(op.f('ix_outbox_mails_next_attempt_at'), 'outbox_mails',
                    ['next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_mails_sent_at'), 'outbox_mails', ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_mails_sent_at'), table_name='outbox_mails')
    op.drop_index(op.f('ix_outbox_mails_next_attempt_at'), table_name='outbox_mails')
    op.drop_table('outbox_mails')
