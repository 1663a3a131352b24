"""Recommendation texts stored with each list, and whether the model or the template wrote them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_texts",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('generated', 'template')",
                           name=op.f("ck_list_texts_source")),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], ondelete="CASCADE",
                                name=op.f("fk_list_texts_list_id_lists")),
        sa.PrimaryKeyConstraint("list_id", name=op.f("pk_list_texts")),
    )


def downgrade() -> None:
    op.drop_table("list_texts")
