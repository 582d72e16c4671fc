"""SMTP delivery: settings from one URL, one message to one recipient.

``SMTP_URL`` is ``smtp://host:port`` (plain, for a relay on the same machine),
``smtp+starttls://user:password@host:587`` or ``smtps://user:password@host:465``. User and
password are percent-encoded in the URL as usual.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from allocator.models import Message, utcnow

SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class MailSettingsError(ValueError):
    """SMTP_URL or MAIL_FROM cannot be used; the message says which and why."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand messages over: host, port, security, optional login."""

    host: str
    port: int
    security: str  # plain, starttls or tls
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0

    @classmethod
    def from_url(cls, url: str, timeout_s: float = 30.0) -> SmtpSettings:
        """Read ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URLs; MailSettingsError."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise MailSettingsError(
                "SMTP_URL must start with smtp://, smtp+starttls:// or smtps://.")
        security, default_port = SCHEMES[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise MailSettingsError("SMTP_URL has a port that is not a number.") from exc
        if not parts.hostname:
            raise MailSettingsError("SMTP_URL names no host.")
        return cls(host=parts.hostname, port=port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   timeout_s=timeout_s)

    def connect(self) -> smtplib.SMTP:
        """An open, logged-in connection (smtplib errors and OSError as they come)."""
        context = ssl.create_default_context()
        if self.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port,
                                                    timeout=self.timeout_s, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            if self.security == "starttls":
                server.starttls(context=context)
        if self.username:
            server.login(self.username, self.password or "")
        return server


def sender_address(mail_from: str) -> Address:
    """MAIL_FROM ("Workshop desk <desk@example.org>" or a bare address) as an Address."""
    name, address = parseaddr(mail_from)
    if "@" not in address:
        raise MailSettingsError("MAIL_FROM must be an e-mail address, e.g. "
                                "'Workshop <workshop@example.org>'.")
    user, domain = address.rsplit("@", 1)
    return Address(display_name=name, username=user, domain=domain)


TICKET_CID = "ticket@allocator"
# A message whose HTML holds this shows a ticket: its QR code goes with it as an attached
# PNG (an inline image in a short HTML part is what spam filters score as image spam).
TICKET_MARK = "data-ticket"


def shows_ticket(body_html: str | None) -> bool:
    """Whether a message's HTML shows the recipient's ticket (the attached QR code); older
    messages cited it inline as cid:ticket@allocator."""
    html = body_html or ""
    return TICKET_MARK in html or f"cid:{TICKET_CID}" in html


def build(message: Message, sender: Address, ticket_png: bytes | None = None,
          recipient_name: str = "") -> EmailMessage:
    """The e-mail of one outbox row: one To (with the recipient's own name, never anyone
    else's), no Cc or Bcc, its fixed Message-ID, plain text with an HTML alternative that
    says the same, the ticket's QR code attached (``ticket_png``, made at sending time: the
    stored message never holds the code) and the calendar entry where there is one."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = Address(display_name=" ".join(recipient_name.split()),
                         addr_spec=message.recipient) if recipient_name else message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(message.created_at or utcnow())
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    if ticket_png is not None and shows_ticket(message.body_html):
        mail.add_attachment(ticket_png, maintype="image", subtype="png",
                            cid=f"<{TICKET_CID}>", filename="ticket.png")
    if message.vcard:
        mail.add_attachment(message.vcard, subtype="vcard", charset="utf-8",
                            filename="contacts.vcf")
    if message.calendar:
        mail.add_attachment(message.calendar, subtype="calendar", charset="utf-8",
                            filename="working-group.ics", params={"method": "PUBLISH"})
    if getattr(message, "language", None):  # last: building the parts drops Content-* headers
        mail["Content-Language"] = message.language
    return mail
