"""The one error storage raises for problems the user can act on.

It subclasses :class:`engine.core.errors.DataError`, so the command line prints it as
``error: ...`` with exit status 2 and the GUI shows it in a dialog, like bad input data.
"""
from __future__ import annotations

from engine.core.errors import DataError


class StorageError(DataError):
    """The database cannot do what was asked: busy, unknown name, wrong file, newer schema."""
