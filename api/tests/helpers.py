"""Shared helpers for tests that run the real uvicorn command in a subprocess."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

API_DIR = Path(__file__).resolve().parents[1]

UVICORN_ARGS = [
    "app.main:app",
    "--host",
    "127.0.0.1",
    "--workers",
    "1",
    "--timeout-graceful-shutdown",
    "30",
    "--log-config",
    "app/logging.json",
    "--no-server-header",
]

# Fallback when a PID namespace cannot be created: ignore SIGTERM before uvicorn starts, which is
# what the kernel does for a container's PID 1 once uvicorn re-raises the signal after its graceful
# shutdown (uvicorn restores the previous handler and calls signal.raise_signal()).
_PID1_EMULATION = (
    "import signal, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "from uvicorn.main import main; sys.argv[0] = 'uvicorn'; main()"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def uvicorn_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("uvicorn")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "uvicorn"]
    return [*base, *UVICORN_ARGS, "--port", str(port)]


@cache
def can_unshare_pid() -> bool:
    if os.environ.get("NOTES_TEST_NO_UNSHARE") or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    try:
        result = subprocess.run(
            ["unshare", "--pid", "--fork", "--kill-child", "--", "true"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def base_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class UvicornProcess:
    """The production uvicorn command, optionally as PID 1 of its own PID namespace."""

    def __init__(self, env: dict[str, str], *, as_pid1: bool = True) -> None:
        self.port = free_port()
        self.env = env
        self.as_pid1 = as_pid1
        self.proc: subprocess.Popen[str] | None = None
        self.stdout = ""
        self.stderr = ""
        self._server_pid: int | None = None

    def start(self) -> UvicornProcess:
        cmd = uvicorn_command(self.port)
        if self.as_pid1:
            if can_unshare_pid():
                cmd = ["unshare", "--pid", "--fork", "--kill-child", "--", *cmd]
            else:
                cmd = [sys.executable, "-c", _PID1_EMULATION, *cmd[-len(UVICORN_ARGS) - 2 :]]
        self.proc = subprocess.Popen(
            cmd,
            cwd=API_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self

    @property
    def server_pid(self) -> int:
        """PID of the uvicorn process itself (the child of `unshare` when namespaced)."""
        assert self.proc is not None
        if self._server_pid is not None:
            return self._server_pid
        if not (self.as_pid1 and can_unshare_pid()):
            self._server_pid = self.proc.pid
            return self._server_pid
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = children.read_text().split() if children.exists() else []
            if pids:
                self._server_pid = int(pids[0])
                return self._server_pid
            time.sleep(0.02)
        raise AssertionError("could not find the uvicorn process under unshare")

    def wait_healthy(self, timeout: float = 20.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.collect(timeout=5)
                raise AssertionError(
                    f"uvicorn exited early ({self.proc.returncode}):\n{self.stdout}\n{self.stderr}"
                )
            with contextlib.suppress(OSError):
                if self.get("/api/v1/health")[0] == 200:
                    return
            time.sleep(0.05)
        raise AssertionError("uvicorn did not become healthy in time")

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def terminate(self) -> None:
        os.kill(self.server_pid, signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def collect(self, timeout: float = 10.0) -> tuple[str, str]:
        assert self.proc is not None
        out, err = self.proc.communicate(timeout=timeout)
        self.stdout += out or ""
        self.stderr += err or ""
        return self.stdout, self.stderr

    def kill(self) -> None:
        """Make sure nothing is left running (call in a finally)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, AssertionError):
                os.kill(self.server_pid, signal.SIGKILL)
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            self.collect(timeout=5)


def json_lines(text: str) -> list[dict[str, object]]:
    """Parse every non-empty line as a JSON object (fails on the first line that is not)."""
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        assert isinstance(record, dict), line
        records.append(record)
    return records
