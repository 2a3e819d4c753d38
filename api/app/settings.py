"""Configuration from environment variables only (pydantic-settings).

Invalid or missing configuration is reported as one JSON line per problem on stdout, then the
process exits with EX_CONFIG (78) before anything binds a port. Values are never echoed: the
database URL carries a password.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.logging import json_line

EXIT_CONFIG = 78  # EX_CONFIG from sysexits.h
LOGGER_NAME = "app.settings"

_DB_URL_HINT = "set it to a PostgreSQL URL such as postgresql://user:pass@host:5432/db"
_ALLOWED_SCHEMES = ("postgresql", "postgres")

# What to tell the operator for each setting, keyed by field name.
_HINTS: dict[str, str] = {
    "database_url": _DB_URL_HINT,
    "run_migrations_on_startup": "set it to true or false",
    "db_pool_max_size": "set it to an integer between 1 and 100",
    "db_connect_timeout": "set it to a number of seconds between 1 and 60",
    "db_pool_timeout": "set it to a number of seconds between 0.1 and 60",
    "ready_timeout": "set it to a number of seconds between 0.1 and 30",
}


class Settings(BaseSettings):
    """Service settings; each field is read from the upper-case environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    database_url: SecretStr
    run_migrations_on_startup: bool = False
    db_pool_max_size: int = Field(default=5, ge=1, le=100)
    db_connect_timeout: float = Field(default=3.0, ge=1, le=60)
    db_pool_timeout: float = Field(default=5.0, ge=0.1, le=60)
    ready_timeout: float = Field(default=2.0, ge=0.1, le=30)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if not url:
            raise ValueError("is empty")
        try:
            parts = urlsplit(url)
        except ValueError:
            raise ValueError("is not a valid URL") from None
        if parts.scheme not in _ALLOWED_SCHEMES:
            raise ValueError("must start with postgresql:// or postgres://")
        return SecretStr(url)


def describe_errors(exc: ValidationError) -> list[str]:
    """Turn a ValidationError into one human message per problem, never including values."""
    messages: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        field = str(error["loc"][0]) if error["loc"] else "configuration"
        env_name = field.upper()
        hint = _HINTS.get(field, "check its value")
        if error["type"] == "missing":
            messages.append(f"{env_name} is required: {hint}")
        elif error["type"] == "value_error":
            reason = str(error.get("ctx", {}).get("error", "is invalid"))
            messages.append(f"{env_name} {reason}: {hint}")
        else:
            messages.append(f"{env_name} is invalid ({error['msg']}): {hint}")
    return messages


def load_settings() -> Settings:
    """Read settings from the environment; raises ValidationError on bad configuration."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment


def load_settings_or_exit() -> Settings:
    """Read settings, or print one JSON error line per problem and exit 78 (no traceback)."""
    try:
        return load_settings()
    except ValidationError as exc:
        for message in describe_errors(exc):
            sys.stdout.write(json_line("error", LOGGER_NAME, message) + "\n")
        sys.stdout.flush()
        raise SystemExit(EXIT_CONFIG) from None
