"""Copies for e-mail distribution: one message per recipient, and sending them by SMTP.

A message carries the copy's text as its body (UTF-8, so every mark survives transport)
or, for Word, HTML and PDF documents, a short note with the marked file attached; the copy
stamp travels in a header. Sending goes to the SMTP server the user names, with STARTTLS
and a login when asked; the password comes from the environment, never the command line.
"""

from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from ..errors import InputError
from .base import STAMP_HEADER

MIME = {"docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "pdf": ("application", "pdf"), "html": ("text", "html")}


def _address(name: str, email: str, who: str) -> str:
    addr = parseaddr(email)[1]
    if not addr or "@" not in addr or any(c in email for c in "\r\n"):
        raise InputError(f"{who} has no usable e-mail address ({email!r})")
    return formataddr((" ".join(name.split()), addr))


def message(*, sender: str, name: str, email: str, subject: str, body: str,
            attachment: tuple[str, bytes, str] | None = None, stamp: str | None = None) -> EmailMessage:
    """One recipient's message: body text, optional (filename, data, format) attachment, stamp."""
    msg = EmailMessage(policy=SMTP)
    try:
        msg["From"] = _address("", sender, "the sender")
        msg["To"] = _address(name, email, f"recipient {name or email!r}")
        msg["Subject"] = " ".join(subject.split())
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].split("@")[-1] or "leaktrace.invalid")
        if stamp:
            msg[STAMP_HEADER] = stamp
    except ValueError as e:
        raise InputError(f"cannot write the message for {email!r}: {e}") from None
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        filename, data, fmt = attachment
        maintype, subtype = MIME[fmt]
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 25
    starttls: bool = False
    user: str | None = None
    timeout: float = 30.0

    @classmethod
    def parse(cls, spec: str, *, starttls: bool = False, user: str | None = None) -> "SmtpServer":
        host, _, port = spec.strip().rpartition(":") if ":" in spec else (spec.strip(), "", "25")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InputError(f"--smtp: {spec!r} is not HOST:PORT")
        return cls(host, int(port), starttls, user)


def send(server: SmtpServer, messages: Sequence[EmailMessage], on_sent=None) -> None:
    """Deliver every message over one connection; any refusal stops with a one-line error.

    on_sent(i) is called after message i was accepted, so that what went out is recorded
    even when a later message fails (a sent message cannot be taken back)."""
    sent = 0
    password = os.environ.get("LEAKTRACE_SMTP_PASSWORD")
    if server.user and not password:
        raise InputError("--smtp-user needs the password in the LEAKTRACE_SMTP_PASSWORD environment variable")
    try:
        with smtplib.SMTP(server.host, server.port, timeout=server.timeout) as smtp:
            if server.starttls:
                smtp.starttls()
            if server.user:
                smtp.login(server.user, password)
            for msg in messages:
                refused = smtp.send_message(msg)
                if refused:
                    raise smtplib.SMTPRecipientsRefused(refused)
                if on_sent is not None:
                    on_sent(sent)
                sent += 1
    except smtplib.SMTPRecipientsRefused as e:
        raise InputError(f"the SMTP server refused {', '.join(e.recipients)}{_progress(sent, messages)}") from None
    except smtplib.SMTPException as e:
        raise InputError(f"SMTP server {server.host}:{server.port}: {e}{_progress(sent, messages)}") from None
    except (OSError, socket.timeout) as e:
        raise InputError(f"cannot reach SMTP server {server.host}:{server.port} "
                         f"({e.strerror or e}){_progress(sent, messages)}") from None


def _progress(sent: int, messages: Sequence) -> str:
    return f" ({sent} of {len(messages)} messages were sent before; they are recorded)" if sent else ""
