"""Notes resource: CRUD under /api/v1/notes, stored in PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict, Field, model_validator

router = APIRouter(prefix="/api/v1/notes", tags=["notes"])

TITLE_MAX = 200
BODY_MAX = 10_000
PAGE_DEFAULT = 20
PAGE_MAX = 100
BIGINT_MAX = 2**63 - 1


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(default="", max_length=BODY_MAX)


class NoteUpdate(BaseModel):
    """Partial update: send at least one of title/body; neither may be null."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    body: str | None = Field(default=None, max_length=BODY_MAX)

    @model_validator(mode="after")
    def _check_fields(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("at least one of 'title' or 'body' is required")
        for name in ("title", "body"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"'{name}' may not be null")
        return self


class Note(BaseModel):
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime


class NotePage(BaseModel):
    items: list[Note]
    total: int
    limit: int
    offset: int


NoteId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="Note id")]


def get_pool(request: Request) -> AsyncConnectionPool:
    return request.app.state.pool


Pool = Annotated[AsyncConnectionPool, Depends(get_pool)]


def _not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="note not found")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Note)
async def create_note(payload: NoteCreate, pool: Pool, response: Response) -> dict[str, Any]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO notes (title, body) VALUES (%s, %s)"
            " RETURNING id, title, body, created_at, updated_at",
            (payload.title, payload.body),
        )
        row = await cur.fetchone()
    assert row is not None  # noqa: S101  # INSERT ... RETURNING always yields the row
    response.headers["Location"] = f"{router.prefix}/{row['id']}"
    return row


@router.get("", response_model=NotePage)
async def list_notes(
    pool: Pool,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
) -> dict[str, Any]:
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT count(*) AS total FROM notes")
        total_row = await cur.fetchone()
        cur = await conn.execute(
            "SELECT id, title, body, created_at, updated_at FROM notes"
            " ORDER BY id LIMIT %s OFFSET %s",
            (limit, offset),
        )
        items = await cur.fetchall()
    total = total_row["total"] if total_row else 0
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{note_id}", response_model=Note)
async def get_note(note_id: NoteId, pool: Pool) -> dict[str, Any]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT id, title, body, created_at, updated_at FROM notes WHERE id = %s",
            (note_id,),
        )
        row = await cur.fetchone()
    if row is None:
        raise _not_found()
    return row


@router.patch("/{note_id}", response_model=Note)
async def update_note(note_id: NoteId, payload: NoteUpdate, pool: Pool) -> dict[str, Any]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE notes SET title = COALESCE(%s, title), body = COALESCE(%s, body),"
            " updated_at = now() WHERE id = %s"
            " RETURNING id, title, body, created_at, updated_at",
            (payload.title, payload.body, note_id),
        )
        row = await cur.fetchone()
    if row is None:
        raise _not_found()
    return row


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: NoteId, pool: Pool) -> Response:
    async with pool.connection() as conn:
        cur = await conn.execute("DELETE FROM notes WHERE id = %s", (note_id,))
        deleted = cur.rowcount
    if deleted == 0:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
