"""Application factory. ``app.main`` builds the ASGI app from the environment; tests call
:func:`create_app` with explicit settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from app import notes
from app.db import check_database, create_pool
from app.migrate import run_migrations
from app.settings import Settings

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.run_migrations_on_startup:
            # Opt-in only: a failure here aborts startup (uvicorn exits non-zero).
            await asyncio.to_thread(run_migrations, settings)
        pool = create_pool(settings)
        # min_size=0 and wait=False: no connection is attempted until a request needs one.
        await pool.open(wait=False)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close(timeout=5.0)

    app = FastAPI(
        title="Notes API",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(notes.router)

    @app.get(f"{API_PREFIX}/health", tags=["ops"])
    async def health() -> dict[str, str]:
        """Liveness: the process serves HTTP. Never touches the database."""
        return {"status": "ok"}

    @app.get(f"{API_PREFIX}/ready", tags=["ops"])
    async def ready() -> JSONResponse:
        """Readiness: the database answers ``SELECT 1`` within READY_TIMEOUT seconds."""
        if await check_database(settings):
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "unavailable", "detail": "database unavailable"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(psycopg.OperationalError)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        logger.warning(
            "database unavailable for %s %s: %s",
            request.method,
            request.url.path,
            str(exc).strip().replace("\n", " "),
        )
        return JSONResponse(
            {"detail": "database unavailable"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(psycopg.errors.UndefinedTable)
    async def schema_missing(request: Request, exc: Exception) -> JSONResponse:
        logger.error("database schema missing: run `python -m app.migrate`")
        return JSONResponse(
            {"detail": "database schema not initialised"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        # uvicorn still logs the exception (as one JSON line); the client gets JSON, no details.
        return JSONResponse(
            {"detail": "internal server error"},
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    return app
