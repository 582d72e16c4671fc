"""gunicorn settings, read from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# cores + 1: the app is CPU-bound (the database is near), and on 2 cores 3 workers served
# more registrations than 5, with half the p99 on SQLite (docs/benchmarks.md).
# Allocations that would hold a worker for long belong on the RQ worker (REDIS_URL).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Above the largest solver time limit an allocation request may ask for.
timeout = int(os.environ.get("SOLVER_MAX_TIME_LIMIT_S", "120")) + 60
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string: searches carry names in the query.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Personal links (/i/<secret>) are keys: the access log shows them as /i/[link].
logger_class = "allocator.redact.RedactingLogger"


def when_ready(server):  # noqa: ANN001 (gunicorn's hook)
    """With ``preload_app`` the app is loaded in the master, before it forks: settle it
    there once (allocator.app.settle), so each worker finds the renderer imported and the
    app already set aside (and shares those pages with the master)."""
    if server.cfg.preload_app:
        from allocator.app import settle

        settle()


def post_worker_init(worker):  # noqa: ANN001 (gunicorn's hook)
    """Each worker sends queued mail itself when there is no Redis (allocator.jobs), and
    sets its long-lived objects aside from the garbage collector (allocator.app.settle)."""
    import wsgi
    from allocator.app import settle
    from allocator.jobs import start_mail_sender

    start_mail_sender(wsgi.app)
    settle()


def _problem_error(sock, status_int, reason, mesg):  # noqa: ANN001 (gunicorn's signature)
    """gunicorn's own errors (414, 431, a malformed request) as problem documents.

    gunicorn answers these before the app sees the request, with an HTML page that
    echoes what was sent. API clients get the same problem+json as from the app, and the
    request line or headers (which may carry names in a query string) are not echoed.
    """
    import json

    from gunicorn import util

    body = json.dumps({"type": "about:blank", "title": reason, "status": status_int,
                       "detail": f"The server could not read this request ({reason})."})
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    util.write_nonblock(sock, (head + body).encode("latin-1"))


def _install_problem_errors():
    from gunicorn import util

    util.write_error = _problem_error


_install_problem_errors()
