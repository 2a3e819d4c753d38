"""Fixtures: a real PostgreSQL for the integration tests, and app/test clients.

The database comes from TEST_DATABASE_URL or DATABASE_URL when set; otherwise a throwaway
cluster is created from the local PostgreSQL binaries (PATH, then /usr/lib/postgresql/*/bin)
in a temp dir, listening on a free 127.0.0.1 port, and removed at the end of the session.
As root (CI), initdb/postgres run as the `postgres` user through runuser.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from helpers import free_port

from app.factory import create_app
from app.migrate import run_migrations
from app.settings import Settings


def _pg_bin_dir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent

    def version_key(path: str) -> tuple[int, ...]:
        version = Path(path).parent.parent.name
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version_key)
    return Path(candidates[-1]).parent if candidates else None


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if given:
        yield given
        return

    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.fail(
            "No PostgreSQL for the integration tests: set TEST_DATABASE_URL (or DATABASE_URL) "
            "or install the PostgreSQL server binaries (initdb, pg_ctl, postgres)."
        )

    prefix: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="notes-api-pg-"))
    if os.geteuid() == 0:
        # initdb and postgres refuse to run as root.
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(tmp, ignore_errors=True)
            pytest.fail("Running as root but there is no `postgres` user to run PostgreSQL as.")
        os.chown(tmp, pg_user.pw_uid, pg_user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]

    data_dir = tmp / "data"
    log = str(tmp / "pg.log")
    initdb, pg_ctl = str(bin_dir / "initdb"), str(bin_dir / "pg_ctl")
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    started = False
    try:
        _run(
            [
                *prefix,
                initdb,
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
        result = subprocess.run(
            [
                *prefix,
                pg_ctl,
                "-D",
                str(data_dir),
                "-l",
                log,
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if result.returncode != 0:
            log = (tmp / "pg.log").read_text() if (tmp / "pg.log").exists() else ""
            pytest.fail(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{log}")
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "-t", "30", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    run_migrations(Settings(database_url=database_url))
    return database_url


@pytest.fixture
def clean_db(migrated_url: str) -> str:
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("TRUNCATE notes RESTART IDENTITY")
    return migrated_url


@pytest.fixture
def client(clean_db: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=clean_db, db_pool_timeout=5))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def unreachable_url() -> str:
    """A URL whose port nobody listens on: connections are refused at once."""
    return f"postgresql://app:not-the-password@127.0.0.1:{free_port()}/app"
