"""the order workflow: statuses pending → paid → shipped → delivered / cancelled, the shipment,
refunds

Existing "placed" orders become "pending", or "paid" when their payment is paid.

Revision ID: 0015_order_workflow
Revises: 0013_experiments
Create Date: 2026-12-01 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_order_workflow'
down_revision = '0013_experiments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('tracking_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('shipped_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refunded', sa.Numeric(precision=10, scale=2),
                                      server_default='0.00', nullable=False))
        batch_op.create_index(batch_op.f('ix_orders_status'), ['status'], unique=False)
    op.execute("UPDATE orders SET status = CASE WHEN payment_status = 'paid' THEN 'paid' "
               "ELSE 'pending' END WHERE status = 'placed'")
    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('staff_email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_refunds_staff_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    op.drop_table('refunds')
    op.execute("UPDATE orders SET status = 'placed'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_status'))
        batch_op.drop_column('refunded')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('shipped_at')
        batch_op.drop_column('tracking_number')
        batch_op.drop_column('carrier')
