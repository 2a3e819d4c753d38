"""Database access: a lazily-connecting async pool and a bounded readiness probe.

Nothing here connects at import or at startup: the pool is opened with ``min_size=0`` and
``wait=False`` so the service starts (and answers /api/v1/health) while the database is down.
"""

from __future__ import annotations

import asyncio
import logging
import math

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from app.settings import Settings

logger = logging.getLogger(__name__)

APPLICATION_NAME = "notes-api"
# How long the pool keeps retrying a failed connection in the background before giving up.
RECONNECT_TIMEOUT_SECONDS = 30.0


def connect_kwargs(settings: Settings) -> dict[str, object]:
    # libpq's connect_timeout is an integer number of seconds (minimum 2 is enforced by libpq).
    return {
        "connect_timeout": max(2, math.ceil(settings.db_connect_timeout)),
        "application_name": APPLICATION_NAME,
    }


def create_pool(settings: Settings) -> AsyncConnectionPool:
    """Build the pool without opening it; call ``await pool.open(wait=False)`` in the lifespan."""
    return AsyncConnectionPool(
        conninfo=settings.database_url.get_secret_value(),
        kwargs={**connect_kwargs(settings), "row_factory": dict_row},
        min_size=0,
        max_size=settings.db_pool_max_size,
        open=False,
        name=APPLICATION_NAME,
        timeout=settings.db_pool_timeout,
        reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
        max_idle=300.0,
        check=AsyncConnectionPool.check_connection,
    )


async def check_database(settings: Settings) -> bool:
    """Return True when ``SELECT 1`` succeeds within ``settings.ready_timeout`` seconds.

    Uses its own short-lived connection rather than the pool, so a probe neither waits in the
    pool queue nor triggers background reconnection loops.
    """
    try:
        async with asyncio.timeout(settings.ready_timeout):
            conn = await psycopg.AsyncConnection.connect(
                settings.database_url.get_secret_value(),
                autocommit=True,
                **connect_kwargs(settings),
            )
            async with conn:
                await conn.execute("SELECT 1")
    except TimeoutError:
        logger.warning("readiness check timed out after %.1fs", settings.ready_timeout)
        return False
    except psycopg.Error as exc:
        logger.warning("readiness check failed: %s", str(exc).strip().replace("\n", " "))
        return False
    return True
