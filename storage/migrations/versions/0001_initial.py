"""The first schema: datasets, items, users, interactions, runs, profiles, lists, feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NO_ROWID = {"sqlite_with_rowid": False}


def _fk(column: str, target: str, table: str, ondelete: str = "CASCADE"
        ) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade() -> None:
    _create_data_tables()
    _create_result_tables()


def _create_data_tables() -> None:
    """Datasets, their users, items and interactions."""
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("has_timestamps", sa.Boolean(), nullable=False),
        sa.Column("n_users", sa.Integer(), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("n_interactions", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_datasets_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("genres", sa.Text(), nullable=False),
        _fk("dataset_id", "datasets.id", "items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("dataset_id", "external_id",
                            name=op.f("uq_items_dataset_id_external_id")),
        sa.UniqueConstraint("dataset_id", "idx", name=op.f("uq_items_dataset_id_idx")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("n_interactions", sa.Integer(), nullable=False),
        sa.Column("first_time", sa.BigInteger(), nullable=False),
        sa.Column("last_time", sa.BigInteger(), nullable=False),
        _fk("dataset_id", "datasets.id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("dataset_id", "external_id",
                            name=op.f("uq_users_dataset_id_external_id")),
        sa.UniqueConstraint("dataset_id", "idx", name=op.f("uq_users_dataset_id_idx")),
    )
    op.create_table(
        "interactions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        _fk("item_id", "items.id", "interactions"),
        _fk("user_id", "users.id", "interactions"),
        sa.PrimaryKeyConstraint("user_id", "seq", name=op.f("pk_interactions")),
        **_NO_ROWID,
    )
    op.create_index(op.f("ix_interactions_item_id"), "interactions", ["item_id"])


def _create_result_tables() -> None:
    """Runs, their profiles, lists and entries, and feedback."""
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stage_seconds", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed', 'cancelled', 'interrupted')",
            name=op.f("ck_runs_status")),
        _fk("dataset_id", "datasets.id", "runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_runs_dataset_id"), "runs", ["dataset_id"])
    op.create_table(
        "profiles",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("long_term", sa.LargeBinary(), nullable=True),
        sa.Column("recent_items", sa.LargeBinary(), nullable=False),
        sa.Column("gate", sa.Float(), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=False),
        _fk("run_id", "runs.id", "profiles"),
        _fk("user_id", "users.id", "profiles"),
        sa.PrimaryKeyConstraint("run_id", "user_id", name=op.f("pk_profiles")),
        **_NO_ROWID,
    )
    op.create_index(op.f("ix_profiles_user_id"), "profiles", ["user_id"])
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("run_id", "runs.id", "lists"),
        _fk("user_id", "users.id", "lists"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_lists_run_id_user_id")),
    )
    op.create_index(op.f("ix_lists_user_id"), "lists", ["user_id"])
    op.create_table(
        "entries",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("components", sa.LargeBinary(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        _fk("item_id", "items.id", "entries"),
        _fk("list_id", "lists.id", "entries"),
        sa.PrimaryKeyConstraint("list_id", "rank", name=op.f("pk_entries")),
        **_NO_ROWID,
    )
    op.create_index(op.f("ix_entries_item_id"), "entries", ["item_id"])
    _create_feedback_table()


def _create_feedback_table() -> None:
    """Like, dislike and not-interested events."""
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('like', 'dislike', 'not_interested')",
                           name=op.f("ck_feedback_kind")),
        _fk("item_id", "items.id", "feedback"),
        _fk("run_id", "runs.id", "feedback", ondelete="SET NULL"),
        _fk("user_id", "users.id", "feedback"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_item_id"), "feedback", ["item_id"])
    op.create_index(op.f("ix_feedback_run_id"), "feedback", ["run_id"])
    op.create_index(op.f("ix_feedback_user_id"), "feedback", ["user_id"])


def downgrade() -> None:
    for table in ("feedback", "entries", "lists", "profiles", "runs", "interactions",
                  "users", "items", "datasets"):
        op.drop_table(table)
