"""Persistence of datasets, runs, profiles and recommendation lists in SQLite (SQLAlchemy).

Empty until the storage layer lands; the engine and the command line work without it.
"""
