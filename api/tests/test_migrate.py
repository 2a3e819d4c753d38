"""Integration tests: the idempotent migration and its `python -m app.migrate` command."""

from __future__ import annotations

import subprocess
import sys

import psycopg
from helpers import API_DIR, base_env, json_lines

from app.migrate import run_migrations
from app.settings import Settings


def _run_migrate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.migrate"],
        cwd=API_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_migration_is_idempotent(migrated_url: str) -> None:
    settings = Settings(database_url=migrated_url)
    run_migrations(settings)
    run_migrations(settings)
    with psycopg.connect(migrated_url) as conn:
        row = conn.execute("SELECT to_regclass('public.notes') IS NOT NULL").fetchone()
    assert row == (True,)


def test_migrate_command(migrated_url: str) -> None:
    result = _run_migrate(base_env(DATABASE_URL=migrated_url))
    assert result.returncode == 0, result.stdout + result.stderr
    records = json_lines(result.stdout)
    assert any("schema is up to date" in str(r["message"]) for r in records)
    assert result.stderr == ""


def test_migrate_command_unreachable_database(unreachable_url: str) -> None:
    result = _run_migrate(base_env(DATABASE_URL=unreachable_url))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "not-the-password" not in result.stdout + result.stderr
    assert any(r["level"] == "error" for r in json_lines(result.stdout))


def test_migrate_command_without_database_url() -> None:
    result = _run_migrate(base_env(DATABASE_URL=None))
    assert result.returncode == 78
    assert "Traceback" not in result.stdout + result.stderr
    (record,) = json_lines(result.stdout)
    assert "DATABASE_URL" in str(record["message"])
