"""Background jobs, run by RQ workers (`make worker`)."""

from __future__ import annotations


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
    from allocator.services.outbox import deliver_due

    app = create_app()
    with app.app_context():
        if not app.config.get("SMTP_URL"):
            return {"sent": 0, "retried": 0, "failed": 0}
        return deliver_due(SmtpSettings.from_url(app.config["SMTP_URL"],
                                                 app.config["SMTP_TIMEOUT_S"]))
