"""Several writers on one database at once: the window (one process that keeps its
database open and stores a click at a time) and the command line (`run`, `append`,
`feedback`, each its own process) write while the others do, on an SQLite file and on a
team's PostgreSQL server. Nobody sees "database is locked", every write is there
afterwards, and a read sees one snapshot however many statements it takes. Real
processes, a real file, a real server."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from application.live import list_now, open_live_run
from cli.main import main
from storage import open_database
from storage.feedback import Feedback, add_feedback
from storage.models import UserRow
from tests.support import ROOT

CLICKS = 60  # the window's feedback clicks at least, one transaction each
FILES = 12  # `feedback --file` commands, one process running them one after another


def cli(*argv: str) -> int:
    return main(list(argv))


def command(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "main.py", *argv], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    """The database: an SQLite file, or a new database on the test session's server."""
    if request.param == "sqlite":
        return str(tmp_path / "studio.db")
    return request.getfixturevalue("postgres_url")


def count(url: str, table: str, where: str = "1 = 1") -> int:
    """Rows of ``table``, read with plain SQLAlchemy, not through the code under test."""
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar()
    finally:
        engine.dispose()


def test_the_window_and_the_command_line_write_at_once_and_nothing_is_lost(
        database, tmp_path, small_shop_files):
    path = database
    interactions, items = small_shop_files
    assert cli("import", "--interactions", str(interactions), "--items", str(items),
               "--name", "shop", "--db", path, "--quiet") == 0
    assert cli("run", "--dataset", "shop", "--model", "cooc", "--k", "10", "--db", path,
               "--quiet") == 0
    frame = pd.read_csv(interactions, dtype=str)
    users, item_ids = sorted(frame["user_id"].unique()), sorted(frame["item_id"].unique())
    before = count(path, "interactions")

    extra = tmp_path / "extra.csv"  # new purchases of known users and of two new users
    taken = set(zip(frame["user_id"], frame["item_id"]))
    rows = [(user, item) for user in users[:20] for item in item_ids[:40]
            if (user, item) not in taken][:150]
    rows += [(f"newcomer-{n}", item) for n in (1, 2) for item in item_ids[:5]]
    later = pd.DataFrame(rows, columns=["user_id", "item_id"]).assign(
        rating="4", timestamp="2031-01-01 00:00:00")
    later.to_csv(extra, index=False)
    script = tmp_path / "feedback_files.py"
    lines = []
    for n in range(FILES):
        events = tmp_path / f"events{n}.csv"
        events.write_text("user,item,feedback\n" + "".join(
            f"{users[(n * 3 + i) % len(users)]},{item_ids[n * 7 + i]},dislike\n"
            for i in range(3)))
        lines.append(f"assert main(['feedback', '--run', '1', '--file', {str(events)!r}, "
                     f"'--db', {path!r}]) == 0")
    script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                      "from cli.main import main\n" + "\n".join(lines) + "\n")

    others = [
        command("run", "--dataset", "shop", "--model", "fusion", "--k", "10", "--set",
                'fusion.components=["ease","cooc"]', "--db", path, "--quiet"),
        command("append", "--dataset", "shop", "--interactions", str(extra), "--db",
                path, "--quiet"),
        subprocess.Popen([sys.executable, str(script)], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    with open_database(path) as db:  # the window: one open database for the session
        live = open_live_run(db, 1)
        clicks = 0  # clicking all the while the commands run, so every write meets one
        while clicks < CLICKS or any(p.poll() is None for p in others):
            user = users[clicks % len(users)]
            add_feedback(db, "shop", [Feedback(user, item_ids[-1 - clicks % 600], "like",
                                               run_id=1)])
            list_now(db, live, user)  # the list it shows after the click
            clicks += 1
    outcomes = [(p.returncode, *p.communicate()) for p in others]
    for returncode, out, err in outcomes:
        assert "locked" not in err and "busy" not in err and "Traceback" not in err, err
        assert returncode == 0, err
    assert count(path, "feedback") == clicks + 3 * FILES
    assert count(path, "runs", "status = 'finished'") == 2
    assert count(path, "interactions") == before + len(later)
    assert count(path, "users", "external_id LIKE 'newcomer-%'") == 2


def test_a_read_sees_one_snapshot_while_another_connection_commits(database,
                                                                   small_shop_files):
    """What a ``run`` met on PostgreSQL while an ``append`` added users: the dataset's
    users read, then its interactions read after the append committed, with users the
    list lacked (an IndexError); a read transaction must not see a later commit."""
    interactions, items = small_shop_files
    assert cli("import", "--interactions", str(interactions), "--items", str(items),
               "--name", "shop", "--db", database, "--quiet") == 0
    users = sa.select(sa.func.count()).select_from(UserRow)
    with open_database(database) as reader, open_database(database) as writer:
        with reader.read() as conn:
            before = conn.execute(users).scalar()
            with writer.write() as other:
                other.execute(sa.insert(UserRow).values(
                    dataset_id=1, idx=before, external_id="newcomer", n_interactions=0,
                    first_time=0, last_time=0))
            assert conn.execute(users).scalar() == before  # still the snapshot it began
        with reader.read() as conn:
            assert conn.execute(users).scalar() == before + 1  # a new read sees the commit
