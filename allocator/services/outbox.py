"""The transactional outbox: e-mail written with the change that causes it, sent later.

A message row is added to the caller's transaction (:func:`queue`) and so exists exactly
when the change does. :func:`deliver_due` sends what is due, one recipient per message;
a message is marked sent only after the server accepted it, and carries the Message-ID
fixed when it was queued, so the rare copy sent again after a crash is the same message
to the recipient's mail program. Failures are retried with backoff (1, 2, 4 … minutes,
at most 6 hours apart); after ``MAX_ATTEMPTS`` or a permanent refusal it is failed, and
``requeue`` gives failed messages another round.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app, render_template
from sqlalchemy import delete, or_, select, update

from allocator import mailer
from allocator.extensions import db
from allocator.i18n import event_language, person_language, speaking
from allocator.models import Event, Message, Participant, PersonalLink, TeamMember, utcnow
from allocator.services import audit, codes

log = logging.getLogger(__name__)

# 1, 2, 4 … 256 minutes, then every 6 hours: about a day and a half in all.
# Messages that carry a personal link: they go when the person's links end.
LINK_KINDS = ("invitation", "confirmation", "reminder")
MAX_ATTEMPTS = 12
LEASE = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=6)
_ADDRESS = re.compile(r"[^\s<>()\"',;:]+@[^\s<>()\"',;:]+")


def new_message_id() -> str:
    """A fresh Message-ID in MAIL_FROM's domain: ``<random hex@domain>``."""
    domain = mailer.sender_address(current_app.config["MAIL_FROM"]).domain
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue(person: Participant | TeamMember, kind: str, context: dict[str, Any], *,
          link: str | None = None, calendar: str | Callable[[], str] | None = None,
          group_id: int | None = None, vcard: str | None = None) -> Message:
    """Add one message to ``person`` (a participant, or a member of the event's team) to
    the caller's transaction (the caller commits).

    Subject and bodies come from ``mail/<kind>.subject.txt``, ``.txt`` and ``.html``,
    rendered with ``context`` plus ``person`` and ``link`` in the person's language (a
    member of the team: the event's), as is ``calendar`` when it is a function; they name
    nobody else.
    """
    context = {**context, "person": person, "link": link}
    member = isinstance(person, TeamMember)
    event = context.get("event") or db.session.get(Event, person.event_id)
    if member:  # a member who is also a participant (a facilitator) reads their language
        registered = db.session.get(Participant, person.participant_id) \
            if person.participant_id else None
        language = person_language(registered, event) if registered else \
            event_language(event)
    else:
        language = person_language(person, event)
    with speaking(language):
        subject = " ".join(render_template(f"mail/{kind}.subject.txt", **context).split())
        body_text = render_template(f"mail/{kind}.txt", **context)
        body_html = render_template(f"mail/{kind}.html", **context)
        if callable(calendar):
            calendar = calendar()
    message = Message(
        event_id=person.event_id, participant_id=None if member else person.id,
        member_id=person.id if member else None, kind=kind,
        recipient=person.email, subject=subject[:300],
        body_text=body_text, body_html=body_html, language=language,
        calendar=calendar, link=link, group_id=group_id, vcard=vcard,
        message_id=new_message_id(),
        status="queued", attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    audit.record("message.queued", event_id=person.event_id, subject=("message", message.id),
                 details={"kind": kind, ("member_id" if member else "participant_id"):
                          person.id})
    return message


def kick() -> None:
    """After a commit that queued messages: with REDIS_URL and SMTP_URL set, ask an RQ
    worker to deliver them now. Best effort: cron's ``send-mail`` is the safety net."""
    config = current_app.config
    if not (config.get("REDIS_URL") and config.get("SMTP_URL")):
        return
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    try:
        Queue(config["RQ_QUEUE"], connection=Redis.from_url(config["REDIS_URL"])).enqueue(
            "allocator.jobs.send_mail", job_timeout=600)
    except RedisError as exc:
        log.warning("could not ask a worker to send mail (cron will): %s", exc)


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 2^(attempts-1) minutes, at most 6 hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def without_addresses(text: str) -> str:
    """An error text with every e-mail address replaced (errors are stored and logged)."""
    return _ADDRESS.sub("[address]", text)[:500]


def _claim(message_id: int, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Take the message for this sender until ``now + lease`` (a second sender running
    at once skips it; so does one whose list is older than the message's next try)."""
    table = Message.__table__
    taken = db.session.execute(
        update(table).where(
            table.c.id == message_id, table.c.status == "queued",
            table.c.next_attempt_at <= now,
            or_(table.c.locked_until.is_(None), table.c.locked_until < now))
        .values(locked_until=now + lease)).rowcount
    db.session.commit()
    return bool(taken)


def _permanent(exc: Exception) -> bool:
    """A refusal of this message that sending again will not change: the recipient or the
    content refused with a 5xx answer. The server's own trouble (down, login, a sender it
    refuses: the settings) is never permanent for a message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _server_trouble(exc: Exception) -> bool:
    """The connection, the login or the sender failed: every message would fail alike."""
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPAuthenticationError
                      | smtplib.SMTPSenderRefused | smtplib.SMTPConnectError) \
        or not isinstance(exc, smtplib.SMTPException)


def due(now: dt.datetime, limit: int) -> list[int]:
    """Ids of queued messages whose time has come, oldest first."""
    return list(db.session.scalars(
        select(Message.id).where(Message.status == "queued", Message.next_attempt_at <= now,
                                 or_(Message.locked_until.is_(None),
                                     Message.locked_until < now))
        .order_by(Message.next_attempt_at, Message.id).limit(limit)))


def unwanted(message: Message) -> str | None:
    """Why a queued message must not go out any more, or None: its person withdrew (or
    declined, for all but the confirmation of that), or the event takes no more data."""
    from allocator.models import Event
    from allocator.services.events import closed_reason

    event = db.session.get(Event, message.event_id)
    if message.member_id is not None:
        member = db.session.get(TeamMember, message.member_id)
        if member is None or member.removed_at is not None or event is None:
            return "removed from the team"
        if closed_reason(event.ends_at, event.retention_days, event.purged_at):
            return "the event holds no more personal data"
        return None
    person = db.session.get(Participant, message.participant_id)
    if person is None or event is None or person.erased_at is not None:
        return "erased"
    if closed_reason(event.ends_at, event.retention_days, event.purged_at):
        return "the event holds no more personal data"
    if person.status == "withdrawn":
        return "withdrawn"
    if person.status == "declined" and message.kind != "confirmation":
        return "declined"
    return None


def deliver_due(settings: mailer.SmtpSettings, *, limit: int = 10_000,
                now: Callable[[], dt.datetime] = utcnow) -> dict[str, int]:
    """Send every due message through one SMTP connection; counts of sent, retried,
    failed and dropped (no longer wanted). When the server is down, refuses the login or
    the sender, the attempt is recorded on the message in hand and the run stops: the
    others wait for the next run, their attempts untouched."""
    sender = mailer.sender_address(current_app.config["MAIL_FROM"])
    lease = max(LEASE, dt.timedelta(seconds=settings.timeout_s * 4))
    counts = {"sent": 0, "retried": 0, "failed": 0, "dropped": 0}
    server: smtplib.SMTP | None = None
    try:
        for message_id in due(now(), limit):
            if not _claim(message_id, now(), lease):
                continue
            message = db.session.get(Message, message_id, populate_existing=True)
            if message is None:  # erased meanwhile
                continue
            reason = unwanted(message)
            if reason is not None:
                _drop(message, reason)
                counts["dropped"] += 1
                continue
            try:
                if server is None:
                    server = settings.connect()
                server.send_message(mailer.build(message, sender, _ticket_png(message),
                                                 _recipient_name(message)),
                                    from_addr=sender.addr_spec, to_addrs=[message.recipient])
            except (smtplib.SMTPException, OSError) as exc:
                counts[_failed(message, exc, now())] += 1
                if _server_trouble(exc):
                    break
                continue
            _sent(message, now())
            counts["sent"] += 1
    finally:
        db.session.rollback()
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return counts


def _recipient_name(message: Message) -> str:
    """The recipient's own name for the To line (a participant's or a team member's)."""
    if message.participant_id is not None:
        person = db.session.get(Participant, message.participant_id)
        return person.full_name if person is not None and not person.erased_at else ""
    if message.member_id is not None:
        member = db.session.get(TeamMember, message.member_id)
        return member.name if member is not None else ""
    return ""


def _ticket_png(message: Message) -> bytes | None:
    """The QR code of the recipient's ticket, for messages that show it (made now, so the
    outbox never stores a ticket code)."""
    if not mailer.shows_ticket(message.body_html):
        return None
    person = db.session.get(Participant, message.participant_id) \
        if message.participant_id is not None else None
    code = codes.text(person) if person is not None else None  # issued when queued
    return codes.qr_png(code, scale=6) if code else None


def _commit_unless_gone(message_id: int) -> None:
    """Commit the message's new state; if an erasure or a revocation deleted it while it
    was being sent, there is nothing to record."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        log.info("message %s was deleted while being sent", message_id)


def _drop(message: Message, reason: str) -> None:
    audit.record("message.dropped", event_id=message.event_id,
                 subject=("message", message.id), actor="send-mail",
                 details={"reason": reason})
    db.session.delete(message)
    _commit_unless_gone(message.id)


def _sent(message: Message, at: dt.datetime) -> None:
    message.status, message.sent_at, message.attempts = "sent", at, message.attempts + 1
    message.locked_until = None
    message.last_error = None
    # What was sent is the recipient's now: bodies and the link leave the database.
    message.body_text = message.body_html = ""
    message.calendar = message.link = message.vcard = None
    audit.record("message.sent", event_id=message.event_id, subject=("message", message.id),
                 actor="send-mail")
    _commit_unless_gone(message.id)
    log.info("message %s sent", message.id)


def _failed(message: Message, exc: Exception, at: dt.datetime) -> str:
    message.attempts += 1
    message.last_error = without_addresses(f"{type(exc).__name__}: {exc}")
    message.locked_until = None
    if _permanent(exc) or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        outcome = "failed"
        audit.record("message.failed", event_id=message.event_id,
                     subject=("message", message.id), actor="send-mail",
                     details={"attempts": message.attempts})
    else:
        message.next_attempt_at = at + backoff(message.attempts)
        outcome = "retried"
    log.warning("message %s not sent (attempt %s): %s", message.id, message.attempts,
                message.last_error)
    _commit_unless_gone(message.id)
    return outcome


def end_links(person: Participant, action: str) -> None:
    """In the caller's transaction: every link of ``person`` stops working and their
    unsent messages carrying one are dropped (revoked, or their address changed)."""
    db.session.execute(update(PersonalLink).where(
        PersonalLink.participant_id == person.id, PersonalLink.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    dropped = drop_queued(person.id, LINK_KINDS)
    audit.record(action, event_id=person.event_id, subject=("participant", person.id),
                 details={"unsent_messages_dropped": dropped})


def drop_member_queued(member_id: int) -> int:
    """Delete a team member's unsent messages (their sign-in links ended)."""
    return db.session.execute(delete(Message).where(
        Message.member_id == member_id, Message.status != "sent")).rowcount or 0


def drop_queued(participant_id: int, kinds: tuple[str, ...]) -> int:
    """Delete a person's unsent messages of these kinds (their links were revoked)."""
    return db.session.execute(delete(Message).where(
        Message.participant_id == participant_id, Message.status != "sent",
        Message.kind.in_(kinds))).rowcount or 0


def requeue(event_id: int | None = None) -> int:
    """Queue failed messages again now, with a fresh count of attempts (after the address
    or the server was fixed); how many."""
    query = update(Message).where(Message.status == "failed")
    if event_id is not None:
        query = query.where(Message.event_id == event_id)
    count = db.session.execute(query.values(status="queued", attempts=0,
                                            next_attempt_at=utcnow(),
                                            locked_until=None)).rowcount or 0
    db.session.commit()
    return count
