"""search_documents and the full-text index over it (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: 0008_search
Revises: 0002_waterproof
Create Date: 2026-12-01 19:30:00
"""
import sqlalchemy as sa
from alembic import op

from catalog.search_index import SQLITE_DROP, create_statements, present_product_columns, reindex

revision = '0008_search'
down_revision = '0007_reviews'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_documents_kind')),
    sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    for statement in create_statements(bind.dialect.name):
        op.execute(statement)
    # A database with products gets their documents now, from the columns it has so far.
    reindex(bind, product_columns=present_product_columns(bind))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_table('search_documents')
