"""Unit tests: configuration validation and the fail-fast error output."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from app.settings import EXIT_CONFIG, Settings, describe_errors, load_settings_or_exit

SECRET = "s3cr3t-Passw0rd"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "RUN_MIGRATIONS_ON_STARTUP",
        "DB_POOL_MAX_SIZE",
        "DB_CONNECT_TIMEOUT",
        "DB_POOL_TIMEOUT",
        "READY_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)


def _messages(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as excinfo:
        Settings()  # type: ignore[call-arg]
    return describe_errors(excinfo.value)


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:{SECRET}@db:5432/app")
    monkeypatch.setenv("RUN_MIGRATIONS_ON_STARTUP", "true")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "7")
    settings = Settings()  # type: ignore[call-arg]
    assert settings.database_url.get_secret_value() == f"postgresql://app:{SECRET}@db:5432/app"
    assert settings.run_migrations_on_startup is True
    assert settings.db_pool_max_size == 7
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://db/app")
    settings = Settings()  # type: ignore[call-arg]
    assert settings.run_migrations_on_startup is False
    assert settings.ready_timeout <= 5


def test_missing_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = _messages(monkeypatch)
    assert len(messages) == 1
    assert messages[0].startswith("DATABASE_URL is required")
    assert "postgresql://" in messages[0]


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_database_url(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    messages = _messages(monkeypatch, DATABASE_URL=value)
    assert messages == [
        "DATABASE_URL is empty: set it to a PostgreSQL URL such as "
        "postgresql://user:pass@host:5432/db"
    ]


@pytest.mark.parametrize(
    "value", [f"mysql://app:{SECRET}@db/app", f"app:{SECRET}@db/app", "http://db/app"]
)
def test_wrong_scheme_never_echoes_the_value(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    messages = _messages(monkeypatch, DATABASE_URL=value)
    assert len(messages) == 1
    assert messages[0].startswith("DATABASE_URL must start with postgresql://")
    assert SECRET not in messages[0]


def test_one_message_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = _messages(monkeypatch, DB_POOL_MAX_SIZE="lots", READY_TIMEOUT="0")
    assert len(messages) == 3
    assert any(m.startswith("DATABASE_URL is required") for m in messages)
    assert any(m.startswith("DB_POOL_MAX_SIZE is invalid") for m in messages)
    assert any(m.startswith("READY_TIMEOUT is invalid") for m in messages)


def test_load_or_exit_prints_json_lines_and_exits_78(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"mysql://app:{SECRET}@db/app")
    with pytest.raises(SystemExit) as excinfo:
        load_settings_or_exit()
    assert excinfo.value.code == EXIT_CONFIG == 78
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "error"
    assert record["logger"] == "app.settings"
    assert "DATABASE_URL" in record["message"]
    assert SECRET not in out
