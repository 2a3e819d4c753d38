"""JSON logging: one JSON object per line on stdout, for the app and for uvicorn.

Used by ``app/logging.json`` (uvicorn ``--log-config``) via ``"()": "app.logging.JsonFormatter"``
and by :func:`configure_logging` for entry points that do not run under uvicorn.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}

# uvicorn adds a coloured duplicate of some messages; it must never reach the output.
_DROPPED_EXTRAS = frozenset({"color_message"})


def _strip_ansi(text: str) -> str:
    return _ANSI_RE.sub("", text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _timestamp(created: float) -> str:
    return (
        datetime.fromtimestamp(created, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def json_line(level: str, logger: str, message: str, **fields: Any) -> str:
    """Render one log line without going through the logging machinery."""
    entry: dict[str, Any] = {
        "ts": _timestamp(datetime.now(tz=UTC).timestamp()),
        "level": level,
        "logger": logger,
        "message": _strip_ansi(message),
    }
    entry.update({key: _jsonable(val) for key, val in fields.items()})
    return json.dumps(entry, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """Format a LogRecord as a single-line JSON object.

    Fields: ts, level, logger, message; uvicorn access records also get client, method,
    path, http_version and status; exceptions go into a single ``exc_info`` string field.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _strip_ansi(record.getMessage()),
        }

        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, http_version, status = args
            entry.update(
                client=_jsonable(client),
                method=_jsonable(method),
                path=_jsonable(path),
                http_version=_jsonable(http_version),
                status=_jsonable(status),
            )

        for key, value in vars(record).items():
            if key in _STANDARD_ATTRS or key in _DROPPED_EXTRAS or key in entry:
                continue
            entry[key] = _jsonable(value)

        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)

        # json.dumps escapes newlines, so multi-line tracebacks stay on one line.
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send every log record to stdout as JSON (for ``python -m app.migrate`` and friends)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
