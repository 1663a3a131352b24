"""storage.browse, the reads the window makes: every user at once, one user's history,
a run's gates, and a copy of the project. No Qt here."""
from __future__ import annotations

import numpy as np
import pytest

from storage import StorageError, list_datasets, open_database, user_profile
from storage.browse import copy_database, gate_values, user_history, user_index
from tests.support.ui import copy_demo


def test_user_index_history_gates_and_copy(tmp_path):
    path, run_id = copy_demo(tmp_path)
    with open_database(path) as db:
        plain = user_index(db, "demo shop")
        assert len(plain) == 300 and np.isnan(plain.gate).all() and plain.has_timestamps
        assert plain.users[0] == "u00000" and plain.interactions.sum() == 6651
        index = user_index(db, "demo shop", run_id)
        i = int(np.flatnonzero(index.users == "u00014")[0])
        assert index.gate[i] == pytest.approx(user_profile(db, run_id, "u00014").gate)
        history = user_history(db, "demo shop", "u00014")
        assert len(history) == index.interactions[i]
        times = [e.timestamp for e in history]
        assert times == sorted(times) and times[-1] == index.last_time[i]
        assert history[0].title and history[0].genres
        gates = gate_values(db, run_id)
        assert len(gates) == 300 and ((gates > 0) & (gates < 1)).all()
        with pytest.raises(StorageError, match="user 'nobody' is not in dataset"):
            user_history(db, "demo shop", "nobody")
        with pytest.raises(StorageError, match="not a run of dataset"):
            user_index(db, "demo shop", run_id + 99)

        copy = tmp_path / "copy.db"
        copy_database(db, copy)
        with pytest.raises(StorageError, match="the file exists"):
            copy_database(db, copy)
    with open_database(copy) as db:
        assert [d.name for d in list_datasets(db)] == ["demo shop"]
        assert len(gate_values(db, run_id)) == 300
