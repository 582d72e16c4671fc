"""A real SMTP server on loopback for the tests (aiosmtpd): it keeps what it is sent and
can be stopped and started again on the same port, like a mail server that goes down."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import free_port


@dataclass
class Received:
    """One message as the server took it: envelope and parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def text(self) -> str:
        """The plain-text body."""
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        """The HTML body."""
        return self.message.get_body(("html",)).get_content()

    def ticket(self) -> bytes | None:
        """The ticket's QR code shown in the HTML (the image whose Content-ID it cites)."""
        for part in self.message.walk():
            if part.get("Content-ID") == "<ticket@allocator>":
                return part.get_content()
        return None

    def calendar(self) -> str | None:
        """The text/calendar attachment, if any."""
        for part in self.message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                return part.get_content()
        return None


@dataclass
class Inbox:
    """The aiosmtpd handler: every accepted message, in order."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP answer

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A loopback SMTP server: ``url`` for SMTP_URL, ``inbox`` of what arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        """The server as SMTP_URL says it."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (again) on the same port."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Go down: connections are refused until start()."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
