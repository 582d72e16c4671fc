"""The application factory: settings, extensions, blueprints, errors, request hooks, CLI."""

from __future__ import annotations

import logging
import os
import time
import traceback
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from allocator.redact import redact_path
from config import SettingsError, config_class, development_secret, secret_is_strong

log = logging.getLogger("allocator")
ROOT = Path(__file__).resolve().parent.parent

class AllocatorFlask(Flask):
    """Flask that never writes an exception's message (it may hold personal data) to logs."""

    def log_exception(self, exc_info: Any) -> None:
        """Log the exception's type and stack, never its message or the request data."""
        exc_type, _, tb = exc_info
        frames = "".join(traceback.format_tb(tb)) if tb else ""
        self.logger.error("Unhandled %s on %s %s\n%s", exc_type.__name__ if exc_type else "?",
                          request.method, redact_path(request.path), frames)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with :func:`allocator.jsonbody.loads` and keeping field order."""

    sort_keys = False  # fields in the order the schemas declare them
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse strictly (see :mod:`allocator.jsonbody`)."""
        from allocator.jsonbody import loads

        return loads(s)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    settings = config_class((overrides or {}).get("ENV_NAME"))
    app.config.from_object(settings)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'allocator.db'}"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://"):]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        # A file, not a server: no pool sizes, and no pre-ping (nothing restarts or
        # drops a connection to a file; the ping would cost a statement per request).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"timeout": 30, "check_same_thread": False},
        }
    env = app.config["ENV_NAME"]
    if env == "development" and not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret(Path(app.instance_path))
    if env == "production" and not secret_is_strong(app.config.get("SECRET_KEY")):
        raise SettingsError(
            "SECRET_KEY must be set to a strong random value (at least 32 characters) in "
            "production. Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'. For a local trial use ALLOCATOR_ENV=development."
        )
    if env == "production" and app.config.get("SMTP_URL") and not str(
            app.config.get("PUBLIC_URL", "")).startswith("https://"):
        raise SettingsError(
            "With SMTP_URL set, PUBLIC_URL must be the https:// address people open the "
            "links in e-mail at (e.g. https://workshop.example.org).")


def _request_hooks(app: Flask) -> None:
    from allocator.http_guard import check_request

    @app.before_request
    def limits_and_media_type() -> None:
        g.started = time.perf_counter()
        check_request(app)

    @app.after_request
    def headers_and_log(response: Any) -> Any:
        if request.method == "OPTIONS" and request.path.startswith("/api/") \
                and response.status_code == 200:
            # Flask answers OPTIONS itself with an empty HTML page: say it in HTTP alone.
            response.status_code = 204
            response.set_data(b"")
            response.headers.pop("Content-Type", None)
        _security_headers(app, response)
        _cors(app, response)
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # Path only: query strings can carry names (participant search).
        log.info("%s %s %s %.1fms", request.method, redact_path(request.path),
                 response.status_code, elapsed)
        return response


# The API and the docs page need different policies; pages (allocator/web) set their own.
CSP_API = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
CSP_PAGES = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
CSP_DOCS = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")


def _security_headers(app: Flask, response: Any) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    path = request.path
    if path.startswith("/api/docs"):
        policy = CSP_DOCS
    elif path.startswith("/api/") or path in ("/healthz", "/livez"):
        policy = CSP_API
    else:
        policy = CSP_PAGES
    headers.setdefault("Content-Security-Policy", policy)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Personal data must not linger in caches: everything but static files and the spec.
    static = path.startswith(("/api/docs/static", "/static/"))
    if not (path == "/api/openapi.json" or static):
        headers.setdefault("Cache-Control", "no-store")


def _cors(app: Flask, response: Any) -> None:
    origin = request.headers.get("Origin")
    allowed = app.config.get("CORS_ORIGINS") or []
    if not origin or origin not in allowed:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    response.headers["Access-Control-Allow-Headers"] = (
        "Authorization, Content-Type, Idempotency-Key")
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = (
        "Location, Content-Disposition, Retry-After, Idempotent-Replayed")
    response.headers["Access-Control-Max-Age"] = "600"


def _domain_errors(app: Flask) -> None:
    """Every door answers a service's domain error the same way: as its HTTP problem,
    through the handlers that render problems (API) and error pages (the pages)."""
    from allocator.errors import DomainError
    from allocator.problems import to_problem

    def handle(error: DomainError) -> Any:
        return app.handle_http_exception(to_problem(error))

    app.register_error_handler(DomainError, handle)


def import_renderer() -> None:
    """Import the PDF renderer (WeasyPrint) now, else the first document pays for it;
    nothing when its system libraries are missing (documents then answer 503)."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        pass


def settle() -> None:
    """For a serving process, once its app is loaded: the PDF renderer imported, then every
    object alive so far (modules, routes, templates) moved out of the cyclic garbage
    collector's view (``gc.freeze``). A document's layout makes enough garbage for full
    collections; they no longer walk the app each time: the report PDF's build went from
    a median of about 2.05 s to 1.91 s (docs/benchmarks.md)."""
    import gc

    import_renderer()
    gc.collect()
    gc.freeze()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, errors and CLI."""
    instance = os.environ.get("ALLOCATOR_INSTANCE_PATH") or str(ROOT / "instance")
    app = AllocatorFlask(__name__, instance_relative_config=True, instance_path=instance)
    _configure(app, overrides)
    app.json = StrictJSONProvider(app)
    # "/api//events" is not an address: a 404 problem, not a redirect with an HTML body.
    app.url_map.merge_slashes = False
    from allocator.http_guard import BodyLimit

    # Chunked bodies are counted before anything reads them (413 whole, never cut).
    app.wsgi_app = BodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore

    from allocator import cli
    from allocator.api import register as register_api
    from allocator.api.openapi import ClientDocs
    from allocator.extensions import api, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    api.init_app(app, spec_kwargs={"extra_plugins": [ClientDocs()]})
    with app.app_context():
        if not sa_event.contains(Engine, "connect", _sqlite_pragmas):
            sa_event.listen(Engine, "connect", _sqlite_pragmas)
    register_api(app)
    _domain_errors(app)
    from allocator import i18n

    i18n.init_app(app)
    from allocator.web import register as register_web

    register_web(app)
    _request_hooks(app)
    cli.register(app)
    return app
