"""A real PostgreSQL server for the tests: started in a temporary folder, on 127.0.0.1 and
a free port, for the test session, and stopped at its end.

``IFS_TEST_POSTGRES_URL`` (an SQLAlchemy URL whose user may create databases) is used
instead when set. Otherwise the server's own programs (``initdb``, ``pg_ctl``: Debian's
``postgresql`` package, which `.ci/run` installs) start one; PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` user the package creates.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

URL_ENV = "IFS_TEST_POSTGRES_URL"


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    return next((Path(f) for f in folders if (Path(f) / "initdb").exists()), None)


def unavailable() -> str | None:
    """Why no server can be had here, or None when one can."""
    if os.environ.get(URL_ENV):
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the PostgreSQL driver is missing: pip install -e '.[test]'"
    if server_programs() is None:
        return ("PostgreSQL is not installed (apt-get install postgresql), and "
                f"{URL_ENV} names no server")
    if os.geteuid() == 0 and not _has_user("postgres"):
        return "running as root, and there is no 'postgres' user to run the server as"
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a server whose user may create databases, for the block's duration."""
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    programs = server_programs()
    assert programs is not None, unavailable()
    folder = Path(tempfile.mkdtemp(prefix="ifs-postgres-"))
    data, port = folder / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses root: run it as the package's user
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*argv: str) -> None:
        subprocess.run([*as_user, *argv], check=True, capture_output=True, text=True,
                       cwd=folder, timeout=120)

    run(str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--no-sync")
    run(str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
