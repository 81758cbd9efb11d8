"""Email printed, not sent (EMAIL_URL=console: the demo and development), readable as a person reads
an email: the headers that matter and the plain text as written — not the MIME source, whose
quoted-printable encoding splits long lines (a manage link) with soft breaks that break it when
pasted. Attachments and the HTML version are named, not printed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

RULE = "-" * 79


def render(message: EmailMessage) -> str:
    """Return the message as it is printed."""
    lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
    if message.cc:
        lines.append(f"Cc: {', '.join(message.cc)}")
    if message.reply_to:
        lines.append(f"Reply-To: {', '.join(message.reply_to)}")
    lines.append(f"Subject: {message.subject}")
    lines += ["", str(message.body).rstrip("\n"), ""]
    for attachment in message.attachments:
        if isinstance(attachment, tuple | list) or hasattr(attachment, "filename"):
            filename = getattr(attachment, "filename", None) or attachment[0]
            mimetype = getattr(attachment, "mimetype", None) or attachment[2]
            lines.append(f"[attached: {filename} ({mimetype})]")
        else:
            lines.append(f"[attached: a {attachment.get_content_type()} part]")
    if isinstance(message, EmailMultiAlternatives):
        for alternative in message.alternatives:
            content = getattr(alternative, "content", None) or alternative[0]
            mimetype = getattr(alternative, "mimetype", None) or alternative[1]
            lines.append(f"[also as {mimetype}, {len(str(content))} characters, not shown]")
    lines.append(RULE)
    return "\n".join(lines) + "\n"


class EmailBackend(BaseEmailBackend):
    """Print each message to stdout (or `stream`), one at a time across threads."""

    def __init__(self, *, stream: TextIO | None = None, **kwargs: Any) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()
        super().__init__(**kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        with self._lock:
            for message in email_messages:
                self.stream.write(render(message))
                self.stream.flush()
        return len(email_messages)
