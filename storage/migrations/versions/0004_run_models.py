"""Each run's fitted model, kept for instant feedback re-ranking and incremental updates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_models",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("n_users", sa.Integer(), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("fit_interactions", sa.Integer(), nullable=False),
        sa.Column("fit_items", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE",
                                name=op.f("fk_run_models_run_id_runs")),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_models")),
    )


def downgrade() -> None:
    op.drop_table("run_models")
