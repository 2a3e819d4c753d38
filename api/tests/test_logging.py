"""Unit tests: the JSON log formatter and the uvicorn log config file."""

from __future__ import annotations

import io
import json
import logging
import logging.config

from helpers import API_DIR

from app.logging import JsonFormatter, json_line


def _record(name: str, msg: str, args: tuple[object, ...] | None = None, **extra: object):
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_basic_fields() -> None:
    line = JsonFormatter().format(_record("app.test", "hello %s", ("world",)))
    assert "\n" not in line
    record = json.loads(line)
    assert record["level"] == "info"
    assert record["logger"] == "app.test"
    assert record["message"] == "hello world"
    assert record["ts"].endswith("Z")


def test_uvicorn_color_message_and_ansi_are_dropped() -> None:
    rec = _record(
        "uvicorn.error",
        "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)",
        ("http", "127.0.0.1", 8000),
        color_message="Uvicorn running on \x1b[1m%s://%s:%d\x1b[0m",
    )
    line = JsonFormatter().format(rec)
    record = json.loads(line)
    assert "color_message" not in record
    assert "\x1b" not in line
    assert record["message"] == "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)"
    coloured = JsonFormatter().format(_record("x", "\x1b[32mINFO\x1b[0m done"))
    assert json.loads(coloured)["message"] == "INFO done"


def test_access_record_fields() -> None:
    rec = _record(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5555", "GET", "/api/v1/health?x=1", "1.1", 200),
    )
    record = json.loads(JsonFormatter().format(rec))
    assert record["client"] == "127.0.0.1:5555"
    assert record["method"] == "GET"
    assert record["path"] == "/api/v1/health?x=1"
    assert record["status"] == 200
    assert record["message"] == '127.0.0.1:5555 - "GET /api/v1/health?x=1 HTTP/1.1" 200'


def test_exception_is_a_single_line_field() -> None:
    logger = logging.getLogger("app.test.exc")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            logger.exception("it failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "error"
    assert record["exc_type"] == "ValueError"
    assert "Traceback" in record["exc_info"]
    assert "boom" in record["exc_info"]


def test_extra_fields_are_serialised() -> None:
    record = json.loads(JsonFormatter().format(_record("x", "m", request_id=42, obj=object())))
    assert record["request_id"] == 42
    assert isinstance(record["obj"], str)


def test_json_line_helper() -> None:
    record = json.loads(json_line("error", "app.settings", "DATABASE_URL is required"))
    assert record["level"] == "error"
    assert record["logger"] == "app.settings"


def test_log_config_file_is_valid_dictconfig() -> None:
    config = json.loads((API_DIR / "app" / "logging.json").read_text())
    assert config["formatters"]["json"]["()"] == "app.logging.JsonFormatter"
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            assert logging.getLogger(name).propagate is True
            assert logging.getLogger(name).handlers == []
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
