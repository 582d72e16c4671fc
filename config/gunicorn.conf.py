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
