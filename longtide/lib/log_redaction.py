"""A logging filter that takes secrets and addresses out of every line before it is written.

Our own log lines name things by id and never hold an address, a name, a note or a token
(notifications/delivery.py, accounts/throttle.py). Lines written by libraries are not ours to word:
Django logs each 4xx/5xx answer with its path ("Not Found: /p/demo/manage/<token>/"), and a path
can hold a client's manage-link, intake, questionnaire, diary, waitlist or calendar-feed token, a
staff invitation's token, a booking request's
key or an email address typed into a query. This filter, on the console handler
(settings.LOGGING), replaces those in every record.
"""

from __future__ import annotations

import logging
import re

_SECRETS = [
    # A manage link's token, an intake's, a questionnaire's, a diary's, a calendar feed's, a staff
    # invitation's; the page of a booking request just made; the API's token endpoints.
    (re.compile(r"(/(?:manage|intake|questions|diary|calendar-feed|welcome)/)[^/\s?#\"']+"), r"\1[token]"),
    (re.compile(r"(/waitlist/)(?!sent/)[^/\s?#\"']+"), r"\1[token]"),
    (re.compile(r"(/booking-request/)[^/\s?#\"']+"), r"\1[key]"),
    (re.compile(r"(/api/v1/bookings/)[^/\s?#\"']+"), r"\1[token]"),
    # Email addresses, raw or percent-encoded (@ as %40) in a query string.
    (re.compile(r"[^\s@<>\"'(),;:/?&=]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[address]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
