"""Process-level tests of the production command: real uvicorn in a subprocess.

Covers fail-fast configuration, JSON-only stdout logging and graceful SIGTERM handling.
The server runs as PID 1 of its own PID namespace when possible (as in a container);
see helpers.UvicornProcess.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest
from helpers import UvicornProcess, base_env, json_lines, port_is_open

# app/factory.py closes the connection pool with this timeout on shutdown.
POOL_CLOSE_TIMEOUT_SECONDS = 5.0

UVICORN_LIFECYCLE_MESSAGES = (
    "Started server process",
    "Waiting for application startup",
    "Application startup complete",
    "Uvicorn running on",
    "Shutting down",
    "Waiting for application shutdown",
    "Application shutdown complete",
    "Finished server process",
)


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (None, "DATABASE_URL is required"),
        ("", "DATABASE_URL is empty"),
        ("mysql://app:hunter2-secret@db/app", "DATABASE_URL must start with postgresql://"),
    ],
    ids=["missing", "empty", "wrong-scheme"],
)
def test_fail_fast_on_bad_configuration(database_url: str | None, expected: str) -> None:
    server = UvicornProcess(base_env(DATABASE_URL=database_url), as_pid1=False).start()
    try:
        bound = False
        deadline = time.monotonic() + 20
        while server.proc.poll() is None and time.monotonic() < deadline:
            bound = bound or port_is_open(server.port)
            time.sleep(0.02)
        returncode = server.wait(timeout=5)
        out, err = server.collect()
    finally:
        server.kill()
    assert returncode == 78
    assert not bound, "the port must never be bound"
    assert "Traceback" not in out + err
    assert "hunter2-secret" not in out + err
    assert err == ""
    records = json_lines(out)
    assert len(records) == 1
    assert records[0]["level"] == "error"
    assert str(records[0]["message"]).startswith(expected)


def test_every_stdout_line_is_json(migrated_url: str) -> None:
    server = UvicornProcess(base_env(DATABASE_URL=migrated_url)).start()
    try:
        server.wait_healthy()
        assert server.get("/api/v1/ready")[0] == 200
        assert server.get("/api/v1/notes?limit=1")[0] == 200
        assert server.get("/api/v1/notes/999999")[0] == 404
        server.terminate()
        assert server.wait(timeout=10) == 0
        out, err = server.collect()
    finally:
        server.kill()

    assert err == "", "nothing may go to stderr"
    assert "\x1b" not in out
    assert "color_message" not in out
    records = json_lines(out)
    for record in records:
        assert {"ts", "level", "logger", "message"} <= set(record)
    messages = [str(r["message"]) for r in records]
    for expected in UVICORN_LIFECYCLE_MESSAGES:
        assert any(m.startswith(expected) for m in messages), f"missing {expected!r}:\n{out}"
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    health = [r for r in access if r.get("path") == "/api/v1/health"]
    assert health, out
    assert health[-1]["method"] == "GET"
    assert health[-1]["status"] == 200
    assert str(health[-1]["client"]).startswith("127.0.0.1:")
    assert any(r.get("status") == 404 for r in access)


def test_sigterm_when_idle_exits_zero_quickly(unreachable_url: str) -> None:
    server = UvicornProcess(base_env(DATABASE_URL=unreachable_url)).start()
    try:
        server.wait_healthy()
        started = time.monotonic()
        server.terminate()
        returncode = server.wait(timeout=40)
        elapsed = time.monotonic() - started
        out, _ = server.collect()
    finally:
        server.kill()
    assert returncode == 0, out
    # "Quickly": without waiting on any timeout of the shutdown path, the shortest of which is the
    # pool's 5 s close timeout (the graceful one is 30 s). Idle, it takes about 0.2 s; the margin is
    # for a loaded CI machine (1.6 s was seen with the Dagger suite beside it). Speed: the bench.
    assert elapsed < POOL_CLOSE_TIMEOUT_SECONDS - 0.5, f"shutdown took {elapsed:.2f}s"
    assert "graceful shutdown exceeded" not in out
    assert "Finished server process" in out


def _read_response(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _read_interim_response(sock: socket.socket) -> bytes:
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return head


def test_sigterm_lets_in_flight_request_complete(clean_db: str) -> None:
    server = UvicornProcess(base_env(DATABASE_URL=clean_db)).start()
    try:
        server.wait_healthy()
        body = json.dumps({"title": "in flight", "body": "x" * 2000}).encode()
        # Expect: 100-continue makes uvicorn answer "100 Continue" once the app starts reading the
        # body: proof that the request is in flight when SIGTERM arrives, with no sleep to guess it.
        head = (
            "POST /api/v1/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(head)
            assert _read_interim_response(sock).startswith(b"HTTP/1.1 100 Continue")
            server.terminate()
            deadline = time.monotonic() + 10
            while port_is_open(server.port) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not port_is_open(server.port), "no new connections after SIGTERM"
            assert server.proc.poll() is None, "server must wait for the in-flight request"
            sock.sendall(body)
            response = _read_response(sock)
        returncode = server.wait(timeout=10)
        out, _ = server.collect()
    finally:
        server.kill()

    status_line, _, rest = response.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 201 Created", response
    payload = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert payload["title"] == "in flight"
    assert returncode == 0, out


def test_start_without_reachable_database(unreachable_url: str) -> None:
    """The verifier runs the image with --network none: it must still start and be healthy."""
    server = UvicornProcess(base_env(DATABASE_URL="postgresql://app:pw@db.invalid:5432/app"))
    server.start()
    try:
        server.wait_healthy()
        assert server.get("/api/v1/health") == (200, b'{"status":"ok"}')
        status, _ = server.get("/api/v1/ready")
        assert status == 503
        server.terminate()
        assert server.wait(timeout=5) == 0
    except subprocess.TimeoutExpired:
        pytest.fail("server did not stop")
    finally:
        server.kill()
