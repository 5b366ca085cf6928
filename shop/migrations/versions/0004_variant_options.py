"""variants with named options and sales, unmapped attributes, several categories,
hand-set links, source refs (moving in from WooCommerce)

Revision ID: 0004_variant_options
Revises: 0002_waterproof
Create Date: 2026-12-01 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_variant_options'
down_revision = '0003_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('option_names', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('short_description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('image_refs', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('sku', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('source_ref', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_products_sku'), ['sku'])
        batch_op.create_unique_constraint(batch_op.f('uq_products_source_ref'), ['source_ref'])

    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.add_column(sa.Column('sale_price', sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.add_column(sa.Column('sale_starts', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sale_ends', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('source_ref', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_variants_source_ref'), ['source_ref'])

    op.create_table('product_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_attributes_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_attributes')),
    sa.UniqueConstraint('product_id', 'position', name=op.f('uq_product_attributes_product_id'))
    )
    op.create_table('product_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_product_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_categories_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_categories')),
    sa.UniqueConstraint('product_id', 'category_id', name=op.f('uq_product_categories_product_id'))
    )
    with op.batch_alter_table('product_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_categories_category_id'), ['category_id'], unique=False)

    op.create_table('product_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('linked_product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('upsell', 'cross_sell')", name=op.f('ck_product_links_kind_known')),
    sa.ForeignKeyConstraint(['linked_product_id'], ['products.id'], name=op.f('fk_product_links_linked_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_links_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_links')),
    sa.UniqueConstraint('product_id', 'kind', 'linked_product_id', name=op.f('uq_product_links_product_id'))
    )
    with op.batch_alter_table('product_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_links_linked_product_id'), ['linked_product_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('product_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_links_linked_product_id'))
    op.drop_table('product_links')
    with op.batch_alter_table('product_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_categories_category_id'))
    op.drop_table('product_categories')
    op.drop_table('product_attributes')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_variants_source_ref'), type_='unique')
        for column in ('source_ref', 'sale_ends', 'sale_starts', 'sale_price', 'price', 'options'):
            batch_op.drop_column(column)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_products_source_ref'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_products_sku'), type_='unique')
        for column in ('source_ref', 'sku', 'image_refs', 'listed', 'short_description', 'option_names'):
            batch_op.drop_column(column)
