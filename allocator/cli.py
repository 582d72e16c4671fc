"""Command-line tools for organisers and operators (``flask --app wsgi ...``)."""

from __future__ import annotations

import click
from flask import Flask

from allocator.extensions import db


def register(app: Flask) -> None:
    """Add the allocator commands to ``app.cli``."""

    @app.cli.command("create-token")
    @click.option("--role", required=True, type=click.Choice(["organizer", "desk", "viewer"]))
    @click.option("--name", required=True,
                  help="Who holds it, e.g. 'desk-1' or 'Anna (organiser)'.")
    @click.option("--event", "event_id", type=int, default=None,
                  help="Limit the token to one event.")
    def create_token(role: str, name: str, event_id: int | None) -> None:
        """Create an API token and print it (it is shown only this once)."""
        from allocator.services.tokens import TokenError, create_token

        try:
            click.echo(create_token(role, name, event_id))
        except TokenError as exc:
            raise click.ClickException(str(exc)) from exc

    @app.cli.command("revoke-token")
    @click.argument("name")
    def revoke_token(name: str) -> None:
        """Revoke the active token with this name (or public id)."""
        from allocator.services.tokens import TokenError, revoke_token

        try:
            token = revoke_token(name)
        except TokenError as exc:
            raise click.ClickException(str(exc)) from exc
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
        click.echo(f"  organizer: {organizer}")
        click.echo(f"  desk:      {desk}")
