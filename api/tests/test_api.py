"""Integration tests against a real PostgreSQL: notes CRUD, health and readiness."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.factory import create_app
from app.settings import Settings

NOTES = "/api/v1/notes"


def _create(client: TestClient, title: str, body: str = "") -> dict:
    response = client.post(NOTES, json={"title": title, "body": body})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_get(client: TestClient) -> None:
    response = client.post(NOTES, json={"title": "First", "body": "hello"})
    assert response.status_code == 201
    note = response.json()
    assert set(note) == {"id", "title", "body", "created_at", "updated_at"}
    assert note["title"] == "First"
    assert note["body"] == "hello"
    assert response.headers["location"] == f"{NOTES}/{note['id']}"

    fetched = client.get(f"{NOTES}/{note['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == note


def test_body_defaults_to_empty(client: TestClient) -> None:
    note = client.post(NOTES, json={"title": "only a title"}).json()
    assert note["body"] == ""


def test_update(client: TestClient) -> None:
    note = _create(client, "old", "body")
    response = client.patch(f"{NOTES}/{note['id']}", json={"title": "new"})
    assert response.status_code == 200
    updated = response.json()
    assert updated["title"] == "new"
    assert updated["body"] == "body"
    assert updated["created_at"] == note["created_at"]
    assert updated["updated_at"] > note["updated_at"]

    response = client.patch(f"{NOTES}/{note['id']}", json={"body": ""})
    assert response.json()["body"] == ""
    assert response.json()["title"] == "new"
    assert client.get(f"{NOTES}/{note['id']}").json()["body"] == ""


def test_delete(client: TestClient) -> None:
    note = _create(client, "doomed")
    response = client.delete(f"{NOTES}/{note['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{NOTES}/{note['id']}").status_code == 404
    assert client.delete(f"{NOTES}/{note['id']}").status_code == 404


def test_list_pagination(client: TestClient) -> None:
    empty = client.get(NOTES).json()
    assert empty == {"items": [], "total": 0, "limit": 20, "offset": 0}

    ids = [_create(client, f"note {i}")["id"] for i in range(5)]
    page = client.get(NOTES, params={"limit": 2, "offset": 0}).json()
    assert page["total"] == 5
    assert page["limit"] == 2
    assert [n["id"] for n in page["items"]] == ids[:2]

    page = client.get(NOTES, params={"limit": 2, "offset": 4}).json()
    assert [n["id"] for n in page["items"]] == ids[4:]
    assert page["total"] == 5

    page = client.get(NOTES, params={"offset": 50}).json()
    assert page["items"] == []
    assert page["total"] == 5


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}])
def test_list_bounds(client: TestClient, params: dict) -> None:
    response = client.get(NOTES, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_missing_note_is_json_404(client: TestClient, method: str) -> None:
    kwargs = {"json": {"title": "x"}} if method == "patch" else {}
    response = getattr(client, method)(f"{NOTES}/999999", **kwargs)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "note not found"}


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": 5},
        {"title": None},
        {"title": "ok", "body": "x" * 10_001},
        {"title": "ok", "unknown": 1},
    ],
)
def test_create_validation(client: TestClient, payload: dict) -> None:
    response = client.post(NOTES, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_create_rejects_invalid_json(client: TestClient) -> None:
    response = client.post(
        NOTES, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("payload", [{}, {"title": None}, {"body": None}, {"title": ""}])
def test_update_validation(client: TestClient, payload: dict) -> None:
    note = _create(client, "keep")
    response = client.patch(f"{NOTES}/{note['id']}", json=payload)
    assert response.status_code == 422
    assert client.get(f"{NOTES}/{note['id']}").json()["title"] == "keep"


@pytest.mark.parametrize("note_id", ["abc", "0", "-1", str(2**63)])
def test_invalid_ids_are_422(client: TestClient, note_id: str) -> None:
    assert client.get(f"{NOTES}/{note_id}").status_code == 422


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_health_and_ready_with_database(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


@pytest.fixture
def client_without_db(unreachable_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=unreachable_url, db_pool_timeout=0.5, ready_timeout=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_needs_no_database(client_without_db: TestClient) -> None:
    response = client_without_db.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_is_503_when_database_unreachable(client_without_db: TestClient) -> None:
    response = client_without_db.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "not-the-password" not in response.text


def test_notes_are_503_when_database_unreachable(client_without_db: TestClient) -> None:
    started = time.monotonic()
    response = client_without_db.get(NOTES)
    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
    assert time.monotonic() - started < 5


def test_ready_is_bounded_by_timeout() -> None:
    """A server that accepts TCP but never speaks: readiness must give up after READY_TIMEOUT."""
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(8)
        port = blackhole.getsockname()[1]
        # A connect timeout far above the readiness timeout, so only the latter can end the wait.
        settings = Settings(
            database_url=f"postgresql://app:pw@127.0.0.1:{port}/app",
            ready_timeout=0.5,
            db_connect_timeout=30,
        )
        with TestClient(create_app(settings)) as test_client:
            started = time.monotonic()
            response = test_client.get("/api/v1/ready")
            elapsed = time.monotonic() - started
    assert response.status_code == 503
    # About 0.5 s; the margin is for a loaded CI machine, still far below the 30 s connect timeout.
    assert elapsed < 5.0
