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
