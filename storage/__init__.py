"""Storage: everything the application produces, kept in SQLite (or any SQLAlchemy database).

Datasets, runs with their profiles and lists, feedback and settings survive restarts;
each import, run result and feedback batch is written in one transaction, so nothing is
half-written when a process fails or is killed. The schema is migrated with Alembic at
every open. Repositories and transactions only: what a command or a button does with
them is the application layer's (:mod:`application`).
"""
from storage.database import Database, default_path, resolve_url
from storage.datasets import (DatasetInfo, Saved, UserSummary, count_users, dataset_info,
                              list_datasets, load_dataset, page_users, save_dataset, store_dataset)
from storage.errors import StorageError
from storage.feedback import Feedback, add_feedback, list_feedback
from storage.open import open_database
from storage.privacy import Forgotten, delete_dataset, forget_user, forget_users
from storage.results import (ListEntry, StoredProfile, export_lists, lists_frame, user_list,
                             user_profile)
from storage.runs import (RunInfo, end_run, finish_run, last_run_config, list_runs,
                          mark_interrupted, run_info, save_run, start_run)
from storage.settings import LAST_RUN_CONFIG, all_settings, delete_setting, get_setting, set_setting

__all__ = [
    "Database", "default_path", "resolve_url", "open_database", "StorageError",
    "DatasetInfo", "UserSummary", "Saved", "save_dataset", "store_dataset", "list_datasets",
    "dataset_info",
    "load_dataset", "count_users", "page_users",
    "RunInfo", "start_run", "finish_run", "end_run", "save_run", "list_runs",
    "run_info",
    "mark_interrupted", "last_run_config",
    "ListEntry", "StoredProfile", "user_list", "user_profile", "lists_frame", "export_lists",
    "Feedback", "add_feedback", "list_feedback",
    "Forgotten", "delete_dataset", "forget_user", "forget_users",
    "get_setting", "set_setting", "delete_setting", "all_settings", "LAST_RUN_CONFIG",
]
