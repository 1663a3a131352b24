"""The database schema as SQLAlchemy 2.0 typed declarative models.

This is the head revision; the migrations under ``storage/migrations/versions`` build
exactly this schema step by step (a test compares them). Design choices:

* Users and items keep their dataset-local dense index (``idx``), the integer the engine
  uses, next to the id from the file, so a dataset is rebuilt without re-sorting ids.
* Bulk tables (interactions, profiles, list entries) have composite primary keys and no
  rowid on SQLite: one B-tree each, clustered the way they are read (a user's history in
  time order, a list in rank order).
* Vectors and per-entry component scores are float32 blobs, not JSON text.
* Every foreign key cascades on delete and every child column that references a user or
  an item is indexed, so deleting a dataset or forgetting a user stays fast and complete.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, CheckConstraint, DateTime, Float, ForeignKey, LargeBinary,
                        MetaData, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Statuses a run moves through: running -> finished / failed / cancelled, or interrupted
#: when the process that ran it died (found at the next open).
RUN_STATUSES = ("running", "finished", "failed", "cancelled", "interrupted")
#: What a user can say about a recommended item.
FEEDBACK_KINDS = ("like", "dislike", "not_interested")
#: Where a list's recommendation text came from: the language model, or the template
#: that replaced a generated text which failed the grounding check.
TEXT_SOURCES = ("generated", "template")

_NO_ROWID = {"sqlite_with_rowid": False}
# Dataset and run ids are shown to users and may be written down: never hand out a
# deleted one again.
_NEVER_REUSED = {"sqlite_autoincrement": True}


#: Deterministic constraint names, the same on every backend, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _cascade(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


class DatasetRow(Base):
    """One imported, preprocessed dataset, with where it came from and what import did."""

    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sources: Mapped[dict[str, Any]]  # file paths by role
    options: Mapped[dict[str, Any]]  # read and preprocessing options, as given
    has_timestamps: Mapped[bool]
    n_users: Mapped[int]
    n_items: Mapped[int]
    n_interactions: Mapped[int]
    report: Mapped[dict[str, Any]]  # ImportReport.to_dict()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = _NEVER_REUSED


class ItemRow(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(_cascade("datasets.id"))
    idx: Mapped[int]  # the engine's internal item index
    external_id: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    genres: Mapped[str] = mapped_column(Text)  # "|"-joined
    __table_args__ = (UniqueConstraint("dataset_id", "idx"),
                      UniqueConstraint("dataset_id", "external_id"))


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(_cascade("datasets.id"))
    idx: Mapped[int]  # the engine's internal user index at import
    external_id: Mapped[str] = mapped_column(Text)
    n_interactions: Mapped[int]
    first_time: Mapped[int] = mapped_column(BigInteger)
    last_time: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (UniqueConstraint("dataset_id", "idx"),
                      UniqueConstraint("dataset_id", "external_id"))


class InteractionRow(Base):
    """One interaction; ``seq`` is its position in the user's chronological history."""

    __tablename__ = "interactions"
    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(_cascade("items.id"), index=True)
    weight: Mapped[float] = mapped_column(Float)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = _NO_ROWID


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(_cascade("datasets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(100))
    config: Mapped[dict[str, Any]]  # RunConfig.to_dict()
    components: Mapped[list[Any]]  # names, in the order of each entry's component blob
    owner: Mapped[str] = mapped_column(String(300))  # "host:pid" of the process running it
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stage_seconds: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (CheckConstraint(f"status IN {RUN_STATUSES}", name="status"),
                      _NEVER_REUSED)


class ProfileRow(Base):
    """A user's profile as one run modelled it."""

    __tablename__ = "profiles"
    run_id: Mapped[int] = mapped_column(_cascade("runs.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True, index=True)
    long_term: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 vector
    recent_items: Mapped[bytes] = mapped_column(LargeBinary)  # int32 item idx, latest first
    gate: Mapped[float | None] = mapped_column(Float)  # weight of the long-term side
    keywords: Mapped[str] = mapped_column(Text)  # JSON list of interest terms
    __table_args__ = _NO_ROWID


class ListRow(Base):
    __tablename__ = "lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(_cascade("runs.id"))
    user_id: Mapped[int] = mapped_column(_cascade("users.id"), index=True)
    __table_args__ = (UniqueConstraint("run_id", "user_id"),)


class EntryRow(Base):
    __tablename__ = "entries"
    list_id: Mapped[int] = mapped_column(_cascade("lists.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(primary_key=True)  # 1-based
    item_id: Mapped[int] = mapped_column(_cascade("items.id"), index=True)
    score: Mapped[float] = mapped_column(Float)  # the fused score
    components: Mapped[bytes] = mapped_column(LargeBinary)  # float32, order of runs.components
    explanation: Mapped[str] = mapped_column(Text)
    __table_args__ = _NO_ROWID


class ListTextRow(Base):
    """A list's recommendation text (revision 0003): one per list, replaced when rewritten."""

    __tablename__ = "list_texts"
    list_id: Mapped[int] = mapped_column(_cascade("lists.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]]  # why a generated text was refused or shortened
    model: Mapped[str] = mapped_column(String(300))  # the writer's model, "" for a template
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (CheckConstraint(f"source IN {TEXT_SOURCES}", name="source"),)


class RunModelRow(Base):
    """A run's fitted model (revision 0004), as data (``engine.models.serialize``), so
    that feedback re-ranks a user's list at once and new interactions update it without
    a full retrain. Deleted with the run, and for every run of a dataset when users of
    it are forgotten."""

    __tablename__ = "run_models"
    run_id: Mapped[int] = mapped_column(_cascade("runs.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(32))  # how ``data`` is encoded
    n_users: Mapped[int]  # the dataset's size when the model was fitted or last updated
    n_items: Mapped[int]
    # The dataset's size at the last full fit: how far updates have drifted from it.
    fit_interactions: Mapped[int]
    fit_items: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"), index=True)
    item_id: Mapped[int] = mapped_column(_cascade("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"),
                                               index=True)
    # Added in revision 0002: where the event came from ("app" for the window's buttons).
    source: Mapped[str] = mapped_column(String(32), server_default=text("'app'"))
    __table_args__ = (CheckConstraint(f"kind IN {FEEDBACK_KINDS}", name="kind"),)


class SettingRow(Base):
    """Application settings (revision 0002): one JSON value per key."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = ["Base", "DatasetRow", "ItemRow", "UserRow", "InteractionRow", "RunRow",
           "ProfileRow", "ListRow", "EntryRow", "ListTextRow", "RunModelRow", "FeedbackRow",
           "SettingRow",
           "RUN_STATUSES", "FEEDBACK_KINDS", "TEXT_SOURCES"]
