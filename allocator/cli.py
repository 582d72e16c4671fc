"""Command-line tools for organisers and operators (``flask --app wsgi ...``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from allocator.errors import DomainError
from allocator.extensions import db


def said_in_a_line(command: Callable[..., Any]) -> Callable[..., Any]:
    """The CLI's mapping of domain errors: the detail as the one error line (exit 1), each
    conflicting rule on a line of its own above it."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            for conflict in error.extra.get("conflicts") or []:
                click.echo(f"  - {conflict['message']}", err=True)
            raise click.ClickException(error.detail) from error

    return wrapper


def register(app: Flask) -> None:
    """Add the allocator commands to ``app.cli``."""

    @app.cli.command("create-token")
    @click.option("--role", required=True,
                  type=click.Choice(["organizer", "desk", "viewer", "facilitator"]))
    @click.option("--name", required=True,
                  help="Who holds it, e.g. 'desk-1' or 'Anna (organiser)'.")
    @click.option("--event", "event_id", type=int, default=None,
                  help="Limit the token to one event.")
    @click.option("--group", "group_id", type=int, default=None,
                  help="A facilitator's working group (their recommendations).")
    @said_in_a_line
    def create_token(role: str, name: str, event_id: int | None,
                     group_id: int | None) -> None:
        """Create an API token and print it (it is shown only this once)."""
        from allocator.services.tokens import create_token

        click.echo(create_token(role, name, event_id, group_id))

    @app.cli.command("revoke-token")
    @click.argument("name")
    @said_in_a_line
    def revoke_token(name: str) -> None:
        """Revoke the active token with this name (or public id)."""
        from allocator.services.tokens import revoke_token

        token = revoke_token(name)
        click.echo(f"revoked token {token.public_id} ({token.name}, {token.role})", err=True)

    @app.cli.command("list-tokens")
    def list_tokens() -> None:
        """List tokens: public id, role, name, scope, state (never the secret)."""
        from allocator.services.tokens import list_tokens

        for token in list_tokens():
            state = "revoked" if token.revoked_at else "active"
            scope = f"event {token.event_id}" if token.event_id else "all events"
            used = (token.last_used_at.isoformat(timespec="seconds")
                    if token.last_used_at else "never")
            click.echo(f"{token.public_id}\t{token.role}\t{token.name}\t{scope}\t{state}\t"
                       f"last used {used}")

    @app.cli.group("team")
    def team_group() -> None:
        """The event's team: give staff access by a sign-in link, end it."""

    @team_group.command("add")
    @click.argument("event_id", type=int)
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.option("--role", required=True,
                  type=click.Choice(["organizer", "desk", "viewer", "facilitator"]))
    @click.option("--group", "group", default=None,
                  help="A facilitator's working group, by name (or id).")
    @said_in_a_line
    def team_add(event_id: int, name: str, email: str, role: str, group: str | None) -> None:
        """Give someone access: a sign-in link is queued by e-mail ('send-mail' sends it)."""
        import marshmallow as ma

        from allocator.api.schemas.team import MemberIn
        from allocator.errors import Invalid
        from allocator.services import team
        from allocator.services.events import get_event, group_named

        event = get_event(event_id)
        data = {"name": name, "email": email, "role": role}
        if group:
            data["group_id"] = group_named(event, group).id
        try:
            loaded = MemberIn().load(data)
        except ma.ValidationError as exc:
            raise Invalid(exc.messages) from exc
        member = team.add_member(event, loaded)
        click.echo(f"member {member.id}: {member.name}, {member.role}; sign-in link queued")

    @team_group.command("list")
    @click.argument("event_id", type=int)
    @said_in_a_line
    def team_list(event_id: int) -> None:
        """List the event's team: id, role, group, name, e-mail, until when the link works."""
        from allocator.services import team
        from allocator.services.events import get_event

        for member in team.members(get_event(event_id)):
            until = member.link_expires_at.date().isoformat() if member.link_expires_at \
                else "-"
            click.echo(f"{member.id}\t{member.role}\tgroup {member.group_id or '-'}\t"
                       f"{member.name}\t{member.email}\tlink until {until}")

    @team_group.command("remove")
    @click.argument("event_id", type=int)
    @click.argument("member_id", type=int)
    @said_in_a_line
    def team_remove(event_id: int, member_id: int) -> None:
        """End a member's access at once (their link and every page session)."""
        from allocator.services import team
        from allocator.services.events import get_event

        member = team.remove_member(get_event(event_id), member_id)
        click.echo(f"member {member.id} ({member.name}) no longer has access")

    @app.cli.command("allocate")
    @click.argument("event_id", type=int)
    @click.option("--checked-in-only", is_flag=True, help="Leave out people not checked in.")
    @click.option("--stable", is_flag=True, help="Keep the published allocation's places.")
    @click.option("--time-limit", type=float, default=30.0, show_default=True)
    @click.option("--publish", is_flag=True, help="Publish the run if it succeeds.")
    @click.option("--waitlist", is_flag=True,
                  help="If seats run short, place as many as the rooms hold; the rest wait.")
    @said_in_a_line
    def allocate(event_id: int, checked_in_only: bool, stable: bool, time_limit: float,
                 publish: bool, waitlist: bool) -> None:
        """Run the allocation for an event and print what it found."""
        from allocator.services import allocation
        from allocator.services.events import get_event

        include = ["checked_in"] if checked_in_only else ["registered", "checked_in"]
        event = get_event(event_id)
        run = allocation.allocate(event, {"include": include, "stable": stable,
                                          "time_limit_s": time_limit,
                                          "overflow": "waitlist" if waitlist else "refuse"})
        if publish:
            allocation.publish(event, run.id)
        objective = run.objective or {}
        waiting = len(run.waiting_list)
        click.echo(f"run {run.id}: {run.solver_status}, {run.people} people, "
                   f"worst rank {objective.get('worst_rank')}, rank sum "
                   f"{objective.get('rank_sum')}, {run.wall_s}s"
                   + (f", {waiting} on the waiting list" if waiting else "")
                   + (", published" if publish else ""))

    @app.cli.command("export-groups")
    @click.argument("event_id", type=int)
    @click.option("-o", "--output", "directory", type=click.Path(file_okay=False),
                  default=".", show_default=True, help="Folder to write the files into.")
    @click.option("--run", "run_id", type=int, default=None,
                  help="An unpublished run instead of the published allocation.")
    @said_in_a_line
    def export_groups(event_id: int, directory: str, run_id: int | None) -> None:
        """Write the group lists: one CSV for all groups, one per group, and an XLSX."""
        from pathlib import Path

        from allocator.access import Principal
        from allocator.services import exports
        from allocator.services.events import get_event

        operator = Principal.system()
        event = get_event(event_id)
        columns = list(exports.DEFAULT_COLUMNS)
        run = exports.source_run(event, run_id, operator)
        lists = exports.group_lists(event, run, columns, operator)
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        everything = out / exports.filename(event, "group lists", "csv")
        everything.write_bytes(exports.to_csv(columns, lists))
        written.append(everything)
        for group_list in lists:
            path = out / exports.filename(event, group_list.group.name.replace("/", "-"), "csv")
            path.write_bytes(exports.to_csv(columns, [group_list]))
            written.append(path)
        book = out / exports.filename(event, "group lists", "xlsx")
        book.write_bytes(exports.to_xlsx(columns, lists, event))
        written.append(book)
        exports.record_download(event, run, "files", None, columns,
                                sum(len(g.rows) for g in lists))
        for path in written:
            click.echo(str(path))

    @app.cli.command("create-database")
    def create_database() -> None:
        """Create the PostgreSQL database DATABASE_URL names, if it does not exist yet."""
        import sqlalchemy as sa

        url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if not url.drivername.startswith("postgresql"):
            click.echo("not PostgreSQL: nothing to create", err=True)
            return
        server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": url.database})
            if not exists:
                name = connection.dialect.identifier_preparer.quote(url.database)
                connection.execute(sa.text(f"CREATE DATABASE {name}"))
        server.dispose()
        click.echo(f"database {url.database}: {'exists' if exists else 'created'}", err=True)

    @app.cli.command("purge-expired")
    @click.option("--dry-run", is_flag=True, help="List what would be erased; change nothing.")
    def purge_expired(dry_run: bool) -> None:
        """Erase personal data of events past their retention period (safe to repeat)."""
        from allocator.services.privacy import purge_expired

        done = purge_expired(dry_run=dry_run)
        if dry_run:
            for event in done["would_purge"]:
                again = " (again: people were added after its purge)" \
                    if event["purged_before"] else ""
                click.echo(f"event {event['id']}: {event['name']} — retention ended "
                           f"{event['retention_ended']:%Y-%m-%d}; {event['people']} "
                           f"participant(s) would be erased{again}")
            click.echo(f"would purge {done['events']} event(s), {done['participants']} "
                       "participant(s); nothing was changed")
            return
        click.echo(f"purged {done['events']} event(s), {done['participants']} participant(s); "
                   f"dropped {done['idempotency_records']} stored response(s) and "
                   f"{done['sessions']} expired page session(s)")

    @app.cli.command("send-mail")
    @click.option("--limit", type=int, default=10_000, show_default=True,
                  help="Send at most this many messages in this run.")
    @click.option("--requeue-failed", is_flag=True,
                  help="First give failed messages another round (the address or the "
                       "server was fixed).")
    def send_mail(limit: int, requeue_failed: bool) -> None:
        """Deliver every queued e-mail that is due, then exit (run it from cron)."""
        from flask import current_app

        from allocator.mailer import MailSettingsError, SmtpSettings, sender_address
        from allocator.models import utcnow
        from allocator.services.networking import queue_contact_lists
        from allocator.services.outbox import deliver_due, due, requeue

        if requeue_failed:
            click.echo(f"queued {requeue()} failed message(s) again")
        lists = queue_contact_lists()  # events that ended: each person's contacts, once
        if lists:
            click.echo(f"queued {lists} contact list(s) of workshops that ended")

        config = current_app.config
        if not config.get("SMTP_URL"):
            waiting = len(due(utcnow(), limit))
            click.echo(f"SMTP_URL is not set: {waiting} message(s) stay queued. The "
                       "organisers' Invitations page shows each person's link to hand over.")
            return
        try:
            settings = SmtpSettings.from_url(config["SMTP_URL"], config["SMTP_TIMEOUT_S"])
            sender_address(config["MAIL_FROM"])
        except MailSettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        counts = deliver_due(settings, limit=limit)
        click.echo(f"sent {counts['sent']}, to retry later {counts['retried']}, "
                   f"failed {counts['failed']}, no longer wanted {counts['dropped']}")

    @app.cli.command("send-reminders")
    @click.option("--days", type=int, default=3, show_default=True,
                  help="Remind when answers close within this many days.")
    def send_reminders(days: int) -> None:
        """Queue one reminder per invitee who has not answered, shortly before the deadline."""
        import datetime as dt

        from allocator.services.invitations import remind

        queued = remind(dt.timedelta(days=days))
        click.echo(f"queued {queued} reminder(s); 'send-mail' delivers them")

    @app.cli.command("audit-log")
    @click.option("--event", "event_id", type=int, default=None, help="Only this event.")
    @click.option("--limit", type=int, default=50, show_default=True)
    def audit_log(event_id: int | None, limit: int) -> None:
        """Print the newest audit entries (ids only), also those of no event."""
        from sqlalchemy import select

        from allocator.models import AuditEntry

        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if event_id is not None:
            query = query.where(AuditEntry.event_id == event_id)
        for entry in db.session.scalars(query):
            click.echo(f"{entry.at.isoformat(timespec='seconds')}\t{entry.actor}\t"
                       f"{entry.action}\t{entry.subject_type}:{entry.subject_id}\t"
                       f"event {entry.event_id or '-'}\t{entry.details or ''}")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has events.")
    def seed_demo(if_empty: bool) -> None:
        """Create the aide-memoire's workshop and print an organizer and a desk token."""
        from allocator.demo import database_is_empty, seed_demo
        from allocator.services.tokens import create_token

        if if_empty and not database_is_empty():
            click.echo("The database already has events; demo not seeded.", err=True)
            return
        event = seed_demo()
        suffix = f"event-{event.id}"
        organizer = create_token("organizer", f"demo-organizer-{suffix}")
        desk = create_token("desk", f"demo-desk-{suffix}", event.id)
        count = len(db.session.get(type(event), event.id).themes)
        click.echo(f"Seeded event {event.id}: {event.name} ({count} themes).")
        click.echo("Demo tokens, shown only now. Keep them; make new ones with "
                   "'flask --app wsgi create-token'.")
        labels = ("organiser (every event):", f"desk (event {event.id} only):")
        width = max(map(len, labels)) + 1
        click.echo(f"  {labels[0].ljust(width)}{organizer}")
        click.echo(f"  {labels[1].ljust(width)}{desk}")
