"""Settings read from the environment.

Importing this module never fails because a variable is missing: a production
configuration without a strong SECRET_KEY is refused when the app *starts*
(see ``allocator.create_app``), not at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "test"}
MIN_SECRET_LENGTH = 32


def env_int(name: str, default: int) -> int:
    """Read an integer from the environment, falling back to ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return int(raw)


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no setting from the environment."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "on")


class BaseConfig:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    # Pooled connections, checked before use (PostgreSQL restarts, idle timeouts).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        "pool_pre_ping": True,
        "pool_size": env_int("DB_POOL_SIZE", 5),
        "max_overflow": env_int("DB_MAX_OVERFLOW", 10),
        "pool_recycle": 1800,
    }
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # flask-smorest / OpenAPI
    API_TITLE = "allocator"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Served by the app itself (no CDN): see allocator/api/docs.py
    OPENAPI_SWAGGER_UI_URL = None

    # Request bodies: JSON up to 1 MiB, CSV uploads up to 5 MiB.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    MAX_JSON_LENGTH = 1 * 1024 * 1024
    IMPORT_MAX_ROWS = 10_000
    IMPORT_MAX_LINE_LENGTH = 4096

    IDEMPOTENCY_TTL_S = 24 * 3600
    # A key still "in progress" after this long belongs to a request that died.
    IDEMPOTENCY_LEASE_S = 120

    # Failed sign-ins from one address: this many per window, then 429 until it ends.
    AUTH_FAIL_LIMIT = env_int("AUTH_FAIL_LIMIT", 10)
    AUTH_FAIL_WINDOW_S = env_int("AUTH_FAIL_WINDOW_S", 300)
    # Failed sign-ins audited one by one per client and window; beyond, only counted.
    AUTH_AUDIT_MAX = env_int("AUTH_AUDIT_MAX", 1000)
    # Cross-origin requests: off unless origins are listed (comma-separated).
    CORS_ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",")
                    if o.strip()]
    # Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted.
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

    CONSENT_TEXT_VERSION = os.environ.get("CONSENT_TEXT_VERSION", "2026-01")
    CONSENT_TEXT = os.environ.get("CONSENT_TEXT") or (
        "The organisers keep your name, e-mail, organisation, sector, country and theme "
        "preferences to run this workshop: to place you in a working group and to tell you "
        "where to go. Nobody else sees them. They are erased when the event's retention "
        "period ends, or earlier if you ask the organisers.")

    # Links in e-mail are built on this address, never on a request's Host header.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000")
    # E-mail: without SMTP_URL messages stay queued and the organisers' page shows each
    # person's link to hand over. smtp://, smtp+starttls:// or smtps://user:pass@host:port.
    SMTP_URL = os.environ.get("SMTP_URL") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Workshop organisers <workshop@localhost>")
    SMTP_TIMEOUT_S = env_int("SMTP_TIMEOUT_S", 30)
    # Without Redis, each gunicorn worker sends what is due this often (seconds; 0: never,
    # leave it to cron's 'flask send-mail'). Claims keep two workers from sending one twice.
    MAIL_EVERY_S = env_int("MAIL_EVERY_S", 30)

    # The pages' sessions live in the database (allocator/web/store.py); the cookie holds
    # a random id, is script-proof and never sent cross-site. A desk day at most, and
    # signed out after two idle hours.
    SESSION_COOKIE_NAME = "allocator_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE", False)
    SESSION_HOURS = env_int("SESSION_HOURS", 14)
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)

    # Heavy documents (report, badges, sign-in sheets) built at once across all workers:
    # a core's worth fewer than the machine has, so the desk always keeps one.
    DOCUMENT_BUILDERS = env_int("DOCUMENT_BUILDERS", max(1, (os.cpu_count() or 2) - 1))

    SOLVER_MAX_TIME_LIMIT_S = env_int("SOLVER_MAX_TIME_LIMIT_S", 120)
    # The most people one allocation places: the size whose time limits are measured
    # (docs/benchmarks.md, benchmarks/limits.py); the default 30 s limit proves its
    # preference stages on 2 cores.
    ALLOCATION_MAX_PEOPLE = env_int("ALLOCATION_MAX_PEOPLE", 10_000)
    # A run still "running" this long after its solver limit was abandoned by a dead
    # process on another host; on the same host a dead process is noticed at once.
    ALLOCATION_GRACE_S = env_int("ALLOCATION_GRACE_S", 60)
    # A queued run no worker has picked up after this long is marked failed.
    ALLOCATION_QUEUE_WAIT_S = env_int("ALLOCATION_QUEUE_WAIT_S", 900)
    # With REDIS_URL set, allocations run as RQ jobs (`make worker`) and answer 202.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "allocator")


class DevelopmentConfig(BaseConfig):
    """``make run``: an SQLite file in ``instance/`` and a generated secret."""

    ENV_NAME = "development"
    # Links in e-mail lead to the port served (PORT=8201 make run), unless set.
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or (
        f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}")


class ProductionConfig(BaseConfig):
    """Everything from the environment; refuses to start without a strong secret."""

    ENV_NAME = "production"
    # Production sits behind TLS: the session cookie only travels over HTTPS.
    SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE", True)


class TestingConfig(BaseConfig):
    """Used by the test-suite; the database URL is given as an override."""

    ENV_NAME = "testing"
    TESTING = True
    # Tests that send many bad tokens on purpose lower this themselves.
    AUTH_FAIL_LIMIT = env_int("AUTH_FAIL_LIMIT", 1000)
    # Fault injection: keep a run busy this long before solving (gunicorn kill test).
    SOLVER_TEST_DELAY_S = float(os.environ.get("SOLVER_TEST_DELAY_S", "0") or 0)
    SECRET_KEY = "testing-secret-key-not-for-production-0123456789"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


class SettingsError(RuntimeError):
    """The settings cannot run this app (the message says what to set)."""


def config_class(name: str | None = None) -> type[BaseConfig]:
    """Return the settings class named by ``name`` or ``ALLOCATOR_ENV`` (default production)."""
    key = (name or os.environ.get("ALLOCATOR_ENV") or "production").strip().lower()
    if key not in CONFIGS:
        raise SettingsError(
            f"ALLOCATOR_ENV={key!r} is not one of {', '.join(sorted(CONFIGS))}"
        )
    return CONFIGS[key]


def secret_is_strong(secret: str | None) -> bool:
    """Tell whether ``secret`` is long and not one of the well-known placeholders."""
    if not secret or secret.strip().lower() in WEAK_SECRETS:
        return False
    return len(secret) >= MIN_SECRET_LENGTH and len(set(secret)) >= 10


def development_secret(instance_path: Path) -> str:
    """Read, or create once, the development secret kept in the instance folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        # Write aside, then link into place: two workers starting at once both
        # end up reading the one secret that won, never a half-written file.
        tmp = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
