"""Background work: RQ jobs (`make worker`), and the embedded mail sender.

Without Redis (the embedded default, `make run`), each gunicorn worker runs
:func:`start_mail_sender`: a daemon thread that sends the outbox's due messages every
MAIL_EVERY_S seconds when SMTP_URL is set. The outbox claims each message before sending
it, so several workers never send one twice.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

log = logging.getLogger(__name__)


def run_allocation(run_id: int) -> str:
    """Solve a queued allocation run and store its answer; return its final status."""
    from allocator import create_app
    from allocator.services.allocation import execute

    # Each job runs in its own forked process, so the app (and its pool) is its own.
    app = create_app()
    with app.app_context():
        return execute(run_id).status


def send_mail() -> dict[str, int]:
    """Deliver the outbox's due messages (queued after a change that wrote some)."""
    from allocator import create_app
    from allocator.mailer import SmtpSettings
    from allocator.services.networking import queue_contact_lists
    from allocator.services.outbox import deliver_due

    app = create_app()
    with app.app_context():
        if not app.config.get("SMTP_URL"):
            return {"sent": 0, "retried": 0, "failed": 0}
        queue_contact_lists()  # events that ended: each person's contacts, once
        return deliver_due(SmtpSettings.from_url(app.config["SMTP_URL"],
                                                 app.config["SMTP_TIMEOUT_S"]))


def start_mail_sender(app: Any) -> threading.Thread | None:
    """Start the embedded mail sender for ``app`` (see the module docstring): only without
    REDIS_URL (an RQ worker sends then), with SMTP_URL set and MAIL_EVERY_S above 0. The
    thread, or None when none is started."""
    config = app.config
    every = config.get("MAIL_EVERY_S", 0)
    if config.get("REDIS_URL") or not config.get("SMTP_URL") or every <= 0:
        return None

    def loop() -> None:
        from allocator.extensions import db
        from allocator.mailer import SmtpSettings
        from allocator.services.networking import queue_contact_lists
        from allocator.services.outbox import deliver_due

        stop = threading.Event()
        while not stop.wait(every * random.uniform(0.8, 1.2)):
            with app.app_context():
                try:
                    settings = SmtpSettings.from_url(config["SMTP_URL"],
                                                     config["SMTP_TIMEOUT_S"])
                    queue_contact_lists()  # events that ended: contacts, once each
                    counts = deliver_due(settings, limit=500)
                    if any(counts.values()):
                        log.info("mail sender: %s", counts)
                except Exception:  # a bad round must not end the sender
                    log.exception("mail sender: this round failed; the next one tries again")
                finally:
                    db.session.remove()

    thread = threading.Thread(target=loop, name="mail-sender", daemon=True)
    thread.start()
    return thread
