"""Idempotent schema migration: ``python -m app.migrate``.

Safe to run any number of times and from several replicas at once (advisory lock).
Also run at startup when RUN_MIGRATIONS_ON_STARTUP=true (default: false).
"""

from __future__ import annotations

import logging
import sys

import psycopg

from app.db import connect_kwargs
from app.logging import configure_logging
from app.settings import Settings, load_settings_or_exit

logger = logging.getLogger(__name__)

# Arbitrary constant identifying this service's migration lock (ASCII "notes").
MIGRATION_LOCK_ID = 0x6E6F746573

SCHEMA_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS notes (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        title       TEXT        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        body        TEXT        NOT NULL DEFAULT '',
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX IF NOT EXISTS notes_created_at_idx ON notes (created_at)",
)


def apply_schema(conn: psycopg.Connection) -> None:
    """Create the schema inside one transaction on an open connection."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_ID,))
        for statement in SCHEMA_STATEMENTS:
            conn.execute(statement)


def run_migrations(settings: Settings) -> None:
    """Connect (bounded by DB_CONNECT_TIMEOUT), apply the schema, disconnect."""
    with psycopg.connect(
        settings.database_url.get_secret_value(), autocommit=True, **connect_kwargs(settings)
    ) as conn:
        apply_schema(conn)
    logger.info("database schema is up to date")


def main() -> int:
    configure_logging()
    settings = load_settings_or_exit()
    try:
        run_migrations(settings)
    except psycopg.Error as exc:
        logger.error("migration failed: %s", str(exc).strip().replace("\n", " "))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
